#!/usr/bin/env bash
# Validates the Kubernetes manifests offline: deploy/k8s/base is what deploy/k8s/generate.py
# writes, and the base and every overlay, built with `kubectl kustomize`, pass
# kubernetes-validate --strict (installed unpinned into .run/k8s-venv on first use).
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=.run/k8s-venv
if [ ! -x "$VENV/bin/kubernetes-validate" ]; then
  echo "installing kubernetes-validate into $VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check kubernetes-validate
fi
if ! kubectl kustomize --help >/dev/null 2>&1; then
  echo "kubectl with kustomize is needed to build deploy/k8s (it ships with this machine's image)" >&2
  exit 1
fi

"$VENV/bin/python" deploy/k8s/generate.py --check
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
for dir in deploy/k8s/base deploy/k8s/overlays/*/; do
  name=$(basename "$dir")
  kubectl kustomize "$dir" > "$out/$name.yaml"
  "$VENV/bin/kubernetes-validate" --strict --quiet "$out/$name.yaml"
  echo "$dir: $(grep -c '^kind:' "$out/$name.yaml") resources valid"
done
