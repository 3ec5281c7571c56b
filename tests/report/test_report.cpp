// The report writer: base64 against RFC 4648's test vectors, HTML escaping,
// tables in HTML and Markdown, figures inlined as SVG with ids unique on the
// page, the table of contents, and the files it writes.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <thread>

#include "advgrad/report/heat_map.h"
#include "advgrad/report/line_chart.h"
#include "advgrad/report/report.h"
#include "expect_error.h"
#include "report/figure_testing.h"
#include "testing.h"

namespace advgrad::report {
namespace {

using advgrad::testing::expect_error;
namespace fs = std::filesystem;

using advgrad::testing::temp_dir;

TEST(Base64, Rfc4648TestVectors) {
  EXPECT_EQ(base64_encode(""), "");
  EXPECT_EQ(base64_encode("f"), "Zg==");
  EXPECT_EQ(base64_encode("fo"), "Zm8=");
  EXPECT_EQ(base64_encode("foo"), "Zm9v");
  EXPECT_EQ(base64_encode("foob"), "Zm9vYg==");
  EXPECT_EQ(base64_encode("fooba"), "Zm9vYmE=");
  EXPECT_EQ(base64_encode("foobar"), "Zm9vYmFy");
}

TEST(Base64, HighBytesUseTheWholeAlphabet) {
  EXPECT_EQ(base64_encode(std::string("\xff\xff\xff", 3)), "////");
  EXPECT_EQ(base64_encode(std::string("\xfb\xef\xbe", 3)), "++++");
  EXPECT_EQ(base64_encode(std::string("\0\0\0", 3)), "AAAA");
  EXPECT_EQ(base64_encode("\x89PNG"), "iVBORw==");
}

TEST(HtmlEscape, EscapesMarkupAndQuotes) {
  EXPECT_EQ(html_escape("plain text"), "plain text");
  EXPECT_EQ(html_escape("<script>alert('x') & \"y\"</script>"),
            "&lt;script&gt;alert(&#39;x&#39;) &amp; &quot;y&quot;&lt;/script&gt;");
  EXPECT_EQ(html_escape("&amp;"), "&amp;amp;");  // text, not markup: escaped again
}

TEST(Format, PercentAndFixed) {
  EXPECT_EQ(format_percent(0.1234), "12.3%");
  EXPECT_EQ(format_percent(1.0, 0), "100%");
  EXPECT_EQ(format_fixed(1.5, 2), "1.50");
}

ReportTable sample_table() {
  return {"Recipes <compared>", {"recipe", "clean"}, {{"none", "98.0%"}, {"a|b <T-shirt>", "50.0%"}}};
}

TEST(ReportTable, Html) {
  const std::string html = table_html(sample_table());
  EXPECT_NE(html.find("<caption>Recipes &lt;compared&gt;</caption>"), std::string::npos);
  EXPECT_NE(html.find("<thead><tr><th>recipe</th><th>clean</th></tr></thead>"), std::string::npos);
  // Numbers are right-aligned cells (class "n"), words are not.
  EXPECT_NE(html.find("<tr><td>none</td><td class=\"n\">98.0%</td></tr>"), std::string::npos);
  EXPECT_NE(html.find("<td>a|b &lt;T-shirt&gt;</td>"), std::string::npos);
  // Only a cell made of a number (with its interval) is a number.
  const std::string mixed = table_html({"", {"a", "b", "c"}, {{"84.1% [81.7, 86.2]", "40 steps of PGD", "-"}}});
  EXPECT_NE(mixed.find("<td class=\"n\">84.1% [81.7, 86.2]</td><td>40 steps of PGD</td><td class=\"n\">-</td>"),
            std::string::npos)
      << mixed;
  std::size_t rows = 0;
  for (std::size_t p = html.find("<tr>"); p != std::string::npos; p = html.find("<tr>", p + 1)) ++rows;
  EXPECT_EQ(rows, 3u);  // header + 2
}

TEST(ReportTable, Markdown) {
  const std::string md = table_markdown(sample_table());
  EXPECT_EQ(md,
            "**Recipes <compared>**\n\n"
            "| recipe | clean |\n"
            "| --- | ---: |\n"
            "| none | 98.0% |\n"
            "| a\\|b <T-shirt> | 50.0% |\n");
}

TEST(ReportTable, RejectsRaggedRowsAndNoColumns) {
  ReportTable t = sample_table();
  t.rows[1].pop_back();
  expect_error([&] { table_html(t); }, {"row 1 has 1 cells"});
  expect_error([&] { table_markdown(ReportTable{"x", {}, {}}); }, {"no columns"});
}

// Two real figures whose Cairo ids collide ("glyph0-1", ...) before renaming.
std::map<std::string, std::string> two_figures() {
  const Figure chart =
      line_chart({{"standard", {0, 0.1, 0.2}, {0.9, 0.4, 0.1}, {}, {}}, {"robust", {0, 0.1, 0.2}, {0.8, 0.7, 0.6}, {}, {}}},
                 {.title = "accuracy", .x_label = "eps", .y_label = "accuracy"});
  const Figure matrix = confusion_matrix({{5, 1}, {2, 7}}, {"cat", "dog"}, "confusion");
  return {{"chart", chart.svg()}, {"matrix", matrix.svg()}};
}

// Each <svg ...>...</svg> element of a page.
std::vector<std::string> svg_elements(const std::string& html) {
  std::vector<std::string> out;
  for (std::size_t p = html.find("<svg"); p != std::string::npos; p = html.find("<svg", p + 1)) {
    const std::size_t end = html.find("</svg>", p);
    out.push_back(html.substr(p, end + 6 - p));
  }
  return out;
}

TEST(Report, HtmlInlinesEachFigureAsSvgWithItsOwnIds) {
  const auto svgs = two_figures();
  EXPECT_NE(svgs.at("chart").find("id=\"c1\""), std::string::npos);
  EXPECT_NE(svgs.at("matrix").find("id=\"c1\""), std::string::npos) << "each document numbers its ids from 1";
  Report r("Title & more");
  r.heading("Section <1>");
  r.paragraph("Some text");
  r.table(sample_table());
  r.figure("chart", "A \"figure\"");
  r.figure("matrix", "Another");
  r.preformatted("log <line>\n");
  std::vector<std::string> asked;
  const std::string html = r.html([&](const std::string& stem) {
    asked.push_back(stem);
    return svgs.at(stem);
  });
  EXPECT_EQ(asked, (std::vector<std::string>{"chart", "matrix"}));
  EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_NE(html.find("<title>Title &amp; more</title>"), std::string::npos);
  EXPECT_NE(html.find("<h2 id=\"section-1\">Section &lt;1&gt;</h2>"), std::string::npos);
  EXPECT_NE(html.find("<figure>\n<svg role=\"img\" aria-label=\"A &quot;figure&quot;\" xmlns="), std::string::npos);
  EXPECT_NE(html.find("<figcaption>A &quot;figure&quot;</figcaption>"), std::string::npos);
  EXPECT_NE(html.find("<pre>log &lt;line&gt;\n</pre>"), std::string::npos);
  EXPECT_EQ(html.find("<?xml"), std::string::npos) << "no XML declaration inside HTML";
  const auto elements = svg_elements(html);
  ASSERT_EQ(elements.size(), 2u);
  for (const auto& e : elements) EXPECT_EQ(advgrad::testing::xml_problem(e), "");
  EXPECT_EQ(advgrad::testing::id_problem(html), "") << "ids unique on the page, every reference resolved";
  EXPECT_NE(elements[1].find("id=\"figure2-1\""), std::string::npos);
  // Nothing fetched from elsewhere (the SVG namespaces are names, not fetches).
  EXPECT_EQ(html.find("<link"), std::string::npos);
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("<img"), std::string::npos);
  EXPECT_EQ(html.find("@import"), std::string::npos);
  for (const std::string& href : advgrad::testing::values_after(html, "href=\"", '"'))
    EXPECT_TRUE(href.starts_with("#") || href.starts_with("data:")) << href;
}

TEST(Report, RefusesToInlineSomethingThatIsNotAnSvg) {
  Report r("t");
  r.figure("fig", "x");
  expect_error([&] { r.html([](const std::string&) { return std::string("GIF89a"); }); }, {"fig.svg", "not an SVG"});
  expect_error([&] { r.html([](const std::string&) { return std::string("<svg><script>alert(1)</script></svg>"); }); },
               {"fig.svg", "script"});
  expect_error([] { Report("t").figure("../up", "x"); }, {"figure stem", "../up"});
}

TEST(Report, TakeawaysAndWarningsStandApart) {
  Report r("t");
  r.takeaway("PGD-AT <holds>");
  r.warning("failed training");
  const std::string html = r.html([](const std::string&) { return std::string(); });
  EXPECT_NE(html.find("<p class=\"takeaway\"><strong>Takeaway:</strong> PGD-AT &lt;holds&gt;</p>"), std::string::npos);
  EXPECT_NE(html.find("<p class=\"warning\"><strong>Note:</strong> failed training</p>"), std::string::npos);
  EXPECT_NE(r.markdown().find("> **Takeaway:** PGD-AT <holds>"), std::string::npos);
  EXPECT_NE(r.markdown().find("> **Note:** failed training"), std::string::npos);
}

TEST(Report, MarkdownLinksThePngFiles) {
  Report r("Title");
  r.heading("Part");
  r.figure("fig", "the figure");
  const std::string md = r.markdown();
  EXPECT_EQ(md.rfind("# Title\n", 0), 0u);
  EXPECT_NE(md.find("## Part\n"), std::string::npos);
  EXPECT_NE(md.find("![the figure](fig.png)"), std::string::npos);
}

TEST(Report, TableOfContentsLinksEveryHeading) {
  EXPECT_EQ(heading_anchor("1. Baseline: a CNN trained the standard way"), "1-baseline-a-cnn-trained-the-standard-way");
  EXPECT_EQ(heading_anchor("Files"), "files");
  EXPECT_EQ(heading_anchor("??"), "section");
  EXPECT_EQ(heading_anchor("Größe of δ"), "größe-of-δ");  // non-ASCII kept, as on GitHub
  Report r("t");
  r.paragraph("intro");
  r.toc();
  r.heading("1. Baseline: a CNN");
  r.heading("Files");
  r.heading("Files");
  const std::string html = r.html([](const std::string&) { return std::string(); });
  EXPECT_LT(html.find("<nav class=\"toc\""), html.find("<h2"));
  for (const char* anchor : {"1-baseline-a-cnn", "files", "files-1"}) {
    EXPECT_NE(html.find("<a href=\"#" + std::string(anchor) + "\">"), std::string::npos) << anchor;
    EXPECT_NE(html.find("<h2 id=\"" + std::string(anchor) + "\">"), std::string::npos) << anchor;
  }
  EXPECT_EQ(advgrad::testing::id_problem(html), "") << "every TOC link resolves";
  const std::string md = r.markdown();
  EXPECT_NE(md.find("- [1. Baseline: a CNN](#1-baseline-a-cnn)\n- [Files](#files)\n- [Files](#files-1)\n"),
            std::string::npos)
      << md;
}

TEST(Report, WriteReportWritesBothFilesAndFailsCleanlyOnAMissingFigure) {
  const fs::path dir = temp_dir("report");
  write_figure(confusion_matrix({{3, 1}, {0, 4}}, {"a", "b"}), dir.string(), "fig");
  Report r("t");
  r.figure("fig", "x");
  write_report(r, dir.string());
  EXPECT_TRUE(fs::is_regular_file(dir / "report.html"));
  EXPECT_TRUE(fs::is_regular_file(dir / "report.md"));
  Report missing("t");
  missing.figure("nope", "x");
  expect_error([&] { write_report(missing, dir.string()); }, {"cannot read figure", "nope.png"});
  fs::remove(dir / "fig.svg");  // the PNG alone is not enough: the HTML needs the SVG
  expect_error([&] { write_report(r, dir.string()); }, {"cannot read figure", "fig.svg"});
  fs::remove_all(dir);
}

}  // namespace
}  // namespace advgrad::report
