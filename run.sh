#!/usr/bin/env bash
# Runs the whole system locally: build, backing services, migration, every service, wait until
# ready, print the URLs, stop everything on Ctrl-C or SIGTERM. `./run.sh --docker` uses compose.
set -euo pipefail
cd "$(dirname "$0")"
# shellcheck source=scripts/lib.sh
source scripts/lib.sh
load_env_file .env

# --offline: the third-party price APIs come from scripts/upstream_mock.py (recorded real
# responses of Coinbase, Kraken and the ECB, moving a little), for a machine without internet.
DOCKER=0
for arg in "$@"; do
  case "$arg" in
    --docker) DOCKER=1 ;;
    --offline) OFFLINE=1 ;;
    *) echo "usage: ./run.sh [--docker] [--offline]" >&2; exit 2 ;;
  esac
done

if [ "$DOCKER" = 1 ]; then
  # The compose files; --offline (or OFFLINE=1) adds the upstream mock.
  files=(docker-compose.yml)
  [ "${OFFLINE:-0}" = 1 ] && files+=(docker-compose.offline.yml)
  if command -v docker >/dev/null 2>&1 && docker compose version >/dev/null 2>&1; then
    args=()
    for file in "${files[@]}"; do args+=(-f "$file"); done
    exec docker compose "${args[@]}" up --build --wait
  fi
  command -v podman-compose >/dev/null 2>&1 || {
    echo "--docker needs docker compose or podman-compose (pip install podman-compose)" >&2
    exit 1
  }
  # podman-compose cannot wait for health checks itself: build, then start level by level.
  export ENGINE=podman CONTAINERS_CONF="${CONTAINERS_CONF:-$PWD/docker/podman/containers.conf}"
  ./build_base_images.sh && ./build_run_images.sh
  [ "${OFFLINE:-0}" = 1 ] && podman build -q --format docker -f docker/Dockerfile.mock -t btc/upstream-mock:latest .
  # podman has no fluentd log driver: the services keep podman's log (docker-compose.podman.yml).
  docker/compose_up.sh btc-platform "${files[@]}" docker-compose.podman.yml
  echo "everything is up (podman-compose -p btc-platform down to stop it)"
  exit 0
fi


RUN_DIR=.run
mkdir -p "$RUN_DIR/logs" "$RUN_DIR/pids"

# A previous run that crashed may have left services behind: stop them first.
for pidfile in "$RUN_DIR"/pids/*.pid; do
  [ -e "$pidfile" ] || continue
  pid=$(cat "$pidfile")
  if kill -0 "$pid" 2>/dev/null && grep -q "target/" "/proc/$pid/cmdline" 2>/dev/null; then
    echo "stopping leftover $(basename "$pidfile" .pid) (pid $pid)"
    kill -TERM "$pid" 2>/dev/null || true
  fi
  rm -f "$pidfile"
done

MOCK_PID=
if [ "${OFFLINE:-0}" = 1 ]; then
  mkdir -p "$RUN_DIR/logs"
  mock_port_file="$RUN_DIR/upstream-mock.port"
  : > "$mock_port_file"
  MOCK_MOVE=${MOCK_MOVE:-1} python3 scripts/upstream_mock.py "${MOCK_PORT:-0}" > "$mock_port_file" 2> "$RUN_DIR/logs/upstream-mock.log" &
  MOCK_PID=$!
  trap 'kill "$MOCK_PID" 2>/dev/null || true' EXIT  # until on_exit below takes over
  for ((i = 0; i < 50; i++)); do [ -s "$mock_port_file" ] && break; sleep 0.1; done
  [ -s "$mock_port_file" ] || { echo "the upstream mock did not start; see $RUN_DIR/logs/upstream-mock.log" >&2; exit 1; }
  mock="http://127.0.0.1:$(cat "$mock_port_file")"
  export COINBASE_API_URL=$mock KRAKEN_API_URL=$mock ECB_RATES_URL=$mock/eurofxref-daily.xml
  echo "offline: Coinbase, Kraken and the ECB are served by scripts/upstream_mock.py at $mock"
fi

setup_api_keys
ensure_postgres
ensure_rabbitmq

# RUN_PROFILE=debug reuses the test build (the end-to-end test does); release is the default.
PROFILE=${RUN_PROFILE:-release}
case "$PROFILE" in
  release) echo "building (release)…"; cargo build --release --workspace --bins ;;
  debug) echo "building (debug)…"; cargo build --workspace --bins ;;
  *) echo "RUN_PROFILE must be release or debug, got '$PROFILE'" >&2; exit 1 ;;
esac
BIN=target/$PROFILE

echo "migrating…"
if ! "$BIN/migration" > "$RUN_DIR/logs/migration.log" 2>&1; then
  echo "migration failed; see $RUN_DIR/logs/migration.log:" >&2
  tail -n 20 "$RUN_DIR/logs/migration.log" >&2
  exit 1
fi

STARTED=()
stop_all() {
  [ ${#STARTED[@]} -gt 0 ] || return 0
  echo; echo "stopping…"
  for name in "${STARTED[@]}"; do
    local pid
    pid=$(cat "$RUN_DIR/pids/$name.pid" 2>/dev/null) || continue
    kill -TERM "$pid" 2>/dev/null || true
  done
  for name in "${STARTED[@]}"; do
    local pid
    pid=$(cat "$RUN_DIR/pids/$name.pid" 2>/dev/null) || continue
    while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
    rm -f "$RUN_DIR/pids/$name.pid"
  done
  echo "all stopped"
  STARTED=()
}
# Ctrl-C and SIGTERM end the run normally; any exit (also a failure) stops what was started.
trap 'exit 0' INT TERM
on_exit() {
  local status=$?
  stop_all
  [ -z "$MOCK_PID" ] || kill "$MOCK_PID" 2>/dev/null || true
  exit "$status"
}
trap on_exit EXIT

for dir in services/*/; do
  name=$(basename "$dir")
  [ "$name" = migration ] && continue
  [ -x "$BIN/$name" ] || continue
  port=${SERVICE_PORTS[$name]:-}
  if [ -n "$port" ] && port_open 127.0.0.1 "$port"; then
    echo "port $port for $name is already taken; stop whatever holds it and run again" >&2
    exit 1
  fi
  HTTP_PORT=${port:-0} "$BIN/$name" > "$RUN_DIR/logs/$name.log" 2>&1 &
  echo $! > "$RUN_DIR/pids/$name.pid"
  STARTED+=("$name")
done

echo "waiting for readiness…"
for name in "${STARTED[@]}"; do
  port=${SERVICE_PORTS[$name]:-}
  [ -n "$port" ] || continue
  ready=
  for ((i = 0; i < 300; i++)); do
    if curl -fsS -o /dev/null "http://127.0.0.1:$port/health/ready" 2>/dev/null; then ready=1; break; fi
    if ! kill -0 "$(cat "$RUN_DIR/pids/$name.pid")" 2>/dev/null; then break; fi
    sleep 0.2
  done
  if [ -z "$ready" ]; then
    echo "$name did not become ready; last lines of $RUN_DIR/logs/$name.log:" >&2
    tail -n 20 "$RUN_DIR/logs/$name.log" >&2
    exit 1
  fi
done

echo
echo "everything is up (logs in $RUN_DIR/logs/):"
for name in "${STARTED[@]}"; do
  printf '  %-18s http://127.0.0.1:%s\n' "$name" "${SERVICE_PORTS[$name]:-?}"
done
[ -x "$BIN/lru-cache-server" ] && printf '  %-18s redis://127.0.0.1:%s\n' "lru-cache (RESP)" "${CACHE_PORT:-6380}"
[ -x "$BIN/console" ] && echo && echo "  console: open http://127.0.0.1:${SERVICE_PORTS[console]} in a browser"
echo "Ctrl-C stops them all."

# Stay up while the services run; if one dies, say so and stop the rest.
while true; do
  for name in "${STARTED[@]}"; do
    if ! kill -0 "$(cat "$RUN_DIR/pids/$name.pid")" 2>/dev/null; then
      echo "$name exited; see $RUN_DIR/logs/$name.log" >&2
      exit 1
    fi
  done
  sleep 1
done
