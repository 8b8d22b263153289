#!/usr/bin/env bash
# Cache hit latency: the p50 of an Augur response-cache hit against the p50 of an empty ASP.NET endpoint that reads the
# same request body and writes the same response bytes without running anything (perf/Augur.Baseline,
# POST /empty/v2/models/{m}/infer with --empty-response), in the same run: interleaved rounds, medians, the ratio.
# One identical request throughout: `augur bench --request`, closed loop one request at a time (single-stream), or with
# a QPS a fixed Poisson rate (server scenario). Every measured Augur answer must say prediction_source "cache".
# Usage: docs/benchmarks/cache-hit.sh [model=fraud] [seconds=10] [rounds=3] [qps=0 (closed loop)]
source "$(dirname "$0")/lib.sh"
MODEL="${1:-fraud}"; DURATION="${2:-10}"; ROUNDS="${3:-3}"; QPS="${4:-0}"
REQUEST="$ROOT/docs/benchmarks/requests/$MODEL.json"
[ -f "$REQUEST" ] || { echo "no request for $MODEL in docs/benchmarks/requests/" >&2; exit 2; }
command -v jq >/dev/null || { echo "jq is required (apt-get install jq)" >&2; exit 1; }

publish
# A repository with only this model, its config.json turning the response cache on.
REPOSITORY="$OUT/repo-cache"
repository_copy "$REPOSITORY" "$MODEL"
config_merge "$REPOSITORY/$MODEL/config.json" '{"response_cache": {"enable": true}}'
start_augur 8200 "$REPOSITORY"

# Warm the entry: the first request runs the model and fills the cache, the second must be a hit. Its bytes become the
# empty endpoint's answer, so both servers write the same response.
post_json "http://127.0.0.1:8200/v2/models/$MODEL/infer" "$REQUEST" >/dev/null
post_json "http://127.0.0.1:8200/v2/models/$MODEL/infer" "$REQUEST" >"$OUT/cached-response.json"
source="$(jq -r '.parameters.prediction_source // "none"' "$OUT/cached-response.json")"
if [ "$source" != cache ]; then
  echo "the second identical request was answered by '$source', not the cache; check response_cache in $REPOSITORY/$MODEL/config.json" >&2
  exit 1
fi
start_baseline 8100 --empty-response "$OUT/cached-response.json"
empty_bytes="$(post_json "http://127.0.0.1:8100/empty/v2/models/$MODEL/infer" "$REQUEST" | wc -c)"
echo "# response: $(wc -c <"$OUT/cached-response.json") bytes from Augur's cache, $empty_bytes from the empty endpoint" >&2

if [ "$QPS" = 0 ]; then SCENARIO=(--scenario single-stream); else SCENARIO=(--scenario server --qps "$QPS" --latency-bound 1s); fi
declare -A URLS=([empty]="http://127.0.0.1:8100/empty" [augur]="http://127.0.0.1:8200")
declare -A P50=()
for round in $(seq 1 "$ROUNDS"); do
  for name in empty augur; do
    dotnet "$OUT/augur/augur.dll" bench --url "${URLS[$name]}" --model "$MODEL" --request "$REQUEST" "${SCENARIO[@]}" \
      --duration "${DURATION}s" --warmup 2s >"$OUT/run.txt"
    line="$(grep ' p50_ms=' "$OUT/run.txt" | tail -1)"
    echo "round $round $name: $line"
    if [ "$name" = augur ] && ! grep -Eq ' sources=cache:[0-9]+$' <<<"$line"; then
      echo "not every measured Augur answer came from the cache (see sources= above)" >&2
      exit 1
    fi
    P50[$name]+="$(sed 's/.* p50_ms=\([0-9.]*\).*/\1/' <<<"$line") "
  done
done

m_empty="$(tr ' ' '\n' <<<"${P50[empty]}" | grep . | median)"
m_augur="$(tr ' ' '\n' <<<"${P50[augur]}" | grep . | median)"
echo
echo "model=$MODEL median p50 ms: empty=$m_empty augur_cache_hit=$m_augur"
awk -v a="$m_augur" -v e="$m_empty" 'BEGIN {printf "augur_cache_hit/empty p50=%.2f (target <= 1.2)\n", a/e}'
