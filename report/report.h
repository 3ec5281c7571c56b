#pragma once
// Reports: a document of headings, a table of contents, paragraphs, tables,
// figures and preformatted text, rendered two ways from the same blocks:
//   - HTML that stands alone: inline CSS, every figure's SVG inlined (its ids
//     made unique on the page), no external CSS, fonts or scripts, so the file
//     opens offline and can be mailed;
//   - Markdown that links the figures' PNG files next to it (readable on a forge).
// Text is plain text everywhere; the renderers escape it (HTML entities,
// Markdown table pipes), so a class name like "<T-shirt>" cannot break the page.
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace advgrad::report {

// RFC 4648 base64 (standard alphabet, '=' padding, no line breaks).
std::string base64_encode(std::string_view bytes);
// &, <, >, " and ' as entities, so text is safe in element content and in
// attribute values.
std::string html_escape(std::string_view text);

// 0.1234 -> "12.3%" (the report's one way to print an accuracy).
std::string format_percent(double fraction, int decimals = 1);
// A number with `decimals` digits after the point ("1.50").
std::string format_fixed(double value, int decimals);

struct ReportTable {
  std::string caption;
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;  // each as many cells as header (checked when rendered)
};
// The table alone, as HTML (<table> with <caption>, <thead>, <tbody>) and as a
// Markdown pipe table (caption as a bold line above it). Throws advgrad::Error
// on an empty header or a row of the wrong width.
std::string table_html(const ReportTable& table);
std::string table_markdown(const ReportTable& table);

// The anchor of a heading: GitHub's rule, so that the same link works in the
// HTML and in the Markdown on a forge: lower case, letters, digits, '-', '_'
// and non-ASCII bytes kept, spaces to '-', everything else dropped
// ("1. Baseline: a CNN" -> "1-baseline-a-cnn"); "section" when nothing is left.
std::string heading_anchor(std::string_view text);

class Report {
 public:
  explicit Report(std::string title) : title_(std::move(title)) {}
  // A section (h2) with an anchor (heading_anchor; "-1", "-2" ... appended to
  // repeats), listed by toc().
  void heading(std::string text);
  void paragraph(std::string text);  // blank lines are not paragraphs: one call, one <p>
  void table(ReportTable table);
  // A figure written by write_figure(figure, DIR, stem): the HTML inlines
  // DIR/stem.svg, the Markdown links stem.png.
  void figure(std::string stem, std::string caption);
  void preformatted(std::string text);  // e.g. a training log excerpt
  // A section's one-sentence lesson, set apart ("Takeaway: ...").
  void takeaway(std::string text);
  // Something the reader must not miss, e.g. a failed training ("Note: ...").
  void warning(std::string text);
  // Here, a list of links to every heading of the report (those after it too).
  void toc();

  // Reads a figure's SVG document, given its stem.
  using SvgLoader = std::function<std::string(const std::string& stem)>;
  // `load` supplies each figure's SVG; one that is not an SVG document (or
  // holds a script) throws advgrad::Error (a report must not embed junk).
  std::string html(const SvgLoader& load) const;
  std::string markdown() const;
  const std::string& title() const { return title_; }

 private:
  enum class Kind { Heading, Paragraph, Table, Figure, Preformatted, Toc, Takeaway, Warning };
  struct Block {
    Kind kind;
    std::string text, name;  // name: the Figure's stem, the Heading's anchor
    ReportTable table;       // Table only
  };
  std::string title_;
  std::vector<Block> blocks_;
};

// Writes DIR/report.html (figures read from DIR/stem.svg) and DIR/report.md,
// each atomically; a figure whose .svg or .png is missing throws before either
// file is written.
void write_report(const Report& report, const std::string& dir);

}  // namespace advgrad::report
