#!/usr/bin/env bash
# Cost of the model lifecycle on the request path (per-request version lease, path guard, key check): fraud sample over
# REST, closed loop (wrk), interleaved rounds, medians and ratios, all in the same run:
#   base  = Augur built from BASE_REF (before the lifecycle work), no keys
#   life  = this tree, no keys
#   keyed = this tree with an inference key configured, requests carrying it
# Usage: docs/benchmarks/lifecycle-overhead.sh BASE_REF [rounds=5] [seconds=10] [connections=16]
source "$(dirname "$0")/lib.sh"
BASE_REF="${1:?give the commit to compare with, e.g. the merge base of the lifecycle branch}"
ROUNDS="${2:-5}"; SECONDS_PER_RUN="${3:-10}"; CONNECTIONS="${4:-16}"
command -v wrk >/dev/null || { echo "wrk is required (apt-get install wrk)" >&2; exit 1; }
KEY="benchmark-inference-key-0123456789"

echo "# publishing this tree and $BASE_REF to $OUT" >&2
dotnet publish "$ROOT/src/Augur.Cli" -c Release -o "$OUT/augur" >/dev/null
mkdir -p "$OUT/base-src"
git -C "$ROOT" archive "$BASE_REF" | tar -x -C "$OUT/base-src"
dotnet publish "$OUT/base-src/src/Augur.Cli" -c Release -o "$OUT/base" >/dev/null

serve() { # build port [env...]
  local build="$1" port="$2"; shift 2
  env "$@" dotnet "$OUT/$build/augur.dll" serve --host 127.0.0.1 --http-port "$port" --model-repository "$ROOT/samples/models" >"$OUT/$build-$port.log" 2>&1 &
  PIDS+=($!)
  wait_http "http://127.0.0.1:$port/v2/health/ready"
}
serve base 8300
serve augur 8301
serve augur 8302 "AUGUR_Security__InferenceApiKeys__0=$KEY"

body="$(tr -d '\n' < "$ROOT/docs/benchmarks/requests/fraud.json")"
plain="$OUT/plain.lua"; keyed="$OUT/keyed.lua"
printf 'wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\nwrk.body = [[%s]]\n' "$body" > "$plain"
printf 'wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\nwrk.headers["Authorization"] = "Bearer %s"\nwrk.body = [[%s]]\n' "$KEY" "$body" > "$keyed"

declare -A URLS=([base]="http://127.0.0.1:8300" [life]="http://127.0.0.1:8301" [keyed]="http://127.0.0.1:8302")
declare -A SCRIPTS=([base]="$plain" [life]="$plain" [keyed]="$keyed")
declare -A RESULTS=()
rps() { wrk -t2 -c"$CONNECTIONS" -d"${3}s" -s "$2" "$1/v2/models/fraud/infer" | awk '/Non-2xx/ {bad=1} /Requests\/sec/ {r=$2} END {if (bad) print "ERR"; else print r}'; }

for name in base life keyed; do rps "${URLS[$name]}" "${SCRIPTS[$name]}" 3 >/dev/null; done   # warm-up
for round in $(seq 1 "$ROUNDS"); do
  for name in base life keyed; do
    r="$(rps "${URLS[$name]}" "${SCRIPTS[$name]}" "$SECONDS_PER_RUN")"
    RESULTS[$name]+="$r "
    echo "round $round $name $r req/s"
  done
done

m_base="$(tr ' ' '\n' <<<"${RESULTS[base]}" | grep . | median)"
m_life="$(tr ' ' '\n' <<<"${RESULTS[life]}" | grep . | median)"
m_keyed="$(tr ' ' '\n' <<<"${RESULTS[keyed]}" | grep . | median)"
echo
echo "median req/s: base=$m_base life=$m_life keyed=$m_keyed"
awk -v b="$m_base" -v l="$m_life" -v k="$m_keyed" 'BEGIN {printf "life/base=%.3f keyed/life=%.3f\n", l/b, k/l}'
