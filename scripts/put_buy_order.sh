#!/usr/bin/env bash
# Manual test of create-buy-order: PUT an order, then the same PUT again (a replay: 200 with
# Idempotent-Replayed: true). Usage: scripts/put_buy_order.sh [CURRENCY] [AMOUNT] [KEY]
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "$0")/lib.sh"  # api_curl: sends API_KEY, else the key ./run.sh made
BASE_URL="${BASE_URL:-http://127.0.0.1:8777}"
CURRENCY="${1:-EUR}"
AMOUNT="${2:-100.50}"
KEY="${3:-manual-$(date +%s%N)}"
BODY="{\"currency\": \"${CURRENCY}\", \"amount\": \"${AMOUNT}\"}"

for attempt in first replay; do
    echo ">>> (${attempt}) PUT ${BASE_URL}/buy_order  Idempotency-Key: ${KEY}  ${BODY}"
    api_curl -sS -i -X PUT "${BASE_URL}/buy_order" \
        -H 'Content-Type: application/json' \
        -H "Idempotency-Key: ${KEY}" \
        --data "${BODY}"
    echo
done
