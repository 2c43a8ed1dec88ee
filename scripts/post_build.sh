#!/usr/bin/env bash
# After the three Trunk builds (scripts/build.sh): the start-up page names the app's
# module, the modules' names, glue, snippets and stylesheets are made smaller
# (scripts/minify.mjs), the service worker lists every file of the phone app and gets its
# version (it hashes the built files), then the brotli and gzip variants of every file,
# sw.js included.
#
#   scripts/post_build.sh [DIST]     # default: dist
set -euo pipefail
cd "$(dirname "$0")/.."
dist="${1:-dist}"
python3 scripts/link_app.py "$dist"
node scripts/minify.mjs "$dist"
python3 scripts/sw_manifest.py "$dist"
node scripts/precompress.mjs "$dist"
