#!/usr/bin/env bash
# Concurrency and backup under load against a release server: HTTP unit edits, concept
# edits and uploads, CLI imports and term imports, with suggest, concordance and export
# readers, for SECONDS; `tmbase backup` in the middle, then the documented restore.
# Prints the load held. See tests/hostile_load.rs.
#   tests/reliability/load.sh [SECONDS]       (default 30)
set -euo pipefail
cd "$(dirname "$0")/../.."
export TMBASE_LOAD_SECS="${1:-${TMBASE_LOAD_SECS:-30}}"
cargo test --release --test hostile_load -- --include-ignored --nocapture --test-threads 1
