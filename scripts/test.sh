#!/usr/bin/env bash
# Sets up what is missing, then runs every check CI runs: formatting, clippy (native and
# wasm32), core and server tests (the server's on SQLite and on a throwaway PostgreSQL),
# the app's wasm tests in headless Chromium, the release build with its size budget, and
# the browser tests against a real server and Debian's Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
scripts/setup.sh --browser

echo "==> colour contrast (WCAG AA, both themes)"
python3 scripts/contrast.py --check

echo "==> documents name only paths and Rust items that exist"
python3 scripts/check_docs.py

echo "==> no module depends on one that depends on it"
python3 scripts/import_graph.py --check

echo "==> cargo fmt --check"
cargo fmt --all --check

echo "==> clippy (native: core, server)"
cargo clippy --locked -p carnet-core -p carnet-server --all-targets -- -D warnings
echo "==> clippy (wasm32: app with its browser tests, the cut wasm-streams, core)"
cargo clippy --locked -p carnet -p wasm-streams --target wasm32-unknown-unknown --all-targets -- -D warnings
cargo clippy --locked -p carnet-core --target wasm32-unknown-unknown -- -D warnings

echo "==> PostgreSQL for the server tests"
# Installs PostgreSQL if needed, starts a throwaway cluster (stopped on exit) and exports
# CARNET_TEST_DATABASE_URL; CARNET_REQUIRE_POSTGRES=1 makes the PostgreSQL variants fail,
# never pass silently, if it could not be started.
source scripts/postgres.sh

echo "==> core and server tests (server tests on SQLite and on PostgreSQL)"
cargo test --locked -p carnet-core -p carnet-server

echo "==> app wasm tests (headless Chromium: storage, vault, session, backup)"
scripts/wasm-test.sh

echo "==> release build of the app"
scripts/build.sh
python3 scripts/size_report.py --check

echo "==> browser tests (Playwright + Chromium)"
cargo build --locked -p carnet-server
export CARNET_SERVER_BIN="$PWD/target/debug/carnet-server"
export CARNET_DIST="$PWD/dist"
cd end2end
node --test --test-concurrency=1 tests/*.test.mjs
