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

# The end-to-end run goes first so the test runner's summary is the last thing printed;
# both always run, and either failing fails the whole.
e2e_status=0
if [ "${SKIP_E2E:-}" = 1 ]; then
  echo "== end-to-end skipped (SKIP_E2E=1)"
else
  echo "== end-to-end: ./run.sh + scripts/*.sh"
  scripts/e2e.sh || e2e_status=$?
fi

container_status=0
if [ "${SKIP_CONTAINERS:-}" = 1 ]; then
  echo "== container test skipped (SKIP_CONTAINERS=1)"
else
  echo "== container test: images built and the compose cluster run with podman"
  scripts/container_test.sh || container_status=$?
fi

echo "== tests"
tests_status=0
if cargo nextest --version >/dev/null 2>&1; then
  cargo nextest run --workspace --no-fail-fast "$@" || tests_status=$?
else
  cargo test --workspace --no-fail-fast "$@" || tests_status=$?
fi
[ "$e2e_status" -eq 0 ] || echo "the end-to-end run failed (exit $e2e_status); see above" >&2
[ "$container_status" -eq 0 ] || echo "the container test failed (exit $container_status); see above" >&2
[ "$e2e_status" -eq 0 ] && [ "$container_status" -eq 0 ] && [ "$tests_status" -eq 0 ]
