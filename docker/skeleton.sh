#!/usr/bin/env bash
# Copies the workspace's manifests from SRC to DEST with stub sources, so `cargo build` there
# compiles every dependency and none of our code (a cargo-chef-style recipe, with cargo alone).
# The stub tree depends only on Cargo.toml files and Cargo.lock, so Docker caches the dependency
# layer until a manifest changes.
set -euo pipefail
src=${1:?usage: skeleton.sh SRC DEST}
dest=${2:?usage: skeleton.sh SRC DEST}
mkdir -p "$dest"
cp "$src/Cargo.toml" "$src/Cargo.lock" "$dest/"
[ -f "$src/clippy.toml" ] && cp "$src/clippy.toml" "$dest/"
while IFS= read -r manifest; do
  crate_dir=$(dirname "${manifest#"$src"/}")
  mkdir -p "$dest/$crate_dir/src"
  cp "$manifest" "$dest/$crate_dir/Cargo.toml"
  echo '// stub: dependencies only' > "$dest/$crate_dir/src/lib.rs"
  if [ -f "$src/$crate_dir/src/main.rs" ]; then
    echo 'fn main() {}' > "$dest/$crate_dir/src/main.rs"
  fi
  # Explicit targets ([[bin]], [[example]], [[bench]] with a path) need a file to exist.
  while IFS= read -r target; do
    mkdir -p "$(dirname "$dest/$crate_dir/$target")"
    echo 'fn main() {}' > "$dest/$crate_dir/$target"
  done < <(sed -n 's/^path *= *"\(.*\.rs\)".*/\1/p' "$manifest")
  # A library target declared without src/lib.rs would otherwise be invented: keep bins-only crates so.
  if [ ! -f "$src/$crate_dir/src/lib.rs" ]; then rm -f "$dest/$crate_dir/src/lib.rs"; fi
done < <(find "$src/crates" "$src/services" -mindepth 2 -maxdepth 2 -name Cargo.toml | sort)
