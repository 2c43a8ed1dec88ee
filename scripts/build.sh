#!/usr/bin/env bash
# Builds both apps into dist/: the phone app (index.html → dist/, offline, service worker)
# and the coordinator's app (coordination/index.html → dist/coordination/, online). Trunk
# empties its output folder first, so the phone app goes first.
#
#   scripts/build.sh            # release builds (what run.sh and test.sh use)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
trunk build --release
trunk build --release=true --dist dist/coordination --public-url /coordination/ coordination/index.html
