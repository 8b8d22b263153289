# Shared by the online benchmarks: publish Release builds to a scratch folder (so a rebuild cannot pull files out
# from under a running server), start servers on 127.0.0.1, wait for them, stop them on exit.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
OUT="${BENCH_OUT:-$(mktemp -d /tmp/augur-bench.XXXXXX)}"
PIDS=()

publish() {
  echo "# publishing Release builds to $OUT" >&2
  dotnet publish "$ROOT/src/Augur.Cli" -c Release -o "$OUT/augur" >/dev/null
  dotnet publish "$ROOT/perf/Augur.Baseline" -c Release -o "$OUT/baseline" >/dev/null
}

stop_all() { for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap stop_all EXIT

wait_http() { # url
  for _ in $(seq 1 120); do curl -sf -o /dev/null "$1" && return 0; sleep 0.5; done
  echo "no answer from $1" >&2; return 1
}

start_augur() { # port [repository]; gRPC listens on port+1
  dotnet "$OUT/augur/augur.dll" serve --host 127.0.0.1 --http-port "$1" --grpc-port "$(( $1 + 1 ))" ${2:+--model-repository "$2"} >"$OUT/augur-$1.log" 2>&1 &
  PIDS+=($!)
  wait_http "http://127.0.0.1:$1/v2/health/ready"
}

start_baseline() { # port
  dotnet "$OUT/baseline/Augur.Baseline.dll" --urls "http://127.0.0.1:$1" --model-repository "$ROOT/samples/models" >"$OUT/baseline-$1.log" 2>&1 &
  PIDS+=($!)
  wait_http "http://127.0.0.1:$1/health"
}


median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
