#!/usr/bin/env bash
# Streaming: the most concurrent streams, each sending R readings/s (default 30), whose p99 latency stays within the
# bound (default 50 ms), measured with `augur bench --scenario streams --find-peak` against ONE Augur server in the
# same run: gRPC bidirectional streaming (one ModelStreamInfer call per stream, raw tensors) against one unary REST
# request per reading (JSON, and the binary tensor extension). Latency runs from each reading's due time (open loop).
# Rounds are interleaved; each target's figure is its median; the ratios are gRPC streams / REST streams.
# A stateful sequence model (pump_monitor, or any whose config.json has sequence_batching) is run with
# --sequence-per-stream: each stream is one sequence (one pump), over gRPC and REST alike.
# Usage: docs/benchmarks/streaming.sh [model=fraud] [seconds_per_step=5] [rounds=1] [readings_per_second=30] [bound=50ms]
source "$(dirname "$0")/lib.sh"
MODEL="${1:-fraud}"; DURATION="${2:-5}"; ROUNDS="${3:-1}"; RATE="${4:-30}"; BOUND="${5:-50ms}"
PORT="${BENCH_PORT:-8300}"
SEQUENCES=()
if grep -q sequence_batching "$ROOT/samples/models/$MODEL/config.json" 2>/dev/null; then SEQUENCES=(--sequence-per-stream); fi

publish
start_augur "$PORT"

search() { # url label [options...]
  local url="$1" label="$2"; shift 2
  echo "## $label" >&2
  dotnet "$OUT/augur/augur.dll" bench --url "$url" --model "$MODEL" --scenario streams --find-peak \
    --readings-per-second "$RATE" --latency-bound "$BOUND" --duration "${DURATION}s" --warmup 1s "${SEQUENCES[@]}" "$@" >"$OUT/search.txt"
  cat "$OUT/search.txt" >&2
  sed -n 's/.*streams_peak_streams: \([0-9.]*\).*/\1/p' "$OUT/search.txt" | tail -1
}

declare -A RESULTS=()
for round in $(seq 1 "$ROUNDS"); do
  RESULTS[grpc]+="$(search "grpc-stream://127.0.0.1:$((PORT + 1))" "round $round: gRPC bidi streams (raw)" --binary) "
  RESULTS[rest_json]+="$(search "http://127.0.0.1:$PORT" "round $round: REST, one request per reading (JSON)") "
  RESULTS[rest_binary]+="$(search "http://127.0.0.1:$PORT" "round $round: REST, one request per reading (binary)" --binary) "
done

m() { tr ' ' '\n' <<<"${RESULTS[$1]}" | grep . | median; }
grpc="$(m grpc)"; rest_json="$(m rest_json)"; rest_binary="$(m rest_binary)"
echo
echo "model=$MODEL readings_per_second=$RATE bound=$BOUND most streams: grpc_bidi=$grpc rest_json=$rest_json rest_binary=$rest_binary"
awk -v g="$grpc" -v j="$rest_json" -v b="$rest_binary" 'BEGIN {printf "grpc/rest_json=%.2f grpc/rest_binary=%.2f\n", g/j, g/b}'
