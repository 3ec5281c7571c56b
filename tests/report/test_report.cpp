// The report writer: base64 against RFC 4648's test vectors, HTML escaping,
// tables in HTML and Markdown, and images embedded as data URIs.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <thread>

#include "advgrad/report/png_image.h"
#include "advgrad/report/report.h"
#include "expect_error.h"
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
  EXPECT_NE(html.find("<tr><td>none</td><td>98.0%</td></tr>"), std::string::npos);
  EXPECT_NE(html.find("<td>a|b &lt;T-shirt&gt;</td>"), std::string::npos);
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

std::string tiny_png() {
  Image im(2, 2, {10, 20, 30});
  return encode_png(im);
}

TEST(Report, HtmlEmbedsImagesAndStandsAlone) {
  Report r("Title & more");
  r.heading("Section <1>");
  r.paragraph("Some text");
  r.table(sample_table());
  r.image("fig.png", "A \"figure\"");
  r.preformatted("log <line>\n");
  const std::string png = tiny_png();
  const std::string html = r.html([&](const std::string& file) {
    EXPECT_EQ(file, "fig.png");
    return png;
  });
  EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_NE(html.find("<title>Title &amp; more</title>"), std::string::npos);
  EXPECT_NE(html.find("<h2>Section &lt;1&gt;</h2>"), std::string::npos);
  EXPECT_NE(html.find("<img src=\"data:image/png;base64," + base64_encode(png) + "\" alt=\"A &quot;figure&quot;\">"),
            std::string::npos);
  EXPECT_NE(html.find("<pre>log &lt;line&gt;\n</pre>"), std::string::npos);
  // Nothing fetched from elsewhere.
  EXPECT_EQ(html.find("http"), std::string::npos);
  EXPECT_EQ(html.find("<link"), std::string::npos);
  EXPECT_EQ(html.find("<script"), std::string::npos);
}

TEST(Report, RefusesToEmbedSomethingThatIsNotAPng) {
  Report r("t");
  r.image("fig.png", "x");
  expect_error([&] { r.html([](const std::string&) { return std::string("GIF89a"); }); }, {"not a PNG"});
}

TEST(Report, MarkdownLinksTheImageFiles) {
  Report r("Title");
  r.heading("Part");
  r.image("fig.png", "the figure");
  const std::string md = r.markdown();
  EXPECT_EQ(md.rfind("# Title\n", 0), 0u);
  EXPECT_NE(md.find("## Part\n"), std::string::npos);
  EXPECT_NE(md.find("![the figure](fig.png)"), std::string::npos);
}

TEST(Report, WriteReportWritesBothFilesAndFailsCleanlyOnAMissingImage) {
  const fs::path dir = temp_dir("report");
  write_png((dir / "fig.png").string(), Image(3, 3));
  Report r("t");
  r.image("fig.png", "x");
  write_report(r, dir.string());
  EXPECT_TRUE(fs::is_regular_file(dir / "report.html"));
  EXPECT_TRUE(fs::is_regular_file(dir / "report.md"));
  Report missing("t");
  missing.image("nope.png", "x");
  expect_error([&] { write_report(missing, dir.string()); }, {"cannot read image"});
  fs::remove_all(dir);
}

}  // namespace
}  // namespace advgrad::report
