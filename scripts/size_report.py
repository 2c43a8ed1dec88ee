#!/usr/bin/env python3
"""What a phone downloads, as the server sends it (brotli, the .br files the build wrote
next to each file; gzip for reference), in two parts:

- the first load: the start-up module (dist/: the lock screen), its JS, its loader and the
  CSS, which the PIN screen waits for;
- the app's module (dist/app/), fetched while the PIN is typed and precached by the
  service worker with the rest.

    python3 scripts/size_report.py          # print the table
    python3 scripts/size_report.py --check  # also fail if either part is over its budget

The service worker then serves the app from the phone. Figures are recorded in
BENCHMARKS.md.
"""
import glob
import os
import sys

# Brotli bytes as sent. Lower them with each cut; raise them only with a reason in
# BENCHMARKS.md. The first load: 115 KiB, what the start-up module reached when it was
# split out (113 kB), with 2 kB of headroom; issue 12 asks for at most 180 kB and the
# project's goal is 150 kB. Lowered to 111 KiB when issue 23's cuts took it to 111 kB (the
# lock screen's two actions as `ui::Task`s), with 2.7 kB of headroom. Lowered to 110 KiB
# when issue 23's third part (a second pass) took it to 109 901 bytes (profiles read by hand), 2.7 kB of
# headroom. Lowered to 105 KiB when the standard library built without panics' locations
# (scripts/build.sh) took it to 105 936 bytes, 1.6 kB of headroom. Lowered to 100 KiB when
# wasm-streams' exported classes left (crates/wasm-streams) took it to 100 490 bytes, 1.9 kB
# of headroom. Lowered to 95 KiB when a panic stopped the module with no message
# (-Cpanic=immediate-abort, scripts/build.sh; the crash screen, src/crash.rs) took it to
# 95 712 bytes, 1.6 kB of headroom. Lowered to 89 KiB when the names between each module
# and its glue were shortened and the glue, snippets and stylesheets minified
# (scripts/minify.mjs): 89 592 bytes, 1.5 kB of headroom (89 236 once the functions were
# ordered by name).
BUDGET_FIRST_LOAD = 89 * 1024
# The app's module: the whole app as it was before the split (365 KiB, see BENCHMARKS.md
# for how it got there), raised by 1 KiB for compressed uploads (+1.5 kB: a long sync over
# « Fast 3G » twice as fast) and 1 KiB for reading a sync batch's rows in one request
# (+1.3 kB: the loopback sync under its 3 s budget with a margin), then 5 KiB for keyed
# <For> lists (+4.5 kB) and gloo-storage (+0.7 kB), 1 KiB for one error contract (+0.4 kB:
# every error answer read by its code), then 2 KiB for what a phone reports at each sync,
# figures grouped as each language writes them and the charts' text alternative (+2.1 kB),
# and a device format number a rolled-back build respects (+0.6 kB), then 9 KiB for the
# desk (+8.3 kB: its layout, keyboard, sealed draft and installed window), then 5 KiB for
# an unlock that opens only the day's rows first (+5.2 kB: the day's hint, kept in each
# write's transaction, and every other row read after the day's screen), then 1 KiB for
# the records in memory kept by day in time order (+0.8 kB: « Mes chiffres » for a year
# reads them in place, 40 % faster): steps back recorded in BENCHMARKS.md. Then lowered to
# 367 KiB by issue 23's third part: eight cuts (Record's tagged reader, the float
# formatting behind indexed_db_futures' errors, a second record serializer, the unit
# enums' derived readers, the unread half of /tallies, Leptos's actions and its effect
# loop's copies) took the module from 399 334 to 374 536 bytes; 1.2 kB of headroom. Then
# 360 KiB by its second pass: the phone's large structs (Report, Taxonomy, Contact,
# ContactDraft, Activity, Profile) read by hand instead of by serde's derived readers, and
# the toolchain's notes stripped, took it from 375 344 to 367 011 bytes; 1.6 kB of headroom.
# Then 354 KiB by its third pass: a backup file read without serde's flattening buffer,
# a stored row and its sync state, a batch's result and /me's answer read by hand
# (360 908 bytes; 1.6 kB of headroom). Then 345 KiB: the standard library built without
# panics' file and line (scripts/build.sh) took it to 351 968 bytes; 1.3 kB of headroom.
# Then 335.5 KiB by its fourth pass: fewer B-tree types, no B-tree removal code where
# nothing needs it, no SipHash (342 252 bytes; 1.3 kB of headroom). Then 332.5 KiB by its
# fifth pass: four of the five sort_unstable copies out, their sorts done by hand or
# through the one left (338 888 bytes; 1.6 kB of headroom). Then 329.5 KiB by its sixth
# pass: no copy of serde_json's Value Display, of ApiError's import outcome, of Report or
# of Taxonomy (335 742 bytes; 1.7 kB of headroom). Then 325.5 KiB: wasm-streams' exported
# classes, which server_fn's unused browser client kept in the module, out
# (crates/wasm-streams; 331 535 bytes). Then 325 KiB: /tallies read without its
# cross-tables, which the phone never shows (331 029 bytes; 1.8 kB of headroom). Then
# 315 KiB: a panic stops the module with no message (-Cpanic=immediate-abort), and the
# start-up module's snippets, which the app's glue never imports, are no longer copied
# beside it (scripts/link_app.py): 321 436 bytes, 1.1 kB of headroom. Then 307 KiB: the
# names between the module and its glue shortened, the glue minified (scripts/minify.mjs):
# 313 183 bytes, 1.2 kB of headroom. Then 304 KiB: the functions ordered by name, so that
# brotli finds a generic's copies side by side (wasm-opt --reorder-functions-by-name, the
# pages' data-wasm-opt-params): 310 004 bytes, 1.3 kB of headroom. Then 302.5 KiB: each
# file's brotli made with the encoder's block size and hint that give the fewest bytes
# (scripts/precompress.mjs): 308 227 bytes, 1.5 kB of headroom.
BUDGET_APP = 302 * 1024 + 512

root = os.path.join(os.path.dirname(__file__), "..", "dist")


def size(path):
    if not os.path.isfile(path):
        sys.exit(
            f"size_report.py: {os.path.relpath(path, root)} is missing; "
            "scripts/build.sh writes it (scripts/precompress.mjs)"
        )
    return os.path.getsize(path)


def part(folder, patterns):
    rows = []
    for pattern, kind in patterns:
        for path in sorted(glob.glob(os.path.join(root, folder, pattern), recursive=True)):
            name = os.path.relpath(path, root)
            rows.append((kind, name, size(path), size(path + ".gz"), size(path + ".br")))
    return rows


SNIPPETS = ("snippets/**/*.js", "js")
parts = [
    ("first load", BUDGET_FIRST_LOAD,
     part("", [("carnet-*_bg.wasm", "wasm"), ("carnet-*.js", "js"), SNIPPETS, ("*.css", "css")])),
    ("app module", BUDGET_APP,
     part("app", [("carnet-app-*_bg.wasm", "wasm"), ("carnet-app-*.js", "js"), SNIPPETS])),
]
over = []
print(f"{'kind':5} {'raw':>9} {'gzip':>9} {'brotli':>9}  file")
for title, budget, rows in parts:
    if not rows or not any(kind == "wasm" for kind, *_ in rows):
        sys.exit(f"size_report.py: no {title} in dist/; run scripts/build.sh first")
    for kind, name, raw, gz, br in rows:
        print(f"{kind:5} {raw:>9} {gz:>9} {br:>9}  {name}")
    raw, gz, br = (sum(r[i] for r in rows) for i in (2, 3, 4))
    print(f"{'=':5} {raw:>9} {gz:>9} {br:>9}  {title} (budget {budget} brotli)")
    if br > budget:
        over.append(f"the {title} is {br} brotli bytes, over its budget of {budget}")
if "--check" in sys.argv and over:
    sys.exit("size_report.py: " + "; ".join(over))
