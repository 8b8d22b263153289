#!/usr/bin/env bash
# augur stream throughput: messages/s through one consumer process (Redis Stream in, Redis Stream out, atomic
# output+ack per message), with backpressure at --max-in-flight 1 (the baseline: one message at a time, no batching)
# against --max-in-flight 64 (steps of many streams in flight, batched by the engine), same run, interleaved rounds.
# Usage: stream-consumer.sh [messages] [rounds] [sequences]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
MESSAGES="${1:-20000}"; ROUNDS="${2:-3}"; SEQUENCES="${3:-200}"
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')

echo "# publishing augur to $OUT" >&2
dotnet publish "$ROOT/src/Augur.Cli" -c Release -o "$OUT/augur" >/dev/null
mkdir -p "$OUT/redis"
redis-server --port "$PORT" --bind 127.0.0.1 --dir "$OUT/redis" --save '' --appendonly no >"$OUT/redis.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 1 50); do redis-cli -p "$PORT" ping >/dev/null 2>&1 && break; sleep 0.1; done
R() { redis-cli -p "$PORT" "$@"; }

# RESP for redis-cli --pipe: MESSAGES readings of SEQUENCES pumps (pump_monitor), or fraud rows.
load() { # model
  python3 - "$1" "$MESSAGES" "$SEQUENCES" <<'PY' | redis-cli -p "$PORT" --pipe >/dev/null
import sys
model, n, seqs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
out = sys.stdout
def cmd(*args):
    out.write(f"*{len(args)}\r\n")
    for a in args:
        b = a.encode()
        out.write(f"${len(b)}\r\n{a}\r\n")
for i in range(n):
    if model == "pump_monitor":
        body = '{"inputs":[{"name":"reading","datatype":"FP32","shape":[1,3],"data":[%.2f,%.1f,4.0]}]}' % (2 + (i * 7 % 5) / 10, 60 + i % 3)
        cmd("XADD", "in", "*", "sequence_id", f"pump-{i % seqs}", "body", body)
    else:
        data = ",".join(str((i * 31 + k * 7) % 13 / 13) for k in range(8))
        cmd("XADD", "in", "*", "body", '{"inputs":[{"name":"features","datatype":"FP32","shape":[1,8],"data":[%s]}]}' % data)
PY
}

run() { # model in-flight → messages/s
  R DEL in out in:dead >/dev/null
  load "$1"
  local log="$OUT/stream-$1-$2.log"
  dotnet "$OUT/augur/augur.dll" stream --model "$1" --redis "redis://127.0.0.1:$PORT" --input-stream in --output-stream out \
    --group g --consumer bench --max-in-flight "$2" --model-repository "$ROOT/samples/models" >"$log" 2>&1 &
  local pid=$!
  until grep -q "Augur consuming" "$log"; do sleep 0.05; done
  local start end
  start=$(date +%s.%N)
  until [ "$(R XLEN out)" -ge "$MESSAGES" ]; do sleep 0.02; done
  end=$(date +%s.%N)
  kill -TERM "$pid"; wait "$pid" || true
  [ "$(R XLEN in:dead)" = "0" ] || { echo "dead letters in $1 run" >&2; exit 1; }
  python3 -c "print(round($MESSAGES / ($end - $start)))"
}

echo "model in_flight round messages_per_s"
for model in fraud pump_monitor; do
  for round in $(seq 1 "$ROUNDS"); do
    for k in 1 64; do echo "$model $k $round $(run "$model" "$k")"; done
  done
done | tee "$OUT/results.txt"

echo
echo "model median(in_flight=1) median(in_flight=64) ratio"
for model in fraud pump_monitor; do
  one=$(awk -v m="$model" '$1==m && $2==1 {print $4}' "$OUT/results.txt" | median)
  many=$(awk -v m="$model" '$1==m && $2==64 {print $4}' "$OUT/results.txt" | median)
  echo "$model $one $many $(python3 -c "print(round($many / $one, 2))")"
done
