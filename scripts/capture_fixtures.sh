#!/usr/bin/env bash
# Captures this build's fixtures for the tests of every later release: builds the app and
# the server, then runs end2end/fixtures/capture.mjs, which writes
# end2end/fixtures/<release>/ (a phone's stored values with its PIN, and the requests it
# sent). Run once per release on the tagged commit, commit the folder, keep the older ones
# (end2end/fixtures/README.md).
#
#   scripts/capture_fixtures.sh v0.4.0
set -euo pipefail
cd "$(dirname "$0")/.."
release="${1:?usage: scripts/capture_fixtures.sh vX.Y.Z}"
source scripts/env.sh
scripts/setup.sh --browser
scripts/build.sh
cargo build --locked -p carnet-server
export CARNET_SERVER_BIN="$PWD/target/debug/carnet-server"
export CARNET_DIST="$PWD/dist"
cd end2end
node fixtures/capture.mjs "$release"
