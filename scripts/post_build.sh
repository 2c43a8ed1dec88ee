#!/usr/bin/env bash
# Trunk's post_build hook (Trunk.toml). Trunk starts the hooks of one stage all at once,
# so the order is kept here: first the service worker's asset list and version (it hashes
# the built files), then the brotli and gzip variants of every file, sw.js included.
set -euo pipefail
python3 scripts/sw_manifest.py
node scripts/precompress.mjs
