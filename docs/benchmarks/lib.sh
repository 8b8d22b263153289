# Shared by the online benchmarks: publish Release builds to a scratch folder (so a rebuild cannot pull files out
# from under a running server), start servers on 127.0.0.1, wait for them, stop them on exit.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
OUT="${BENCH_OUT:-$(mktemp -d /tmp/augur-bench.XXXXXX)}"
PIDS=()

publish() { # BENCH_OUT=DIR with BENCH_REUSE_BUILD=1 reuses the builds an earlier run published to DIR
  if [ -n "${BENCH_REUSE_BUILD:-}" ] && [ -f "$OUT/augur/augur.dll" ] && [ -f "$OUT/baseline/Augur.Baseline.dll" ]; then
    echo "# reusing the Release builds in $OUT" >&2
    return 0
  fi
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

start_augur() { # port [repository] [more serve options...]; gRPC listens on port+1
  local port="$1" repository="${2:-}"
  shift; shift || true
  dotnet "$OUT/augur/augur.dll" serve --host 127.0.0.1 --http-port "$port" --grpc-port "$(( port + 1 ))" ${repository:+--model-repository "$repository"} "$@" >"$OUT/augur-$port.log" 2>&1 &
  PIDS+=($!)
  wait_http "http://127.0.0.1:$port/v2/health/ready" || { tail -5 "$OUT/augur-$port.log" >&2; return 1; }
}

start_baseline() { # port [more options, e.g. --empty-response FILE]
  local port="$1"
  shift
  dotnet "$OUT/baseline/Augur.Baseline.dll" --urls "http://127.0.0.1:$port" --model-repository "$ROOT/samples/models" "$@" >"$OUT/baseline-$port.log" 2>&1 &
  PIDS+=($!)
  wait_http "http://127.0.0.1:$port/health" || { tail -5 "$OUT/baseline-$port.log" >&2; return 1; }
}

stop_servers() { stop_all; PIDS=(); }

post_json() { # url file: POSTs the file as JSON and prints the answer; a non-2xx answer is printed to stderr and fails
  local answer status
  answer="$(curl -sS -H 'Content-Type: application/json' --data-binary @"$2" -w '\n%{http_code}' "$1")" || return 1
  status="${answer##*$'\n'}"
  answer="${answer%$'\n'*}"
  if [ "${status:0:1}" != 2 ]; then echo "POST $1: HTTP $status: $answer" >&2; return 1; fi
  printf '%s' "$answer"
}

repository_copy() { # destination model...: a repository holding copies of these sample models
  local destination="$1"
  shift
  rm -rf "$destination"
  mkdir -p "$destination"
  for model in "$@"; do cp -r "$ROOT/samples/models/$model" "$destination/"; done
}

config_merge() { # config.json JSON-object: adds the object's members to the model's config.json (created if absent)
  command -v jq >/dev/null || { echo "jq is required (apt-get install jq)" >&2; return 1; }
  local current='{}'
  [ -f "$1" ] && current="$(cat "$1")"
  jq -n --argjson a "$current" --argjson b "$2" '$a + $b' >"$1.new" && mv "$1.new" "$1"
}


median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
