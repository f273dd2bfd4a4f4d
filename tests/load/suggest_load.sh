#!/usr/bin/env bash
# Load test of single-sentence suggest: a release server on a memory of UNITS units
# (default 1,000,000), wrk on the same machine. Prints requests per second, latency
# percentiles and errors; then the same while a 100,000-unit import runs over HTTP.
# usage: tests/load/suggest_load.sh [UNITS] [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/../.."
units=${1:-1000000}
seconds=${2:-20}
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
cargo build --release --quiet
cargo build --release --quiet --example gen_memory
work=$(mktemp -d)
trap 'kill $server 2>/dev/null || true; rm -rf "$work"' EXIT
corpus=../shared/corpus/parallel/ru-en.combined.dedup.tsv
[ -f "$corpus" ] || corpus=
target/release/examples/gen_memory "$units" "$work/memory.tmx" "$work/queries.txt" $corpus
target/release/examples/gen_memory 100000 "$work/import.tmx" "$work/import-queries.txt" $corpus 7
bin=target/release/tmbase
/usr/bin/time -f "import of $units units: %e s, peak %M KB" "$bin" --db "$work/load.db" import "$work/memory.tmx" --memory load --json > "$work/import.json"
"$bin" --db "$work/load.db" keys create --scope write --name load > "$work/key" 2>/dev/null
port=18$((RANDOM % 900 + 100))
# Starts the server and times its first suggest (which opens the memory's index) as LABEL.
start_server() {
  TMBASE_REQUEST_TIMEOUT_SECS=600 "$bin" --db "$work/load.db" serve --bind "127.0.0.1:$port" 2>> "$work/server.log" &
  server=$!
  for _ in $(seq 50); do curl -sf "http://127.0.0.1:$port/health" >/dev/null && break; sleep 0.2; done
  curl -sf -o /dev/null -w "$1: %{time_total} s\n" \
    -X POST "http://127.0.0.1:$port/api/v1/suggest" -H 'content-type: application/json' \
    -d '{"text":"warm up","source_lang":"ru","target_lang":"en"}'
  grep -E "VmRSS|RssAnon" "/proc/$server/status"
}
start_server "index build on the first request"
# Restart: the index saved by the first build is read back instead of rebuilt.
kill -TERM $server; wait $server || true
start_server "first request after a restart (index read from its saved file)"
# Latency under a closed loop depends on how many requests are in flight: 16 connections
# keep both cores busy; 32 show what twice as many waiting callers cost.
for connections in 16 32; do
  echo "== suggest, $seconds s, 2 threads, $connections connections"
  QUERIES="$work/queries.txt" wrk -t2 -c$connections -d"${seconds}s" -s tests/load/suggest.lua "http://127.0.0.1:$port"
done
echo "== suggest while a 100,000-unit import runs (16 connections)"
curl -sf -X POST "http://127.0.0.1:$port/api/v1/memories/load/import" -H "Authorization: Bearer $(cat "$work/key")" \
  -H 'content-type: application/xml' --data-binary @"$work/import.tmx" > "$work/job.json"
job=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["job_id"])' "$work/job.json")
QUERIES="$work/queries.txt" wrk -t2 -c16 -d"${seconds}s" -s tests/load/suggest.lua "http://127.0.0.1:$port"
for _ in $(seq 600); do
  state=$(curl -sf "http://127.0.0.1:$port/api/v1/jobs/$job" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["state"], d["units_read"])')
  case "$state" in running*) sleep 1 ;; *) break ;; esac
done
echo "import job: $state"
curl -sf "http://127.0.0.1:$port/api/v1/jobs/$job" | python3 -c 'import json,sys; r=json.load(sys.stdin)["report"]; print("import report:", {k: r[k] for k in ("units_read","added","skipped","seconds")})'
grep -E "VmRSS|RssAnon" "/proc/$server/status"
