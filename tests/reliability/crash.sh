#!/usr/bin/env bash
# Crash safety: SIGKILL at random moments during a TMX import (CLI), a burst of unit edits
# and an upload over HTTP, and a term-base import (CLI); after every kill the database
# passes PRAGMA integrity_check, holds every acknowledged write, and holds all or nothing
# of the interrupted file. See tests/hostile_crash.rs.
#   tests/reliability/crash.sh [ROUNDS]       (default 20 rounds of each; ~1.5 min in debug)
# TMBASE_CRASH_SEED=N replays the kill moments of an earlier run (the seed is printed).
set -euo pipefail
cd "$(dirname "$0")/../.."
export TMBASE_CRASH_ROUNDS="${1:-${TMBASE_CRASH_ROUNDS:-20}}"
cargo test --test hostile_crash -- --ignored --nocapture --test-threads 1
