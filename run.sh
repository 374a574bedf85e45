#!/usr/bin/env bash
# Runs the whole system locally: build, backing services, migration, every service, wait until
# ready, print the URLs, stop everything on Ctrl-C or SIGTERM. `./run.sh --docker` uses compose.
set -euo pipefail
cd "$(dirname "$0")"
# shellcheck source=scripts/lib.sh
source scripts/lib.sh
load_env_file .env

if [ "${1:-}" = "--docker" ]; then
  exec docker compose up --build --wait
fi

# SPEC §0 ports; a service not listed here is started on no fixed port and reported.
declare -A PORTS=(
  [create-buy-order]=8777 [fetch-buy-orders]=8778 [btc-price]=8779 [read-model-sync]=8780
  [migration]=8781 [rate-cache]=8782 [sequence]=8783 [event-gateway]=8784 [lru-cache-server]=8785
)

RUN_DIR=.run
mkdir -p "$RUN_DIR/logs" "$RUN_DIR/pids"

# A previous run that crashed may have left services behind: stop them first.
for pidfile in "$RUN_DIR"/pids/*.pid; do
  [ -e "$pidfile" ] || continue
  pid=$(cat "$pidfile")
  if kill -0 "$pid" 2>/dev/null && grep -q "target/release" "/proc/$pid/cmdline" 2>/dev/null; then
    echo "stopping leftover $(basename "$pidfile" .pid) (pid $pid)"
    kill -TERM "$pid" 2>/dev/null || true
  fi
  rm -f "$pidfile"
done

ensure_postgres
ensure_rabbitmq

echo "building (release)…"
cargo build --release --workspace --bins

echo "migrating…"
if ! ./target/release/migration > "$RUN_DIR/logs/migration.log" 2>&1; then
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
  exit "$status"
}
trap on_exit EXIT

for dir in services/*/; do
  name=$(basename "$dir")
  [ "$name" = migration ] && continue
  [ -x "target/release/$name" ] || continue
  port=${PORTS[$name]:-}
  if [ -n "$port" ] && port_open 127.0.0.1 "$port"; then
    echo "port $port for $name is already taken; stop whatever holds it and run again" >&2
    exit 1
  fi
  HTTP_PORT=${port:-0} "./target/release/$name" > "$RUN_DIR/logs/$name.log" 2>&1 &
  echo $! > "$RUN_DIR/pids/$name.pid"
  STARTED+=("$name")
done

echo "waiting for readiness…"
for name in "${STARTED[@]}"; do
  port=${PORTS[$name]:-}
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
  printf '  %-18s http://127.0.0.1:%s\n' "$name" "${PORTS[$name]:-?}"
done
[ -x target/release/lru-cache-server ] && printf '  %-18s redis://127.0.0.1:%s\n' "lru-cache (RESP)" "${CACHE_PORT:-6380}"
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
