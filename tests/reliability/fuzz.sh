#!/usr/bin/env bash
# Builds the cargo-fuzz targets (fuzz/) and, with a duration, runs them.
#   tests/reliability/fuzz.sh build              build every target and run each on 500 inputs
#                                                (what .ci/run does; about 4 minutes from scratch)
#   tests/reliability/fuzz.sh run TARGET SECONDS  run one target, print its final stats
# Needs cargo-fuzz (installed here if missing) and RUSTC_BOOTSTRAP=1 (cargo-fuzz uses
# nightly flags; the machine has only the stable toolchain). The targets are built in
# $CARGO_TARGET_DIR (default /tmp/fuzz-target) so the main build is untouched.
# Corpora live in $FUZZ_CORPUS (default /tmp/fuzz-corpus/TARGET), crashes in
# $FUZZ_ARTIFACTS (default /tmp/fuzz-artifacts/TARGET/); FUZZ_MAX_LEN caps input size (16384).
set -euo pipefail
cd "$(dirname "$0")/../.."
export RUSTC_BOOTSTRAP=1
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/tmp/fuzz-target}"

if ! command -v cargo-fuzz >/dev/null; then
  echo "cargo-fuzz missing: installing it"
  cargo install cargo-fuzz --locked
fi

mode="${1:-build}"
case "$mode" in
  build)
    # --dev -s none: the same targets without AddressSanitizer and optimisation, which
    # builds in a fraction of the time; fuzzing itself uses `run` (release + ASan).
    flags=(${FUZZ_BUILD_FLAGS:---dev -s none})
    (cd fuzz && cargo fuzz build "${flags[@]}")
    profile=release
    case " ${flags[*]} " in *" --dev "*|*" -D "*) profile=debug ;; esac
    targets=$(cd fuzz && cargo fuzz list)
    [ -n "$targets" ] || { echo "cargo fuzz list found no target" >&2; exit 1; }
    for t in $targets; do
      binary="$CARGO_TARGET_DIR/x86_64-unknown-linux-gnu/$profile/$t"
      [ -x "$binary" ] || { echo "fuzz target $t was not built ($binary)" >&2; exit 1; }
      # A smoke run: 500 generated inputs from an empty corpus, so a target that cannot
      # start (or fails at once) fails the build step.
      corpus=$(mktemp -d)
      "$binary" -runs=500 -seed=1 "$corpus" >"$corpus.log" 2>&1 \
        || { cat "$corpus.log" >&2; echo "fuzz target $t failed its smoke run" >&2; exit 1; }
      rm -rf "$corpus" "$corpus.log"
      echo "built and smoke-ran $binary"
    done
    ;;
  run)
    target="$2"
    seconds="${3:-600}"
    corpus="${FUZZ_CORPUS:-/tmp/fuzz-corpus}/$target"
    artifacts="${FUZZ_ARTIFACTS:-/tmp/fuzz-artifacts}/$target"
    mkdir -p "$corpus" "$artifacts"
    dict=()
    case "$target" in tmx_reader|tbx_reader|srx_segmenter) dict=(-dict=xml.dict) ;; esac
    cd fuzz
    # FUZZ_PREBUILT=1 runs the binary built before (release + ASan) without rebuilding,
    # so that edits to src/ during a long run do not restart the build.
    binary="$CARGO_TARGET_DIR/x86_64-unknown-linux-gnu/release/$target"
    if [ -z "${FUZZ_PREBUILT:-}" ] || [ ! -x "$binary" ]; then
      cargo fuzz build -O "$target"
    fi
    "$binary" "$corpus" \
      -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 -max_len="${FUZZ_MAX_LEN:-16384}" \
      -artifact_prefix="$artifacts/" -print_final_stats=1 "${dict[@]}"
    ;;
  *)
    echo "usage: $0 build | run TARGET SECONDS" >&2
    exit 2
    ;;
esac
