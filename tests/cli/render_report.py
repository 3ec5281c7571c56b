#!/usr/bin/env python3
"""Renders a workshop report.html in headless Chromium, as a reader's browser would.

Usage: render_report.py REPORT_HTML SCREENSHOT_PNG

Checks, failing with a message naming what broke:
  - Chromium loads the page and writes a screenshot (exit status, file written);
  - the DOM Chromium built holds every inline <svg> figure of the file, each with
    a non-zero size (a figure that failed to parse would be missing or empty);
  - the screenshot is a real PNG of the window's size and is not blank.
Exits 77 (CTest's SKIP_RETURN_CODE) when no Chromium is installed, so a machine
without it shows the test as skipped, never as passed. Standard library only.
"""
import html.parser
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import zlib

WIDTH, HEIGHT = 1280, 9000  # tall enough for several sections of the report


def find_chromium():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


def chromium_args(chromium, profile):
    # --no-sandbox: CI runs as root; the profile directory keeps runs apart.
    return [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
            "--user-data-dir=" + profile, "--window-size=%d,%d" % (WIDTH, HEIGHT)]


class SvgCounter(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.svgs = []

    def handle_starttag(self, tag, attrs):
        if tag == "svg":
            self.svgs.append(dict(attrs))


def svgs_of(text):
    p = SvgCounter()
    p.feed(text)
    return p.svgs


def png_pixels(path):
    """Width, height and rows of RGB(A) bytes of an 8-bit non-interlaced PNG."""
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG")
    pos, idat, width = 8, b"", None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, color, _, _, interlace = struct.unpack(">IIBBBBB", body)
            if depth != 8 or interlace or color not in (2, 6):
                raise ValueError("unexpected PNG format (depth %d, colour %d)" % (depth, color))
            channels = 3 if color == 2 else 4
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    raw = zlib.decompress(idat)
    stride = width * channels
    rows, prev = [], bytearray(stride)
    for y in range(height):
        f, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):  # undo the PNG filter of this row
            a = line[i - channels] if i >= channels else 0
            b, c = prev[i], (prev[i - channels] if i >= channels else 0)
            if f == 1:
                line[i] = (line[i] + a) & 255
            elif f == 2:
                line[i] = (line[i] + b) & 255
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(bytes(line))
        prev = line
    return width, height, channels, rows


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    report, shot = sys.argv[1], sys.argv[2]
    chromium = find_chromium()
    if not chromium:
        print("SKIPPED: no chromium installed (Debian: apt-get install chromium)")
        sys.exit(77)
    url = "file://" + os.path.abspath(report)
    expected = svgs_of(open(report, encoding="utf-8").read())
    failures = []
    with tempfile.TemporaryDirectory() as profile:
        dom = subprocess.run(chromium_args(chromium, profile) + ["--dump-dom", url], capture_output=True,
                             text=True, timeout=120)
        if dom.returncode != 0:
            failures.append("chromium --dump-dom exited %d: %s" % (dom.returncode, dom.stderr[-500:]))
        rendered = svgs_of(dom.stdout)
        if len(rendered) != len(expected):
            failures.append("the page has %d <svg> figures but Chromium's DOM holds %d" %
                            (len(expected), len(rendered)))
        for i, attrs in enumerate(rendered):
            size = [attrs.get("width", ""), attrs.get("height", ""), attrs.get("viewbox", "")]
            if not any(s and s.split()[0] not in ("0", "0pt", "0px") for s in size):
                failures.append("<svg> number %d has no size (%s)" % (i + 1, attrs))
        if os.path.exists(shot):
            os.remove(shot)
        run = subprocess.run(chromium_args(chromium, profile) + ["--screenshot=" + os.path.abspath(shot), url],
                             capture_output=True, text=True, timeout=120)
        if run.returncode != 0 or not os.path.exists(shot):
            failures.append("chromium --screenshot exited %d and wrote %s: %s" %
                            (run.returncode, "a file" if os.path.exists(shot) else "nothing", run.stderr[-500:]))
    if not failures:
        width, height, channels, rows = png_pixels(shot)
        if (width, height) != (WIDTH, HEIGHT):
            failures.append("screenshot is %dx%d, expected %dx%d" % (width, height, WIDTH, HEIGHT))
        inked = sum(1 for row in rows[::7] for x in range(0, width * channels, 7 * channels)
                    if min(row[x:x + 3]) < 200)
        sampled = len(rows[::7]) * len(range(0, width * channels, 7 * channels))
        if inked < 0.01 * sampled:
            failures.append("screenshot is blank (%d of %d sampled pixels drawn)" % (inked, sampled))
    if failures:
        print("\n".join("render_report: " + f for f in failures))
        sys.exit(1)
    print("render_report: %s rendered by %s: %d inline SVG figures, screenshot %s" %
          (report, os.path.basename(chromium), len(expected), shot))


if __name__ == "__main__":
    main()
