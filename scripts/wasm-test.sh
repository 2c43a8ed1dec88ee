#!/usr/bin/env bash
# Runs the app crate's wasm tests (`tests/browser/`) in headless Chromium: storage, vault,
# codec, session and backup against the browser's real IndexedDB and WebCrypto.
#
#   scripts/wasm-test.sh                  # every wasm test of the crate
#   scripts/wasm-test.sh storage::        # only those whose name contains the filter
#
# cargo hands each wasm test binary to wasm-bindgen-test-runner (the runner set in
# .cargo/config.toml, installed with wasm-bindgen-cli by scripts/setup.sh), which starts
# chromedriver, and Chromium with the flags in webdriver.json.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh

export CHROMEDRIVER="${CHROMEDRIVER:-/usr/bin/chromedriver}"
# The runner's limit is for a whole test binary (default 20 s); the tests take ~15 s but
# derive PBKDF2 keys (600 000 rounds) a few dozen times, slow on a busy CI machine.
export WASM_BINDGEN_TEST_TIMEOUT="${WASM_BINDGEN_TEST_TIMEOUT:-300}"
# How long chromedriver may take to come up (default 5 s).
export WASM_BINDGEN_TEST_DRIVER_TIMEOUT="${WASM_BINDGEN_TEST_DRIVER_TIMEOUT:-60}"
# No debug info: a 6 MB test module instead of 125 MB, ~10 s less per run.
export CARGO_PROFILE_TEST_DEBUG="${CARGO_PROFILE_TEST_DEBUG:-0}"

cargo test --locked --target wasm32-unknown-unknown -p carnet -p wasm-streams -- "$@"
