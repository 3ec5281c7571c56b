#!/usr/bin/env python3
"""Validates a workshop report.html (and the report.md beside it) with the
standard library's HTML and XML parsers.

Checks: every tag is closed in order (void elements excepted); every inline
<svg> figure parses as XML; ids are unique on the page and every internal
reference (href="#id", xlink:href="#id", url(#id)) names one of them, the
table of contents' links included; nothing is loaded from elsewhere (no
src/href to a URL, no <script>, no <link>, no <img>, no @import or url() to a
file); the table captioned "Recipes compared" has one row per expected recipe,
in order; and every image report.md links exists next to it.
Usage: check_report.py report.html RECIPE [RECIPE...]
"""
import os
import re
import sys
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
# Inside <svg>, elements may close themselves (<path/>), as in XML.
SVG_TAG = re.compile(r"<svg\b.*?</svg>", re.S)


class Checker(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack, self.errors, self.figures = [], [], 0
        self.ids, self.refs = [], []
        self.tables = []  # [caption, rows], rows = first-cell texts of body rows
        self.in_caption = self.in_tbody = False
        self.cell, self.cell_index = None, 0

    def error(self, message):
        self.errors.append(f"line {self.getpos()[0]}: {message}")

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("script", "link", "iframe", "object", "img"):
            self.error(f"<{tag}> in a report whose figures are inline SVG")
        if "id" in attrs:
            self.ids.append(attrs["id"])
        for key in ("src", "href", "xlink:href"):
            value = attrs.get(key) or ""
            if value.startswith("#"):
                self.refs.append(value[1:])
            elif value and not value.startswith("data:"):
                self.error(f"<{tag} {key}=...> refers outside the file: {value[:60]}")
        for value in attrs.values():
            for ref in re.findall(r"url\(#([^)]*)\)", value or ""):
                self.refs.append(ref)
        if tag == "svg" and not any(t == "svg" for t in self.stack):
            self.figures += 1
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


def check_svgs(text, errors):
    """Each inline <svg> is well-formed XML (xlink is declared on it by Cairo)."""
    count = 0
    for match in SVG_TAG.finditer(text):
        count += 1
        try:
            ET.fromstring(match.group(0))
        except ET.ParseError as e:
            errors.append(f"inline <svg> number {count} does not parse as XML: {e}")
    return count


def check_markdown(html_path, errors):
    """Every image report.md links is a file beside it."""
    md_path = os.path.join(os.path.dirname(html_path), "report.md")
    if not os.path.exists(md_path):
        errors.append("no report.md beside report.html")
        return 0
    with open(md_path, encoding="utf-8") as f:
        links = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", f.read())
    for link in links:
        if not os.path.isfile(os.path.join(os.path.dirname(md_path), link)):
            errors.append(f"report.md links {link}, which is not there")
    return len(links)


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
    if c.figures == 0:
        c.errors.append("no figures")
    if check_svgs(text, c.errors) != c.figures:
        c.errors.append("the HTML and XML parsers count the <svg> figures differently")
    seen = set()
    for i in c.ids:
        if i in seen:
            c.errors.append(f"id '{i}' defined twice")
        seen.add(i)
    dangling = sorted(set(r for r in c.refs if r not in seen))
    if dangling:
        c.errors.append(f"{len(dangling)} reference(s) to missing ids, e.g. #{dangling[0]}")
    if re.search(r"@import|url\((?!#)", text):
        c.errors.append("CSS that loads a file (@import or url() to something other than an id)")
    images = check_markdown(sys.argv[1], c.errors)
    recipes = [rows for caption, rows in c.tables if caption.startswith("Recipes compared")]
    if len(recipes) != 1:
        c.errors.append(f"expected one 'Recipes compared' table, found {len(recipes)}")
    elif expected and recipes[0] != expected:
        c.errors.append(f"comparison table rows {recipes[0]}, expected {expected}")
    for e in c.errors:
        print("report.html:", e)
    if c.errors:
        sys.exit(1)
    print(f"report.html ok: {c.figures} inline SVG figures, {len(c.ids)} unique ids, {len(c.tables)} tables, "
          f"recipes {recipes[0]}; report.md links {images} images, all present")


if __name__ == "__main__":
    main()
