#!/usr/bin/env bash
# Lints the deploy files without a container engine or a cluster:
#   - the Dockerfiles with dockerfile-utils (the linter of the VS Code Docker extension: unknown instructions and
#     flags, bad ports, bad arguments, duplicated ENTRYPOINT/CMD/HEALTHCHECK), installed from npm into a temporary
#     folder at a pinned version;
#   - each kustomization under deploy/kubernetes with `kubectl kustomize` (it must render).
# test/Augur.Cli.Tests/Deploy checks what a linter cannot: that the files fit the code (options, paths, settings).
#
#   bash deploy/lint.sh        exit 0 when everything passed, 1 otherwise
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1

dockerfile_utils_version=0.16.3
failed=0

tools=$(mktemp -d)
trap 'rm -rf "$tools"' EXIT
if ! npm install --prefix "$tools" --no-audit --no-fund --silent "dockerfile-utils@$dockerfile_utils_version" >"$tools/npm.log" 2>&1; then
  echo "lint: could not install dockerfile-utils@$dockerfile_utils_version from npm:" >&2
  cat "$tools/npm.log" >&2
  exit 1
fi

for dockerfile in deploy/docker/Dockerfile.*; do
  # dockerfile-utils exits 1 on errors but 0 on warnings: any line it prints counts as a finding.
  output=$("$tools/node_modules/.bin/dockerfile-utils" lint "$dockerfile" 2>&1)
  status=$?
  if [ "$status" -ne 0 ] || [ -n "$output" ]; then
    echo "$dockerfile: dockerfile-utils found problems:"
    echo "$output"
    failed=1
  else
    echo "$dockerfile: dockerfile-utils $dockerfile_utils_version found nothing"
  fi
done

if ! command -v kubectl >/dev/null 2>&1; then
  echo "lint: kubectl is not on PATH (apt-get install kubernetes-client); the kustomizations were not rendered" >&2
  exit 1
fi

for kustomization in deploy/kubernetes/*/kustomization.yaml; do
  dir=$(dirname "$kustomization")
  if kubectl kustomize "$dir" >"$tools/rendered.yaml" 2>"$tools/kustomize.log"; then
    echo "$dir: kubectl kustomize rendered $(grep -c '^kind:' "$tools/rendered.yaml") objects"
  else
    echo "$dir: kubectl kustomize failed:"
    cat "$tools/kustomize.log"
    failed=1
  fi
done

exit "$failed"
