#!/usr/bin/env bash
# Re-fetches the vendored front-end files from the npm registry, at the pinned versions, and
# checks each tarball against the registry's integrity hash. Nothing downloads these at build
# time: the files are committed and embedded in the binaries.
#   crates/http-kit/assets/swagger-ui/   swagger-ui-dist (Apache-2.0), served at /docs
#   services/console/assets/vendor/uplot/ uPlot (MIT), the console's charts
# Run by hand after changing a version below; then run ./test.sh.
set -euo pipefail
cd "$(dirname "$0")/.."

SWAGGER_UI=5.35.0
UPLOT=1.6.32

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# fetch NAME VERSION: unpacks NAME@VERSION into $work/NAME after checking its integrity.
fetch() {
  local name=$1 version=$2 integrity tarball
  integrity=$(npm view "$name@$version" dist.integrity)
  tarball=$(cd "$work" && npm pack --silent "$name@$version")
  local actual
  actual="sha512-$(openssl dgst -sha512 -binary "$work/$tarball" | base64 -w0)"
  [ "$actual" = "$integrity" ] || { echo "$name@$version: integrity $actual, registry says $integrity" >&2; exit 1; }
  mkdir -p "$work/$name"
  tar -C "$work/$name" -xzf "$work/$tarball"
  echo "$name@$version ($integrity)"
}

fetch swagger-ui-dist "$SWAGGER_UI"
out=crates/http-kit/assets/swagger-ui
src=$work/swagger-ui-dist/package
gzip -9nc "$src/swagger-ui-bundle.js" > "$out/swagger-ui-bundle.js.gz"
gzip -9nc "$src/swagger-ui.css" > "$out/swagger-ui.css.gz"
cp "$src/LICENSE" "$src/NOTICE" "$out/"
cp "$src/swagger-ui-bundle.js.LICENSE.txt" "$out/THIRD-PARTY-LICENSES.txt"
echo "swagger-ui-dist $SWAGGER_UI" > "$out/VERSION"

fetch uplot "$UPLOT"
out=services/console/assets/vendor/uplot
src=$work/uplot/package
cp "$src/dist/uPlot.iife.min.js" "$src/dist/uPlot.min.css" "$src/LICENSE" "$out/"
echo "uplot $UPLOT" > "$out/VERSION"
