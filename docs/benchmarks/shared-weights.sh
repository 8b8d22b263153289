#!/usr/bin/env bash
# Shared weights: the memory one more tenant costs when N tenant models share one frozen encoder (24 MiB FP32, the same
# bytes in every file) under a small head of their own, each exported as a separate ONNX file in its own model folder
# (perf/Augur.TenantRepository writes them). Three servers, one at a time, each with 1 tenant and then with N:
#   - augur serve (share_weights on, the default): the encoder held once, its pre-packed copy shared,
#   - augur serve --share-weights false: every session holds its own pre-packed copy,
#   - the naive endpoint (perf/Augur.Baseline): one plain InferenceSession per model, loaded from the file.
# Each server gets one request per tenant, then its RssAnon (/proc/PID/status) and PSS (/proc/PID/smaps_rollup) are
# read. Reported: both at 1, N/2 and N tenants, MiB per extra tenant (the growth from 1 to N divided by N − 1, and from
# N/2 to N divided by N/2: what the next tenant costs once start-up costs are paid), and the ratios of sharing off (and
# the baseline) to on. Prints the load average at the start and end: run it on a quiet machine.
# Usage: docs/benchmarks/shared-weights.sh [tenants=40]
source "$(dirname "$0")/lib.sh"
TENANTS="${1:-40}"
PORT="${BENCH_PORT:-8400}"
BASE="http://127.0.0.1:$PORT"
echo "# load average at start: $(cut -d' ' -f1-3 /proc/loadavg)" >&2

publish
if [ -z "${BENCH_REUSE_BUILD:-}" ] || [ ! -f "$OUT/tenant-repository/Augur.TenantRepository.dll" ]; then
  dotnet publish "$ROOT/perf/Augur.TenantRepository" -c Release -o "$OUT/tenant-repository" >/dev/null
fi
HALF=$(( TENANTS / 2 ))
MANY="$OUT/tenants-$TENANTS"
[ -f "$MANY/request.json" ] || dotnet "$OUT/tenant-repository/Augur.TenantRepository.dll" "$MANY" "$TENANTS" >&2
REQUEST="$MANY/request.json"
repository_of() { # count: a repository of the first COUNT tenants (hard links into the full one)
  local directory="$OUT/tenants-$1" i
  [ "$1" = "$TENANTS" ] && { echo "$MANY"; return; }
  rm -rf "$directory" && mkdir -p "$directory"
  for i in $(seq 0 $(( $1 - 1 ))); do cp -rl "$MANY/$(printf 'tenant_%02d' "$i")" "$directory/"; done
  echo "$directory"
}

kib() { awk -v key="$1:" '$1 == key {print $2}' "$2"; }   # kib FIELD FILE: a /proc value in KiB
measure() { # mode repository: starts the server, sends one request per tenant, sets M_ANON and M_PSS (KiB), stops it
  local mode="$1" repository="$2" pid model
  case "$mode" in
    on) start_augur "$PORT" "$repository" ;;
    off) start_augur "$PORT" "$repository" --share-weights false ;;
    baseline) start_baseline "$PORT" --model-repository "$repository" ;;
  esac
  pid="${PIDS[-1]}"
  for model in $(cd "$repository" && ls -d tenant_* | sort); do
    post_json "$BASE/v2/models/$model/infer" "$REQUEST" >/dev/null
  done
  if [ "$mode" = on ]; then
    curl -sf "$BASE/metrics" | grep -E '^augur_onnxruntime_shared_weight' | sed "s/^/# $mode $(basename "$repository"): /" >&2
  fi
  M_ANON="$(kib RssAnon "/proc/$pid/status")"
  M_PSS="$(kib Pss "/proc/$pid/smaps_rollup")"
  stop_servers
}

declare -A ANON=() PSS=() REPOSITORY=()
for count in 1 "$HALF" "$TENANTS"; do REPOSITORY[$count]="$(repository_of "$count")"; done
for mode in on off baseline; do
  for count in 1 "$HALF" "$TENANTS"; do
    measure "$mode" "${REPOSITORY[$count]}"
    echo "# $mode, $count tenant(s): RssAnon ${M_ANON} KiB, PSS ${M_PSS} KiB" >&2
    ANON[$mode,$count]="$M_ANON"
    PSS[$mode,$count]="$M_PSS"
  done
done
echo "# load average at end: $(cut -d' ' -f1-3 /proc/loadavg)" >&2

echo "| server | RssAnon, 1 tenant | $HALF | $TENANTS | PSS, 1 tenant | $TENANTS | MiB per extra tenant, 1 → $TENANTS: RssAnon | PSS | $HALF → $TENANTS: RssAnon | PSS |"
echo "|---|---|---|---|---|---|---|---|---|---|"
for mode in on off baseline; do
  awk -v m="$mode" -v n="$TENANTS" -v h="$HALF" -v a1="${ANON[$mode,1]}" -v ah="${ANON[$mode,$HALF]}" -v an="${ANON[$mode,$TENANTS]}" \
    -v p1="${PSS[$mode,1]}" -v ph="${PSS[$mode,$HALF]}" -v pn="${PSS[$mode,$TENANTS]}" 'BEGIN {
    name = m == "on" ? "augur serve (share_weights on)" : m == "off" ? "augur serve --share-weights false" : "naive endpoint (perf/Augur.Baseline)"
    printf "| %s | %.0f MiB | %.0f MiB | %.0f MiB | %.0f MiB | %.0f MiB | %.2f | %.2f | %.2f | %.2f |\n", name, a1 / 1024, ah / 1024, an / 1024, p1 / 1024, pn / 1024,
      (an - a1) / 1024 / (n - 1), (pn - p1) / 1024 / (n - 1), (an - ah) / 1024 / (n - h), (pn - ph) / 1024 / (n - h) }'
done
awk -v n="$TENANTS" -v h="$HALF" -v on="${ANON[on,$TENANTS]}" -v off="${ANON[off,$TENANTS]}" -v base="${ANON[baseline,$TENANTS]}" \
  -v on1="${ANON[on,1]}" -v off1="${ANON[off,1]}" -v base1="${ANON[baseline,1]}" \
  -v onh="${ANON[on,$HALF]}" -v offh="${ANON[off,$HALF]}" -v baseh="${ANON[baseline,$HALF]}" 'BEGIN {
  printf "\nRssAnon at %d tenants: off/on %.2f, baseline/on %.2f. Per extra tenant (1 → %d): off/on %.1f, baseline/on %.1f; (%d → %d): off/on %.1f, baseline/on %.1f\n",
    n, off / on, base / on, n, (off - off1) / (on - on1), (base - base1) / (on - on1), h, n, (off - offh) / (on - onh), (base - baseh) / (on - onh) }'
