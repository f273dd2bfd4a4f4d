#!/usr/bin/env bash
# tests/omegat_check.sh - interoperability check: a TMX exported by tmbase is
# usable as a translation memory by a real CAT tool, OmegaT 3.6 (Debian package
# `omegat`).
#
# What it proves:
#   * `tmbase import` accepts a hand-written TMX 1.4 file (en -> ru, Cyrillic,
#     an escaped `&amp;`, an inline <ph> element) and `tmbase export --source en
#     --target ru` writes a TMX that OmegaT 3.6 parses without complaint
#     (DOCTYPE, header, xml:lang, entities, inline markup, UTF-8).
#   * OmegaT, given only the *exported* file in tm/auto/ of a project, pairs
#     every English source sentence with its Russian target: running
#     `omegat --mode=console-translate` writes a target document in which every
#     line is exactly the expected Russian translation.  If any unit is lost,
#     mangled, or carries a wrong language code, the matching line stays
#     English and the script prints FAIL with the missing translations.
#
# Usage:   tests/omegat_check.sh [PATH/TO/tmbase]
#          (default: target/release/tmbase if it exists, else target/debug/tmbase,
#           relative to the repository root; works from any directory)
# Exit:    0 = PASS, 1 = FAIL (translations missing or a step failed),
#          2 = set-up problem (no binary, OmegaT cannot be installed).
# Env:     OMEGAT_CHECK_KEEP=1       keep the temporary directory for inspection
#          OMEGAT_CHECK_TIMEOUT=N    seconds allowed for OmegaT (default 300)
#          OMEGAT_CHECK_BREAK=MODE   negative self-test; the script must then
#                                    print FAIL and exit 1.  MODE is one of
#              empty-tm     leave tm/auto/ empty
#              drop-unit    delete the second <tu> from the exported TMX
#              truncate     cut the exported TMX in half (OmegaT still exits 0)
#              bad-srclang  header srclang="de" (OmegaT only warns)
#
# Facts about OmegaT 3.6.0 (Debian 3.6.0.10+dfsg) this script relies on:
#   * /usr/bin/omegat is a /bin/sh wrapper: `exec $JAVA -Djava.library.path=...
#     -jar OmegaT.jar $*`.  Its arguments go to OmegaT, not to the JVM, and are
#     word-split (no spaces in paths!).  JVM options can only be passed through
#     JAVA_TOOL_OPTIONS.  It also refuses a `java` whose resolved path does not
#     contain "openjdk" or "sun" (e.g. a Temurin JDK first on PATH in CI).
#   * Console mode needs no display; -Djava.awt.headless=true just makes sure.
#     An unknown --mode value silently falls back to the GUI, which then dies
#     with HeadlessException.
#   * Java takes user.home from the password database, not from $HOME, so
#     OmegaT would write ~/.omegat of the real user; we pass --config-dir and
#     -Duser.home to keep everything inside the temporary directory.
#   * A project directory is recognised only if it contains BOTH omegat.project
#     and an omegat/ subdirectory (otherwise: NullPointerException, exit 1).
#     source/, target/ and glossary/ must exist too (checked at load).  The
#     minimal omegat.project is <omegat><project version="1.0"> with
#     source_lang, target_lang (and sentence_seg); the other elements default
#     to __DEFAULT__ / the tokenizer of the language.
#   * The plain-text filter makes one paragraph per block of lines separated by
#     an empty line; with sentence_seg=false two adjacent lines become ONE
#     segment.  So the source document has one sentence per line, a blank line
#     between sentences, and sentence segmentation is on (OmegaT's default):
#     every sentence is exactly one segment.
#   * TMX files in tm/auto/ are applied as translations to segments whose source
#     text is identical.  External TMX is read at "level 1": inline elements
#     (<ph>, <bpt>, <ept>, <it>) are dropped together with their content, so
#     "Click Save<ph>&lt;br/&gt;</ph> to ..." matches the plain sentence
#     "Click Save to ...".  The expected strings below follow that rule.
#   * The target document keeps the source text of untranslated segments.
#   * A TMX that OmegaT cannot read (malformed XML, a <tuv> without xml:lang)
#     is logged as TF_TM_LOAD_ERROR and skipped as a whole, and OmegaT still
#     exits 0; so the log is checked for TMX warnings/errors as well.
set -euo pipefail

say() { printf 'omegat_check: %s\n' "$*"; }
die() { printf 'FAIL: omegat_check: %s\n' "$*"; exit 1; }

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# --- 1. the tmbase binary --------------------------------------------------
if [[ $# -ge 1 ]]; then
    TMBASE="$1"
elif [[ -x "$REPO/target/release/tmbase" ]]; then
    TMBASE="$REPO/target/release/tmbase"
else
    TMBASE="$REPO/target/debug/tmbase"
fi
if [[ ! -x "$TMBASE" ]]; then
    say "SETUP ERROR: tmbase binary not found or not executable: $TMBASE"
    exit 2
fi
TMBASE="$(cd "$(dirname "$TMBASE")" && pwd)/$(basename "$TMBASE")"

# --- OmegaT (installed on demand) ------------------------------------------
if ! command -v omegat >/dev/null 2>&1; then
    say "omegat not on PATH; installing the Debian package"
    SUDO=""
    if [[ "$(id -u)" != 0 ]]; then SUDO="sudo"; fi
    if ! { $SUDO apt-get update && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y omegat; }; then
        say "SETUP ERROR: could not install omegat"
        exit 2
    fi
fi
if ! OMEGAT="$(command -v omegat)"; then
    say "SETUP ERROR: omegat still not on PATH after installation"
    exit 2
fi
OMEGAT_VERSION="$(dpkg-query -W -f='${Version}' omegat 2>/dev/null || echo unknown)"

# --- temporary work area -----------------------------------------------------
WORK="$(mktemp -d)"
if [[ "$WORK" =~ [[:space:]] ]]; then       # the launcher word-splits its args
    rmdir "$WORK"
    WORK="$(mktemp -d /tmp/omegat_check.XXXXXX)"
fi
cleanup() {
    if [[ "${OMEGAT_CHECK_KEEP:-0}" == 1 ]]; then
        say "kept work directory $WORK"
    else
        rm -rf "$WORK"
    fi
}
trap cleanup EXIT
cd "$WORK"

# --- 2. test data ----------------------------------------------------------
# One unit per row, fields separated by '|':
#   English <seg> content | Russian <seg> content      (XML, as in the TMX)
#   English sentence      | expected Russian sentence  (plain text, as OmegaT
#                                                       sees it: entities
#                                                       decoded, inline tags
#                                                       dropped)
UNITS=(
'The file was saved.|Файл сохранён.|The file was saved.|Файл сохранён.'
'Salt &amp; pepper are on the table.|Соль &amp; перец на столе.|Salt & pepper are on the table.|Соль & перец на столе.'
'Click Save<ph x="1">&lt;br/&gt;</ph> to keep your changes.|Нажмите «Сохранить»<ph x="1">&lt;br/&gt;</ph>, чтобы не потерять изменения.|Click Save to keep your changes.|Нажмите «Сохранить», чтобы не потерять изменения.'
'Translation memories save time.|Память переводов экономит время.|Translation memories save time.|Память переводов экономит время.'
)
N=${#UNITS[@]}

{
    printf '<?xml version="1.0" encoding="UTF-8"?>\n'
    printf '<tmx version="1.4">\n'
    printf '  <header creationtool="omegat_check.sh" creationtoolversion="1" segtype="sentence" o-tmf="none" adminlang="en" srclang="en" datatype="plaintext"/>\n'
    printf '  <body>\n'
    for u in "${UNITS[@]}"; do
        IFS='|' read -r en_xml ru_xml _ _ <<<"$u"
        printf '    <tu>\n'
        printf '      <tuv xml:lang="en"><seg>%s</seg></tuv>\n' "$en_xml"
        printf '      <tuv xml:lang="ru"><seg>%s</seg></tuv>\n' "$ru_xml"
        printf '    </tu>\n'
    done
    printf '  </body>\n</tmx>\n'
} >handwritten.tmx

# Import into a fresh database and export the en->ru pair.
DB="$WORK/tmbase.db"
if ! "$TMBASE" --db "$DB" import handwritten.tmx --memory omegat-check --json >import.json 2>import.err; then
    cat import.err import.json
    die "tmbase import failed"
fi
added="$(grep -o '"added":[0-9]*' import.json | head -n1 | cut -d: -f2)"
[[ "$added" == "$N" ]] || { cat import.json; die "tmbase import added '${added}' units, expected $N"; }
if ! "$TMBASE" --db "$DB" export --memory omegat-check --source en --target ru -o exported.tmx >export.log 2>&1; then
    cat export.log
    die "tmbase export failed"
fi
[[ -s exported.tmx ]] || die "tmbase export wrote no exported.tmx"
say "tmbase: imported and exported $N units ($(grep -c '<tu[ >]' exported.tmx) <tu> in exported.tmx)"

# --- 3. OmegaT project -----------------------------------------------------
PROJ="$WORK/project"
mkdir -p "$PROJ"/{source,target,tm/auto,glossary,dictionary,omegat}
cat >"$PROJ/omegat.project" <<'EOF'
<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<omegat>
  <project version="1.0">
    <source_dir>__DEFAULT__</source_dir>
    <target_dir>__DEFAULT__</target_dir>
    <tm_dir>__DEFAULT__</tm_dir>
    <glossary_dir>__DEFAULT__</glossary_dir>
    <glossary_file>__DEFAULT__</glossary_file>
    <dictionary_dir>__DEFAULT__</dictionary_dir>
    <source_lang>en</source_lang>
    <target_lang>ru</target_lang>
    <sentence_seg>true</sentence_seg>
    <support_default_translations>true</support_default_translations>
    <remove_tags>false</remove_tags>
  </project>
</omegat>
EOF

# Source document: one sentence per line, blank line between (see above).
for u in "${UNITS[@]}"; do
    IFS='|' read -r _ _ en_txt _ <<<"$u"
    printf '%s\n\n' "$en_txt"
done >"$PROJ/source/doc.txt"

case "${OMEGAT_CHECK_BREAK:-}" in
    "") cp exported.tmx "$PROJ/tm/auto/exported.tmx" ;;
    empty-tm) say "OMEGAT_CHECK_BREAK=empty-tm: leaving tm/auto/ empty (expect FAIL)" ;;
    truncate)
        say "OMEGAT_CHECK_BREAK=truncate: giving OmegaT half of exported.tmx (expect FAIL)"
        head -c "$(( $(wc -c <exported.tmx) / 2 ))" exported.tmx >"$PROJ/tm/auto/exported.tmx" ;;
    drop-unit)
        say "OMEGAT_CHECK_BREAK=drop-unit: removing the second <tu> (expect FAIL)"
        awk '/<tu[ >]/ { n++ } n != 2 { print } /<\/tu>/ && n == 2 { n++ }' \
            exported.tmx >"$PROJ/tm/auto/exported.tmx" ;;
    bad-srclang)
        say "OMEGAT_CHECK_BREAK=bad-srclang: header srclang=\"de\" (expect FAIL)"
        sed 's/srclang="en"/srclang="de"/' exported.tmx >"$PROJ/tm/auto/exported.tmx" ;;
    *) say "SETUP ERROR: unknown OMEGAT_CHECK_BREAK=$OMEGAT_CHECK_BREAK"; exit 2 ;;
esac

# The launcher requires an OpenJDK/Sun java; if the java on PATH is another
# build (Temurin, Zulu, ...), put a Debian OpenJDK first on PATH for it.
JAVA_REAL="$(readlink -f "$(command -v java || echo /nonexistent)")"
if ! grep -q -e 'openjdk' -e 'sun' <<<"$JAVA_REAL"; then
    for j in /usr/lib/jvm/*openjdk*/bin/java; do
        if [[ -x "$j" ]]; then
            mkdir -p "$WORK/bin"
            ln -s "$j" "$WORK/bin/java"
            PATH="$WORK/bin:$PATH"
            say "java on PATH ($JAVA_REAL) is not OpenJDK; using $j for OmegaT"
            break
        fi
    done
fi

# --- run OmegaT -------------------------------------------------------------
mkdir -p "$WORK/home" "$WORK/omegat-config"
TIMEOUT="${OMEGAT_CHECK_TIMEOUT:-300}"
say "running OmegaT $OMEGAT_VERSION ($OMEGAT) in console-translate mode"
start=$(date +%s)
set +e
env -u DISPLAY -u WAYLAND_DISPLAY \
    HOME="$WORK/home" \
    JAVA_TOOL_OPTIONS="-Djava.awt.headless=true -Duser.home=$WORK/home -Dfile.encoding=UTF-8" \
    timeout --kill-after=15 "$TIMEOUT" \
    "$OMEGAT" --mode=console-translate --config-dir="$WORK/omegat-config" --no-team \
    "$PROJ" >omegat.log 2>&1
rc=$?
set -e
say "OmegaT finished in $(( $(date +%s) - start )) s with exit code $rc"

show_log() {
    say "last lines of the OmegaT log (plugin noise removed):"
    grep -v 'PLUGIN_LOAD_OK' omegat.log | tail -n 25 | sed 's/^/    /'
}
if [[ $rc -eq 124 || $rc -eq 137 ]]; then
    show_log
    die "OmegaT timed out after ${TIMEOUT}s"
fi
if [[ $rc -ne 0 ]]; then
    show_log
    die "OmegaT exited with code $rc"
fi
TARGET="$PROJ/target/doc.txt"
if [[ ! -f "$TARGET" ]]; then
    show_log
    die "OmegaT produced no target document ($TARGET)"
fi
# OmegaT does NOT fail when a TMX cannot be read: it logs the error, drops the
# whole file and still exits 0 (seen with a truncated file and with a <tuv>
# lacking xml:lang).  Any TMX warning or error in its log is a failure.
TMX_PROBLEM_RE='\((TF_TM_LOAD_ERROR|TMXR_[A-Z_]*(WARNING|ERROR|EXCEPTION)[A-Z_0-9]*|TMX_ERROR[A-Z_0-9]*)\)'
tmx_problems="$(grep -E "$TMX_PROBLEM_RE" omegat.log || true)"
if [[ -n "$tmx_problems" ]]; then
    say "OmegaT reported problems with the TMX:"
    printf '%s\n' "$tmx_problems" | head -n 10 | sed 's/^/    /'
fi

# --- check the translations ---------------------------------------------------
missing=0
for u in "${UNITS[@]}"; do
    IFS='|' read -r _ _ en_txt ru_txt <<<"$u"
    if grep -Fxq -- "$ru_txt" "$TARGET"; then
        say "  ok       $en_txt => $ru_txt"
    else
        missing=$((missing + 1))
        say "  MISSING  $en_txt => $ru_txt"
    fi
done

if [[ $missing -ne 0 || -n "$tmx_problems" ]]; then
    say "target document as written by OmegaT:"
    sed 's/^/    | /' "$TARGET"
    show_log
    why=""
    if [[ $missing -ne 0 ]]; then why="$missing of $N Russian translations missing from OmegaT's target document"; fi
    if [[ -n "$tmx_problems" ]]; then why="${why:+$why; }OmegaT logged TMX warnings/errors (see above)"; fi
    echo "FAIL: omegat_check: $why (OmegaT $OMEGAT_VERSION, tmbase export of $N units)"
    exit 1
fi
echo "PASS: omegat_check: OmegaT $OMEGAT_VERSION filled all $N segments from the TMX exported by tmbase"
