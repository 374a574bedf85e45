#!/usr/bin/env bash
# Shared by run.sh, .ci/run and the manual scripts: load .env without overriding the caller's
# environment, and make sure PostgreSQL and RabbitMQ answer (starting local servers if installed).

# SPEC §0: each service's HTTP port (HTTP_PORT overrides it inside the service).
# shellcheck disable=SC2034  # read by the scripts that source this file
declare -A SERVICE_PORTS=(
  [create-buy-order]=8777 [fetch-buy-orders]=8778 [btc-price]=8779 [read-model-sync]=8780
  [migration]=8781 [rate-cache]=8782 [sequence]=8783 [event-gateway]=8784 [lru-cache-server]=8785
  [console]=8786
)

# The manual curl tests of scripts/, one path a line: every script but the tools that run them.
manual_scripts() {
  local script
  for script in scripts/*.sh; do
    case "$(basename "$script")" in
      lib.sh|e2e.sh|drop_test_databases.sh|openapi_check.sh|k8s_check.sh|container_test.sh|fuzz_resp.sh|chaos.sh|vendor_assets.sh|browser_test.sh) ;;
      *) echo "$script" ;;
    esac
  done
}

# Where ./run.sh keeps the local API key it generates (mode 0600).
LOCAL_API_KEY_FILE=.run/api_key

# For ./run.sh (SPEC §11): when the caller set neither API_KEYS nor API_KEYS_FILE, makes a local
# key with every scope on first start (printed once, kept in LOCAL_API_KEY_FILE) and exports its
# hash as API_KEYS; create-buy-order presents the key to btc-price (BTC_PRICE_API_KEY, unless
# set). With the caller's keys, BTC_PRICE_API_KEY defaults to API_KEY.
setup_api_keys() {
  if [ -n "${API_KEYS:-}" ] || [ -n "${API_KEYS_FILE:-}" ]; then
    echo "access control: using the API_KEYS/API_KEYS_FILE given"
    [ -z "${API_KEY:-}" ] || export BTC_PRICE_API_KEY="${BTC_PRICE_API_KEY:-$API_KEY}"
    [ -z "${API_KEY:-}" ] || export CONSOLE_API_KEY="${CONSOLE_API_KEY:-$API_KEY}"
    return 0
  fi
  if [ ! -s "$LOCAL_API_KEY_FILE" ]; then
    mkdir -p "$(dirname "$LOCAL_API_KEY_FILE")"
    (umask 077 && od -An -tx1 -N32 /dev/urandom | tr -d ' \n' > "$LOCAL_API_KEY_FILE")
    chmod 600 "$LOCAL_API_KEY_FILE"
    echo "access control: generated a local API key with every scope; it is shown only now and"
    echo "kept in $LOCAL_API_KEY_FILE (the scripts in scripts/ read it):"
    echo "  $(cat "$LOCAL_API_KEY_FILE")"
  fi
  local key
  key=$(cat "$LOCAL_API_KEY_FILE")
  local hash
  hash=$(printf %s "$key" | sha256sum | cut -d' ' -f1)
  export API_KEYS="local:$hash:*"
  export BTC_PRICE_API_KEY="${BTC_PRICE_API_KEY:-$key}"
  export CONSOLE_API_KEY="${CONSOLE_API_KEY:-$key}"
}

# The key the manual scripts send: API_KEY, else the one ./run.sh generated, else none.
api_key() {
  if [ -n "${API_KEY:-}" ]; then
    printf %s "$API_KEY"
  elif [ -r "$(dirname "${BASH_SOURCE[0]}")/../$LOCAL_API_KEY_FILE" ]; then
    cat "$(dirname "${BASH_SOURCE[0]}")/../$LOCAL_API_KEY_FILE"
  fi
}

# curl with `Authorization: Bearer <api_key>` when there is a key. The header goes through a
# file descriptor, so the key is on no command line (ps) and in no printed request.
api_curl() {
  local key
  key=$(api_key)
  if [ -n "$key" ]; then
    curl -H @<(printf 'Authorization: Bearer %s\n' "$key") "$@"
  else
    curl "$@"
  fi
}

# Exports every KEY=VALUE of FILE that the environment does not already set.
load_env_file() {
  local file=$1 line key value
  [ -f "$file" ] || return 0
  while IFS= read -r line || [ -n "$line" ]; do
    case "$line" in ''|'#'*) continue ;; esac
    key=${line%%=*}
    value=${line#*=}
    if [ -z "${!key+x}" ]; then
      export "$key=$value"
    fi
  done < "$file"
}

# True when something accepts TCP connections on HOST PORT.
port_open() {
  (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null
}

# Waits up to SECONDS for HOST PORT to accept connections.
wait_for_port() {
  local host=$1 port=$2 seconds=$3 i
  for ((i = 0; i < seconds * 5; i++)); do
    port_open "$host" "$port" && return 0
    sleep 0.2
  done
  return 1
}

ensure_postgres() {
  port_open 127.0.0.1 5432 && return 0
  if command -v pg_ctlcluster >/dev/null 2>&1 && [ -d /etc/postgresql ]; then
    local version
    version=$(find /etc/postgresql -mindepth 1 -maxdepth 1 -printf '%f\n' | sort -n | tail -n 1)
    echo "starting PostgreSQL $version"
    pg_ctlcluster --skip-systemctl-redirect "$version" main start
    wait_for_port 127.0.0.1 5432 30 && return 0
  fi
  echo "PostgreSQL is not reachable on 127.0.0.1:5432 and could not be started." >&2
  echo "Install it (apt-get install postgresql) or set the *_DATABASE_URL variables to a running server." >&2
  return 1
}

ensure_rabbitmq() {
  port_open 127.0.0.1 5672 && return 0
  if command -v rabbitmq-server >/dev/null 2>&1; then
    echo "starting RabbitMQ"
    rabbitmq-server -detached
    if wait_for_port 127.0.0.1 5672 90; then
      command -v rabbitmqctl >/dev/null 2>&1 && rabbitmqctl await_startup >/dev/null 2>&1
      return 0
    fi
  fi
  echo "RabbitMQ is not reachable on 127.0.0.1:5672 and could not be started." >&2
  echo "Install it (apt-get install rabbitmq-server) or set AMQP_URL to a running broker." >&2
  return 1
}

# GETs BASE_URL + PATH, printing the request and the whole response on stderr and the body on
# stdout (for the manual scripts).
show_get() {
  local path=$1
  echo "> GET $BASE_URL$path" >&2
  api_curl -sS -i "$BASE_URL$path" | tee /dev/stderr | sed -n '/^\r\{0,1\}$/,$p' | tail -n +2
  printf '\n\n' >&2
}

# Installs Debian's PACKAGE when COMMAND is missing (as root, else through sudo); refreshes the
# package lists once if the first attempt fails (a fresh machine has none).
install_if_missing() {
  local tool=$1 package=$2 sudo=()
  command -v "$tool" >/dev/null && return 0
  [ "$(id -u)" -eq 0 ] || sudo=(sudo)
  echo "installing $package (for $tool)"
  "${sudo[@]}" apt-get install -y -qq "$package" >/dev/null 2>&1 ||
    { "${sudo[@]}" apt-get update -qq && "${sudo[@]}" apt-get install -y -qq "$package"; }
}
