#!/usr/bin/env bash
# Shared prefixes (design note 0018): N tenant models over one frozen encoder (24 MiB FP32, the same bytes in every
# file) under a small head of their own, each its own ONNX file and model folder (perf/Augur.TenantRepository), with the
# load spread over all of them: each query goes to a tenant drawn at random (augur bench --models-from). Three servers,
# one at a time:
#   - augur serve (defaults): the encoder is one shared prefix, computed for the joined rows of every tenant's batches,
#   - augur serve --share-subplans false: each tenant runs its whole graph in its own session (weights still shared),
#   - the naive endpoint (perf/Augur.Baseline): one plain InferenceSession per model.
# Each is warmed with one request per tenant, then measured: peak QPS at p99 ≤ 15 ms (Server scenario, Poisson, a
# search), p50/p99 at a fixed QPS (half the naive endpoint's peak, or SHARED_PREFIXES_QPS), and RssAnon after the load.
# Prints the load average at the start and end: run it on a quiet machine.
# Usage: docs/benchmarks/shared-prefixes.sh [tenants=40]
source "$(dirname "$0")/lib.sh"
command -v jq >/dev/null || { echo "jq is required (apt-get install jq)" >&2; exit 1; }
TENANTS="${1:-40}"
PORT="${BENCH_PORT:-8420}"
BASE="http://127.0.0.1:$PORT"
DURATION="${SHARED_PREFIXES_DURATION:-10s}"
BOUND=15ms
echo "# load average at start: $(cut -d' ' -f1-3 /proc/loadavg)" >&2

publish
if [ -z "${BENCH_REUSE_BUILD:-}" ] || [ ! -f "$OUT/tenant-repository/Augur.TenantRepository.dll" ]; then
  dotnet publish "$ROOT/perf/Augur.TenantRepository" -c Release -o "$OUT/tenant-repository" >/dev/null
fi
DATA="$OUT/tenants-$TENANTS"
[ -f "$DATA/request.json" ] || dotnet "$OUT/tenant-repository/Augur.TenantRepository.dll" "$DATA" "$TENANTS" >&2
REQUESTS="$OUT/tenant-requests-$TENANTS"
rm -rf "$REQUESTS" && mkdir -p "$REQUESTS"
for model in $(cd "$DATA" && ls -d tenant_*); do cp "$DATA/request.json" "$REQUESTS/$model.json"; done

kib() { awk -v key="$1:" '$1 == key {print $2}' "$2"; }
start() { # mode
  case "$1" in
    on) start_augur "$PORT" "$DATA" ;;
    off) start_augur "$PORT" "$DATA" --share-subplans false ;;
    naive) start_baseline "$PORT" --model-repository "$DATA" ;;
  esac
}
bench() { # name, more bench options: a Server run over every tenant, its JSON report in $OUT/NAME.json
  dotnet "$OUT/augur/augur.dll" bench --url "$BASE" --models-from "$REQUESTS" --scenario server --latency-bound "$BOUND" \
    --duration "$DURATION" --warmup 2s --json "$OUT/$1.json" "${@:2}" | grep -v '^\s*$' | sed "s/^/# $1: /" >&2
}

declare -A ANON=() P99=() P50=() PEAK=()
QPS="${SHARED_PREFIXES_QPS:-}"
for mode in naive off on; do
  start "$mode"
  for model in $(cd "$DATA" && ls -d tenant_*); do post_json "$BASE/v2/models/$model/infer" "$REQUESTS/$model.json" >/dev/null; done
  bench "$mode-peak" --find-peak
  PEAK[$mode]="$(jq -r '.value' "$OUT/$mode-peak.json")"
  if [ -z "$QPS" ]; then
    QPS="$(jq -r '.value / 2 | floor' "$OUT/$mode-peak.json")"
    echo "# fixed QPS: $QPS (half the $mode server's peak)" >&2
  fi
  bench "$mode-fixed" --qps "$QPS"
  P99[$mode]="$(jq -r '.result.p99_ms' "$OUT/$mode-fixed.json")"
  P50[$mode]="$(jq -r '.result.p50_ms' "$OUT/$mode-fixed.json")"
  ANON[$mode]="$(kib RssAnon "/proc/${PIDS[-1]}/status")"
  if [ "$mode" = on ]; then
    curl -sf "$BASE/metrics" | grep -E '^augur_pipeline_shared_step_(calls|runs)' | sed "s/^/# $mode: /" >&2
  fi
  stop_servers
done
echo "# load average at end: $(cut -d' ' -f1-3 /proc/loadavg)" >&2

name() { case "$1" in on) echo "augur serve (shared prefix, the default)" ;; off) echo "augur serve --share-subplans false" ;; naive) echo "naive endpoint (one session per model)" ;; esac; }
echo "| server ($TENANTS tenants) | peak QPS at p99 ≤ $BOUND | p50 at $QPS QPS | p99 at $QPS QPS | RssAnon after the load |"
echo "|---|---|---|---|---|"
for mode in on off naive; do
  awk -v n="$(name "$mode")" -v peak="${PEAK[$mode]}" -v p50="${P50[$mode]}" -v p99="${P99[$mode]}" -v a="${ANON[$mode]}" 'BEGIN {
    printf "| %s | %.0f | %.2f ms | %.2f ms | %.0f MiB |\n", n, peak, p50, p99, a / 1024 }'
done
echo
for base in off naive; do
  awk -v b="$(name "$base")" -v qo="${PEAK[on]}" -v qb="${PEAK[$base]}" -v lo="${P99[on]}" -v lb="${P99[$base]}" -v ao="${ANON[on]}" -v ab="${ANON[$base]}" 'BEGIN {
    printf "shared prefix against %s: peak QPS %.2f× higher; p99 %.2f× lower; memory %.2f× less\n", b, qo / qb, lb / lo, ab / ao }'
done
