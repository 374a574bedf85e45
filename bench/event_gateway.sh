#!/usr/bin/env bash
# event-gateway: events per second through POST /{client}/{event}/send_event (wrk, 32
# connections, a small schema) next to a plain lapin loop publishing the same payload with
# publisher confirms to the same broker (the ceiling), and the ratio.
# Each round also runs the same wrk against the HTTP floor (examples/http_floor.rs: an HTTP
# server that does nothing but answer), and prints the bound those two set on this machine: an
# event cannot cost the machine less than one floor request plus one ceiling publish, so
# send_event can reach at most 1 / (1/floor + 1/ceiling), which is floor / (floor + ceiling) of
# the ceiling. It does so twice: with the floor on bare tokio (any HTTP server) and on
# actix-web (FLOOR_SERVER=actix: the HTTP framework the SPEC fixes). The runs alternate for
# ROUNDS rounds (default 3) and the medians are the result, so a burst of other load on the
# machine does not decide it.
# Usage: bench/event_gateway.sh   (DURATION=10 seconds per run, ROUNDS=3, WRK_THREADS=1;
# SKIP_BUILD=1 to reuse the release build)
set -euo pipefail

cd "$(dirname "$0")/.."
DURATION="${DURATION:-10}"
CONNECTIONS="${CONNECTIONS:-32}"
PORT="${PORT:-18784}"
FLOOR_PORT="${FLOOR_PORT:-18786}"
ACTIX_FLOOR_PORT="${ACTIX_FLOOR_PORT:-18787}"
DB="event_gateway_bench"
PG="postgres://postgres@127.0.0.1:5432"
EXCHANGE="events.bench"  # fixed, so repeated runs reuse one durable exchange
WORK="$(mktemp -d)"
SERVICE_PID=""
FLOOR_PID=""
ACTIX_FLOOR_PID=""

stop() {
  if [[ -n "$1" ]]; then kill "$1" 2>/dev/null || true; wait "$1" 2>/dev/null || true; fi
}

cleanup() {
  stop "${SERVICE_PID}"
  stop "${FLOOR_PID}"
  stop "${ACTIX_FLOOR_PID}"
  psql "${PG}/postgres" -qc "DROP DATABASE IF EXISTS ${DB} WITH (FORCE)" >/dev/null 2>&1 || true
  rm -rf "${WORK}"
}
trap cleanup EXIT

# shellcheck source=scripts/lib.sh
source scripts/lib.sh
install_if_missing wrk wrk
if [[ "${SKIP_BUILD:-0}" != "1" ]]; then
  cargo build --release -p event-gateway --bins --examples
fi

psql "${PG}/postgres" -qc "DROP DATABASE IF EXISTS ${DB} WITH (FORCE)" >/dev/null
psql "${PG}/postgres" -qc "CREATE DATABASE ${DB}" >/dev/null
psql "${PG}/${DB}" -q -f crates/store/migrations/event_gateway/*_create_event_schemas/up.sql >/dev/null

EVENT_GATEWAY_DATABASE_URL="${PG}/${DB}" EVENTS_EXCHANGE="${EXCHANGE}" HTTP_PORT="${PORT}" \
  DATABASE_POOL_SIZE=32 RUST_LOG=warn target/release/event-gateway >"${WORK}/service.log" 2>&1 &
SERVICE_PID=$!
HTTP_PORT="${FLOOR_PORT}" target/release/examples/http_floor >"${WORK}/floor.log" 2>&1 &
FLOOR_PID=$!
FLOOR_SERVER=actix HTTP_PORT="${ACTIX_FLOOR_PORT}" target/release/examples/http_floor \
  >"${WORK}/actix-floor.log" 2>&1 &
ACTIX_FLOOR_PID=$!
for port in "${PORT}" "${FLOOR_PORT}" "${ACTIX_FLOOR_PORT}"; do
  if ! wait_for_port 127.0.0.1 "${port}" 10; then
    echo "nothing listens on ${port} after 10 s; the logs:" >&2
    cat "${WORK}"/*.log >&2
    exit 1
  fi
done

BASE="http://127.0.0.1:${PORT}/bench/Fruits"
curl -sf -H 'content-type: application/json' \
  -d '{"type":"object","properties":{"fruit":{"type":"string","minLength":1}},"required":["fruit"]}' \
  "${BASE}/register_event" >/dev/null
cat >"${WORK}/send.lua" <<'LUA'
wrk.method = "POST"
wrk.body = '{"fruit":"apple"}'
wrk.headers["Content-Type"] = "application/json"
LUA

ROUNDS="${ROUNDS:-3}"
WRK_THREADS="${WRK_THREADS:-1}"
# The same wrk load against one server: prints its output and leaves it in ${WORK}/wrk.txt.
load() {
  wrk -t "${WRK_THREADS}" -c "${CONNECTIONS}" -d "${DURATION}s" -s "${WORK}/send.lua" "$1" |
    tee "${WORK}/wrk.txt"
}
requests_per_second() { awk '/Requests\/sec/ {print $2}' "${WORK}/wrk.txt"; }
: > "${WORK}/rounds"
for round in $(seq 1 "${ROUNDS}"); do
  echo "== round ${round}/${ROUNDS} (load $(cut -d' ' -f1 /proc/loadavg)): send_event through event-gateway (wrk -t ${WRK_THREADS} -c ${CONNECTIONS}, ${DURATION}s)"
  load "${BASE}/send_event"
  gateway=$(requests_per_second)
  non2xx=$(awk '/Non-2xx/ {print $NF}' "${WORK}/wrk.txt")
  echo "== round ${round}/${ROUNDS}: ceiling, lapin confirmed publishes (${CONNECTIONS} publishers, ${DURATION}s)"
  ceiling=$(EVENTS_EXCHANGE="${EXCHANGE}" CONCURRENCY="${CONNECTIONS}" DURATION="${DURATION}" \
    target/release/examples/publish_ceiling | awk '{print $1}')
  echo "${ceiling} messages/s"
  echo "== round ${round}/${ROUNDS}: HTTP floor, the same wrk against examples/http_floor"
  load "http://127.0.0.1:${FLOOR_PORT}/bench/Fruits/send_event"
  floor=$(requests_per_second)
  echo "== round ${round}/${ROUNDS}: actix-web floor, the same wrk against FLOOR_SERVER=actix"
  load "http://127.0.0.1:${ACTIX_FLOOR_PORT}/bench/Fruits/send_event"
  actix_floor=$(requests_per_second)
  echo "${gateway} ${ceiling} ${non2xx:-0} ${floor} ${actix_floor}" >> "${WORK}/rounds"
done

echo
echo "round  event-gateway events/s  lapin ceiling msg/s  ratio  non-2xx  HTTP floor req/s  bound  actix floor req/s  actix bound"
awk '{ printf "%5d %23.0f %20.0f %6.2f %8d %17.0f %6.2f %18.0f %12.2f\n", NR, $1, $2, $1 / $2, $3, $4, $4 / ($4 + $2), $5, $5 / ($5 + $2) }' "${WORK}/rounds"
# Medians over the rounds. The runs of a round are back to back, so each round's ratio and bound
# compare like with like; the medians of those are the result.
median() {
  sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
GATEWAY=$(awk '{ print $1 }' "${WORK}/rounds" | median)
CEILING=$(awk '{ print $2 }' "${WORK}/rounds" | median)
FLOOR=$(awk '{ print $4 }' "${WORK}/rounds" | median)
RATIO=$(awk '{ print $1 / $2 }' "${WORK}/rounds" | median)
BOUND=$(awk '{ print $4 / ($4 + $2) }' "${WORK}/rounds" | median)
ACTIX_FLOOR=$(awk '{ print $5 }' "${WORK}/rounds" | median)
ACTIX_BOUND=$(awk '{ print $5 / ($5 + $2) }' "${WORK}/rounds" | median)
echo "median: event-gateway ${GATEWAY} events/s, lapin ceiling ${CEILING} messages/s, HTTP floor ${FLOOR} requests/s, actix-web floor ${ACTIX_FLOOR} requests/s"
awk -v r="${RATIO}" 'BEGIN { printf "ratio (median of the rounds): %.2f (goal 0.70)\n", r }'
awk -v b="${BOUND}" 'BEGIN { printf "bound on this machine (median of floor / (floor + ceiling)): %.2f of the ceiling\n", b }'
awk -v b="${ACTIX_BOUND}" 'BEGIN { printf "bound for actix-web with lapin (the same with the actix-web floor): %.2f of the ceiling\n", b }'
