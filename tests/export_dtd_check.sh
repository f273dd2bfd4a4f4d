#!/usr/bin/env bash
# Exports are valid TMX 1.4b: every corpus file that imports is imported into its own memory,
# exported, and the export is validated with xmllint against the TMX 1.4b DTD. The export is
# then imported again and must give back the same number of units.
# usage: tests/export_dtd_check.sh [TMBASE_BINARY] [CORPUS_DIR]
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
bin=${1:-$root/target/debug/tmbase}
corpus=${2:-$root/../shared/corpus}
dtd=$corpus/standards/tmx/tmx14.dtd
command -v xmllint >/dev/null || { apt-get update -qq && apt-get install -y -qq libxml2-utils >/dev/null; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
pass=0 fail=0
while IFS=$'\t' read -r file outcome added _rest; do
  [ "$file" = file ] && continue
  [ "$outcome" = ok ] || continue
  [ "$added" = 0 ] && continue
  db=$work/db.sqlite
  rm -f "$db"*
  if ! "$bin" --db "$db" import "$corpus/$file" --memory m --on-duplicate keep >/dev/null 2>"$work/err"; then
    echo "FAIL $file: import failed: $(cat "$work/err")"; fail=$((fail+1)); continue
  fi
  "$bin" --db "$db" export --memory m -o "$work/out.tmx" 2>/dev/null
  if ! xmllint --noout --dtdvalid "$dtd" "$work/out.tmx" 2>"$work/xmllint"; then
    echo "FAIL $file: export not valid: $(head -3 "$work/xmllint")"; fail=$((fail+1)); continue
  fi
  rm -f "$db"*
  back=$("$bin" --db "$db" import "$work/out.tmx" --memory m --on-duplicate keep --json 2>/dev/null \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["added"])')
  if [ "$back" != "$added" ]; then
    echo "FAIL $file: re-import of the export added $back units, expected $added"; fail=$((fail+1)); continue
  fi
  pass=$((pass+1))
done < "$here/conformance/tmx.tsv"
echo "export DTD check: $pass passed, $fail failed"
[ "$fail" = 0 ]
