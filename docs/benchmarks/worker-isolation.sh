#!/usr/bin/env bash
# Process isolation: the cost of running a model in `augur worker` processes instead of in the server, and what a
# worker crash under load costs. One server holds each model twice: as bundled (in-process) and as a copy with
# "isolation": "process" (same files, same config otherwise), so both are measured in the same run through the same
# REST path, and the difference is the worker hop (one call per batch over the worker's batch socket, a Unix domain
# socket; worker-single-stream.sh compares it with gRPC).
#   1. single-stream p50 (closed loop, one request at a time) on fraud and ranker, interleaved rounds, medians;
#      target: worker p50 ≤ in-process p50 + 150 µs.
#   2. server scenario peak QPS with p99 ≤ 15 ms on ranker, worker against in-process; target ≥ 0.9×.
#   3. a worker crash (SIGKILL, and a native abort() made with gdb; needs gdb) during a Server run at a fixed QPS, on a ranker copy
#      with one worker (nothing else can answer until it is back) and on the bundled two: the requests that failed,
#      against the bound (the crashed worker's in-flight batch: at most max_batch_size 64), the time from the signal
#      to the first good answer of a probe loop and to the replacement's "started" log line.
# Usage: docs/benchmarks/worker-isolation.sh [rounds=3] [seconds=10] [crash_qps=200]
source "$(dirname "$0")/lib.sh"
command -v gdb >/dev/null || { echo "gdb is required (apt-get install gdb)" >&2; exit 1; }
ROUNDS="${1:-3}"; DURATION="${2:-10}"; CRASH_QPS="${3:-200}"
PORT=8200
BASE="http://127.0.0.1:$PORT"

publish
REPO="$OUT/repository"
repository_copy "$REPO" fraud ranker
for model in fraud ranker; do
  cp -r "$REPO/$model" "$REPO/${model}_worker"
  config_merge "$REPO/${model}_worker/config.json" '{"isolation": "process"}'
done
# One worker each: after a crash, nothing else can answer until it is back. A copy per crash, so each is a first crash
# (restarted at once); a second crash within 30 s of a restart is restarted after a backoff instead.
for copy in ranker_single ranker_abort; do
  cp -r "$REPO/ranker" "$REPO/$copy"
  config_merge "$REPO/$copy/config.json" '{"isolation": "process", "instance_count": 1}'
done
start_augur "$PORT" "$REPO"
LOG="$OUT/augur-$PORT.log"

bench() { dotnet "$OUT/augur/augur.dll" bench --url "$BASE" "$@"; }
field() { sed -n "s/.* $1=\([0-9.]*\).*/\1/p" | tail -1; }   # field NAME < run lines: the last run's value

# Each worker model must answer exactly what its in-process twin answers.
for model in fraud ranker; do
  a="$(post_json "$BASE/v2/models/$model/infer" "$ROOT/docs/benchmarks/requests/$model.json" | jq -c .outputs)"
  b="$(post_json "$BASE/v2/models/${model}_worker/infer" "$ROOT/docs/benchmarks/requests/$model.json" | jq -c .outputs)"
  [ "$a" = "$b" ] || { echo "$model: the worker's outputs differ from in-process: $a vs $b" >&2; exit 1; }
done

echo "## 1. single-stream p50 (${ROUNDS} rounds of ${DURATION}s, interleaved)" >&2
declare -A P50=()
for round in $(seq 1 "$ROUNDS"); do
  for model in fraud fraud_worker ranker ranker_worker; do
    request="$ROOT/docs/benchmarks/requests/${model%_worker}.json"
    line="$(bench --model "$model" --request "$request" --scenario single-stream --duration "${DURATION}s" --warmup 2s | grep 'p50_ms=' | tail -1)"
    echo "round $round $model $line" >&2
    P50[$model]+="$(field p50_ms <<<"$line") "
  done
done
med() { tr ' ' '\n' <<<"${P50[$1]}" | grep . | median; }
single_stream() { # model: prints "model inprocess_p50_ms worker_p50_ms overhead_us"
  local a b
  a="$(med "$1")"; b="$(med "${1}_worker")"
  awk -v m="$1" -v a="$a" -v b="$b" 'BEGIN {printf "%s in_process_p50_ms=%.3f worker_p50_ms=%.3f worker_overhead_us=%.0f\n", m, a, b, (b - a) * 1000}'
}

echo "## 2. ranker peak QPS at p99 ≤ 15 ms" >&2
peak() { # model
  bench --model "$1" --request "$ROOT/docs/benchmarks/requests/ranker.json" --scenario server --find-peak --latency-bound 15ms \
    --duration "${DURATION}s" --warmup 3s >"$OUT/peak-$1.txt"
  cat "$OUT/peak-$1.txt" >&2
  sed -n 's/.*server_peak_qps: \([0-9.]*\).*/\1/p' "$OUT/peak-$1.txt" | tail -1
}
peak_inprocess="$(peak ranker)"
peak_worker="$(peak ranker_worker)"

worker_pid() { # model instance: the pid of the worker the log names last
  sed -n "s/.*Worker $2 of model '$1' version 1 started (pid \([0-9]*\)).*/\1/p" "$LOG" | tail -1
}
now_ms() { date +%s%3N; }
CRASHES=()
crash() { # model signal: a Server run at CRASH_QPS on the model, its worker 0 sent the signal in the middle
  local model="$1" signal="$2" victim load killed_at first_good="" replaced="" pid line
  echo "## 3. SIG$signal to worker 0 of $model during a Server run at $CRASH_QPS QPS" >&2
  victim="$(worker_pid "$model" 0)"
  [ -n "$victim" ] || { echo "no worker pid for $model in $LOG" >&2; exit 1; }
  bench --model "$model" --request "$ROOT/docs/benchmarks/requests/ranker.json" --scenario server --qps "$CRASH_QPS" \
    --duration "$(( DURATION * 2 ))s" --warmup 2s >"$OUT/crash-$model-$signal.txt" 2>&1 &
  load=$!
  sleep $(( 2 + DURATION ))
  if [ "$signal" = ABRT ]; then
    # A native abort from inside the worker, as a failed assertion in a kernel would: .NET ignores a SIGABRT sent from
    # outside, so gdb makes the process call abort() itself. The clock starts once gdb has let go.
    gdb -p "$victim" -batch -ex 'call (void)abort()' >"$OUT/gdb.log" 2>&1 || true
    killed_at="$(now_ms)"
  else
    killed_at="$(now_ms)"
    kill "-$signal" "$victim"
  fi
  for _ in $(seq 1 2000); do   # a probe of its own, besides the load: the first 200 after the signal
    if curl -sf -o /dev/null -H 'Content-Type: application/json' --data-binary @"$ROOT/docs/benchmarks/requests/ranker.json" \
      "$BASE/v2/models/$model/infer"; then first_good="$(now_ms)"; break; fi
  done
  for _ in $(seq 1 500); do
    pid="$(worker_pid "$model" 0)"
    if [ -n "$pid" ] && [ "$pid" != "$victim" ]; then replaced="$(now_ms)"; break; fi
    sleep 0.01
  done
  wait "$load" || true
  cat "$OUT/crash-$model-$signal.txt" >&2
  line="$(grep 'p50_ms=' "$OUT/crash-$model-$signal.txt" | tail -1)"
  CRASHES+=("$model SIG$signal at ${CRASH_QPS} qps: failed_requests=$(field errors <<<"$line") of $(field queries <<<"$line") (bound: one batch, at most 64) p99_ms=$(field p99_ms <<<"$line") first_good_answer_ms=$(( ${first_good:-0} - killed_at )) replacement_started_ms=$(( ${replaced:-0} - killed_at ))")
}
crash ranker_single KILL
crash ranker_abort ABRT   # a native abort (a failed assertion, std::terminate), made with gdb
crash ranker_worker KILL

echo
single_stream fraud
single_stream ranker
awk -v a="$peak_inprocess" -v b="$peak_worker" 'BEGIN {printf "ranker peak_qps in_process=%s worker=%s worker/in_process=%.2f\n", a, b, b / a}'
printf '%s\n' "${CRASHES[@]}"
grep 'is down' "$LOG" | sed 's/^/# /' || true
