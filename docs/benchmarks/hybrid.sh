#!/usr/bin/env bash
# Hybrid serving on the ranker: keys drawn Zipf(1.1) over 1,000,000 ids, the most popular 1% (ids 0..9,999)
# precomputed by `augur batch` into SQLite; the peak QPS with p99 <= 15 ms (Server scenario, Poisson arrivals, `augur
# bench --find-peak`) of one Augur build serving the ranker as bundled (every query runs the model) and serving it with
# those precomputed predictions (a query whose prediction_key is stored is answered from the store), and the ratio.
# Both searches send the same seeded keys; each query carries the key's features and prediction_key = the key.
# Usage: docs/benchmarks/hybrid.sh [seconds=10] [rounds=1] [keys=zipf:1.1:1000000] [top=10000]
source "$(dirname "$0")/lib.sh"
DURATION="${1:-10}"; ROUNDS="${2:-1}"; KEYS="${3:-zipf:1.1:1000000}"; TOP="${4:-10000}"
command -v jq >/dev/null || { echo "jq is required (apt-get install jq)" >&2; exit 1; }
augur() { dotnet "$OUT/augur/augur.dll" "$@"; }

publish
# The job input: keys 0..TOP-1 with exactly the features `augur bench --keys` sends for them, key column prediction_key.
augur bench keys --model ranker --top "$TOP" --keys "$KEYS" --output "$OUT/top.jsonl" --model-repository "$ROOT/samples/models" >&2
STORE="$OUT/ranker-top.db"
rm -f "$STORE" "$STORE-wal" "$STORE-shm"   # a fresh job: a store left by a run with another --top would resume that job
augur batch --model ranker --input "$OUT/top.jsonl" --key-column prediction_key --output "$STORE" --model-repository "$ROOT/samples/models" >&2

# Two repositories holding the same ranker: as bundled, and with a precomputed section in its config.json.
ONLINE="$OUT/repo-online"; HYBRID="$OUT/repo-hybrid"
repository_copy "$ONLINE" ranker
repository_copy "$HYBRID" ranker
# ---- The precomputed predictions' settings: the one place to match the precomputed feature's format. ----
PRECOMPUTED_CONFIG="$(cat <<JSON
{"precomputed": {"source": "$STORE", "max_age_seconds": 86400}}
JSON
)"
HYBRID_SERVE_OPTIONS=()
# ---- end of the precomputed settings ----
config_merge "$HYBRID/ranker/config.json" "$PRECOMPUTED_CONFIG"

# Key 0's own request, from the job input's first row: the hybrid server must answer it from the store.
head -1 "$OUT/top.jsonl" | jq -c '{inputs: [{name: "features", shape: [1, 256], datatype: "FP32", data: .features}], parameters: {prediction_key: .prediction_key}}' >"$OUT/key0.json"

search() { # port label: prints the peak QPS, then the best run's prediction_source counts
  augur bench --url "http://127.0.0.1:$1" --model ranker --keys "$KEYS" --scenario server --find-peak --latency-bound 15ms \
    --duration "${DURATION}s" --warmup 3s --json "$OUT/$2.json" >"$OUT/$2.txt"
  cat "$OUT/$2.txt" >&2
  jq -r '.value' "$OUT/$2.json"
  jq -r '(.result.prediction_sources // {}) | to_entries | map("\(.key):\(.value)") | join(",")' "$OUT/$2.json"
}

declare -A PEAKS=()
for round in $(seq 1 "$ROUNDS"); do
  echo "## round $round: all online" >&2
  start_augur 8200 "$ONLINE"
  { read -r peak; read -r sources; } < <(search 8200 "online-$round") || true
  [ -n "${peak:-}" ] || { echo "the all-online search failed (see above)" >&2; exit 1; }
  PEAKS[online]+="$peak "
  echo "round $round online: peak_qps=$peak${sources:+ sources=$sources}"
  stop_servers

  echo "## round $round: hybrid" >&2
  start_augur 8300 "$HYBRID" "${HYBRID_SERVE_OPTIONS[@]}"
  answer="$(post_json http://127.0.0.1:8300/v2/models/ranker/infer "$OUT/key0.json")"
  if [ "$(jq -r '.parameters.prediction_source // "none"' <<<"$answer")" != precomputed ]; then
    echo "key 0 was not answered from the store: $answer; check the precomputed settings above" >&2
    exit 1
  fi
  { read -r peak; read -r sources; } < <(search 8300 "hybrid-$round") || true
  [ -n "${peak:-}" ] || { echo "the hybrid search failed (see above)" >&2; exit 1; }
  PEAKS[hybrid]+="$peak "
  echo "round $round hybrid: peak_qps=$peak sources=$sources"
  stop_servers
done

m_online="$(tr ' ' '\n' <<<"${PEAKS[online]}" | grep . | median)"
m_hybrid="$(tr ' ' '\n' <<<"${PEAKS[hybrid]}" | grep . | median)"
echo
echo "keys=$KEYS precomputed=0..$(( TOP - 1 )) peak QPS (p99 <= 15 ms): online=$m_online hybrid=$m_hybrid"
awk -v h="$m_hybrid" -v o="$m_online" 'BEGIN {if (o > 0) printf "hybrid/online=%.2f (target >= 3)\n", h/o; else print "hybrid/online: no all-online rate passed"}'
