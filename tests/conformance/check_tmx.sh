#!/usr/bin/env bash
# TMX conformance check: imports every corpus file listed in tmx.tsv into a fresh database
# and compares what tmbase did with the table.
#
# Usage (from the repository root):
#   tests/conformance/check_tmx.sh [TMBASE_BINARY] [CORPUS_DIR]
# TMBASE_BINARY defaults to target/debug/tmbase, CORPUS_DIR to ../shared/corpus.
#
# Table columns: file outcome added skipped expect why
#   outcome ok:    exit 0, no failure; added/skipped must match; expect lists the skip reason
#                  codes (comma-separated) that skipped_by_reason must hold exactly, or "-".
#   outcome error: exit non-zero and a failure message containing the expect substring.
# Each file is imported with --on-duplicate keep, so duplicates never count as skips.
# Also fails when a .tmx/.tmx.gz under CORPUS_DIR/tmx is not in the table, or a listed one is
# missing. Prints one line per file and "N passed, M failed" last; exits 1 on any failure.
# Imports run $CHECK_TMX_JOBS at a time (default: the number of CPUs). Needs python3.

set -u

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)

tmbase=${1:-$root/target/debug/tmbase}
corpus=${2:-$root/../shared/corpus}
table=$here/tmx.tsv

[[ -x $tmbase ]] || { echo "tmbase binary not found or not executable: $tmbase" >&2; exit 2; }
[[ -d $corpus/tmx ]] || { echo "corpus not found: $corpus/tmx" >&2; exit 2; }
[[ -f $table ]] || { echo "table not found: $table" >&2; exit 2; }
tmbase=$(cd "$(dirname "$tmbase")" && pwd)/$(basename "$tmbase")
corpus=$(cd "$corpus" && pwd)

work=$(mktemp -d "${TMPDIR:-/tmp}/check_tmx.XXXXXX")
trap 'rm -rf "$work"' EXIT

jobs=${CHECK_TMX_JOBS:-$(nproc 2>/dev/null || echo 2)}

# 1. Import every listed file, each into its own fresh database, a few at a time; the
#    largest files first so that they do not finish last.
python3 - "$table" "$corpus" >"$work/jobs" <<'PY'
import os, sys
table, corpus = sys.argv[1:3]
rows = []
with open(table, encoding='utf-8') as t:
    for i, line in enumerate(t):
        f = line.rstrip('\n').split('\t')[0]
        if i == 0 or not f or f.startswith('#'):
            continue
        p = os.path.join(corpus, f)
        rows.append((os.path.getsize(p) if os.path.isfile(p) else 0, i, p))
for size, i, p in sorted(rows, reverse=True):
    if os.path.isfile(p):
        print('%d\t%s' % (i, p))
PY
export tmbase work
tr '\n\t' '\0\0' <"$work/jobs" | xargs -0 -n 2 -P "$jobs" sh -c '
    "$tmbase" --db "$work/db$1.sqlite" import "$2" --memory conformance --json \
        --on-duplicate keep >"$work/out$1" 2>"$work/err$1" </dev/null
    echo $? >"$work/rc$1"
    rm -f "$work/db$1.sqlite" "$work/db$1.sqlite"-*' sh

# 2. Compare with the table, and look for corpus files the table does not list.
python3 - "$table" "$corpus" "$work" <<'PY'
import json, os, re, sys

table, corpus, work = sys.argv[1:4]
passed = failed = 0
listed = set()

def judge(file, outcome, added, skipped, expect, rc, text):
    try:
        report = json.loads(text.strip().splitlines()[-1])
    except (ValueError, IndexError):
        return ['no JSON report on stdout (exit %s)' % rc]
    problems = []
    failures = report.get('failed', [])
    if outcome == 'error':
        if rc == 0:
            problems.append('expected an error, exit code was 0')
        if not failures:
            problems.append('expected an error, got none (added %s, skipped %s)'
                            % (report.get('added'), report.get('skipped')))
        elif not any(expect in f for f in failures):
            problems.append('error message lacks %r: %s' % (expect, '; '.join(failures)))
        return problems
    if outcome != 'ok':
        return ['bad outcome %r in tmx.tsv' % outcome]
    if rc != 0 or failures:
        return ['expected ok, got exit %s: %s' % (rc, '; '.join(failures))]
    by_reason = {}
    for f in report.get('files', []):
        for k, v in f.get('skipped_by_reason', {}).items():
            by_reason[k] = by_reason.get(k, 0) + v
    if str(report.get('added')) != added:
        problems.append('added %s, expected %s' % (report.get('added'), added))
    if str(report.get('skipped')) != skipped:
        problems.append('skipped %s, expected %s' % (report.get('skipped'), skipped))
    want = set() if expect == '-' else {r.strip() for r in expect.split(',') if r.strip()}
    if set(by_reason) != want:
        problems.append('skip reasons %s, expected %s'
                        % (','.join('%s:%d' % kv for kv in sorted(by_reason.items())) or '-',
                           ','.join(sorted(want)) or '-'))
    if report.get('updated'):
        problems.append('updated %s, expected 0' % report.get('updated'))
    return problems

with open(table, encoding='utf-8') as t:
    for i, line in enumerate(t):
        cols = line.rstrip('\n').split('\t')
        if i == 0 or not cols[0] or cols[0].startswith('#'):
            continue
        file = cols[0]
        listed.add(file)
        if len(cols) < 5:
            problems = ['malformed row in tmx.tsv (%d columns)' % len(cols)]
        elif not os.path.isfile(os.path.join(corpus, file)):
            problems = ['listed in tmx.tsv but missing from the corpus']
        else:
            outcome, added, skipped, expect = cols[1:5]
            try:
                rc = int(open(os.path.join(work, 'rc%d' % i)).read())
                text = open(os.path.join(work, 'out%d' % i), encoding='utf-8').read()
            except (OSError, ValueError):
                rc, text = None, ''
            problems = judge(file, outcome, added, skipped, expect, rc, text)
        if problems:
            failed += 1
            print('FAIL %s: %s' % (file, '; '.join(problems)))
        else:
            passed += 1
            if cols[1] == 'error':
                print('ok   %s: error as expected' % file)
            else:
                print('ok   %s: added %s, skipped %s' % (file, cols[2], cols[3]))

tmx = re.compile(r'\.tmx(\.gz)?$', re.I)
for d, dirs, names in sorted(os.walk(os.path.join(corpus, 'tmx'))):
    dirs.sort()
    for n in sorted(names):
        if tmx.search(n):
            rel = os.path.relpath(os.path.join(d, n), corpus)
            if rel not in listed:
                failed += 1
                print('FAIL %s: TMX file in the corpus but not listed in tests/conformance/tmx.tsv'
                      % rel)

print('%d passed, %d failed' % (passed, failed))
sys.exit(1 if failed else 0)
PY
