#!/usr/bin/env bash
# Checks every HTTP service against its own /openapi.json with schemathesis, against a running
# ./run.sh: requests generated from the document (valid ones and broken ones) must never get a
# 5xx, and every answer must be documented (status, content type, headers, body schema); a
# method the document does not list must get 405, and input the document rules out must be
# refused. Not checked: that every request the document allows is accepted
# (positive_data_acceptance), since some rules need state or lists a document cannot carry: an
# active ISO 4217 code, an order id that exists, an event that matches its own registered schema.
# scripts/e2e.sh runs it after the manual scripts, because it leaves random data behind.
# The generation is deterministic (fixed seed and example count), so CI runs the same requests
# every time; try other ones with SEED=2 or more with EXAMPLES=2000.
# With access control on it sends the key the manual scripts send (API_KEY, else the one
# ./run.sh made; schemathesis masks it in its output), lets schemathesis check that each
# secured operation refuses a missing or wrong key (its ignored_auth check), and checks itself
# that one protected route per service answers 401 without a key.
# Usage: scripts/openapi_check.sh   (EXAMPLES=500 per operation at most; SEED=1)
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib.sh
source scripts/lib.sh

EXAMPLES="${EXAMPLES:-500}"
SEED="${SEED:-1}"
VENV=.run/schemathesis
if [ ! -x "$VENV/bin/st" ]; then
  echo "openapi: installing schemathesis into $VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check 'schemathesis==4.32.5'
fi

# One protected route per service, for the 401 check.
declare -A PROTECTED=(
  [create-buy-order]="PUT /buy_order" [fetch-buy-orders]="GET /buy_orders"
  [btc-price]="GET /btc_prices" [rate-cache]="GET /pairs" [sequence]="GET /v1/forward"
  [event-gateway]="GET /openapi-check/list_events" [lru-cache-server]="GET /api/storage/?key=k"
)
key=$(api_key)
auth=()
[ -z "$key" ] || auth=(-H "Authorization: Bearer $key")

failed=()
for service in create-buy-order fetch-buy-orders btc-price rate-cache sequence event-gateway lru-cache-server; do
  url="http://127.0.0.1:${SERVICE_PORTS[$service]}"
  log=".run/logs/openapi-$service.log"
  read -r method path <<< "${PROTECTED[$service]}"
  status=$(curl -sS -o /dev/null -w '%{http_code}' -X "$method" "$url$path")
  if [ -n "$key" ] && [ "$status" != 401 ]; then
    echo "openapi: $service answered $method $path without a key with $status, not 401" >&2
    failed+=("$service")
  fi
  if "$VENV/bin/st" run "$url/openapi.json" --checks all --exclude-checks positive_data_acceptance \
    --max-examples "$EXAMPLES" --seed "$SEED" --generation-deterministic --workers 1 --no-color \
    "${auth[@]}" \
    > "$log" 2>&1; then
    echo "openapi: $service matches its document ($(grep -oE '[0-9]+ generated, [0-9]+ passed' "$log"))"
  else
    echo "openapi: $service does NOT match its document; the failures (all in $log):" >&2
    sed -n '/FAILURES/,/SUMMARY/p' "$log" >&2
    failed+=("$service")
  fi
done
[ ${#failed[@]} -eq 0 ] || { echo "openapi: mismatches in ${failed[*]}" >&2; exit 1; }
