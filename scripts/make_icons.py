#!/usr/bin/env python3
"""Draws Carnet's icons (a plain notebook: discreet, says nothing about the work).

Pure standard library so it runs anywhere; the PNGs are committed under public/icons.
Run: python3 scripts/make_icons.py
"""
import os
import struct
import zlib

BG = (0x12, 0x16, 0x1C)
PAGE = (0xE8, 0xE2, 0xD0)
LINE = (0x9A, 0xA4, 0xB0)
SPINE = (0x3D, 0x7E, 0xA6)


def png(size, pixels):
    raw = b"".join(b"\x00" + bytes(c for px in row for c in px) for row in pixels)
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")


def draw(size, safe):
    """safe: fraction of the canvas the notebook may use (maskable icons need margins)."""
    pixels = [[BG] * size for _ in range(size)]
    w = int(size * safe * 0.62)
    h = int(size * safe * 0.78)
    x0 = (size - w) // 2
    y0 = (size - h) // 2
    spine = max(2, w // 7)
    for y in range(y0, y0 + h):
        for x in range(x0, x0 + w):
            pixels[y][x] = SPINE if x < x0 + spine else PAGE
    gap = h // 7
    thick = max(1, size // 96)
    for i in range(1, 6):
        ly = y0 + i * gap + gap // 2
        for y in range(ly, ly + thick):
            for x in range(x0 + spine + w // 10, x0 + w - w // 10):
                pixels[y][x] = LINE
    return png(size, pixels)


out = os.path.join(os.path.dirname(__file__), "..", "public", "icons")
os.makedirs(out, exist_ok=True)
for name, size, safe in [("icon-192.png", 192, 0.9), ("icon-512.png", 512, 0.9), ("icon-maskable-512.png", 512, 0.7)]:
    with open(os.path.join(out, name), "wb") as f:
        f.write(draw(size, safe))
    print("wrote", name)
