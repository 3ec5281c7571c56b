#pragma once
// Reports: a document of headings, paragraphs, tables, images and
// preformatted text, rendered two ways from the same blocks:
//   - HTML that stands alone: inline CSS, every image embedded as a base64
//     data URI, no external CSS/JS, so the file opens offline and can be mailed;
//   - Markdown that links the PNG files next to it (readable on a forge).
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

class Report {
 public:
  explicit Report(std::string title) : title_(std::move(title)) {}
  void heading(std::string text);    // a section (h2)
  void paragraph(std::string text);  // blank lines are not paragraphs: one call, one <p>
  void table(ReportTable table);
  // A PNG file, relative to the report's directory.
  void image(std::string file, std::string caption);
  void preformatted(std::string text);  // e.g. a training log excerpt

  // Reads an image file's bytes, given the name passed to image().
  using ImageLoader = std::function<std::string(const std::string& file)>;
  // `load` supplies the PNG bytes to embed; a file that does not start with
  // the PNG signature throws advgrad::Error (a report must not embed junk).
  std::string html(const ImageLoader& load) const;
  std::string markdown() const;
  const std::string& title() const { return title_; }

 private:
  enum class Kind { Heading, Paragraph, Table, Image, Preformatted };
  struct Block {
    Kind kind;
    std::string text, file;  // file: Image only
    ReportTable table;       // Table only
  };
  std::string title_;
  std::vector<Block> blocks_;
};

// Writes DIR/report.html (images read from DIR) and DIR/report.md, each atomically.
void write_report(const Report& report, const std::string& dir);

}  // namespace advgrad::report
