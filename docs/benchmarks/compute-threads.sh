#!/usr/bin/env bash
# Where a batch runs: the ranker's peak Server-scenario QPS at p99 <= 15 ms with its batches on threads of their own
# (`--compute-threads-from 500`, the default) against the same server keeping every run on the thread pool
# (`--compute-threads-from -1`), interleaved rounds, one server of each kind up at a time, medians and the ratio.
# Usage: docs/benchmarks/compute-threads.sh [rounds=3] [seconds=8] [model=ranker]
source "$(dirname "$0")/lib.sh"
ROUNDS="${1:-3}"; DURATION="${2:-8}"; MODEL="${3:-ranker}"
REQUEST="$ROOT/docs/benchmarks/requests/$MODEL.json"
publish

peak() { # --compute-threads-from value
  start_augur 8200 "$ROOT/samples/models" --compute-threads-from "$1"
  dotnet "$OUT/augur/augur.dll" bench --url http://127.0.0.1:8200 --model "$MODEL" --request "$REQUEST" --scenario server \
    --find-peak --latency-bound 15ms --duration "${DURATION}s" --warmup 3s >"$OUT/peak.txt" 2>&1 || true
  stop_servers
  sed -n 's/.*server_peak_qps: \([0-9.]*\).*/\1/p' "$OUT/peak.txt" | tail -1
}

declare -A RESULTS=()
for round in $(seq 1 "$ROUNDS"); do
  for mode in own pool; do
    from=500; [ "$mode" = pool ] && from=-1
    q="$(peak "$from")"
    RESULTS[$mode]+="$q "
    echo "round $round $mode peak_qps=$q"
  done
done
m_own="$(tr ' ' '\n' <<<"${RESULTS[own]}" | grep . | median)"
m_pool="$(tr ' ' '\n' <<<"${RESULTS[pool]}" | grep . | median)"
echo
echo "model=$MODEL median peak QPS: own_threads=$m_own thread_pool=$m_pool"
awk -v a="$m_own" -v b="$m_pool" 'BEGIN {printf "own/pool=%.2f\n", a/b}'
