#!/usr/bin/env bash
# Term-base conformance check: imports every corpus file listed in tbx.tsv (all files under
# CORPUS_DIR/tbx and CORPUS_DIR/glossary) into a fresh database and compares what tmbase did
# with the table; then exports each file that imported as TBX v3 (TBX-Basic), validates the
# export with jing against the TBX-Core and TBX-Basic RELAX NG schemas, and imports the TBX v3
# and TBX v2 exports again, which must give back the same number of concepts.
#
# Usage (from the repository root):
#   tests/conformance/check_tbx.sh [TMBASE_BINARY] [CORPUS_DIR]
# TMBASE_BINARY defaults to target/debug/tmbase, CORPUS_DIR to ../shared/corpus.
#
# Table columns: file args outcome added skipped expect why
#   args:          extra import arguments (languages of OmegaT glossaries, an encoding), or "-"
#   outcome ok:    exit 0; added/skipped must match; expect lists the skip reason codes
#                  (comma-separated) that skipped_by_reason must hold exactly, or "-"
#   outcome error: exit non-zero and a failure message containing the expect substring
# Each file is imported with --on-duplicate keep, so duplicates never count as skips.
# The expectations were established without tmbase (derive_tbx_expectations.py, then review).
# Prints one line per check and "N passed, M failed" last; exits 1 on any failure. Needs
# python3; installs jing with apt-get when it is missing.

set -u

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)

tmbase=${1:-$root/target/debug/tmbase}
corpus=${2:-$root/../shared/corpus}
table=$here/tbx.tsv

[[ -x $tmbase ]] || { echo "tmbase binary not found or not executable: $tmbase" >&2; exit 2; }
[[ -d $corpus/tbx ]] || { echo "corpus not found: $corpus/tbx" >&2; exit 2; }
tmbase=$(cd "$(dirname "$tmbase")" && pwd)/$(basename "$tmbase")
corpus=$(cd "$corpus" && pwd)
schemas=$corpus/standards/tbx
if ! command -v jing >/dev/null; then
  (apt-get update -qq && apt-get install -y -qq jing >/dev/null) || echo "jing could not be installed" >&2
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/check_tbx.XXXXXX")
trap 'rm -rf "$work"' EXIT

python3 - "$table" "$corpus" "$work" "$tmbase" "$schemas" <<'PY'
import json, os, shutil, subprocess, sys

table, corpus, work, tmbase, schemas = sys.argv[1:6]
rng = [os.path.join(schemas, 'TBXcoreStructV03.rng'),
       os.path.join(schemas, 'tbx-basic-1.2/DCA/TBXcoreStructV03_TBX-Basic_integrated.rng')]
jing = shutil.which('jing')
passed = failed = 0
listed = set()

def run(db, *args):
    p = subprocess.run([tmbase, '--db', db] + list(args), capture_output=True, text=True,
                       stdin=subprocess.DEVNULL)
    return p.returncode, p.stdout, p.stderr

def report_of(text):
    try:
        return json.loads(text.strip().splitlines()[-1])
    except (ValueError, IndexError):
        return None

def judge(outcome, added, skipped, expect, rc, report):
    if report is None:
        return ['no JSON report on stdout (exit %s)' % rc]
    failures = report.get('failed', [])
    if outcome == 'error':
        if rc == 0 or not failures:
            return ['expected an error, got none (added %s)' % report.get('added')]
        if not any(expect in f for f in failures):
            return ['error message lacks %r: %s' % (expect, '; '.join(failures))]
        return []
    if rc != 0 or failures:
        return ['expected ok, got exit %s: %s' % (rc, '; '.join(failures))]
    problems = []
    if str(report.get('added')) != added:
        problems.append('added %s, expected %s' % (report.get('added'), added))
    if str(report.get('skipped')) != skipped:
        problems.append('skipped %s, expected %s' % (report.get('skipped'), skipped))
    reasons = set()
    for f in report.get('files', []):
        reasons |= set(f.get('skipped_by_reason', {}))
    want = set() if expect == '-' else {r.strip() for r in expect.split(',')}
    if reasons != want:
        problems.append('skip reasons %s, expected %s' % (sorted(reasons), sorted(want)))
    return problems

def check_export(file, args, added):
    """Export as TBX v3 and v2; validate v3 with jing; re-import both."""
    db = os.path.join(work, 'x.db')
    for f in os.listdir(work):
        os.remove(os.path.join(work, f))
    rc, out, err = run(db, 'terms', 'import', os.path.join(corpus, file), '--termbase', 'x',
                       '--on-duplicate', 'keep', *args)
    problems = []
    for fmt in ('tbx', 'tbx2'):
        path = os.path.join(work, 'out.' + fmt)
        rc, out, err = run(db, 'terms', 'export', '--termbase', 'x', '--format', fmt, '-o', path)
        if rc != 0:
            return ['export %s failed: %s' % (fmt, err.strip())]
        if fmt == 'tbx' and jing:
            for schema in rng:
                v = subprocess.run([jing, schema, path], capture_output=True, text=True)
                if v.returncode != 0:
                    problems.append('TBX v3 export not valid against %s: %s'
                                    % (os.path.basename(schema), (v.stdout + v.stderr).strip()[:300]))
        rc, out, err = run(os.path.join(work, fmt + '.db'), 'terms', 'import', path,
                           '--termbase', 'y', '--on-duplicate', 'keep', '--json')
        r = report_of(out)
        if r is None or str(r.get('added')) != added or r.get('skipped'):
            problems.append('re-import of the %s export: %s' % (fmt, 'added %s, skipped %s, expected %s'
                            % (r.get('added'), r.get('skipped'), added) if r else err.strip()))
    return problems

with open(table, encoding='utf-8') as t:
    for i, line in enumerate(t):
        cols = line.rstrip('\n').split('\t')
        if i == 0 or not cols[0] or cols[0].startswith('#'):
            continue
        file = cols[0]
        listed.add(file)
        if len(cols) < 6:
            problems = ['malformed row in tbx.tsv (%d columns)' % len(cols)]
        elif not os.path.isfile(os.path.join(corpus, file)):
            problems = ['listed in tbx.tsv but missing from the corpus']
        else:
            args = [] if cols[1] == '-' else cols[1].split()
            outcome, added, skipped, expect = cols[2:6]
            db = os.path.join(work, 'c%d.db' % i)
            rc, out, err = run(db, 'terms', 'import', os.path.join(corpus, file), '--termbase',
                               'conformance', '--on-duplicate', 'keep', '--json', *args)
            problems = judge(outcome, added, skipped, expect, rc, report_of(out))
            if not problems and outcome == 'ok' and added != '0':
                problems = check_export(file, args, added)
        if problems:
            failed += 1
            print('FAIL %s: %s' % (file, '; '.join(problems)))
        else:
            passed += 1
            if cols[2] == 'error':
                print('ok   %s: error as expected' % file)
            else:
                print('ok   %s: added %s, skipped %s%s' % (file, cols[3], cols[4],
                      '; TBX v3 export valid, v3 and v2 exports re-import' if cols[3] != '0' else ''))

for top in ('tbx', 'glossary'):
    for d, dirs, names in sorted(os.walk(os.path.join(corpus, top))):
        dirs.sort()
        for n in sorted(names):
            rel = os.path.relpath(os.path.join(d, n), corpus)
            if rel not in listed:
                failed += 1
                print('FAIL %s: in the corpus but not listed in tests/conformance/tbx.tsv' % rel)

if not jing:
    print('note: jing is missing, TBX v3 exports were not validated')
print('%d passed, %d failed' % (passed, failed))
sys.exit(1 if failed or not jing else 0)
PY
