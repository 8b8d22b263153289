#!/usr/bin/env bash
# Worker memory: what unloading a model under --memory-budget gives back to the operating system, with the models in
# worker processes ("isolation": "process") against the same models in the server's process. Two servers, one after
# the other, with the same budget and the same steps; each repository holds ranker and image_classifier (as bundled:
# two instances each, so four workers when isolated) and `reserve`, a copy of fraud whose version folder also holds a
# sparse file (no disk blocks, no memory) of the budget less 64 KiB: the budget counts an in-process model as its files,
# so `reserve` fits alone and loading it unloads every other model.
#   1. before loading: `reserve` answered once (the server holds ONNX Runtime itself, as in both cases later);
#   2. after loading: ranker and image_classifier each served an `augur bench --scenario offline` run of `seconds`
#      (random inputs, 64 queries of 32 samples in flight: full batches); their first requests unloaded `reserve`;
#   3. after the unload: `reserve` answered again, which unloads both models (and, when isolated, ends their workers).
# At each step: the server's VmRSS, each worker's (model and pid), the total, and what the budget counts
# (augur_memory_used_bytes: workers' resident memory when isolated, the files in process). RSS counts shared pages
# (the .NET runtime, ONNX Runtime's library) in every process that maps them, so the total is an upper bound.
# Usage: docs/benchmarks/worker-memory.sh [seconds=5] [budget_bytes=2147483648]
source "$(dirname "$0")/lib.sh"
command -v jq >/dev/null || { echo "jq is required (apt-get install jq)" >&2; exit 1; }
DURATION="${1:-5}"; BUDGET="${2:-2147483648}"
PORT=8420
BASE="http://127.0.0.1:$PORT"
MODELS=(ranker image_classifier)

publish

repository() { # destination isolation(process|none)
  repository_copy "$1" "${MODELS[@]}" fraud
  mv "$1/fraud" "$1/reserve"
  truncate -s "$(( BUDGET - 65536 ))" "$1/reserve/1/reserve.bin"
  if [ "$2" = process ]; then
    for model in "${MODELS[@]}"; do config_merge "$1/$model/config.json" '{"isolation": "process"}'; done
  fi
}

rss_mib() { awk '/^VmRSS:/ {printf "%.0f", $2 / 1024}' "/proc/$1/status"; }
workers() { # server pid: its live `augur worker` children
  local pid
  for pid in $(cat /proc/"$1"/task/*/children 2>/dev/null); do
    tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q ' worker ' && echo "$pid"
  done
}
worker_model() { tr '\0' '\n' <"/proc/$1/cmdline" | sed -n '/^--model$/{n;p;}'; }
budget_used_mib() { curl -sf "$BASE/metrics" | awk '/^augur_memory_used_bytes/ {printf "%.0f", $NF / 1048576}'; }

report() { # case step server_pid
  local server_mib total list="" pid mib
  server_mib="$(rss_mib "$3")"; total="$server_mib"
  for pid in $(workers "$3"); do
    mib="$(rss_mib "$pid")"
    total=$(( total + mib ))
    list+="$(worker_model "$pid")/$pid ${mib}, "
  done
  printf '| %s | %s | %s | %s | %s | %s |\n' "$1" "$2" "$server_mib" "${list%, }" "$total" "$(budget_used_mib)"
}

infer() { post_json "$BASE/v2/models/$1/infer" "$ROOT/docs/benchmarks/requests/$2.json" >/dev/null; }

measure() { # case isolation
  local server
  repository "$OUT/repository-$1" "$2"
  start_augur "$PORT" "$OUT/repository-$1" --memory-budget "$BUDGET"
  server="${PIDS[-1]}"
  infer reserve fraud
  report "$1" "before loading" "$server"
  for model in "${MODELS[@]}"; do
    infer "$model" "$model"   # loads it: the bench reads the model's metadata first, which a model not loaded has not
    dotnet "$OUT/augur/augur.dll" bench --url "$BASE" --model "$model" --scenario offline --duration "${DURATION}s" --warmup 1s >"$OUT/bench-$1-$model.txt" 2>&1 \
      || { cat "$OUT/bench-$1-$model.txt" >&2; exit 1; }
  done
  report "$1" "after loading" "$server"
  infer reserve fraud
  for _ in $(seq 1 100); do [ -z "$(workers "$server")" ] && break; sleep 0.1; done
  report "$1" "after the unload" "$server"
  grep -h 'Unloading model' "$OUT/augur-$PORT.log" | sed 's/^/# /' >&2
  stop_servers
}

echo "# load average before: $(cut -d' ' -f1-3 /proc/loadavg); budget $(( BUDGET >> 20 )) MiB; offline runs of ${DURATION}s"
echo "| case | step | server MiB | workers (model/pid MiB) | total MiB | budget counts MiB |"
echo "|---|---|---|---|---|---|"
measure isolated process
measure in_process none
echo "# load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
