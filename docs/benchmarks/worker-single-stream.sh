#!/usr/bin/env bash
# Single-stream p50 through a worker, batch socket against gRPC: one server holds the model three times: as bundled (in
# process), as a copy with "isolation": "process" (batches over the worker's batch socket, the default) and as a copy
# that also sets "batch_socket": false (batches as gRPC Execute calls). `augur bench --scenario single-stream` (closed
# loop, one request at a time) runs on each in turn, round after round; the script prints the medians over the rounds
# and each worker copy's overhead over in process, in µs. Target: batch socket p50 ≤ in-process p50 + 150 µs.
# Usage: docs/benchmarks/worker-single-stream.sh [rounds=3] [seconds=6] [model=fraud]
source "$(dirname "$0")/lib.sh"
ROUNDS="${1:-3}"; DURATION="${2:-6}"; MODEL="${3:-fraud}"
PORT=8210
BASE="http://127.0.0.1:$PORT"
REQUEST="$ROOT/docs/benchmarks/requests/$MODEL.json"

publish
REPO="$OUT/repository-single-stream"
repository_copy "$REPO" "$MODEL"
cp -r "$REPO/$MODEL" "$REPO/${MODEL}_worker"
config_merge "$REPO/${MODEL}_worker/config.json" '{"isolation": "process"}'
cp -r "$REPO/$MODEL" "$REPO/${MODEL}_worker_grpc"
config_merge "$REPO/${MODEL}_worker_grpc/config.json" '{"isolation": "process", "backend_settings": {"worker": {"batch_socket": false}}}'
start_augur "$PORT" "$REPO"

# Each copy must answer exactly what the model answers in process.
expected="$(post_json "$BASE/v2/models/$MODEL/infer" "$REQUEST" | jq -c .outputs)"
for copy in "${MODEL}_worker" "${MODEL}_worker_grpc"; do
  got="$(post_json "$BASE/v2/models/$copy/infer" "$REQUEST" | jq -c .outputs)"
  [ "$got" = "$expected" ] || { echo "$copy: the worker's outputs differ from in-process: $got vs $expected" >&2; exit 1; }
done

echo "# load average before: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
declare -A P50=()
for round in $(seq 1 "$ROUNDS"); do
  for model in "$MODEL" "${MODEL}_worker" "${MODEL}_worker_grpc"; do
    line="$(dotnet "$OUT/augur/augur.dll" bench --url "$BASE" --model "$model" --request "$REQUEST" --scenario single-stream \
      --duration "${DURATION}s" --warmup 2s | grep 'p50_ms=' | tail -1)"
    echo "round $round $model $line" >&2
    P50[$model]+="$(sed -n 's/.* p50_ms=\([0-9.]*\).*/\1/p' <<<"$line") "
  done
done
echo "# load average after: $(cut -d' ' -f1-3 /proc/loadavg)" >&2

med() { tr ' ' '\n' <<<"${P50[$1]}" | grep . | median; }
a="$(med "$MODEL")"; b="$(med "${MODEL}_worker")"; g="$(med "${MODEL}_worker_grpc")"
awk -v m="$MODEL" -v a="$a" -v b="$b" -v g="$g" 'BEGIN {
  printf "%s in_process_p50_ms=%.3f batch_socket_p50_ms=%.3f grpc_p50_ms=%.3f batch_socket_overhead_us=%.0f grpc_overhead_us=%.0f\n",
    m, a, b, g, (b - a) * 1000, (g - a) * 1000 }'
