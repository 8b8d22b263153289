#!/usr/bin/env bash
# Shared runtime: what many models cost in one server with ONNX Runtime's global thread pools and one shared CPU arena
# (the defaults, design note 0015) against a pool and an arena per session. One server per mode, one at a time, on a
# repository of FRAUD copies of the fraud sample and IMAGES copies of image_classifier (their "parameters" dropped, so
# the server-wide thread settings apply; image_classifier keeps its 2 instances and warm-up):
#   on          augur serve (global pools of one thread per processor, shared arena, spinning off)
#   on-spin     the same with AUGUR_GlobalThreadPoolSpinning=true
#   off         --global-thread-pool false --shared-arena false --intra-op-threads 2 (a pool of 2 per session)
#   off-1       --global-thread-pool false --shared-arena false --intra-op-threads 1 (Augur's default before: no pool threads)
# Each server starts in explicit mode with fraud_000 and image_000 loaded and answers one request on each; its Threads
# and RssAnon (/proc/PID/status) are read; then every other copy is loaded (repository API, one after another) and
# answers one request, and both are read again: threads added and KiB of RssAnon per extra model. Then `augur bench
# --scenario single-stream` on fraud_000 and on image_000 (closed loop, one request at a time), SECONDS each, with the
# server's CPU time over the run (utime + stime, /proc/PID/stat). Prints the load average at the start and the end.
# Usage: docs/benchmarks/shared-runtime.sh [fraud=200] [images=40] [seconds=10]
source "$(dirname "$0")/lib.sh"
FRAUD="${1:-200}"; IMAGES="${2:-40}"; DURATION="${3:-10}"
PORT="${BENCH_PORT:-8420}"
BASE="http://127.0.0.1:$PORT"
TICKS="$(getconf CLK_TCK)"
echo "# load average at start: $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) processors" >&2

publish
REPO="$OUT/repository-shared-runtime"
rm -rf "$REPO" && mkdir -p "$REPO"
for i in $(seq 0 $(( FRAUD - 1 ))); do cp -r "$ROOT/samples/models/fraud" "$REPO/$(printf 'fraud_%03d' "$i")"; done
for i in $(seq 0 $(( IMAGES - 1 ))); do
  copy="$REPO/$(printf 'image_%03d' "$i")"
  cp -r "$ROOT/samples/models/image_classifier" "$copy"
  jq 'del(.parameters)' "$copy/config.json" >"$copy/config.json.new" && mv "$copy/config.json.new" "$copy/config.json"
done
FRAUD_REQUEST="$ROOT/docs/benchmarks/requests/fraud.json"
IMAGE_REQUEST="$ROOT/docs/benchmarks/requests/image_classifier.json"

status() { awk -v key="$1:" '$1 == key {print $2}' "/proc/$2/status"; }   # status FIELD PID
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }                     # utime + stime of PID, in clock ticks
infer_once() { post_json "$BASE/v2/models/$1/infer" "$( [ "${1%%_*}" = fraud ] && echo "$FRAUD_REQUEST" || echo "$IMAGE_REQUEST")" >/dev/null; }
bench() { # model request: prints "p50 p99 cpu_seconds"
  local before line after
  before="$(cpu_ticks "$PID")"
  line="$(dotnet "$OUT/augur/augur.dll" bench --url "$BASE" --model "$1" --request "$2" --scenario single-stream \
    --duration "${DURATION}s" --warmup 2s | grep 'p50_ms=' | tail -1)"
  after="$(cpu_ticks "$PID")"
  echo "#   bench $1: $line" >&2
  echo "$(sed -n 's/.* p50_ms=\([0-9.]*\).*/\1/p' <<<"$line") $(sed -n 's/.* p99_ms=\([0-9.]*\).*/\1/p' <<<"$line") $(awk -v t=$(( after - before )) -v hz="$TICKS" 'BEGIN {printf "%.2f", t / hz}')"
}

declare -A ROW=()
for mode in on on-spin off off-1; do
  case "$mode" in
    on | on-spin) options=() ;;
    off) options=(--global-thread-pool false --shared-arena false --intra-op-threads 2) ;;
    off-1) options=(--global-thread-pool false --shared-arena false --intra-op-threads 1) ;;
  esac
  [ "$mode" = on-spin ] && export AUGUR_GlobalThreadPoolSpinning=true
  start_augur "$PORT" "$REPO" --model-control-mode explicit --load-model fraud_000 --load-model image_000 --allow-admin-without-key "${options[@]}"
  unset AUGUR_GlobalThreadPoolSpinning
  PID="${PIDS[-1]}"
  infer_once fraud_000 && infer_once image_000
  threads0="$(status Threads "$PID")"; anon0="$(status RssAnon "$PID")"
  for model in $(cd "$REPO" && ls | grep -v -e '^fraud_000$' -e '^image_000$'); do
    curl -sf -X POST "$BASE/v2/repository/models/$model/load" >/dev/null || { echo "loading $model failed" >&2; tail -5 "$OUT/augur-$PORT.log" >&2; exit 1; }
    infer_once "$model"
  done
  threads1="$(status Threads "$PID")"; anon1="$(status RssAnon "$PID")"
  curl -sf "$BASE/metrics" | grep -E '^augur_onnxruntime_models\{' | sed "s/^/# $mode: /" >&2
  read -r fp50 fp99 fcpu <<<"$(bench fraud_000 "$FRAUD_REQUEST")"
  read -r ip50 ip99 icpu <<<"$(bench image_000 "$IMAGE_REQUEST")"
  extra=$(( FRAUD + IMAGES - 2 ))
  ROW[$mode]="$(awk -v t0="$threads0" -v t1="$threads1" -v a0="$anon0" -v a1="$anon1" -v n="$extra" \
    'BEGIN {printf "%d | %d | %+d | %.0f | %.0f | %.1f", t0, t1, t1 - t0, a0 / 1024, a1 / 1024, (a1 - a0) / n}') | $fp50 | $fp99 | $fcpu | $ip50 | $ip99 | $icpu"
  echo "# $mode: ${ROW[$mode]}" >&2
  stop_servers
done
echo "# load average at end: $(cut -d' ' -f1-3 /proc/loadavg)" >&2

echo "| mode | threads, 2 models | $(( FRAUD + IMAGES )) models | added | RssAnon MiB, 2 models | $(( FRAUD + IMAGES )) models | KiB per extra model | fraud p50 ms | p99 | server CPU s | image p50 ms | p99 | server CPU s |"
echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|"
for mode in on on-spin off off-1; do echo "| $mode | ${ROW[$mode]} |"; done
