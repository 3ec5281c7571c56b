// Figure on Cairo: the only file of the project that includes Cairo.
#include "advgrad/report/figure.h"

#include <cairo-svg.h>
#include <cairo.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <initializer_list>
#include <map>
#include <numbers>

#include "advgrad/core/error.h"
#include "advgrad/io/atomic_file.h"

namespace advgrad::report {
namespace {

constexpr double kMaxSide = 16384;  // CSS or device pixels along one side
constexpr const char* kFontFamily = "DejaVu Sans";

// ---- checks ----------------------------------------------------------------------

// RFC 3629 UTF-8, without control characters: Cairo puts its context in a
// permanent error state on a bad string, and a control character would be
// drawn as a missing-glyph box.
bool valid_text(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      if (c < 0x20 || c == 0x7f) return false;
      ++i;
      continue;
    }
    // The lead byte gives the number of continuation bytes and the first bits.
    const int n = (c & 0xe0) == 0xc0 ? 1 : (c & 0xf0) == 0xe0 ? 2 : (c & 0xf8) == 0xf0 ? 3 : 0;
    if (n == 0) return false;
    std::uint32_t cp = c & (0x7f >> (n + 1));
    if (i + n >= s.size()) return false;  // the sequence runs past the end
    for (int k = 1; k <= n; ++k) {
      const auto d = static_cast<unsigned char>(s[i + k]);
      if ((d & 0xc0) != 0x80) return false;
      cp = cp << 6 | (d & 0x3f);
    }
    const std::uint32_t min_cp[] = {0, 0x80, 0x800, 0x10000};
    if (cp < min_cp[n] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;  // overlong, range, surrogate
    i += n + 1;
  }
  return true;
}

// The text with bytes outside printable ASCII as \xNN, for error messages.
std::string printable(std::string_view s) {
  std::string out;
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c >= 0x20 && c < 0x7f) {
      out += ch;
    } else {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    }
  }
  return out;
}

void check_text(std::string_view text, double size, const char* who) {
  ADVGRAD_CHECK(std::isfinite(size) && size >= kMinFontSize && size <= 1000, who, ": font size ", size,
                " px is outside [", kMinFontSize, ", 1000]");
  ADVGRAD_CHECK(valid_text(text), who, ": text '", printable(text),
                "' is not valid UTF-8 or holds a control character");
}

void check_finite(const char* who, std::initializer_list<double> values) {
  for (double v : values) ADVGRAD_CHECK(std::isfinite(v), who, ": non-finite coordinate or size ", v);
}

void check_status(cairo_status_t status, const char* who) {
  ADVGRAD_CHECK(status == CAIRO_STATUS_SUCCESS, who, ": cairo: ", cairo_status_to_string(status));
}

// ---- Cairo state ------------------------------------------------------------------

// No hinting: advances then scale exactly with the size, so text measured at
// 1 CSS px per unit fits the same box in a PNG drawn at 2 device px per unit.
void set_font_options(cairo_t* cr) {
  cairo_font_options_t* o = cairo_font_options_create();
  cairo_font_options_set_hint_metrics(o, CAIRO_HINT_METRICS_OFF);
  cairo_font_options_set_hint_style(o, CAIRO_HINT_STYLE_NONE);
  cairo_font_options_set_antialias(o, CAIRO_ANTIALIAS_GRAY);
  cairo_set_font_options(cr, o);
  cairo_font_options_destroy(o);
}

void set_font(cairo_t* cr, double size, bool bold) {
  cairo_select_font_face(cr, kFontFamily, CAIRO_FONT_SLANT_NORMAL,
                         bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
  cairo_set_font_size(cr, size);
}

void set_color(cairo_t* cr, Color c) {
  cairo_set_source_rgba(cr, c.r / 255.0, c.g / 255.0, c.b / 255.0, std::clamp(c.alpha, 0.0, 1.0));
}

// A context on a 1x1 surface per thread, for measuring text outside a figure.
cairo_t* measuring_context() {
  struct Scratch {
    cairo_surface_t* surface = cairo_image_surface_create(CAIRO_FORMAT_A8, 1, 1);
    cairo_t* cr = cairo_create(surface);
    Scratch() { set_font_options(cr); }
    ~Scratch() {
      cairo_destroy(cr);
      cairo_surface_destroy(surface);
    }
  };
  thread_local Scratch scratch;
  return scratch.cr;
}

// Cairo's output callback: appends to a std::string. A C++ exception must not
// unwind through Cairo's C frames, so a failed append becomes a write error.
cairo_status_t append_to_string(void* closure, const unsigned char* data, unsigned int length) {
  try {
    static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(data), length);
    return CAIRO_STATUS_SUCCESS;
  } catch (...) {
    return CAIRO_STATUS_WRITE_ERROR;
  }
}

// Paints `recording` onto `target` (after `setup`), then finishes the target.
template <typename Setup>
void replay(cairo_surface_t* recording, cairo_surface_t* target, const char* who, Setup setup) {
  check_status(cairo_surface_status(target), who);
  cairo_t* cr = cairo_create(target);
  setup(cr);
  cairo_set_source_surface(cr, recording, 0, 0);
  cairo_paint(cr);
  const cairo_status_t status = cairo_status(cr);
  cairo_destroy(cr);
  cairo_surface_flush(target);
  check_status(status, who);
}

}  // namespace

// ---- text ---------------------------------------------------------------------------

TextExtents measure_text(std::string_view text, double size, bool bold) {
  check_text(text, size, "measure_text");
  cairo_t* cr = measuring_context();
  set_font(cr, size, bold);
  const std::string s(text);  // NUL-terminated for Cairo
  cairo_text_extents_t te;
  cairo_text_extents(cr, s.c_str(), &te);
  cairo_font_extents_t fe;
  cairo_font_extents(cr, &fe);
  check_status(cairo_status(cr), "measure_text");
  return {te.x_advance, fe.ascent, fe.descent};
}

std::vector<std::string> wrap_text(std::string_view text, double max_width, double size, bool bold) {
  ADVGRAD_CHECK(std::isfinite(max_width) && max_width > 0, "wrap_text: max_width must be > 0, got ", max_width);
  check_text(text, size, "wrap_text");
  std::vector<std::string> lines;
  std::string line;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t end = text.find(' ', start);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view word = text.substr(start, end - start);
    if (!word.empty()) {
      const std::string candidate = line.empty() ? std::string(word) : line + " " + std::string(word);
      if (line.empty() || measure_text(candidate, size, bold).width <= max_width) {
        line = candidate;
      } else {
        lines.push_back(line);
        line = std::string(word);
      }
    }
    start = end + 1;
  }
  if (!line.empty() || lines.empty()) lines.push_back(line);
  return lines;
}

// ---- Figure -------------------------------------------------------------------------

struct Figure::Recording {
  cairo_surface_t* surface = nullptr;
  cairo_t* cr = nullptr;
  ~Recording() {
    if (cr) cairo_destroy(cr);
    if (surface) cairo_surface_destroy(surface);
  }
};

namespace {
// The recording's context, or an error for a moved-from figure.
template <typename R>
cairo_t* context(const std::unique_ptr<R>& rec, const char* who) {
  ADVGRAD_CHECK(rec != nullptr, who, ": the figure was moved from");
  return rec->cr;
}
}  // namespace

Figure::Figure(double width, double height) : width_(width), height_(height) {
  ADVGRAD_CHECK(std::isfinite(width) && std::isfinite(height) && width >= 1 && height >= 1 && width <= kMaxSide &&
                    height <= kMaxSide,
                "Figure: size ", width, "x", height, " is outside 1x1 .. ", kMaxSide, "x", kMaxSide, " CSS pixels");
  rec_ = std::make_unique<Recording>();
  const cairo_rectangle_t extents{0, 0, width, height};
  rec_->surface = cairo_recording_surface_create(CAIRO_CONTENT_COLOR_ALPHA, &extents);
  rec_->cr = cairo_create(rec_->surface);
  check_status(cairo_status(rec_->cr), "Figure");
  set_font_options(rec_->cr);
  fill_rect(0, 0, width, height, {255, 255, 255});  // a page, also under a dark viewer theme
}

Figure::Figure(Figure&&) noexcept = default;
Figure& Figure::operator=(Figure&&) noexcept = default;
Figure::~Figure() = default;

void Figure::fill_rect(double x, double y, double w, double h, Color fill) {
  const char* who = "Figure::fill_rect";
  check_finite(who, {x, y, w, h});
  ADVGRAD_CHECK(w >= 0 && h >= 0, who, ": negative size ", w, "x", h);
  cairo_t* cr = context(rec_, who);
  set_color(cr, fill);
  cairo_rectangle(cr, x, y, w, h);
  cairo_fill(cr);
}

void Figure::stroke_rect(double x, double y, double w, double h, Color stroke, double line_width) {
  const char* who = "Figure::stroke_rect";
  check_finite(who, {x, y, w, h, line_width});
  ADVGRAD_CHECK(w >= 0 && h >= 0 && line_width > 0, who, ": size ", w, "x", h, " or line width ", line_width,
                " is not positive");
  cairo_t* cr = context(rec_, who);
  set_color(cr, stroke);
  cairo_set_line_width(cr, line_width);
  cairo_rectangle(cr, x, y, w, h);
  cairo_stroke(cr);
}

void Figure::line(Point a, Point b, Color stroke, double line_width) { polyline({a, b}, stroke, line_width); }

void Figure::polyline(const std::vector<Point>& points, Color stroke, double line_width) {
  const char* who = "Figure::polyline";
  ADVGRAD_CHECK(points.size() >= 2, who, ": needs at least 2 points, got ", points.size());
  check_finite(who, {line_width});
  ADVGRAD_CHECK(line_width > 0, who, ": line width must be > 0, got ", line_width);
  for (const Point& p : points) check_finite(who, {p.x, p.y});
  cairo_t* cr = context(rec_, who);
  set_color(cr, stroke);
  cairo_set_line_width(cr, line_width);
  cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
  cairo_set_line_cap(cr, CAIRO_LINE_CAP_BUTT);
  cairo_move_to(cr, points[0].x, points[0].y);
  for (std::size_t i = 1; i < points.size(); ++i) cairo_line_to(cr, points[i].x, points[i].y);
  cairo_stroke(cr);
}

void Figure::fill_polygon(const std::vector<Point>& points, Color fill) {
  const char* who = "Figure::fill_polygon";
  ADVGRAD_CHECK(points.size() >= 3, who, ": needs at least 3 points, got ", points.size());
  for (const Point& p : points) check_finite(who, {p.x, p.y});
  cairo_t* cr = context(rec_, who);
  set_color(cr, fill);
  cairo_move_to(cr, points[0].x, points[0].y);
  for (std::size_t i = 1; i < points.size(); ++i) cairo_line_to(cr, points[i].x, points[i].y);
  cairo_close_path(cr);
  cairo_fill(cr);
}

void Figure::circle(Point centre, double radius, Color fill) {
  const char* who = "Figure::circle";
  check_finite(who, {centre.x, centre.y, radius});
  ADVGRAD_CHECK(radius > 0, who, ": radius must be > 0, got ", radius);
  cairo_t* cr = context(rec_, who);
  set_color(cr, fill);
  cairo_new_sub_path(cr);
  cairo_arc(cr, centre.x, centre.y, radius, 0, 2 * std::numbers::pi);
  cairo_fill(cr);
}

void Figure::text(Point anchor, std::string_view text, const TextStyle& style) {
  const char* who = "Figure::text";
  check_text(text, style.size, who);
  check_finite(who, {anchor.x, anchor.y, style.angle});
  cairo_t* cr = context(rec_, who);
  const double width = measure_text(text, style.size, style.bold).width;
  const double dx = style.align == Align::Left ? 0 : style.align == Align::Center ? -width / 2 : -width;
  cairo_save(cr);
  cairo_translate(cr, anchor.x, anchor.y);
  cairo_rotate(cr, -style.angle * std::numbers::pi / 180);  // Cairo turns clockwise (y points down)
  set_font(cr, style.size, style.bold);
  set_color(cr, style.color);
  cairo_move_to(cr, dx, 0);
  const std::string s(text);
  cairo_show_text(cr, s.c_str());
  cairo_restore(cr);
  check_status(cairo_status(cr), who);
}

void Figure::pixels(const Image& image, double x, double y, double w, double h) {
  const char* who = "Figure::pixels";
  ADVGRAD_CHECK(image.width() > 0 && image.height() > 0, who, ": the image is empty (", image.width(), "x",
                image.height(), ")");
  check_finite(who, {x, y, w, h});
  ADVGRAD_CHECK(w > 0 && h > 0, who, ": size ", w, "x", h, " is not positive");
  cairo_t* cr = context(rec_, who);
  // Whole-pixel enlargement to about 2 stored pixels per CSS pixel (at most
  // 4096 per side): each image pixel becomes a kx x ky block, so SVG viewers
  // that smooth rasters still show sharp blocks at 100% and 200% zoom.
  const int iw = image.width(), ih = image.height();
  const int kx = std::clamp(static_cast<int>(std::ceil(2 * w / iw)), 1, std::max(1, 4096 / iw));
  const int ky = std::clamp(static_cast<int>(std::ceil(2 * h / ih)), 1, std::max(1, 4096 / ih));
  cairo_surface_t* tile = cairo_image_surface_create(CAIRO_FORMAT_RGB24, iw * kx, ih * ky);
  const cairo_status_t created = cairo_surface_status(tile);
  if (created != CAIRO_STATUS_SUCCESS) {
    cairo_surface_destroy(tile);
    check_status(created, who);
  }
  cairo_surface_flush(tile);
  unsigned char* data = cairo_image_surface_get_data(tile);
  const int stride = cairo_image_surface_get_stride(tile);
  const std::vector<std::uint8_t>& rgb = image.rgb();
  for (int ty = 0; ty < ih * ky; ++ty) {
    auto* row = reinterpret_cast<std::uint32_t*>(data + static_cast<std::ptrdiff_t>(ty) * stride);
    const std::uint8_t* src = &rgb[static_cast<std::size_t>(ty / ky) * iw * 3];
    for (int tx = 0; tx < iw * kx; ++tx) {
      const std::uint8_t* p = src + static_cast<std::size_t>(tx / kx) * 3;
      row[tx] = 0xff000000u | std::uint32_t{p[0]} << 16 | std::uint32_t{p[1]} << 8 | p[2];  // native-endian xRGB
    }
  }
  cairo_surface_mark_dirty(tile);
  cairo_save(cr);
  cairo_translate(cr, x, y);
  cairo_scale(cr, w / (iw * kx), h / (ih * ky));
  cairo_set_source_surface(cr, tile, 0, 0);
  cairo_pattern_set_filter(cairo_get_source(cr), CAIRO_FILTER_NEAREST);
  cairo_paint(cr);
  cairo_restore(cr);
  cairo_surface_destroy(tile);  // the recording keeps its own reference
  check_status(cairo_status(cr), who);
}

std::string Figure::svg() const {
  const char* who = "Figure::svg";
  context(rec_, who);
  std::string out;
  cairo_surface_t* target = cairo_svg_surface_create_for_stream(append_to_string, &out, width_, height_);
  cairo_svg_surface_set_document_unit(target, CAIRO_SVG_UNIT_PX);
  try {
    replay(rec_->surface, target, who, [](cairo_t*) {});
    cairo_surface_finish(target);  // writes the document
    check_status(cairo_surface_status(target), who);
  } catch (...) {
    cairo_surface_destroy(target);
    throw;
  }
  cairo_surface_destroy(target);
  return rename_svg_ids(out, "c");
}

std::string Figure::png(double scale) const {
  const char* who = "Figure::png";
  context(rec_, who);
  ADVGRAD_CHECK(std::isfinite(scale) && scale > 0 && scale <= 16, who, ": scale ", scale, " is outside (0, 16]");
  const double w = std::max(1.0, std::ceil(width_ * scale - 1e-9)), h = std::max(1.0, std::ceil(height_ * scale - 1e-9));
  ADVGRAD_CHECK(w <= kMaxSide && h <= kMaxSide, who, ": ", width_, "x", height_, " at scale ", scale, " is ", w, "x",
                h, " pixels, above ", kMaxSide, " per side");
  cairo_surface_t* target = cairo_image_surface_create(CAIRO_FORMAT_RGB24, static_cast<int>(w), static_cast<int>(h));
  std::string out;
  try {
    replay(rec_->surface, target, who, [scale](cairo_t* cr) {
      cairo_set_source_rgb(cr, 1, 1, 1);
      cairo_paint(cr);
      cairo_scale(cr, scale, scale);
    });
    check_status(cairo_surface_write_to_png_stream(target, append_to_string, &out), who);
  } catch (...) {
    cairo_surface_destroy(target);
    throw;
  }
  cairo_surface_destroy(target);
  return out;
}

void write_figure(const Figure& figure, const std::string& dir, const std::string& stem) {
  ADVGRAD_CHECK(!stem.empty() && stem.find('/') == std::string::npos && stem != "." && stem != "..",
                "write_figure: stem '", stem, "' must be a plain file name without extension");
  // Both rendered first, so that a failure leaves both old files in place.
  const std::string svg = figure.svg(), png = figure.png(2);
  const std::string base = (std::filesystem::path(dir) / stem).string();
  io::write_file_atomically(base + ".svg", svg);
  io::write_file_atomically(base + ".png", png);
}

// ---- SVG ids --------------------------------------------------------------------------

namespace {

using IdNames = std::map<std::string, std::string, std::less<>>;

bool is_space(char c) { return c == ' ' || c == '\n' || c == '\t' || c == '\r'; }

// The value that starts at `from` and ends before `end` (throws if unterminated).
std::string_view value_at(std::string_view svg, std::size_t from, char end) {
  const std::size_t stop = svg.find(end, from);
  ADVGRAD_CHECK(stop != std::string_view::npos, "rename_svg_ids: unterminated id or reference at byte ", from);
  return svg.substr(from, stop - from);
}

// Pass 1: the ids, each with its new name, numbered in order of first appearance.
IdNames numbered_ids(std::string_view svg, std::string_view prefix) {
  IdNames names;
  for (std::size_t p = svg.find("id=\""); p != std::string_view::npos; p = svg.find("id=\"", p + 4)) {
    if (p == 0 || !is_space(svg[p - 1])) continue;  // e.g. "xml:id" or "data-id" are not ids
    const std::string id(value_at(svg, p + 4, '"'));
    if (!names.contains(id)) names.emplace(id, std::string(prefix) + std::to_string(names.size() + 1));
  }
  return names;
}

// Pass 2: each id and each reference to a known id, renamed.
std::string with_ids_renamed(std::string_view svg, const IdNames& names, std::size_t prefix_size) {
  std::string out;
  out.reserve(svg.size() + names.size() * prefix_size);
  auto renamed = [&](std::string_view id) {
    const auto it = names.find(id);
    return it == names.end() ? std::string(id) : it->second;
  };
  std::size_t i = 0;
  while (i < svg.size()) {
    const std::string_view rest = svg.substr(i);
    std::size_t skip = 0;
    char end = 0;
    if (rest.starts_with("id=\"") && i > 0 && is_space(svg[i - 1])) skip = 4, end = '"';
    else if (rest.starts_with("href=\"#")) skip = 7, end = '"';
    else if (rest.starts_with("url(#")) skip = 5, end = ')';
    if (skip == 0) {
      out += svg[i++];
      continue;
    }
    const std::string_view id = value_at(svg, i + skip, end);
    out.append(rest.substr(0, skip));
    out += renamed(id);
    i += skip + id.size();
  }
  return out;
}

}  // namespace

std::string rename_svg_ids(std::string_view svg, std::string_view prefix) {
  const bool prefix_ok = !prefix.empty() && std::isalpha(static_cast<unsigned char>(prefix[0])) &&
                         std::all_of(prefix.begin(), prefix.end(), [](char c) {
                           return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_';
                         });
  ADVGRAD_CHECK(prefix_ok, "rename_svg_ids: prefix '", printable(prefix),
                "' must start with a letter and hold only letters, digits, '-' and '_'");
  return with_ids_renamed(svg, numbered_ids(svg, prefix), prefix.size());
}

}  // namespace advgrad::report
