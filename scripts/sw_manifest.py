#!/usr/bin/env python3
"""Lists the built assets of the phone app in its service worker, and versions it.

    python3 scripts/sw_manifest.py DIST     # scripts/post_build.sh, after every build

The start-up module and the app's module (dist/app/) are both precached: an offline app
must hold all of itself. The coordinator's app (dist/coordination/) is used online and
left out. The cache version is a hash of every asset's bytes and of the worker's code,
so any change installs a fresh offline cache.
"""
import hashlib
import json
import os
import sys

if len(sys.argv) != 2:
    sys.exit("usage: sw_manifest.py DIST")
staging = sys.argv[1]

sw_path = os.path.join(staging, "sw.js")
if not os.path.isfile(sw_path):
    sys.exit(f"sw_manifest.py: no sw.js in {staging}")
assets = []
digest = hashlib.sha256()
for root, dirs, files in os.walk(staging):
    dirs[:] = sorted(d for d in dirs if os.path.relpath(os.path.join(root, d), staging) != "coordination")
    for name in sorted(files):
        path = os.path.join(root, name)
        rel = os.path.relpath(path, staging).replace(os.sep, "/")
        # The worker itself, the brotli/gzip variants precompress.mjs writes (the browser
        # gets those through Content-Encoding, never by name), and the app module's own
        # page (its files are loaded by the start-up module, never the page).
        if rel in ("sw.js", "app/index.html") or rel.endswith((".br", ".gz")):
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
