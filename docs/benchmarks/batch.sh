#!/usr/bin/env bash
# Batch job throughput: `augur batch` over a Parquet file of N rows on the compute-heavy `ranker` sample (256 FP32
# features → score) writing every prediction to SQLite, against the in-process batched throughput of the same model
# (`augur bench --in-process --scenario offline`) in the same run. The ceiling is measured before and after the job and
# averaged, so a drift in machine load shows up as a gap between the two. The ceiling keeps 16 queries of 64 samples in
# flight: with 4 (online-compute.sh's setting) the ranker's two instances idle between queries and the "ceiling" comes
# out below what the batch job reaches with its deeper queue.
# Usage: docs/benchmarks/batch.sh [rows=1000000] [ceiling_seconds=20]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
OUT="${BENCH_OUT:-$(mktemp -d /tmp/augur-batch-bench.XXXXXX)}"
ROWS="${1:-1000000}"; SECONDS_CEILING="${2:-20}"

echo "# publishing a Release build to $OUT" >&2
dotnet publish "$ROOT/src/Augur.Cli" -c Release -o "$OUT/augur" >/dev/null
augur() { dotnet "$OUT/augur/augur.dll" "$@"; }

# Input: one INT64 id column and one list<float> column of 256 features per row. A list column is read as one typed
# array per row (Parquet.Net raw column reads), so the reader costs a few µs per row against ~100 µs of model time.
echo "# writing $ROWS rows to $OUT/ranker.parquet" >&2
augur batch sample-input --rows "$ROWS" --features 256 --output "$OUT/ranker.parquet" >&2

ceiling() {
  augur bench --in-process --model-repository "$ROOT/samples/models" --model ranker --scenario offline --samples-per-query 64 \
    --concurrency 16 --duration "${SECONDS_CEILING}s" >"$OUT/inprocess-$1.txt"
  sed -n 's/.*offline_samples_per_second: \([0-9.]*\).*/\1/p' "$OUT/inprocess-$1.txt" | tail -1
}

echo "## in-process batched ceiling (before)" >&2
before="$(ceiling before)"
echo "## augur batch: $ROWS rows → SQLite" >&2
rm -f "$OUT/ranker.db"*
start=$(date +%s.%N)
augur batch --model-repository "$ROOT/samples/models" --model ranker --input "$OUT/ranker.parquet" --output "$OUT/ranker.db" \
  --key-column id --job-id bench >"$OUT/batch.txt"
end=$(date +%s.%N)
cat "$OUT/batch.txt" >&2
echo "## in-process batched ceiling (after)" >&2
after="$(ceiling after)"

stored=$(sqlite3 "$OUT/ranker.db" "SELECT COUNT(*) FROM augur_predictions WHERE job_id = 'bench'" 2>/dev/null || echo "?")
job_rate="$(sed -n 's/.*(\([0-9.]*\) rows\/s).*/\1/p' "$OUT/batch.txt" | tail -1)"
echo
echo "rows=$ROWS stored=$stored wall_s=$(awk -v s="$start" -v e="$end" 'BEGIN {printf "%.1f", e-s}') batch_rows_per_s=$job_rate inprocess_before=$before inprocess_after=$after"
awk -v j="$job_rate" -v b="$before" -v a="$after" 'BEGIN {printf "batch/inprocess=%.2f (target >= 0.80)\n", j/((a+b)/2)}'
