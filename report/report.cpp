#include "advgrad/report/report.h"

#include <filesystem>
#include <fstream>
#include <iomanip>
#include <sstream>

#include "advgrad/core/error.h"
#include "advgrad/io/atomic_file.h"
#include "advgrad/nn/safetensors.h"

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

bool is_png(const std::string& bytes) { return bytes.rfind("\x89PNG\r\n\x1a\n", 0) == 0; }

// Small, readable, and printable: no web fonts, nothing fetched.
constexpr const char* kStyle =
    "body{font-family:sans-serif;max-width:60em;margin:2em auto;padding:0 1em;color:#222;line-height:1.45}"
    "table{border-collapse:collapse;margin:1em 0}caption{font-weight:bold;text-align:left;padding:.3em 0}"
    "th,td{border:1px solid #bbb;padding:.25em .6em;text-align:right}th{background:#eee}"
    "td:first-child,th:first-child{text-align:left}figure{margin:1em 0}img{max-width:100%;image-rendering:pixelated}"
    "figcaption{font-size:90%;color:#555}pre{background:#f6f6f6;padding:.6em;overflow-x:auto}";

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
    for (const auto& cell : row) s << "<td>" << html_escape(cell) << "</td>";
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

void Report::heading(std::string text) { blocks_.push_back({Kind::Heading, std::move(text), {}, {}}); }
void Report::paragraph(std::string text) { blocks_.push_back({Kind::Paragraph, std::move(text), {}, {}}); }
void Report::table(ReportTable table) { blocks_.push_back({Kind::Table, {}, {}, std::move(table)}); }
void Report::image(std::string file, std::string caption) {
  blocks_.push_back({Kind::Image, std::move(caption), std::move(file), {}});
}
void Report::preformatted(std::string text) { blocks_.push_back({Kind::Preformatted, std::move(text), {}, {}}); }

std::string Report::html(const ImageLoader& load) const {
  std::ostringstream s;
  s << "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>" << html_escape(title_)
    << "</title>\n<style>" << kStyle << "</style>\n</head>\n<body>\n<h1>" << html_escape(title_) << "</h1>\n";
  for (const auto& b : blocks_) {
    switch (b.kind) {
      case Kind::Heading: s << "<h2>" << html_escape(b.text) << "</h2>\n"; break;
      case Kind::Paragraph: s << "<p>" << html_escape(b.text) << "</p>\n"; break;
      case Kind::Table: s << table_html(b.table); break;
      case Kind::Preformatted: s << "<pre>" << html_escape(b.text) << "</pre>\n"; break;
      case Kind::Image: {
        const std::string bytes = load(b.file);
        ADVGRAD_CHECK(is_png(bytes), "report: image '", b.file, "' is not a PNG file");
        s << "<figure><img src=\"data:image/png;base64," << base64_encode(bytes) << "\" alt=\"" << html_escape(b.text)
          << "\"><figcaption>" << html_escape(b.text) << "</figcaption></figure>\n";
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
      case Kind::Table: s << table_markdown(b.table) << "\n"; break;
      case Kind::Preformatted: s << "```\n" << b.text << (b.text.ends_with('\n') ? "" : "\n") << "```\n\n"; break;
      case Kind::Image: s << "![" << markdown_cell(b.text) << "](" << b.file << ")\n\n*" << b.text << "*\n\n"; break;
    }
  }
  return s.str();
}

void write_report(const Report& report, const std::string& dir) {
  const auto load = [&dir](const std::string& file) {
    const std::string path = (std::filesystem::path(dir) / file).string();
    std::ifstream in(path, std::ios::binary);
    ADVGRAD_CHECK(in.good(), "report: cannot read image ", path);
    std::ostringstream bytes;
    bytes << in.rdbuf();
    return bytes.str();
  };
  // HTML first: it reads every image, so a missing figure fails before either file changes.
  const std::string html = report.html(load);
  io::write_file_atomically((std::filesystem::path(dir) / "report.html").string(), html);
  io::write_file_atomically((std::filesystem::path(dir) / "report.md").string(), report.markdown());
}

}  // namespace advgrad::report
