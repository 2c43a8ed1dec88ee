#!/usr/bin/env python3
"""WCAG contrast of the app's colour pairs, in both themes, from style/main.css.

    python3 scripts/contrast.py          # print the ratios
    python3 scripts/contrast.py --check  # fail if a text pair is under AA (4.5:1)

Workers read Carnet in dim bars and in daylight: every text colour is checked against
every background it is drawn on.
"""
import os
import re
import sys

CSS = os.path.join(os.path.dirname(__file__), "..", "style", "main.css")
# (foreground, background): text colours on the surfaces they appear on.
PAIRS = [
    ("text", "bg"), ("text", "surface"), ("text", "surface-2"),
    ("muted", "bg"), ("muted", "surface"), ("muted", "surface-2"),
    ("accent-text", "accent"), ("accent", "surface"), ("accent", "bg"),
    ("warn", "surface-2"), ("ok", "surface"), ("ok", "surface-2"),
    ("danger", "surface"), ("danger", "bg"),
]
AA = 4.5


def themes(css):
    out = {}
    for selector, body in re.findall(r"(:root(?:\[data-theme=\"\w+\"\])?)\s*\{([^}]*)\}", css):
        name = "dark" if selector == ":root" else re.search(r'"(\w+)"', selector).group(1)
        out[name] = dict(re.findall(r"--([\w-]+):\s*(#[0-9a-fA-F]{6})", body))
    return out


def luminance(hex_colour):
    def channel(c):
        c = int(c, 16) / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
    h = hex_colour.lstrip("#")
    r, g, b = (channel(h[i:i + 2]) for i in (0, 2, 4))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def ratio(a, b):
    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


# The themes are the top-level rules; @media print has its own, black on white.
found = themes(open(CSS, encoding="utf-8").read().split("@media")[0])
if set(found) != {"dark", "light"}:
    sys.exit(f"contrast.py: expected dark and light themes in main.css, found {sorted(found)}")
failures = []
for name, colours in sorted(found.items()):
    row = []
    for fg, bg in PAIRS:
        r = ratio(colours[fg], colours[bg])
        row.append(f"{fg}/{bg} {r:.1f}")
        if r < AA:
            failures.append(f"{name}: {fg} on {bg} is {r:.2f}:1")
    print(f"{name}: " + ", ".join(row))
if "--check" in sys.argv and failures:
    sys.exit("contrast.py: under WCAG AA 4.5:1:\n  " + "\n  ".join(failures))
