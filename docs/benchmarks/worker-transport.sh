#!/usr/bin/env bash
# Worker transport: the round trip of one batch to an `augur worker` process (WorkerClient as the engine calls it, raw
# tensor bytes in protobuf bytes fields) over the worker's batch socket (length-prefixed frames on a Unix socket) and
# over gRPC (HTTP/2 on its Unix socket), against, in the same run and interleaved call by call, (a) the same model in
# process (the work without a transport), (b) the least a shared-memory transport would cost: the batch's bytes copied
# into a memory-mapped file in /dev/shm, one empty batch over the batch socket as the signal, the output bytes copied
# out, and (c) the same bytes through a plain Unix-socket echo. The identity model at 4 KiB to 64 MiB per batch, then
# two sample models at their full batch (image_classifier ×32, ranker ×64). Prints a Markdown table; all times in µs.
# Usage: docs/benchmarks/worker-transport.sh [seconds_per_case=6] [sizes=4K,64K,1M,4M,16M,64M]
source "$(dirname "$0")/lib.sh"
SECONDS_PER_CASE="${1:-6}"; SIZES="${2:-4K,64K,1M,4M,16M,64M}"

if [ -n "${BENCH_REUSE_BUILD:-}" ] && [ -f "$OUT/augur/augur.dll" ] && [ -f "$OUT/worker-transport/Augur.WorkerTransport.dll" ]; then
  echo "# reusing the Release builds in $OUT" >&2
else
  echo "# publishing Release builds to $OUT" >&2
  dotnet publish "$ROOT/src/Augur.Cli" -c Release -o "$OUT/augur" >/dev/null
  dotnet publish "$ROOT/perf/Augur.WorkerTransport" -c Release -o "$OUT/worker-transport" >/dev/null
fi

# The benchmark starts and stops its own workers (one `augur worker` per model, on sockets in its scratch folder).
dotnet "$OUT/worker-transport/Augur.WorkerTransport.dll" --augur "$OUT/augur/augur.dll" --samples "$ROOT/samples/models" \
  --sizes "$SIZES" --seconds "$SECONDS_PER_CASE"
