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

passed=0
failed=0
declare -A listed=()

# Judges one import: args are the table row fields, the exit code and the JSON output file.
judge() {
    python3 - "$@" <<'PY'
import json, sys
file, outcome, added, skipped, expect, rc, out = sys.argv[1:8]
rc = int(rc)
try:
    text = open(out, encoding='utf-8').read().strip()
    report = json.loads(text.splitlines()[-1]) if text else None
except (ValueError, IndexError) as e:
    report = None
problems = []
if report is None:
    print('FAIL %s: no JSON report on stdout (exit %d)' % (file, rc))
    sys.exit(1)
failures = report.get('failed', [])
if outcome == 'error':
    if rc == 0:
        problems.append('expected an error, exit code was 0')
    if not failures:
        problems.append('expected an error, got none (added %s, skipped %s)'
                        % (report.get('added'), report.get('skipped')))
    elif not any(expect in f for f in failures):
        problems.append('error message lacks %r: %s' % (expect, '; '.join(failures)))
    if problems:
        print('FAIL %s: %s' % (file, '; '.join(problems)))
        sys.exit(1)
    print('ok   %s: error as expected' % file)
    sys.exit(0)
if rc != 0 or failures:
    print('FAIL %s: expected ok, got exit %d: %s' % (file, rc, '; '.join(failures)))
    sys.exit(1)
got_added, got_skipped = report.get('added'), report.get('skipped')
by_reason = {}
for f in report.get('files', []):
    for k, v in f.get('skipped_by_reason', {}).items():
        by_reason[k] = by_reason.get(k, 0) + v
if str(got_added) != added:
    problems.append('added %s, expected %s' % (got_added, added))
if str(got_skipped) != skipped:
    problems.append('skipped %s, expected %s' % (got_skipped, skipped))
want = set() if expect == '-' else {r.strip() for r in expect.split(',') if r.strip()}
if set(by_reason) != want:
    problems.append('skip reasons %s, expected %s'
                    % (','.join('%s:%d' % kv for kv in sorted(by_reason.items())) or '-',
                       ','.join(sorted(want)) or '-'))
if report.get('updated'):
    problems.append('updated %s, expected 0' % report.get('updated'))
if problems:
    print('FAIL %s: %s' % (file, '; '.join(problems)))
    sys.exit(1)
print('ok   %s: added %s, skipped %s' % (file, got_added, got_skipped))
PY
}

n=0
while IFS=$'\t' read -r file outcome added skipped expect why || [[ -n $file ]]; do
    n=$((n + 1))
    [[ $n -eq 1 || -z $file || $file == \#* ]] && continue
    listed[$file]=1
    path=$corpus/$file
    if [[ ! -f $path ]]; then
        echo "FAIL $file: listed in tmx.tsv but missing from the corpus"
        failed=$((failed + 1))
        continue
    fi
    db=$work/db$n.sqlite
    "$tmbase" --db "$db" import "$path" --memory conformance --json --on-duplicate keep \
        >"$work/out" 2>"$work/err" </dev/null
    rc=$?
    if judge "$file" "$outcome" "$added" "$skipped" "$expect" "$rc" "$work/out"; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
    fi
    rm -f "$db" "$db"-*
done <"$table"

# Every TMX file in the corpus must be in the table.
while IFS= read -r -d '' path; do
    file=${path#"$corpus"/}
    if [[ -z ${listed[$file]+x} ]]; then
        echo "FAIL $file: TMX file in the corpus but not listed in tests/conformance/tmx.tsv"
        failed=$((failed + 1))
    fi
done < <(find "$corpus/tmx" -type f \( -iname '*.tmx' -o -iname '*.tmx.gz' \) -print0 | sort -z)

echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
