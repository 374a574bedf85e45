#!/usr/bin/env bash
# Manual test of event-gateway: register a schema, send a valid and an invalid event, read
# the schema back and list the client's events, printing every request and response.
# Usage: scripts/event_gateway.sh   (BASE_URL defaults to http://127.0.0.1:8784)
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "$0")/lib.sh"  # api_curl: sends API_KEY, else the key ./run.sh made

BASE_URL="${BASE_URL:-http://127.0.0.1:8784}"
CLIENT="${CLIENT:-manual}"

call() {
  local method="$1" path="$2" body="${3:-}"
  echo ">>> ${method} ${BASE_URL}${path} ${body}"
  if [[ -n "${body}" ]]; then
    api_curl -sS -X "${method}" -H 'content-type: application/json' -d "${body}" \
      -w '\n<<< HTTP %{http_code}\n\n' "${BASE_URL}${path}"
  else
    api_curl -sS -X "${method}" -w '\n<<< HTTP %{http_code}\n\n' "${BASE_URL}${path}"
  fi
}

call POST "/${CLIENT}/Fruits/register_event" \
  '{"type":"object","properties":{"fruit":{"type":"string"}},"required":["fruit"]}'
call POST "/${CLIENT}/Fruits/register_event" \
  '{"type":"object","properties":{"fruit":{"type":"string"}},"required":["fruit"]}'
call POST "/${CLIENT}/Fruits/send_event" '{"fruit":"apple"}'
call POST "/${CLIENT}/Fruits/send_event" '{"fruit":42}'
call POST "/${CLIENT}/Unknown/send_event" '{}'
call POST "/${CLIENT}/Colors/register_event" '{"type":"nope"}'
call GET "/${CLIENT}/Fruits/schema"
call GET "/${CLIENT}/Fruits/schema?version=1"
call GET "/${CLIENT}/list_events"
