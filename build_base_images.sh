#!/usr/bin/env bash
# Builds the base image (toolchain + compiled dependencies, no project code) of every service, or
# of the services named as arguments: btc/<service>-base:latest. Stops at the first failure.
set -euo pipefail
cd "$(dirname "$0")"
# shellcheck source=docker/images.sh
source docker/images.sh
select_services "$@"
for service in "${SERVICES[@]}"; do
  echo "==> base image for $service: btc/$service-base:latest"
  docker build -f docker/Dockerfile.base --build-arg "SERVICE=$service" -t "btc/$service-base:latest" .
done
echo "built ${#SERVICES[@]} base image(s)"
