#include "advgrad/imageio/png_codec.h"

#include <png.h>

#include <csetjmp>
#include <cstdio>
#include <cstring>

#include "advgrad/core/error.h"

namespace advgrad::imageio {

// libpng reports errors by calling our error function, which must not return:
// it records the message and longjmps back to the setjmp in the png_* wrapper
// below. Jumping over a C++ object with a destructor is undefined behaviour, so
// every function between a setjmp and a possible longjmp (the wrappers and the
// callbacks) has only trivially destructible locals; buffers are allocated by the
// callers before the jump can happen, and the png structs are freed by a guard in
// the caller's frame, which the jump never crosses.
namespace {

struct PngErrors {
  char message[256] = "unknown libpng error";
};

void on_png_error(png_structp png, png_const_charp message) {
  auto* errors = static_cast<PngErrors*>(png_get_error_ptr(png));
  std::snprintf(errors->message, sizeof errors->message, "%s", message);
  png_longjmp(png, 1);
}
void on_png_warning(png_structp, png_const_charp) {}  // e.g. a bad ancillary chunk: not a failure

struct MemoryReader {
  const unsigned char* data;
  std::size_t size, pos;
};

void read_from_memory(png_structp png, png_bytep out, png_size_t n) {
  auto* in = static_cast<MemoryReader*>(png_get_io_ptr(png));
  if (n > in->size - in->pos) png_error(png, "the data ends early (truncated)");
  std::memcpy(out, in->data + in->pos, n);
  in->pos += n;
}

void append_to_string(png_structp png, png_bytep data, png_size_t n) {
  bool ok = true;
  try {  // a C++ exception must not unwind through libpng's C frames
    static_cast<std::string*>(png_get_io_ptr(png))->append(reinterpret_cast<const char*>(data), n);
  } catch (...) {
    ok = false;
  }
  if (!ok) png_error(png, "out of memory");
}
void flush_nothing(png_structp) {}

// Asks libpng for 8-bit RGBA whatever the file holds.
void request_rgba8(png_structp png, png_infop info) {
  const int color = png_get_color_type(png, info);
  const int depth = png_get_bit_depth(png, info);
  if (color == PNG_COLOR_TYPE_PALETTE) png_set_palette_to_rgb(png);
  if (color == PNG_COLOR_TYPE_GRAY && depth < 8) png_set_expand_gray_1_2_4_to_8(png);
  if (png_get_valid(png, info, PNG_INFO_tRNS)) png_set_tRNS_to_alpha(png);
  if (depth == 16) png_set_scale_16(png);
  if (color == PNG_COLOR_TYPE_GRAY || color == PNG_COLOR_TYPE_GRAY_ALPHA) png_set_gray_to_rgb(png);
  if (!(color & PNG_COLOR_MASK_ALPHA) && !png_get_valid(png, info, PNG_INFO_tRNS))
    png_set_filler(png, 0xff, PNG_FILLER_AFTER);
  png_set_interlace_handling(png);
}

struct Header {
  png_uint_32 width = 0, height = 0;
  bool grey = false;
};

bool png_read_header(png_structp png, png_infop info, Header* header) {
  if (setjmp(png_jmpbuf(png))) return false;
  png_read_info(png, info);
  header->grey = !(png_get_color_type(png, info) & PNG_COLOR_MASK_COLOR);
  request_rgba8(png, info);
  png_read_update_info(png, info);
  header->width = png_get_image_width(png, info);
  header->height = png_get_image_height(png, info);
  if (png_get_rowbytes(png, info) != std::size_t{header->width} * 4)
    png_error(png, "unexpected row layout after conversion");
  return true;
}

bool png_read_rows(png_structp png, png_infop info, png_bytepp rows) {
  if (setjmp(png_jmpbuf(png))) return false;
  png_read_image(png, rows);
  png_read_end(png, info);  // checks the chunks after the pixels (and that IEND is there)
  return true;
}

bool png_write_rows(png_structp png, png_infop info, const Image& image, png_bytepp rows) {
  if (setjmp(png_jmpbuf(png))) return false;
  png_set_IHDR(png, info, static_cast<png_uint_32>(image.width), static_cast<png_uint_32>(image.height), 8,
               image.channels == 1 ? PNG_COLOR_TYPE_GRAY : PNG_COLOR_TYPE_RGB, PNG_INTERLACE_NONE,
               PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  png_write_info(png, info);
  png_write_image(png, rows);
  png_write_end(png, info);
  return true;
}

struct ReadStructs {
  png_structp png = nullptr;
  png_infop info = nullptr;
  ~ReadStructs() { png_destroy_read_struct(&png, info ? &info : nullptr, nullptr); }
};
struct WriteStructs {
  png_structp png = nullptr;
  png_infop info = nullptr;
  ~WriteStructs() { png_destroy_write_struct(&png, info ? &info : nullptr); }
};

// RGBA -> grey or RGB, composited over white: out = (c a + 255 (255 - a)) / 255, rounded.
Image composite_over_white(const std::vector<std::uint8_t>& rgba, int width, int height, int channels) {
  Image out{width, height, channels, std::vector<std::uint8_t>(std::size_t(width) * height * channels)};
  for (std::size_t i = 0; i < std::size_t(width) * height; ++i) {
    const std::uint8_t* p = &rgba[i * 4];
    const unsigned a = p[3];
    for (int c = 0; c < channels; ++c)
      out.pixels[i * channels + c] = static_cast<std::uint8_t>((p[c] * a + 255 * (255 - a) + 127) / 255);
  }
  return out;
}

}  // namespace

Image decode_png(const std::string& bytes, const std::string& what, Channels channels) {
  auto fail = [&](const auto&... msg) { detail::fail("decode_png '", what, "': ", msg...); };
  PngErrors errors;
  ReadStructs s;
  s.png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &errors, on_png_error, on_png_warning);
  if (s.png) s.info = png_create_info_struct(s.png);
  if (!s.png || !s.info) fail("libpng could not be initialised");
  MemoryReader reader{reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), 0};
  png_set_read_fn(s.png, &reader, read_from_memory);

  Header header;
  if (!png_read_header(s.png, s.info, &header)) fail(errors.message);
  check_image_size(header.width, header.height, "decode_png", what);
  std::vector<std::uint8_t> rgba(std::size_t{header.width} * header.height * 4);
  std::vector<png_bytep> rows(header.height);
  for (std::size_t y = 0; y < header.height; ++y) rows[y] = rgba.data() + y * header.width * 4;
  if (!png_read_rows(s.png, s.info, rows.data())) fail(errors.message);
  const int out_channels = header.grey && channels == Channels::AsStored ? 1 : 3;
  return composite_over_white(rgba, static_cast<int>(header.width), static_cast<int>(header.height), out_channels);
}

std::string encode_png(const Image& image) {
  ADVGRAD_CHECK(image.width > 0 && image.height > 0, "encode_png: the image is empty (", image.width, "x", image.height,
                ")");
  ADVGRAD_CHECK((image.channels == 1 || image.channels == 3) &&
                    image.pixels.size() == std::size_t(image.width) * image.height * image.channels,
                "encode_png: ", image.width, "x", image.height, "x", image.channels, " image holds ",
                image.pixels.size(), " bytes; expected 1 or 3 channels and width * height * channels bytes");
  PngErrors errors;
  WriteStructs s;
  s.png = png_create_write_struct(PNG_LIBPNG_VER_STRING, &errors, on_png_error, on_png_warning);
  if (s.png) s.info = png_create_info_struct(s.png);
  ADVGRAD_CHECK(s.png && s.info, "encode_png: libpng could not be initialised");
  std::string out;
  png_set_write_fn(s.png, &out, append_to_string, flush_nothing);
  // libpng takes non-const row pointers but only reads them when writing.
  std::vector<png_bytep> rows(static_cast<std::size_t>(image.height));
  auto* base = const_cast<std::uint8_t*>(image.pixels.data());
  const std::size_t stride = std::size_t(image.width) * image.channels;
  for (std::size_t y = 0; y < rows.size(); ++y) rows[y] = base + y * stride;
  ADVGRAD_CHECK(png_write_rows(s.png, s.info, image, rows.data()), "encode_png: ", errors.message);
  return out;
}

}  // namespace advgrad::imageio
