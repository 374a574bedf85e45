#!/usr/bin/env bash
# Benchmark of the read side's lag: orders are created through create-buy-order at a steady
# RATE per second for DURATION seconds, while one poller reads GET /buy_orders?limit=100 of
# fetch-buy-orders in a loop. For each order, the lag is the time from the 201 of its PUT to
# the first listing that shows it (0 when a listing showed it before the 201 arrived). Prints
# p50, p99 and max. Goal: p99 under 50 ms.
#
# The whole chain runs from release builds on scratch databases and per-run broker names:
# upstream mock (scripts/upstream_mock.py, no internet) → btc-price → create-buy-order →
# outbox relay → RabbitMQ → read-model-sync → read model → fetch-buy-orders.
#
# Load: wrk with bench/read_model_lag.lua, paced to RATE PUTs/s over WRK_CONNECTIONS
# connections (2 threads), a new idempotency key and body each; the Lua script records each
# 201's order id and time, the Python poller each id's first listing.
#
# Usage: bench/read_model_lag.sh   (RATE=1000 DURATION=30 WRK_CONNECTIONS=64 by default;
# SKIP_BUILD=1 uses the binaries already built; PROFILE=debug uses target/debug). Needs
# PostgreSQL (PG_URL, default postgres://postgres@127.0.0.1:5432), RabbitMQ (AMQP_URL), python3
# and wrk (installed with apt-get when missing).
set -euo pipefail

cd "$(dirname "$0")/.."
PROFILE="${PROFILE:-release}" # or debug (faster to build, slower to run)
RATE="${RATE:-1000}"
WRK_CONNECTIONS="${WRK_CONNECTIONS:-64}"
SYNC_POOL_SIZE="${SYNC_POOL_SIZE:-4}" # read-model-sync DATABASE_POOL_SIZE (its default)
RELAY_WORKERS="${RELAY_WORKERS:-4}" # create-buy-order OUTBOX_RELAY_WORKERS (its default)
RELAY_BATCH="${RELAY_BATCH:-100}" # create-buy-order OUTBOX_BATCH_SIZE (its default)
DURATION="${DURATION:-30}"
POLL_MS="${POLL_MS:-5}" # the poller's period; 0 = back to back (a busy loop that competes for the CPU)
PG_URL="${PG_URL:-postgres://postgres@127.0.0.1:5432}"
AMQP_URL="${AMQP_URL:-amqp://guest:guest@127.0.0.1:5672/%2f}"
WRITE_DB="read_model_lag_bench_write"
READ_DB="read_model_lag_bench_read"
PORT_MOCK=19100 PORT_PRICE=19101 PORT_CREATE=19102 PORT_SYNC=19103 PORT_FETCH=19104
EXCHANGE="bench.buy_orders.$$"
QUEUE="bench.read_model_sync.$$"
export PGOPTIONS="-c client_min_messages=warning"
WORK="$(mktemp -d)"
PIDS=()

cleanup() {
    local pid
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
    for db in "$WRITE_DB" "$READ_DB"; do
        psql -q "$PG_URL/postgres" -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true
    done
    rm -rf "$WORK"
}
trap cleanup EXIT

# shellcheck source=scripts/lib.sh
source scripts/lib.sh
install_if_missing wrk wrk

if [[ "${SKIP_BUILD:-0}" != "1" ]]; then
    echo "== building the order flow ($PROFILE)"
    if [[ "$PROFILE" == "release" ]]; then cargo build --release -q -p btc-price -p create-buy-order -p read-model-sync -p fetch-buy-orders; else cargo build -q -p btc-price -p create-buy-order -p read-model-sync -p fetch-buy-orders; fi
fi

# Creates database $1 with the migrations of crates/store/migrations/$2, recorded as diesel does.
fresh_database() {
    local db="$1" folder="$2" up version
    psql -q "$PG_URL/postgres" -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" -c "CREATE DATABASE $db" >/dev/null
    psql -q "$PG_URL/$db" -c "CREATE TABLE __diesel_schema_migrations (version VARCHAR(50) PRIMARY KEY, run_on TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP)" >/dev/null
    for up in crates/store/migrations/"$folder"/*/up.sql; do
        psql -q -v ON_ERROR_STOP=1 "$PG_URL/$db" -f "$up" >/dev/null
        version="$(basename "$(dirname "$up")" | cut -d_ -f1 | tr -d -)"
        psql -q "$PG_URL/$db" -c "INSERT INTO __diesel_schema_migrations (version) VALUES ('$version')" >/dev/null
    done
}

# Starts binary $1 with the rest as VAR=value pairs, logging to $WORK/$1.log.
start() {
    local name="$1"
    shift
    env "$@" LOG_FORMAT=json RUST_LOG=warn "target/$PROFILE/$name" > "$WORK/$name.log" 2>&1 &
    PIDS+=("$!")
}

wait_ready() {
    local url="$1"
    for _ in $(seq 1 150); do
        curl -sf "$url/health/ready" >/dev/null 2>&1 && return 0
        sleep 0.1
    done
    echo "$url never became ready; logs in $WORK:" >&2
    tail -n 5 "$WORK"/*.log >&2
    exit 1
}

echo "== scratch databases and services"
fresh_database "$WRITE_DB" write
fresh_database "$READ_DB" read
python3 scripts/upstream_mock.py "$PORT_MOCK" > /dev/null 2> "$WORK/mock.log" &
PIDS+=("$!")
start btc-price HTTP_PORT="$PORT_PRICE" COINBASE_API_URL="http://127.0.0.1:$PORT_MOCK" KRAKEN_API_URL="http://127.0.0.1:$PORT_MOCK"
start read-model-sync HTTP_PORT="$PORT_SYNC" READ_DATABASE_URL="$PG_URL/$READ_DB" AMQP_URL="$AMQP_URL" DATABASE_POOL_SIZE="$SYNC_POOL_SIZE" \
    BUY_ORDERS_EXCHANGE="$EXCHANGE" READ_MODEL_QUEUE="$QUEUE" READ_MODEL_QUEUE_EXPIRES_MS=60000
start fetch-buy-orders HTTP_PORT="$PORT_FETCH" READ_DATABASE_URL="$PG_URL/$READ_DB"
wait_ready "http://127.0.0.1:$PORT_SYNC" # its queue exists before the first event is published
start create-buy-order HTTP_PORT="$PORT_CREATE" WRITE_DATABASE_URL="$PG_URL/$WRITE_DB" AMQP_URL="$AMQP_URL" \
    BUY_ORDERS_EXCHANGE="$EXCHANGE" BTC_PRICE_URL="http://127.0.0.1:$PORT_PRICE" \
    OUTBOX_RELAY_WORKERS="$RELAY_WORKERS" OUTBOX_BATCH_SIZE="$RELAY_BATCH"
for port in "$PORT_PRICE" "$PORT_CREATE" "$PORT_FETCH"; do wait_ready "http://127.0.0.1:$port"; done

echo "== $RATE orders/s for ${DURATION}s (wrk, $WRK_CONNECTIONS connections), polling the listing"
python3 - "$RATE" "$DURATION" "$PORT_CREATE" "$PORT_FETCH" "$POLL_MS" "$WRK_CONNECTIONS" "$WORK" <<'PY'
import http.client, json, os, subprocess, sys, threading, time

rate, duration, create_port, fetch_port = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
poll_interval, connections, work = float(sys.argv[5]) / 1000, int(sys.argv[6]), sys.argv[7]
threads = 2
seen = {}
done = threading.Event()

def poll():
    conn = http.client.HTTPConnection("127.0.0.1", fetch_port, timeout=10)
    while not done.is_set():
        next_poll = time.monotonic() + poll_interval
        conn.request("GET", "/buy_orders?limit=100")
        page = json.loads(conn.getresponse().read())
        at = time.monotonic()
        for order in page["buy_orders"]:
            seen.setdefault(order["id"], at)
        time.sleep(max(0.0, next_poll - time.monotonic()))

poller = threading.Thread(target=poll)
poller.start()
created_file = os.path.join(work, "created.txt")
started = time.monotonic()
subprocess.run(
    ["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{duration}s", "--timeout", "10s",
     "-s", "bench/read_model_lag.lua", f"http://127.0.0.1:{create_port}/buy_order", "--", str(rate), str(threads)],
    check=True, env={**os.environ, "LAG_CREATED_FILE": created_file}, stdout=sys.stdout,
)
elapsed = time.monotonic() - started
created = {}
with open(created_file) as lines:
    for line in lines:
        order_id, at = line.split()
        created[order_id] = float(at)
deadline = time.monotonic() + 10
while time.monotonic() < deadline and not all(i in seen for i in created):
    time.sleep(0.05)
done.set()
poller.join()

times = sorted(created.values())
span = times[-1] - times[0] if len(times) > 1 else float("nan")
lags = sorted(max(0.0, seen[i] - at) * 1000 for i, at in created.items() if i in seen)
missed = sum(1 for i in created if i not in seen)
pick = lambda q: lags[min(len(lags) - 1, int(q * len(lags)))] if lags else float("nan")
print(f"created {len(created)} orders (201) in {elapsed:.1f}s: {len(created) / span:.0f}/s between the first and the last 201")
print(f"listed {len(lags)}, not seen by the poller {missed}")
print(f"lag from 201 to listed: p50 {pick(0.50):.1f} ms, p99 {pick(0.99):.1f} ms, max {lags[-1] if lags else float('nan'):.1f} ms")
PY
echo
echo "read-model-sync metrics:"
curl -s "http://127.0.0.1:$PORT_SYNC/metrics" | grep -E '^read_model_' | sed 's/^/  /'

# Where the time goes, from the databases' own timestamps (each a transaction's start, so
# approximate): order committed → outbox row marked published (relay: claim, publish,
# confirm), and the order's created_at → its read-model row's applied_at (everything up to the
# consumer's insert).
stage() {
    local label="$1" db="$2" interval="$3" from="$4"
    psql -qtA "$PG_URL/$db" -c "SELECT format('%-28s p50 %6s ms, p99 %6s ms', '$label',
        round(percentile_cont(0.5) WITHIN GROUP (ORDER BY ms)::numeric, 1),
        round(percentile_cont(0.99) WITHIN GROUP (ORDER BY ms)::numeric, 1))
        FROM (SELECT extract(epoch FROM $interval) * 1000 AS ms FROM $from) t"
}
echo
echo "stages:"
stage "relay (created → published)" "$WRITE_DB" "published_at - created_at" "outbox"
stage "order → applied to read model" "$READ_DB" "applied_at - created_at" "buy_orders"
echo
echo "throughput (rows per second between the first and the last of each):"
psql -qtA "$PG_URL/$WRITE_DB" -c "SELECT format('  orders committed %s/s, relay published %s/s',
    round(count(*) / nullif(extract(epoch FROM max(created_at) - min(created_at)), 0)),
    round(count(*) / nullif(extract(epoch FROM max(published_at) - min(published_at)), 0)))
    FROM outbox"
