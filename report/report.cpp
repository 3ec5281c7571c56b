#include "advgrad/report/report.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <sstream>

#include "advgrad/core/error.h"
#include "advgrad/io/atomic_file.h"
#include "advgrad/report/figure.h"

namespace advgrad::report {

std::string base64_encode(std::string_view bytes) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  std::size_t i = 0;
  // Three bytes (24 bits) become four 6-bit digits.
  for (; i + 3 <= bytes.size(); i += 3) {
    const std::uint32_t v = static_cast<std::uint8_t>(bytes[i]) << 16 | static_cast<std::uint8_t>(bytes[i + 1]) << 8 |
                            static_cast<std::uint8_t>(bytes[i + 2]);
    out += kAlphabet[v >> 18];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += kAlphabet[v & 63];
  }
  // One or two bytes left: pad the missing digits with '='.
  const std::size_t left = bytes.size() - i;
  if (left > 0) {
    std::uint32_t v = static_cast<std::uint8_t>(bytes[i]) << 16;
    if (left == 2) v |= static_cast<std::uint8_t>(bytes[i + 1]) << 8;
    out += kAlphabet[v >> 18];
    out += kAlphabet[(v >> 12) & 63];
    out += left == 2 ? kAlphabet[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

std::string html_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string format_percent(double fraction, int decimals) { return format_fixed(100 * fraction, decimals) + "%"; }

std::string format_fixed(double value, int decimals) {
  std::ostringstream s;
  s << std::fixed << std::setprecision(decimals) << value;
  return s.str();
}

namespace {

void check_table(const ReportTable& t) {
  ADVGRAD_CHECK(!t.header.empty(), "report table '", t.caption, "': no columns");
  for (std::size_t r = 0; r < t.rows.size(); ++r)
    ADVGRAD_CHECK(t.rows[r].size() == t.header.size(), "report table '", t.caption, "': row ", r, " has ",
                  t.rows[r].size(), " cells, the header ", t.header.size());
}

// A Markdown table cell: '|' would end the cell and a newline the row.
std::string markdown_cell(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '|') out += "\\|";
    else if (c == '\n') out += ' ';
    else out += c;
  }
  return out;
}

// An SVG document as written by Figure::svg: an optional XML declaration,
// then the <svg> element and nothing else; no scripts.
std::string_view svg_element(const std::string& svg, const std::string& stem) {
  std::string_view v = svg;
  while (!v.empty() && std::isspace(static_cast<unsigned char>(v.front()))) v.remove_prefix(1);
  while (!v.empty() && std::isspace(static_cast<unsigned char>(v.back()))) v.remove_suffix(1);
  if (v.starts_with("<?xml")) {
    const std::size_t end = v.find("?>");
    v.remove_prefix(end == std::string_view::npos ? v.size() : end + 2);
    while (!v.empty() && std::isspace(static_cast<unsigned char>(v.front()))) v.remove_prefix(1);
  }
  ADVGRAD_CHECK(v.starts_with("<svg") && v.ends_with("</svg>"), "report: figure '", stem,
                ".svg' is not an SVG document");
  ADVGRAD_CHECK(v.find("<script") == std::string_view::npos && v.find("<foreignObject") == std::string_view::npos,
                "report: figure '", stem, ".svg' holds a script or foreign content");
  return v;
}

void check_stem(const std::string& stem) {
  const bool ok = !stem.empty() && stem.front() != '.' && std::all_of(stem.begin(), stem.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
  });
  ADVGRAD_CHECK(ok, "report: figure stem '", stem, "' must be a file name of letters, digits, '-', '_' and '.'");
}

// Numbers ("77.8% [74.0, 81.2]", "0.5", "-") are right-aligned and kept on one
// line; words are left-aligned and wrap.
bool looks_numeric(const std::string& cell) {
  if (cell == "-") return true;
  bool digit = false;
  for (char c : cell) {
    if (std::isdigit(static_cast<unsigned char>(c))) digit = true;
    else if (std::string_view(".,%[]- +").find(c) == std::string_view::npos) return false;  // a word
  }
  return digit;
}

// Small, readable, and printable: no web fonts, nothing fetched.
constexpr const char* kStyle =
    "body{font-family:sans-serif;max-width:60em;margin:2em auto;padding:0 1em;color:#222;line-height:1.45}"
    "table{border-collapse:collapse;margin:1em 0}caption{font-weight:bold;text-align:left;padding:.3em 0}"
    "th,td{border:1px solid #bbb;padding:.25em .6em;text-align:left;vertical-align:top}th{background:#eee}"
    "td.n{text-align:right;white-space:nowrap}figure{margin:1em 0}"
    "figure svg{display:block;max-width:100%;height:auto}"
    "figcaption{font-size:90%;color:#555}pre{background:#f6f6f6;padding:.6em;overflow-x:auto}"
    "nav.toc ul{list-style:none;padding-left:1em}"
    "p.takeaway{border-left:4px solid #2b6cb0;background:#eef4fb;padding:.5em .8em}"
    "p.warning{border-left:4px solid #c05621;background:#fdf0e6;padding:.5em .8em}"
    "table{font-size:92%}";

}  // namespace

std::string table_html(const ReportTable& t) {
  check_table(t);
  std::ostringstream s;
  s << "<table>\n";
  if (!t.caption.empty()) s << "<caption>" << html_escape(t.caption) << "</caption>\n";
  s << "<thead><tr>";
  for (const auto& h : t.header) s << "<th>" << html_escape(h) << "</th>";
  s << "</tr></thead>\n<tbody>\n";
  for (const auto& row : t.rows) {
    s << "<tr>";
    for (const auto& cell : row) s << (looks_numeric(cell) ? "<td class=\"n\">" : "<td>") << html_escape(cell) << "</td>";
    s << "</tr>\n";
  }
  s << "</tbody>\n</table>\n";
  return s.str();
}

std::string table_markdown(const ReportTable& t) {
  check_table(t);
  std::ostringstream s;
  if (!t.caption.empty()) s << "**" << markdown_cell(t.caption) << "**\n\n";
  s << "|";
  for (const auto& h : t.header) s << ' ' << markdown_cell(h) << " |";
  s << "\n|";
  for (std::size_t i = 0; i < t.header.size(); ++i) s << (i == 0 ? " --- |" : " ---: |");
  s << "\n";
  for (const auto& row : t.rows) {
    s << "|";
    for (const auto& cell : row) s << ' ' << markdown_cell(cell) << " |";
    s << "\n";
  }
  return s.str();
}

std::string heading_anchor(std::string_view text) {
  std::string out;
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (u >= 0x80 || std::isalnum(u) || c == '-' || c == '_') out += static_cast<char>(u < 0x80 ? std::tolower(u) : u);
    else if (c == ' ') out += '-';
  }
  return out.empty() ? "section" : out;
}

void Report::heading(std::string text) {
  // Repeats get "-1", "-2", ... as on GitHub.
  const std::string base = heading_anchor(text);
  std::string anchor = base;
  for (int k = 1;; ++k) {
    const bool taken = std::any_of(blocks_.begin(), blocks_.end(),
                                   [&](const Block& b) { return b.kind == Kind::Heading && b.name == anchor; });
    if (!taken) break;
    anchor = base + "-" + std::to_string(k);
  }
  blocks_.push_back({Kind::Heading, std::move(text), std::move(anchor), {}});
}
void Report::paragraph(std::string text) { blocks_.push_back({Kind::Paragraph, std::move(text), {}, {}}); }
void Report::table(ReportTable table) { blocks_.push_back({Kind::Table, {}, {}, std::move(table)}); }
void Report::figure(std::string stem, std::string caption) {
  check_stem(stem);
  blocks_.push_back({Kind::Figure, std::move(caption), std::move(stem), {}});
}
void Report::preformatted(std::string text) { blocks_.push_back({Kind::Preformatted, std::move(text), {}, {}}); }
void Report::toc() { blocks_.push_back({Kind::Toc, {}, {}, {}}); }
void Report::takeaway(std::string text) { blocks_.push_back({Kind::Takeaway, std::move(text), {}, {}}); }
void Report::warning(std::string text) { blocks_.push_back({Kind::Warning, std::move(text), {}, {}}); }

std::string Report::html(const SvgLoader& load) const {
  std::ostringstream s;
  s << "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>" << html_escape(title_)
    << "</title>\n<style>" << kStyle << "</style>\n</head>\n<body>\n<h1>" << html_escape(title_) << "</h1>\n";
  int figures = 0;
  for (const auto& b : blocks_) {
    switch (b.kind) {
      case Kind::Heading:
        s << "<h2 id=\"" << html_escape(b.name) << "\">" << html_escape(b.text) << "</h2>\n";
        break;
      case Kind::Paragraph: s << "<p>" << html_escape(b.text) << "</p>\n"; break;
      case Kind::Takeaway:
        s << "<p class=\"takeaway\"><strong>Takeaway:</strong> " << html_escape(b.text) << "</p>\n";
        break;
      case Kind::Warning: s << "<p class=\"warning\"><strong>Note:</strong> " << html_escape(b.text) << "</p>\n"; break;
      case Kind::Table: s << table_html(b.table); break;
      case Kind::Preformatted: s << "<pre>" << html_escape(b.text) << "</pre>\n"; break;
      case Kind::Toc:
        s << "<nav class=\"toc\" aria-label=\"Contents\"><strong>Contents</strong>\n<ul>\n";
        for (const auto& h : blocks_)
          if (h.kind == Kind::Heading)
            s << "<li><a href=\"#" << html_escape(h.name) << "\">" << html_escape(h.text) << "</a></li>\n";
        s << "</ul>\n</nav>\n";
        break;
      case Kind::Figure: {
        // Every figure's ids get their own prefix: Cairo names the glyphs of
        // each SVG "glyph0-1", ..., and one page must not define an id twice.
        const std::string svg = load(b.name);
        const std::string inline_svg =
            rename_svg_ids(svg_element(svg, b.name), "figure" + std::to_string(++figures) + "-");
        s << "<figure>\n<svg role=\"img\" aria-label=\"" << html_escape(b.text) << "\""
          << std::string_view(inline_svg).substr(4) << "\n<figcaption>" << html_escape(b.text)
          << "</figcaption>\n</figure>\n";
        break;
      }
    }
  }
  s << "</body>\n</html>\n";
  return s.str();
}

std::string Report::markdown() const {
  std::ostringstream s;
  s << "# " << title_ << "\n\n";
  for (const auto& b : blocks_) {
    switch (b.kind) {
      case Kind::Heading: s << "## " << b.text << "\n\n"; break;
      case Kind::Paragraph: s << b.text << "\n\n"; break;
      case Kind::Takeaway: s << "> **Takeaway:** " << b.text << "\n\n"; break;
      case Kind::Warning: s << "> **Note:** " << b.text << "\n\n"; break;
      case Kind::Table: s << table_markdown(b.table) << "\n"; break;
      case Kind::Preformatted: s << "```\n" << b.text << (b.text.ends_with('\n') ? "" : "\n") << "```\n\n"; break;
      case Kind::Toc:
        s << "**Contents**\n\n";
        for (const auto& h : blocks_)
          if (h.kind == Kind::Heading) s << "- [" << markdown_cell(h.text) << "](#" << h.name << ")\n";
        s << "\n";
        break;
      case Kind::Figure:
        s << "![" << markdown_cell(b.text) << "](" << b.name << ".png)\n\n*" << b.text << "*\n\n";
        break;
    }
  }
  return s.str();
}

void write_report(const Report& report, const std::string& dir) {
  const auto read = [&dir](const std::string& file) {
    const std::string path = (std::filesystem::path(dir) / file).string();
    std::ifstream in(path, std::ios::binary);
    ADVGRAD_CHECK(in.good(), "report: cannot read figure ", path);
    std::ostringstream bytes;
    bytes << in.rdbuf();
    return bytes.str();
  };
  // The Markdown links the PNGs: each must be there beside its SVG.
  const auto load = [&](const std::string& stem) {
    const std::string png = (std::filesystem::path(dir) / (stem + ".png")).string();
    ADVGRAD_CHECK(std::filesystem::is_regular_file(png), "report: cannot read figure ", png);
    return read(stem + ".svg");
  };
  // HTML first: it reads every figure, so a missing one fails before either file changes.
  const std::string html = report.html(load);
  io::write_file_atomically((std::filesystem::path(dir) / "report.html").string(), html);
  io::write_file_atomically((std::filesystem::path(dir) / "report.md").string(), report.markdown());
}

}  // namespace advgrad::report
