#!/usr/bin/env bash
# Every check and every test: formatting, lints, shell scripts, then all tests against the real
# PostgreSQL and RabbitMQ (each test makes its own database and broker names).
set -euo pipefail
cd "$(dirname "$0")"

echo "== cargo fmt --check"
cargo fmt --all -- --check

echo "== cargo clippy"
cargo clippy --workspace --all-targets -- -D warnings

if command -v shellcheck >/dev/null 2>&1; then
  echo "== shellcheck"
  mapfile -t scripts < <(git ls-files '*.sh' .ci/run 2>/dev/null || true)
  [ ${#scripts[@]} -eq 0 ] || shellcheck -x "${scripts[@]}"
else
  echo "== shellcheck not installed; skipped (.ci/run installs it)"
fi

echo "== tests"
if cargo nextest --version >/dev/null 2>&1; then
  cargo nextest run --workspace --no-fail-fast "$@"
else
  cargo test --workspace --no-fail-fast "$@"
fi
