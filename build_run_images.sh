#!/usr/bin/env bash
# Builds the run image of every service, or of the services named as arguments, on its base image
# (./build_base_images.sh first): btc/<service>:latest. Stops at the first failure.
set -euo pipefail
cd "$(dirname "$0")"
# shellcheck source=docker/images.sh
source docker/images.sh
select_services "$@"
for service in "${SERVICES[@]}"; do
  port=${SERVICE_PORTS[$service]:?no port known for $service in docker/images.sh}
  echo "==> run image for $service: btc/$service:latest (port $port)"
  docker build -f docker/Dockerfile.run --build-arg "SERVICE=$service" --build-arg "HTTP_PORT=$port" \
    -t "btc/$service:latest" .
done
echo "built ${#SERVICES[@]} run image(s)"
