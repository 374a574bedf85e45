#!/usr/bin/env bash
# Builds every service's binary in one cargo build of the workspace on the base image
# (./build_base_images.sh first; btc/build:latest), then the run image of every service, or of the
# services named as arguments: btc/<service>:latest, with libpq5 only where the binary links it.
# Stops at the first failure.
set -euo pipefail
cd "$(dirname "$0")"
# shellcheck source=docker/images.sh
source docker/images.sh
select_services "$@"
echo "==> workspace build: btc/build:latest ($ENGINE)"
"$ENGINE" build "${BUILD_FLAGS[@]}" -f docker/Dockerfile.build -t btc/build:latest .
libpq_services=$("$ENGINE" run --rm btc/build:latest cat /out/libpq-services)
for service in "${SERVICES[@]}"; do
  port=${SERVICE_PORTS[$service]:?no port known for $service in scripts/lib.sh}
  libpq=0
  grep -qx "$service" <<< "$libpq_services" && libpq=1
  echo "==> run image for $service: btc/$service:latest (port $port, libpq5: $libpq)"
  "$ENGINE" build "${BUILD_FLAGS[@]}" -f docker/Dockerfile.run --build-arg "SERVICE=$service" \
    --build-arg "HTTP_PORT=$port" --build-arg "LIBPQ=$libpq" -t "btc/$service:latest" .
done
echo "built ${#SERVICES[@]} run image(s)"
