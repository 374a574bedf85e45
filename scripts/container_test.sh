#!/usr/bin/env bash
# The container cluster, built and run for real (SPEC §10): installs podman, runc, debootstrap
# and podman-compose when missing, makes sure the public images exist (pulled, or stand-ins built
# from Debian's packages: docker/standins/build.sh says which), builds the base and run images
# with the project's own scripts and checks each run image (under 100 MB, every library its
# binary links present, the CA bundle there), starts docker-compose.yml (+
# docker-compose.offline.yml, since tests never reach the internet, + docker-compose.podman.yml)
# with podman-compose, waits for every health check, runs the manual curl tests of scripts/
# against it, ships every service's log to the `log` service (podman has no fluentd log driver:
# docker/forward_logs.py does what Docker's would) and checks that it collected them, checks
# that every service runs as a non-root user, then stops and removes it all, also on failure.
# Usage: scripts/container_test.sh   (KEEP_IMAGES=0 also removes the images afterwards)
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib.sh
source scripts/lib.sh
started=$SECONDS
mkdir -p .run/logs
step() { echo "container test: [$((SECONDS - started))s] $*"; }

missing=()
for tool in podman runc debootstrap; do command -v "$tool" >/dev/null 2>&1 || missing+=("$tool"); done
# netavark sets up container networks with iptables, which a fresh machine may not have: without
# it every build step that runs a command fails with "netavark: No such file or directory".
for package in netavark aardvark-dns iptables; do dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package"); done
if [ ${#missing[@]} -gt 0 ]; then
  step "installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
VENV=.run/podman-compose
if [ ! -x "$VENV/bin/podman-compose" ] || ! "$VENV/bin/python" -c 'import msgpack' 2>/dev/null; then
  step "installing podman-compose and msgpack (for docker/forward_logs.py) into $VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check podman-compose msgpack
fi
export PATH="$PWD/$VENV/bin:$PATH" PYTHON="$PWD/$VENV/bin/python"
export CONTAINERS_CONF="$PWD/docker/podman/containers.conf" ENGINE=podman
step "podman $(podman --version | awk '{print $3}'), $(podman-compose --version 2>/dev/null | tail -n1)"

project=btc-container-test
files=(docker-compose.yml docker-compose.offline.yml docker-compose.podman.yml)
compose=(podman-compose -p "$project")
for file in "${files[@]}"; do compose+=(-f "$file"); done
cleanup() {
  local status=$?
  step "stopping and removing the cluster"
  "${compose[@]}" down -v -t 20 >/dev/null 2>&1 || true
  if [ "${KEEP_IMAGES:-1}" = 0 ]; then podman image prune -af >/dev/null 2>&1 || true; fi
  exit "$status"
}
trap cleanup EXIT

for port in "${SERVICE_PORTS[@]}" 6380 24224; do
  if port_open 127.0.0.1 "$port"; then
    echo "container test: port $port is in use (is ./run.sh running?); stop it first" >&2
    exit 1
  fi
done

step "public images"
docker/standins/build.sh
step "base image (dependencies)"
./build_base_images.sh > .run/logs/container-base.log 2>&1 || { tail -n 40 .run/logs/container-base.log >&2; exit 1; }
step "workspace build and run images"
./build_run_images.sh > .run/logs/container-run.log 2>&1 || { tail -n 40 .run/logs/container-run.log >&2; exit 1; }
podman build -q --format docker -f docker/Dockerfile.mock -t btc/upstream-mock:latest . >/dev/null

failed=()
step "run images: under 100 MB, every shared library the binary links present, the CA bundle there"
for dir in services/*/; do
  service=$(basename "$dir")
  size=$(podman image inspect --format '{{.Size}}' "btc/$service:latest")
  echo "  btc/$service:latest $((size / 1000000)).$((size / 100000 % 10)) MB"
  [ "$size" -lt 100000000 ] || failed+=("btc/$service:latest is $size bytes, over 100 MB")
  missing_libs=$(podman run --rm --entrypoint ldd "btc/$service:latest" /usr/local/bin/service | grep 'not found' || true)
  [ -z "$missing_libs" ] || failed+=("btc/$service:latest lacks libraries: $missing_libs")
  podman run --rm --entrypoint grep "btc/$service:latest" -q 'BEGIN CERTIFICATE' /etc/ssl/certs/ca-certificates.crt \
    || failed+=("btc/$service:latest has no CA bundle")
done

step "starting the cluster"
"${compose[@]}" down -v >/dev/null 2>&1 || true
docker/compose_up.sh "$project" "${files[@]}"

step "who each service runs as"
for dir in services/*/; do
  service=$(basename "$dir")
  container=$(podman ps -a --filter "label=com.docker.compose.project=$project" \
    --filter "label=com.docker.compose.service=$service" --format '{{.Names}}' | head -n1)
  uid=$(podman inspect --format '{{.Config.User}}' "$container")
  echo "  $service: user '$uid'"
  case "$uid" in ''|0|root|0:*|root:*) failed+=("$service runs as root") ;; esac
done

step "manual curl tests against the cluster"
for script in $(manual_scripts); do
  echo "container test: ---- $script"
  bash "$script" > ".run/logs/container-$(basename "$script").log" 2>&1 \
    || { tail -n 20 ".run/logs/container-$(basename "$script").log"; failed+=("$script"); }
done

step "an order through the containers: 201, then listed once read-model-sync applied it"
key="container-test-$(date +%s%N)"
status=$(api_curl -s -o .run/logs/container-order.json -w '%{http_code}' -X PUT \
  http://127.0.0.1:8777/buy_order -H 'Content-Type: application/json' \
  -H "Idempotency-Key: $key" --data '{"currency": "EUR", "amount": "10.00"}')
if [ "$status" != 201 ]; then
  failed+=("PUT /buy_order answered $status: $(cat .run/logs/container-order.json)")
else
  id=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])' < .run/logs/container-order.json)
  listed=0
  for ((i = 0; i < 100; i++)); do
    if api_curl -s 'http://127.0.0.1:8778/buy_orders?limit=100' | grep -q "$id"; then listed=1; break; fi
    sleep 0.2
  done
  [ "$listed" = 1 ] && echo "  order $id listed" || failed+=("order $id never reached the listing")
fi

step "the log service collects every service's JSON log"
log_container=$(podman ps -a --filter "label=com.docker.compose.project=$project" \
  --filter "label=com.docker.compose.service=log" --format '{{.Names}}' | head -n1)
probe="container-test-probe-$(date +%s%N)"
printf '{"level":"INFO","fields":{"message":"%s"}}\n' "$probe" \
  | "$PYTHON" docker/forward_logs.py btc.container-test container-test >/dev/null \
  || failed+=("the log service did not ack a forwarded record on 24224")
for dir in services/*/; do
  service=$(basename "$dir")
  container=$(podman ps -a --filter "label=com.docker.compose.project=$project" \
    --filter "label=com.docker.compose.service=$service" --format '{{.Names}}' | head -n1)
  # Docker's driver tags btc.{{.Name}}: the container's name.
  podman logs "$container" 2>&1 | "$PYTHON" docker/forward_logs.py "btc.$container" "$container" >/dev/null \
    || failed+=("the log service did not ack $service's log")
done
podman logs "$log_container" > .run/logs/container-log-service.log 2>&1
grep -q "$probe" .run/logs/container-log-service.log || failed+=("the probe record never reached the log service's output")
for dir in services/*/; do
  service=$(basename "$dir")
  container=$(podman ps -a --filter "label=com.docker.compose.project=$project" \
    --filter "label=com.docker.compose.service=$service" --format '{{.Names}}' | head -n1)
  # A parsed JSON line: the record carries the service's own "level" field, not a "log" string.
  records=$(grep -c " btc\.$container: {.*\"level\":" .run/logs/container-log-service.log || true)
  echo "  $service: $records JSON record(s) collected"
  [ "$records" -gt 0 ] || failed+=("no JSON log record of $service reached the log service")
done

if [ ${#failed[@]} -gt 0 ]; then
  printf 'container test failed:\n' >&2
  printf '  %s\n' "${failed[@]}" >&2
  exit 1
fi
step "passed"
