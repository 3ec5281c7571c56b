#!/usr/bin/env python3
"""Validates a workshop report.html with the standard library's HTML parser.

Checks: every tag is closed in order (void elements excepted), every <img> is a
data: URI whose base64 decodes to a PNG, nothing is loaded from elsewhere
(no src/href to a URL, no <script>, no <link>), and the table captioned
"Recipes compared" has one row per expected recipe, in order.
Usage: check_report.py report.html RECIPE [RECIPE...]
"""
import base64
import sys
from html.parser import HTMLParser

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
PNG = b"\x89PNG\r\n\x1a\n"


class Checker(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack, self.errors, self.images = [], [], 0
        self.tables = []  # [caption, rows], rows = first-cell texts of body rows
        self.in_caption = self.in_tbody = False
        self.cell, self.cell_index = None, 0

    def error(self, message):
        self.errors.append(f"line {self.getpos()[0]}: {message}")

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("script", "link", "iframe", "object"):
            self.error(f"<{tag}> in a self-contained report")
        for key in ("src", "href"):
            value = attrs.get(key) or ""
            if value and not value.startswith("data:") and not value.startswith("#"):
                self.error(f"<{tag} {key}=...> refers outside the file: {value[:60]}")
        if tag == "img":
            self.images += 1
            src = attrs.get("src") or ""
            prefix = "data:image/png;base64,"
            if not src.startswith(prefix):
                self.error("<img> without a PNG data URI")
            else:
                try:
                    data = base64.b64decode(src[len(prefix):], validate=True)
                except ValueError as e:
                    self.error(f"<img> base64 does not decode: {e}")
                else:
                    if not data.startswith(PNG):
                        self.error("<img> data is not a PNG")
        if tag == "table":
            self.tables.append(["", []])
        elif tag == "caption":
            self.in_caption = True
        elif tag == "tbody":
            self.in_tbody = True
        elif tag == "tr" and self.in_tbody:
            self.cell_index = 0
        elif tag == "td" and self.in_tbody:
            self.cell = "" if self.cell_index == 0 else None
            self.cell_index += 1
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.stack.pop()

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.error(f"</{tag}> closes <{self.stack[-1] if self.stack else 'nothing'}>")
            if tag in self.stack:
                while self.stack.pop() != tag:
                    pass
            return
        self.stack.pop()
        if tag == "caption":
            self.in_caption = False
        elif tag == "tbody":
            self.in_tbody = False
        elif tag == "td" and self.cell is not None:
            self.tables[-1][1].append(self.cell.strip())
            self.cell = None

    def handle_data(self, data):
        if self.in_caption and self.tables:
            self.tables[-1][0] += data
        if self.cell is not None:
            self.cell += data


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    with open(sys.argv[1], encoding="utf-8") as f:
        text = f.read()
    expected = sys.argv[2:]
    c = Checker()
    c.feed(text)
    c.close()
    if c.stack:
        c.errors.append(f"unclosed tags at the end: {c.stack}")
    if not text.startswith("<!DOCTYPE html>"):
        c.errors.append("no <!DOCTYPE html>")
    if c.images == 0:
        c.errors.append("no images")
    recipes = [rows for caption, rows in c.tables if caption.startswith("Recipes compared")]
    if len(recipes) != 1:
        c.errors.append(f"expected one 'Recipes compared' table, found {len(recipes)}")
    elif expected and recipes[0] != expected:
        c.errors.append(f"comparison table rows {recipes[0]}, expected {expected}")
    for e in c.errors:
        print("report.html:", e)
    if c.errors:
        sys.exit(1)
    print(f"report.html ok: {c.images} embedded PNGs, {len(c.tables)} tables, recipes {recipes[0]}")


if __name__ == "__main__":
    main()
