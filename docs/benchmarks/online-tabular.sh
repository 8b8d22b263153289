#!/usr/bin/env bash
# Small tabular model over REST: Augur's requests/s on the fraud sample against an empty ASP.NET endpoint and the
# naive ONNX Runtime endpoint, all in the same run, closed loop (wrk), interleaved rounds, medians and ratios.
# Usage: docs/benchmarks/online-tabular.sh [rounds=5] [seconds=10] [connections=16]
source "$(dirname "$0")/lib.sh"
ROUNDS="${1:-5}"; SECONDS_PER_RUN="${2:-10}"; CONNECTIONS="${3:-16}"
command -v wrk >/dev/null || { echo "wrk is required (apt-get install wrk)" >&2; exit 1; }

publish
start_augur 8200
start_baseline 8100

body="$(tr -d '\n' < "$ROOT/docs/benchmarks/requests/fraud.json")"
lua="$OUT/post.lua"
printf 'wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\nwrk.body = [[%s]]\n' "$body" > "$lua"

declare -A URLS=(
  [empty]="http://127.0.0.1:8100/empty"
  [augur]="http://127.0.0.1:8200/v2/models/fraud/infer"
  [naive]="http://127.0.0.1:8100/v2/models/fraud/infer"
)
declare -A RESULTS=()
rps() { wrk -t2 -c"$CONNECTIONS" -d"${2}s" -s "$lua" "$1" | awk '/Non-2xx/ {bad=1} /Requests\/sec/ {r=$2} END {if (bad) print "ERR"; else print r}'; }

for name in empty augur naive; do rps "${URLS[$name]}" 3 >/dev/null; done   # warm-up
for round in $(seq 1 "$ROUNDS"); do
  for name in empty augur naive; do
    r="$(rps "${URLS[$name]}" "$SECONDS_PER_RUN")"
    RESULTS[$name]+="$r "
    echo "round $round $name $r req/s"
  done
done

m_empty="$(tr ' ' '\n' <<<"${RESULTS[empty]}" | grep . | median)"
m_augur="$(tr ' ' '\n' <<<"${RESULTS[augur]}" | grep . | median)"
m_naive="$(tr ' ' '\n' <<<"${RESULTS[naive]}" | grep . | median)"
echo
echo "median req/s: empty=$m_empty augur=$m_augur naive=$m_naive"
awk -v a="$m_augur" -v e="$m_empty" -v n="$m_naive" 'BEGIN {printf "augur/empty=%.2f augur/naive=%.2f\n", a/e, a/n}'
