#!/usr/bin/env bash
# Whole-system fault suite (issue 18): its own PostgreSQL cluster and RabbitMQ node, migration,
# two replicas of every stateless service (third-party APIs from scripts/upstream_mock.py),
# a mixed load from scripts/chaos/load.py against both replicas while faults drawn from the seed
# are injected (scripts/chaos/schedule.py), then scripts/chaos/check.py checks the recorded
# history against the databases and the event stream and prints one table of invariants.
#
# Usage: scripts/chaos.sh [--minutes N] [--seed S]
#   --minutes N  how long the load and the faults run (default 2.5; setting up and checking add
#                about a minute); --seed S  the seed of the load and of the fault schedule
#                (default random, printed, so a failing run can be repeated).
# Everything it starts (servers, services, proxy, mock) is stopped and its temporary folder
# removed when it ends, fails or is interrupted; the history, the logs and the table of the last
# run are copied to .run/chaos/. It builds what it runs first (a no-op when current):
# CHAOS_PROFILE=release (the default) or debug (./test.sh uses the debug build it already has).
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib.sh
source scripts/lib.sh

MINUTES=2.5
SEED=$((RANDOM * 32768 + RANDOM))
while [ $# -gt 0 ]; do
  case "$1" in
    --minutes) MINUTES=${2:?--minutes takes a number}; shift 2 ;;
    --seed) SEED=${2:?--seed takes a number}; shift 2 ;;
    *) echo "usage: scripts/chaos.sh [--minutes N] [--seed S]" >&2; exit 2 ;;
  esac
done
LOAD_SECONDS=$(python3 -c "import sys; print(int(float(sys.argv[1]) * 60))" "$MINUTES")
SERVICES=(btc-price create-buy-order read-model-sync fetch-buy-orders sequence event-gateway rate-cache)
PROFILE=${CHAOS_PROFILE:-release}
case "$PROFILE" in
  release) PROFILE_FLAG=(--release) ;;
  debug) PROFILE_FLAG=() ;;
  *) echo "CHAOS_PROFILE must be release or debug, got '$PROFILE'" >&2; exit 2 ;;
esac
BIN=target/$PROFILE
RESULTS=.run/chaos
T0=$(date +%s)

say() { printf '[chaos %4ds] %s\n' "$(($(date +%s) - T0))" "$*"; }

python3 scripts/chaos/test_check.py > /dev/null 2>&1 ||
  { python3 scripts/chaos/test_check.py; echo "the checker's self-test failed" >&2; exit 1; }

# ---- binaries -----------------------------------------------------------------------------
packages=()
for name in "${SERVICES[@]}" migration; do packages+=(-p "$name"); done
say "building the $PROFILE binaries"
cargo build "${PROFILE_FLAG[@]}" --bins "${packages[@]}"
cargo build "${PROFILE_FLAG[@]}" -p test-support --example fault_proxy
cargo build "${PROFILE_FLAG[@]}" -p event-gateway --example listener

# ---- state, and the trap that undoes everything --------------------------------------------
WORK=$(mktemp -d /tmp/chaos.XXXXXX)
chmod 755 "$WORK"
mkdir -p "$WORK/logs"
declare -A PID=() PORT=()
PG_UP=
MQ_PID=
PG_BIN=$(find /usr/lib/postgresql -maxdepth 2 -name bin -type d 2>/dev/null | sort -V | tail -n 1)
[ -x "${PG_BIN:-/nonexistent}/initdb" ] || { echo "no PostgreSQL under /usr/lib/postgresql" >&2; exit 1; }
MQ_BIN=/usr/lib/rabbitmq/bin
[ -x "$MQ_BIN/rabbitmq-server" ] || { echo "no RabbitMQ under $MQ_BIN" >&2; exit 1; }

# Runs a command as USER when this script runs as root (PostgreSQL refuses to run as root;
# RabbitMQ's files belong to its user), else as whoever runs it.
as_user() {
  local user=$1
  shift
  if [ "$(id -u)" -eq 0 ]; then runuser -u "$user" -- "$@"; else "$@"; fi
}
owned_dir() {
  mkdir -p "$2"
  [ "$(id -u)" -ne 0 ] || chown "$1" "$2"
}

# Waits up to SECONDS for COMMAND... to succeed, polling every 0.2 s.
poll() {
  local seconds=$1 deadline
  shift
  deadline=$(($(date +%s) + seconds))
  until "$@" >/dev/null 2>&1; do
    [ "$(date +%s)" -lt "$deadline" ] || return 1
    sleep 0.2
  done
}

# True while PID runs (a zombie, exited but not yet reaped, does not count).
alive() {
  local state
  state=$(ps -o stat= -p "$1" 2>/dev/null) && [[ $state != Z* ]]
}
dead() { ! alive "$1"; }

cleanup() {
  local status=$?
  trap - EXIT INT TERM
  set +e
  say "stopping everything it started"
  for key in "${!PID[@]}"; do kill -CONT "${PID[$key]}" 2>/dev/null; kill -TERM "${PID[$key]}" 2>/dev/null; done
  for key in "${!PID[@]}"; do
    poll 15 dead "${PID[$key]}" || kill -KILL "${PID[$key]}" 2>/dev/null
  done
  [ -z "$MQ_PID" ] || { kill -KILL "$MQ_PID" 2>/dev/null; poll 15 dead "$MQ_PID"; }
  [ -z "$PG_UP" ] || as_user postgres "$PG_BIN/pg_ctl" -D "$WORK/pg/data" -m immediate -w stop >/dev/null 2>&1
  wait 2>/dev/null
  rm -rf "$RESULTS"
  mkdir -p "$RESULTS"
  cp -r "$WORK/logs" "$WORK/snapshot" "$WORK"/*.jsonl "$WORK"/*.txt "$RESULTS/" 2>/dev/null
  rm -rf "$WORK"
  say "done (history, logs and table in $RESULTS/)"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Spare ports for everything, chosen by the kernel and all distinct.
mapfile -t ports < <(python3 - 17 <<'EOF'
import socket, sys
sockets = [socket.socket() for _ in range(int(sys.argv[1]))]
for s in sockets:
    s.bind(("127.0.0.1", 0))
for s in sockets:
    print(s.getsockname()[1])
EOF
)
PG_PORT=${ports[0]} AMQP_PORT=${ports[1]} DIST_PORT=${ports[2]}
i=3
for name in "${SERVICES[@]}"; do
  for replica in a b; do PORT[$name.$replica]=${ports[$i]}; i=$((i + 1)); done
done

say "seed $SEED, load for $LOAD_SECONDS s, folder $WORK"

# ---- PostgreSQL -----------------------------------------------------------------------------
owned_dir postgres "$WORK/pg"
as_user postgres "$PG_BIN/initdb" -D "$WORK/pg/data" -U postgres -A trust -E UTF8 --no-sync \
  > "$WORK/logs/initdb.log" 2>&1
pg_start() {
  as_user postgres "$PG_BIN/pg_ctl" -D "$WORK/pg/data" -l "$WORK/pg/postgres.log" -w -t 60 \
    -o "-p $PG_PORT -k $WORK/pg -c listen_addresses=127.0.0.1 -c max_connections=300 -c fsync=off" \
    start > /dev/null
  PG_UP=1
}
pg_stop_immediate() {
  as_user postgres "$PG_BIN/pg_ctl" -D "$WORK/pg/data" -m immediate -w stop > /dev/null
  PG_UP=
}
pg_start
say "PostgreSQL on $PG_PORT"

# ---- RabbitMQ -------------------------------------------------------------------------------
MQ_NODE="chaos$$@localhost"
owned_dir rabbitmq "$WORK/rabbitmq"
cat > "$WORK/rabbitmq/rabbitmq.conf" <<EOF
listeners.tcp.1 = 127.0.0.1:$AMQP_PORT
EOF
echo '[].' > "$WORK/rabbitmq/enabled_plugins"
: > "$WORK/rabbitmq/rabbitmq-env.conf"
MQ_HOME=$HOME
[ "$(id -u)" -ne 0 ] || MQ_HOME=$(getent passwd rabbitmq | cut -d: -f6)
mq_env=(env HOME="$MQ_HOME" RABBITMQ_NODENAME="$MQ_NODE" RABBITMQ_NODE_IP_ADDRESS=127.0.0.1
  RABBITMQ_NODE_PORT="$AMQP_PORT" RABBITMQ_DIST_PORT="$DIST_PORT"
  RABBITMQ_CONFIG_FILE="$WORK/rabbitmq/rabbitmq.conf" RABBITMQ_CONF_ENV_FILE="$WORK/rabbitmq/rabbitmq-env.conf"
  RABBITMQ_ADVANCED_CONFIG_FILE="$WORK/rabbitmq/advanced.config"
  RABBITMQ_ENABLED_PLUGINS_FILE="$WORK/rabbitmq/enabled_plugins"
  RABBITMQ_MNESIA_BASE="$WORK/rabbitmq/mnesia" RABBITMQ_LOG_BASE="$WORK/rabbitmq/log"
  RABBITMQ_PID_FILE="$WORK/rabbitmq/pid" ERL_EPMD_ADDRESS=127.0.0.1)
mq_start() {
  rm -f "$WORK/rabbitmq/pid"
  as_user rabbitmq "${mq_env[@]}" "$MQ_BIN/rabbitmq-server" >> "$WORK/logs/rabbitmq.log" 2>&1 &
  poll 60 test -s "$WORK/rabbitmq/pid" || { echo "RabbitMQ wrote no pid file" >&2; return 1; }
  MQ_PID=$(cat "$WORK/rabbitmq/pid")
  as_user rabbitmq "${mq_env[@]}" "$MQ_BIN/rabbitmqctl" -n "$MQ_NODE" -t 90 await_startup > /dev/null
  poll 30 port_open 127.0.0.1 "$AMQP_PORT"
}
mq_kill() {
  kill -KILL "$MQ_PID"
  poll 30 dead "$MQ_PID"
  MQ_PID=
}
mq_start
say "RabbitMQ node $MQ_NODE on $AMQP_PORT"

# ---- upstream mock and the fault proxy -------------------------------------------------------
python3 scripts/upstream_mock.py 0 > "$WORK/mock.port" 2> "$WORK/logs/upstream-mock.log" &
PID[mock]=$!
poll 20 test -s "$WORK/mock.port"
MOCK=http://127.0.0.1:$(cat "$WORK/mock.port")
"$BIN/examples/fault_proxy" pg=127.0.0.1:"$PG_PORT" mq=127.0.0.1:"$AMQP_PORT" \
  price=127.0.0.1:"${PORT[btc-price.a]}" > "$WORK/proxy.ports" 2> "$WORK/logs/fault-proxy.log" &
PID[proxy]=$!
poll 20 grep -q '^control ' "$WORK/proxy.ports"
proxy_port() { awk -v name="$1" '$1 == name { print $2 }' "$WORK/proxy.ports"; }
# Sends one command to the proxy and fails unless it answers ok.
proxy() {
  local answer
  exec 7<>"/dev/tcp/127.0.0.1/$(proxy_port control)"
  printf '%s\n' "$*" >&7
  read -r -t 10 answer <&7 || answer="no answer"
  exec 7<&- 7>&-
  [ "$answer" = ok ] || { echo "proxy: $* -> $answer" >&2; return 1; }
}

# ---- services -------------------------------------------------------------------------------
KEY=$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')
KEY_HASH=$(printf %s "$KEY" | sha256sum | cut -d' ' -f1)
# One block size for every sequence replica (SPEC §6), drawn from the seed: 1 (one nextval a
# number) or block mode.
SEQUENCE_BLOCK_SIZE=$(python3 -c "import random, sys; print(random.Random(int(sys.argv[1])).choice([1, 1, 50]))" "$SEED")

database_urls() {
  local port=$1
  echo "WRITE_DATABASE_URL=postgres://postgres@127.0.0.1:$port/btc_orders_write"
  echo "READ_DATABASE_URL=postgres://postgres@127.0.0.1:$port/btc_orders_read"
  echo "SEQUENCE_DATABASE_URL=postgres://postgres@127.0.0.1:$port/sequence"
  echo "RATE_CACHE_DATABASE_URL=postgres://postgres@127.0.0.1:$port/rate_cache"
  echo "EVENT_GATEWAY_DATABASE_URL=postgres://postgres@127.0.0.1:$port/event_gateway"
}

# The whole environment of one replica (nothing inherited): replica a reaches PostgreSQL,
# RabbitMQ and (create-buy-order) btc-price through the proxy, replica b directly.
replica_env() {
  local name=$1 replica=$2 pg=$PG_PORT mq=$AMQP_PORT price=${PORT[btc-price.b]}
  if [ "$replica" = a ]; then
    pg=$(proxy_port pg) mq=$(proxy_port mq) price=$(proxy_port price)
  fi
  database_urls "$pg"
  cat <<EOF
PATH=/usr/bin:/bin
RUST_LOG=info
LOG_FORMAT=json
HTTP_HOST=127.0.0.1
HTTP_PORT=${PORT[$name.$replica]}
API_KEYS=chaos:$KEY_HASH:*
BTC_PRICE_API_KEY=$KEY
AMQP_URL=amqp://guest:guest@127.0.0.1:$mq/%2f
BTC_PRICE_URL=http://127.0.0.1:$price
BTC_PRICE_TIMEOUT_MS=3000
COINBASE_API_URL=$MOCK
KRAKEN_API_URL=$MOCK
ECB_RATES_URL=$MOCK/eurofxref-daily.xml
RATE_UPDATE_INTERVAL_SECS=1
SEQUENCE_BLOCK_SIZE=$SEQUENCE_BLOCK_SIZE
REQUEST_TIMEOUT_MS=5000
DATABASE_POOL_SIZE=6
DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS=5000
EOF
}

start_replica() {
  local key=$1 vars=()
  mapfile -t vars < <(replica_env "${key%.*}" "${key##*.}")
  env -i "${vars[@]}" "$BIN/${key%.*}" >> "$WORK/logs/$key.log" 2>&1 &
  PID[$key]=$!
}
ready() { curl -fsS -o /dev/null --max-time 2 "http://127.0.0.1:${PORT[$1]}/health/ready"; }
wait_ready() {
  local key
  for key in "$@"; do
    poll 120 ready "$key" || {
      echo "$key is not ready after 120 s; last lines of its log:" >&2
      tail -n 20 "$WORK/logs/$key.log" >&2
      return 1
    }
  done
}

mapfile -t migration_env < <(database_urls "$PG_PORT")
if ! env -i PATH=/usr/bin:/bin "${migration_env[@]}" "$BIN/migration" > "$WORK/logs/migration.log" 2>&1; then
  echo "migration failed:" >&2
  tail -n 20 "$WORK/logs/migration.log" >&2
  exit 1
fi
REPLICAS=()
for name in "${SERVICES[@]}"; do
  for replica in a b; do
    start_replica "$name.$replica"
    REPLICAS+=("$name.$replica")
  done
done
wait_ready "${REPLICAS[@]}"
say "14 replicas ready (sequence block size $SEQUENCE_BLOCK_SIZE)"

# ---- load and faults ------------------------------------------------------------------------
{
  printf '{'
  sep=
  for key in "${REPLICAS[@]}"; do
    printf '%s"%s": "http://127.0.0.1:%s"' "$sep" "$key" "${PORT[$key]}"
    sep=', '
  done
  printf '}\n'
} > "$WORK/endpoints.json"

python3 scripts/chaos/schedule.py "$SEED" "$LOAD_SECONDS" > "$WORK/schedule.txt"
say "fault schedule (seed $SEED): at-second kind target duration-seconds"
sed 's/^/    /' "$WORK/schedule.txt"

CHAOS_API_KEY=$KEY python3 scripts/chaos/load.py --endpoints "$WORK/endpoints.json" \
  --history "$WORK/history.jsonl" --seconds "$LOAD_SECONDS" --seed "$SEED" \
  > "$WORK/logs/load.log" 2>&1 &
PID[load]=$!
LOAD_T0=$(date +%s)

# One fault: inject it, hold it for its duration (the fault itself, not a wait for anything),
# undo it, and wait until what it hit is ready again.
inject() {
  local kind=$1 target=$2 duration=$3
  case "$kind" in
    kill)
      kill -KILL "${PID[$target]}"
      wait "${PID[$target]}" 2>/dev/null || true
      sleep "$duration"
      start_replica "$target"
      wait_ready "$target" ;;
    pause)
      kill -STOP "${PID[$target]}"
      sleep "$duration"
      kill -CONT "${PID[$target]}"
      wait_ready "$target" ;;
    postgres)
      pg_stop_immediate
      sleep "$duration"
      pg_start
      wait_ready "${REPLICAS[@]}" ;;
    rabbitmq)
      mq_kill
      sleep "$duration"
      mq_start
      wait_ready "${REPLICAS[@]}" ;;
    blackhole)
      proxy blackhole "$target"
      sleep "$duration"
      proxy restore "$target"
      wait_ready "${REPLICAS[@]}" ;;
  esac
}

: > "$WORK/faults.txt"
n=0
# The schedule comes on fd 3, and each fault's commands read /dev/null: rabbitmqctl and others
# read stdin and would otherwise swallow the rest of the schedule.
while read -r at kind target duration <&3; do
  n=$((n + 1))
  now=$(($(date +%s) - LOAD_T0))
  [ "$now" -ge "$at" ] || sleep $((at - now))  # the schedule's own clock
  now=$(($(date +%s) - LOAD_T0))
  if [ "$now" -gt $((LOAD_SECONDS - 20)) ]; then
    say "fault $n ($kind $target) skipped: the schedule ran late, the load is about to stop"
    continue
  fi
  say "fault $n at ${now}s: $kind $target for ${duration}s"
  inject "$kind" "$target" "$duration" < /dev/null
  echo "$now $kind $target $duration recovered-after $(($(date +%s) - LOAD_T0 - now))s" >> "$WORK/faults.txt"
  say "fault $n over, everything ready again"
done 3< "$WORK/schedule.txt"

load_status=0
wait "${PID[load]}" || load_status=$?
unset 'PID[load]'
[ "$load_status" -eq 0 ] || { say "the load driver failed (exit $load_status):"; tail -n 20 "$WORK/logs/load.log"; exit 1; }
say "load over: $(wc -l < "$WORK/history.jsonl") operations recorded"

# ---- convergence and the check ---------------------------------------------------------------
for key in "${REPLICAS[@]}"; do kill -0 "${PID[$key]}" 2>/dev/null || { echo "$key is not running" >&2; exit 1; }; done
wait_ready "${REPLICAS[@]}"
psql_at() { "$PG_BIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -d "$1" -Atq -c "$2"; }
converged() {
  local pending written read
  pending=$(psql_at btc_orders_write "SELECT count(*) FROM outbox WHERE state = 'pending'")
  written=$(psql_at btc_orders_write "SELECT count(*) FROM buy_orders")
  read=$(psql_at btc_orders_read "SELECT count(*) FROM buy_orders")
  [ "$pending" = 0 ] && [ "$written" = "$read" ]
}
if poll 120 converged; then
  say "outbox drained and read model caught up"
else
  say "no convergence after 120 s (the checker shows what is missing)"
fi

check_status=0
CHAOS_API_KEY=$KEY python3 scripts/chaos/check.py --history "$WORK/history.jsonl" \
  --endpoints "$WORK/endpoints.json" --logs "$WORK/logs" --snapshot "$WORK/snapshot" \
  --psql "$PG_BIN/psql" --pg-port "$PG_PORT" \
  --listener "$BIN/examples/listener" --amqp-url "amqp://guest:guest@127.0.0.1:$AMQP_PORT/%2f" \
  --faults "$WORK/faults.txt" --seed "$SEED" | tee "$WORK/table.txt" || check_status=$?
[ "$check_status" -eq 0 ] || { say "FAILED (seed $SEED)"; exit 1; }
# The checker must catch a loss, a duplicate and an invented order planted in this very run.
python3 scripts/chaos/test_check.py --recorded "$WORK" > "$WORK/logs/self-test.log" 2>&1 ||
  { cat "$WORK/logs/self-test.log"; say "FAILED: the checker missed a fault planted in this run"; exit 1; }
say "checker self-test on this run's history: every planted fault caught"
say "passed (seed $SEED)"
