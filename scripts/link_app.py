#!/usr/bin/env python3
"""Names the app's module (dist/app/) in the start-up page (dist/index.html), and drops
the snippets the app's glue does not import.

    python3 scripts/link_app.py DIST

Trunk writes the app's hashed JS, wasm and CSS paths into dist/app/index.html; the
start-up module's loader (src/boot/loader.js) finds the first two in <meta
name="carnet-app"> of the page it runs in, and the app's module links the stylesheet
(data-css, src/ui/desk.rs): the start-up page itself does not load it.
"""
import os
import re
import sys

dist = sys.argv[1] if len(sys.argv) > 1 else "dist"
with open(os.path.join(dist, "app", "index.html"), encoding="utf-8") as f:
    app = f.read()
js = re.search(r"from '(/app/carnet-app-[0-9a-f]+\.js)'", app)
wasm = re.search(r"module_or_path: '(/app/carnet-app-[0-9a-f]+_bg\.wasm)'", app)
css = re.search(r'<link rel="stylesheet" href="(/app/desk-[0-9a-f]+\.css)"', app)
if not js or not wasm or not css:
    sys.exit("link_app.py: no app module (JS, wasm and CSS) named in dist/app/index.html")
page_path = os.path.join(dist, "index.html")
with open(page_path, encoding="utf-8") as f:
    page = f.read()
page = re.sub(r'\s*<meta name="carnet-app"[^>]*>', "", page)
meta = f'<meta name="carnet-app" data-js="{js[1]}" data-wasm="{wasm[1]}" data-css="{css[1]}" />'
if "</head>" not in page:
    sys.exit("link_app.py: dist/index.html has no </head>")
page = page.replace("</head>", f"  {meta}\n  </head>", 1)
with open(page_path, "w", encoding="utf-8") as f:
    f.write(page)
print(f"link_app.py: {js[1]}, {wasm[1]}, {css[1]}")

# wasm-bindgen copies every JavaScript snippet of the crate next to each module's glue: the
# app's gets the start-up module's (the loader, the crash screen), which its glue never
# imports. Left there, the service worker would precache them for nothing.
app_dir = os.path.join(dist, "app")
with open(os.path.join(app_dir, os.path.basename(js[1])), encoding="utf-8") as f:
    glue = f.read()
for root, dirs, files in os.walk(os.path.join(app_dir, "snippets"), topdown=False):
    for name in files:
        path = os.path.join(root, name)
        if os.path.relpath(path, app_dir).replace(os.sep, "/") not in glue:
            os.remove(path)
    if not os.listdir(root):
        os.rmdir(root)
# … and their links from dist/app/index.html, which Trunk writes (nothing loads that page).
app = re.sub(
    r'<link [^>]*href="/app/(snippets/[^"]+)"[^>]*>',
    lambda link: link[0] if os.path.exists(os.path.join(app_dir, link[1])) else "",
    app,
)
with open(os.path.join(app_dir, "index.html"), "w", encoding="utf-8") as f:
    f.write(app)
