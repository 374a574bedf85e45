#!/usr/bin/env bash
# Fuzzes lru-cache-server's RESP request parser (services/lru-cache-server/fuzz) with cargo fuzz
# for a bounded time: FUZZ_SECONDS (default 60). Exits non-zero when the fuzzer finds a crash;
# the input is left under services/lru-cache-server/fuzz/artifacts/.
#
# cargo fuzz needs nightly flags; on the stable toolchain RUSTC_BOOTSTRAP=1 allows them.
# cargo-fuzz itself is installed from crates.io on first use.
set -euo pipefail
cd "$(dirname "$0")/../services/lru-cache-server/fuzz"
seconds="${FUZZ_SECONDS:-60}"
if ! cargo fuzz --version >/dev/null 2>&1; then
    cargo install cargo-fuzz --locked
fi
export RUSTC_BOOTSTRAP=1
# The seed corpus: a few real requests, so the fuzzer starts from valid RESP (`$3` is RESP, not
# a shell expansion).
mkdir -p corpus/resp_request
# shellcheck disable=SC2016
printf '\x01*2\r\n$3\r\nGET\r\n$1\r\nk\r\n' > corpus/resp_request/get
# shellcheck disable=SC2016
printf '\x03*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\nvalue\r\n' > corpus/resp_request/set
printf '\x02SET k "a b\\x41" '"'"'c'"'"'\r\n' > corpus/resp_request/inline
cargo fuzz run resp_request --sanitizer none -- -max_total_time="$seconds" -max_len=4096
