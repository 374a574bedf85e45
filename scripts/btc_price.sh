#!/usr/bin/env bash
# Manual test of btc-price: one price, then all three. BASE_URL defaults to a local run.
set -euo pipefail
BASE_URL="${BASE_URL:-http://127.0.0.1:8779}"
CURRENCY="${1:-EUR}"

echo ">>> GET ${BASE_URL}/btc_price/${CURRENCY}"
curl -sS -i "${BASE_URL}/btc_price/${CURRENCY}"
echo
echo ">>> GET ${BASE_URL}/btc_prices"
curl -sS -i "${BASE_URL}/btc_prices"
echo
