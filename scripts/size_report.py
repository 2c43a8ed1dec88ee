#!/usr/bin/env python3
"""Sizes of the built PWA (dist/): raw and gzip -9 for the wasm, JS and CSS.

    python3 scripts/size_report.py          # print the table
    python3 scripts/size_report.py --check  # also fail if over the budget below

The budget is what a worker downloads once over a poor mobile connection; the service
worker then serves it from the phone. Figures are recorded in BENCHMARKS.md.
"""
import glob
import gzip
import os
import sys

# Compressed (gzip -9) bytes of wasm + JS + CSS. Raise it only with a reason in BENCHMARKS.md.
BUDGET_GZIP = 340 * 1024

root = os.path.join(os.path.dirname(__file__), "..", "dist")
rows = []
for pattern, kind in [("*_bg.wasm", "wasm"), ("carnet-*.js", "js"), ("*.css", "css")]:
    for path in glob.glob(os.path.join(root, pattern)):
        data = open(path, "rb").read()
        rows.append((kind, os.path.basename(path), len(data), len(gzip.compress(data, 9))))
if not rows:
    sys.exit("size_report.py: dist/ is empty; run trunk build --release first")
total_raw = sum(r[2] for r in rows)
total_gz = sum(r[3] for r in rows)
print(f"{'kind':5} {'raw':>9} {'gzip':>9}  file")
for kind, name, raw, gz in sorted(rows):
    print(f"{kind:5} {raw:>9} {gz:>9}  {name}")
print(f"{'total':5} {total_raw:>9} {total_gz:>9}  (budget {BUDGET_GZIP} gzip)")
if "--check" in sys.argv and total_gz > BUDGET_GZIP:
    sys.exit(f"size_report.py: {total_gz} gzip bytes is over the budget of {BUDGET_GZIP}")
