#!/usr/bin/env bash
# Builds the phone app and the coordinator's app into dist/: the phone app's start-up
# module (index.html → dist/, the lock screen, service worker), its whole app
# (app/index.html → dist/app/, loaded once a PIN is checked, see src/boot/mod.rs), and the
# coordinator's app (coordination/index.html → dist/coordination/, online). Trunk empties
# its output folder first, so the start-up module goes first.
#
#   scripts/build.sh            # release builds into dist/ (what run.sh and test.sh use)
#   scripts/build.sh DIST       # into another folder (the bench build, BENCHMARKS.md)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
dist="${1:-dist}"
trunk build --release --dist "$dist"
trunk build --release=true --dist "$dist/app" --public-url /app/ app/index.html
trunk build --release=true --dist "$dist/coordination" --public-url /coordination/ coordination/index.html
scripts/post_build.sh "$dist"
