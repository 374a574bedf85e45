#!/usr/bin/env bash
# Manual test of btc-price: one price, then all three. BASE_URL defaults to a local run.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "$0")/lib.sh"  # api_curl: sends API_KEY, else the key ./run.sh made
BASE_URL="${BASE_URL:-http://127.0.0.1:8779}"
CURRENCY="${1:-EUR}"

echo ">>> GET ${BASE_URL}/btc_price/${CURRENCY}"
api_curl -sS -i "${BASE_URL}/btc_price/${CURRENCY}"
echo
echo ">>> GET ${BASE_URL}/btc_prices"
api_curl -sS -i "${BASE_URL}/btc_prices"
echo
