#!/usr/bin/env bash
# White-box pipelines, PRETZEL's experiment (Lee et al., OSDI 2018) reproduced on Augur: 100 pipelines
# (perf/Augur.PipelineRepository): 50 "text" pipelines sharing one text_ngrams featurizer (word 1–3-grams hashed into
# 2^16 buckets) under a linear head of their own, and 50 "numeric" ones sharing scale + one_hot + hash_buckets + concat
# under a logistic head of their own. Three servers, one at a time, on the same 100 pipelines:
#   - white-box: augur serve with its defaults (fused pipelines, shared weights, and whatever else this build has on),
#   - optimisations off: augur serve with every off-switch this build knows (probed in `augur serve --help`),
#   - black-box: the naive endpoint (perf/Augur.Baseline), one InferenceSession per pipeline, each pipeline one
#     model.onnx (the fused graph, written by the generator through PipelineFusion).
# Each server: RssAnon (/proc/PID/status), PSS (/proc/PID/smaps_rollup) and threads after one request to every model
# and again after the load; p99 at a fixed QPS (default half the naive endpoint's peak, measured first) and the peak QPS
# at p99 ≤ 15 ms (augur bench --find-peak), the load spread over all 100 models (--models-from: a uniformly drawn model
# per query, Poisson arrivals). Also the memory of each server with 2 pipelines (one of each family), so the cost of one
# more pipeline is (RSS at 100 − RSS at 2) / 98. Prints a table, the ratios against both baselines and the load average
# at the start and end: run it on a quiet machine (the load generator shares the machine's cores with the server).
# The fixed-QPS measurement is PRETZEL_ROUNDS runs (default 3), each after PRETZEL_FIXED_WARMUP (default 20s) of load at
# that QPS, so that every server is measured warmed by traffic whatever ran before it; the medians are reported.
# Usage: docs/benchmarks/pretzel.sh            (PRETZEL_QPS=N fixes the QPS; PRETZEL_DURATION=10s per measured run)
source "$(dirname "$0")/lib.sh"
command -v jq >/dev/null || { echo "jq is required (apt-get install jq)" >&2; exit 1; }
PORT="${BENCH_PORT:-8500}"
BASE="http://127.0.0.1:$PORT"
DURATION="${PRETZEL_DURATION:-10s}"
ROUNDS="${PRETZEL_ROUNDS:-3}"
FIXED_WARMUP="${PRETZEL_FIXED_WARMUP:-20s}"
BOUND=15ms
echo "# load average at start: $(cut -d' ' -f1-3 /proc/loadavg)" >&2

publish
if [ -z "${BENCH_REUSE_BUILD:-}" ] || [ ! -f "$OUT/pipeline-repository/Augur.PipelineRepository.dll" ]; then
  dotnet publish "$ROOT/perf/Augur.PipelineRepository" -c Release -o "$OUT/pipeline-repository" >/dev/null
fi
DATA="$OUT/pretzel"
dotnet "$OUT/pipeline-repository/Augur.PipelineRepository.dll" "$DATA" 100 >&2
REQUESTS="$DATA/requests"
few() { # kind: a repository of text_00 and numeric_00 only (hard links into the full one)
  local directory="$DATA/$1-2"
  rm -rf "$directory" && mkdir -p "$directory"
  cp -rl "$DATA/$1/text_00" "$DATA/$1/numeric_00" "$directory/"
  echo "$directory"
}
FEW_WHITE="$(few white-box)"
FEW_BLACK="$(few black-box)"

# Every off-switch this build of augur serve knows; those of optimisations not built yet are skipped.
HELP="$(dotnet "$OUT/augur/augur.dll" serve --help)"
OFF=()
for flag in --share-weights --fuse-pipelines --share-subplans --sparse-heads --global-thread-pool --shared-arena; do
  if grep -q -- "$flag " <<<"$HELP"; then OFF+=("$flag" false); fi
done
echo "# optimisations off: augur serve ${OFF[*]}" >&2

kib() { awk -v key="$1:" '$1 == key {print $2}' "$2"; }
start() { # mode repository
  case "$1" in
    white) start_augur "$PORT" "$2" ;;
    off) start_augur "$PORT" "$2" "${OFF[@]}" ;;
    black) start_baseline "$PORT" --model-repository "$2" ;;
  esac
}
warm() { # repository: one request to every model it holds
  local model
  for model in $(cd "$1" && ls); do post_json "$BASE/v2/models/$model/infer" "$REQUESTS/$model.json" >/dev/null; done
}
memory() { # key: records RssAnon, PSS (KiB) and threads of the running server under KEY
  local pid="${PIDS[-1]}"
  ANON[$1]="$(kib RssAnon "/proc/$pid/status")"
  PSS[$1]="$(kib Pss "/proc/$pid/smaps_rollup")"
  THREADS[$1]="$(kib Threads "/proc/$pid/status")"
  echo "# $1: RssAnon ${ANON[$1]} KiB, PSS ${PSS[$1]} KiB, ${THREADS[$1]} threads" >&2
}
bench() { # name, more bench options: a server run over all 100 models, its JSON report in $OUT/NAME.json
  dotnet "$OUT/augur/augur.dll" bench --url "$BASE" --models-from "$REQUESTS" --scenario server --latency-bound "$BOUND" \
    --duration "$DURATION" --warmup "${WARMUP:-2s}" --json "$OUT/$1.json" "${@:2}" | grep -v '^\s*$' | sed "s/^/# $1: /" >&2
}

fixed() { # mode: ROUNDS fixed-QPS runs, each after FIXED_WARMUP of load at that QPS
  local round
  for round in $(seq 1 "$ROUNDS"); do WARMUP="$FIXED_WARMUP" bench "$1-fixed-$round" --qps "$QPS"; done
}
of_rounds() { # mode field: the median of the field over the mode's fixed-QPS runs
  local round
  for round in $(seq 1 "$ROUNDS"); do jq -r ".result.$2" "$OUT/$1-fixed-$round.json"; done | median
}

declare -A ANON=() PSS=() THREADS=() P99=() P50=() PEAK=() LAG=()
QPS="${PRETZEL_QPS:-}"
for mode in black off white; do
  repository="$DATA/white-box"; few_repository="$FEW_WHITE"
  [ "$mode" = black ] && { repository="$DATA/black-box"; few_repository="$FEW_BLACK"; }
  start "$mode" "$few_repository"; warm "$few_repository"; memory "$mode,2"; stop_servers

  start "$mode" "$repository"
  warm "$repository"
  memory "$mode,warm"
  if [ -z "$QPS" ]; then
    bench "$mode-peak" --find-peak
    QPS="$(jq -r '.value / 2 | floor' "$OUT/$mode-peak.json")"
    echo "# fixed QPS: $QPS (half the $mode server's peak)" >&2
    fixed "$mode"
  else
    fixed "$mode"
    bench "$mode-peak" --find-peak
  fi
  memory "$mode,load"
  stop_servers
  P99[$mode]="$(of_rounds "$mode" p99_ms)"
  P50[$mode]="$(of_rounds "$mode" p50_ms)"
  LAG[$mode]="$(of_rounds "$mode" send_lag_p99_ms)"
  PEAK[$mode]="$(jq -r '.value' "$OUT/$mode-peak.json")"
done
echo "# load average at end: $(cut -d' ' -f1-3 /proc/loadavg)" >&2

name() { case "$1" in white) echo "augur serve (white-box, defaults)" ;; off) echo "augur serve ${OFF[*]}" ;; black) echo "naive endpoint (one session per model)" ;; esac; }
echo "| server | RssAnon after one request each | after the load | PSS after the load | threads | MiB per extra pipeline (RssAnon, 2 → 100) | p50 at $QPS QPS | p99 at $QPS QPS | peak QPS at p99 ≤ $BOUND |"
echo "|---|---|---|---|---|---|---|---|---|"
for mode in white off black; do
  awk -v n="$(name "$mode")" -v w="${ANON[$mode,warm]}" -v l="${ANON[$mode,load]}" -v p="${PSS[$mode,load]}" -v t="${THREADS[$mode,load]}" \
    -v two="${ANON[$mode,2]}" -v p50="${P50[$mode]}" -v p99="${P99[$mode]}" -v peak="${PEAK[$mode]}" 'BEGIN {
    printf "| %s | %.0f MiB | %.0f MiB | %.0f MiB | %d | %.2f | %.2f ms | %.2f ms | %.0f |\n", n, w / 1024, l / 1024, p / 1024, t, (w - two) / 1024 / 98, p50, p99, peak }'
done
echo
echo "send lag p99 of the fixed-QPS runs (the generator's share of the latency): white ${LAG[white]} ms, off ${LAG[off]} ms, naive ${LAG[black]} ms"
for base in off black; do
  awk -v b="$(name "$base")" -v aw="${ANON[white,load]}" -v ab="${ANON[$base,load]}" -v pw="${PSS[white,load]}" -v pb="${PSS[$base,load]}" \
    -v ew="${ANON[white,warm]}" -v eb="${ANON[$base,warm]}" -v tw="${ANON[white,2]}" -v tb="${ANON[$base,2]}" \
    -v lw="${P99[white]}" -v lb="${P99[$base]}" -v qw="${PEAK[white]}" -v qb="${PEAK[$base]}" 'BEGIN {
    printf "white-box against %s: memory %.2f× less (RssAnon after the load), %.2f× (PSS), %.2f× per extra pipeline; p99 %.2f× lower; peak QPS %.2f× higher\n",
      b, ab / aw, pb / pw, (eb - tb) / (ew - tw), lb / lw, qw / qb }'
done
