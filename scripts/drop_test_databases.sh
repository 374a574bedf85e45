#!/usr/bin/env bash
# Drops databases left behind by tests that were killed before they could clean up
# (test_* clones and scratch_* half-built templates). Run it when no tests are running.
set -euo pipefail
SERVER_URL=${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}
mapfile -t names < <(psql "$SERVER_URL" -Atc "SELECT datname FROM pg_database WHERE datname LIKE 'test\_%' OR datname LIKE 'scratch\_%'")
for name in "${names[@]}"; do
  echo "dropping $name"
  psql "$SERVER_URL" -qc "DROP DATABASE IF EXISTS \"$name\" WITH (FORCE)"
done
echo "${#names[@]} database(s) dropped"
