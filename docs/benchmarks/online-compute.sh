#!/usr/bin/env bash
# Compute-heavy model, Server scenario (Poisson arrivals), measured with `augur bench`: the highest QPS whose p99 stays
# within 15 ms, Augur against the naive ONNX Runtime endpoint in the same run, and the in-process batched throughput
# of the same model (offline scenario; the ceiling Augur's REST path is compared to).
# Usage: docs/benchmarks/online-compute.sh [model=image_classifier] [max_batch=32] [seconds=10]
source "$(dirname "$0")/lib.sh"
MODEL="${1:-image_classifier}"; BATCH="${2:-32}"; DURATION="${3:-10}"
REQUEST="$ROOT/docs/benchmarks/requests/$MODEL.json"

publish
start_augur 8200
start_baseline 8100

bench() { dotnet "$OUT/augur/augur.dll" bench "$@"; }

search() { # url label
  echo "## $2" >&2
  bench --url "$1" --model "$MODEL" --request "$REQUEST" --scenario server --find-peak --latency-bound 15ms \
    --duration "${DURATION}s" --warmup 3s >"$OUT/search.txt"
  cat "$OUT/search.txt" >&2
  sed -n 's/.*server_peak_qps: \([0-9.]*\).*/\1/p' "$OUT/search.txt" | tail -1
}

naive_qps="$(search http://127.0.0.1:8100 "naive endpoint")"
augur_qps="$(search http://127.0.0.1:8200 "augur")"
stop_all; PIDS=()   # the in-process run gets the machine to itself

echo "## in-process batched ceiling (offline, $BATCH samples per query)" >&2
bench --in-process --model-repository "$ROOT/samples/models" --model "$MODEL" --scenario offline --samples-per-query "$BATCH" \
  --concurrency 4 --duration "${DURATION}s" >"$OUT/inprocess.txt"
cat "$OUT/inprocess.txt" >&2
ceiling="$(sed -n 's/.*offline_samples_per_second: \([0-9.]*\).*/\1/p' "$OUT/inprocess.txt" | tail -1)"

echo
echo "model=$MODEL naive_max_qps=$naive_qps augur_max_qps=$augur_qps inprocess_samples_per_s=$ceiling"
awk -v a="$augur_qps" -v n="$naive_qps" -v c="$ceiling" 'BEGIN {printf "augur/naive=%.2f augur/inprocess=%.2f\n", a/n, a/c}'
