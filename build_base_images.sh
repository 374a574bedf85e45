#!/usr/bin/env bash
# Builds the base image every service shares: the toolchain plus the whole workspace's
# dependencies compiled once, no project code (btc/base:latest). Uses docker, or podman where
# docker is absent (ENGINE=podman|docker to choose).
set -euo pipefail
cd "$(dirname "$0")"
# shellcheck source=docker/images.sh
source docker/images.sh
echo "==> base image: btc/base:latest ($ENGINE)"
"$ENGINE" build "${BUILD_FLAGS[@]}" -f docker/Dockerfile.base -t btc/base:latest .
