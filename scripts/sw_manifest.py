#!/usr/bin/env python3
"""Trunk post_build hook: list the built assets in the service worker and version it.

Runs in the project root with TRUNK_STAGING_DIR pointing at the staged build. The cache
version is a hash of every asset's bytes and of the worker's code, so any change installs a
fresh offline cache.
"""
import hashlib
import json
import os
import sys

staging = os.environ.get("TRUNK_STAGING_DIR")
if not staging:
    sys.exit("sw_manifest.py: TRUNK_STAGING_DIR is not set (run through trunk)")

sw_path = os.path.join(staging, "sw.js")
if not os.path.isfile(sw_path):
    # The coordinator's app (coordination/index.html) has no service worker of its own.
    print("sw_manifest.py: no sw.js in this build; nothing to list")
    sys.exit(0)
assets = []
digest = hashlib.sha256()
for root, _dirs, files in os.walk(staging):
    for name in sorted(files):
        path = os.path.join(root, name)
        rel = os.path.relpath(path, staging).replace(os.sep, "/")
        # The worker itself, and the brotli/gzip variants precompress.mjs writes (the
        # browser gets those through Content-Encoding, never by name).
        if rel == "sw.js" or rel.endswith((".br", ".gz")):
            continue
        assets.append("/" + rel)
assets.sort()
for rel in assets:
    digest.update(rel.encode())
    with open(os.path.join(staging, rel.lstrip("/")), "rb") as f:
        digest.update(f.read())

with open(sw_path, encoding="utf-8") as f:
    sw = f.read()
# The worker's own code too: a change to it alone is a new version with a fresh cache.
digest.update(sw.encode())
if "__CARNET_ASSETS__" not in sw or "__CARNET_VERSION__" not in sw:
    sys.exit("sw_manifest.py: placeholders missing from sw.js")
sw = sw.replace("__CARNET_ASSETS__", json.dumps(assets)).replace(
    "__CARNET_VERSION__", digest.hexdigest()[:16]
)
with open(sw_path, "w", encoding="utf-8") as f:
    f.write(sw)
print(f"sw_manifest.py: {len(assets)} assets, version {digest.hexdigest()[:16]}")
