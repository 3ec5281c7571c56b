#include "advgrad/imageio/jpeg_codec.h"

// jpeglib.h needs size_t and FILE declared before it.
#include <cstddef>
#include <cstdio>
// (the same order matters to some libjpeg builds)
#include <jpeglib.h>

#include <csetjmp>

#include "advgrad/core/error.h"

namespace advgrad::imageio {

// libjpeg calls error_exit on an error and must not get control back. Ours
// formats the message and longjmps to the setjmp in the jpeg_* wrapper below.
// As for libpng (png_codec.cpp), nothing between a setjmp and its longjmp has
// a destructor: the wrappers and callbacks hold only plain locals, the pixel
// buffer is allocated by the caller before the jump can happen, and the
// decompressor is destroyed by a guard in the caller's frame.
namespace {

// A progressive file with thousands of tiny scans makes libjpeg spend
// quadratic time; real encoders write about 10.
constexpr long kMaxScans = 1000;

struct JpegErrors {
  jpeg_error_mgr mgr;  // first member: libjpeg's cinfo->err points here
  std::jmp_buf jump;
  char message[JMSG_LENGTH_MAX] = "unknown libjpeg error";
};

void on_jpeg_error(j_common_ptr cinfo) {
  auto* errors = reinterpret_cast<JpegErrors*>(cinfo->err);
  (*cinfo->err->format_message)(cinfo, errors->message);
  std::longjmp(errors->jump, 1);
}

// msg_level -1 is a warning (corrupt or truncated data): treated as an error.
// Higher levels are trace messages, ignored.
void on_jpeg_message(j_common_ptr cinfo, int msg_level) {
  if (msg_level < 0) on_jpeg_error(cinfo);
}

void limit_scans(j_common_ptr cinfo) {
  auto* d = reinterpret_cast<j_decompress_ptr>(cinfo);
  if (d->is_decompressor && d->input_scan_number > kMaxScans) {
    auto* errors = reinterpret_cast<JpegErrors*>(cinfo->err);
    std::snprintf(errors->message, sizeof errors->message, "more than %ld scans", kMaxScans);
    std::longjmp(errors->jump, 1);
  }
}

struct Decompressor {
  jpeg_decompress_struct cinfo{};
  JpegErrors errors;
  jpeg_progress_mgr progress{};
  bool created = false;
  ~Decompressor() {
    if (created) jpeg_destroy_decompress(&cinfo);
  }
};

// Creates the decompressor and reads the header; chooses the output colours.
bool jpeg_read_header_into(Decompressor* d, const std::string& bytes, Channels channels) {
  if (setjmp(d->errors.jump)) return false;
  jpeg_create_decompress(&d->cinfo);
  d->created = true;
  d->progress.progress_monitor = limit_scans;
  d->cinfo.progress = &d->progress;
  jpeg_mem_src(&d->cinfo, reinterpret_cast<const unsigned char*>(bytes.data()),
               static_cast<unsigned long>(bytes.size()));
  jpeg_read_header(&d->cinfo, TRUE);
  const J_COLOR_SPACE in = d->cinfo.jpeg_color_space;
  if (in == JCS_CMYK || in == JCS_YCCK) {
    std::snprintf(d->errors.message, sizeof d->errors.message, "CMYK/YCCK JPEGs are not supported");
    return false;
  }
  d->cinfo.out_color_space = in == JCS_GRAYSCALE && channels == Channels::AsStored ? JCS_GRAYSCALE : JCS_RGB;
  return true;
}

// Decodes all rows into `pixels` (already sized) and reads up to the EOI marker.
bool jpeg_read_rows(Decompressor* d, std::uint8_t* pixels, std::size_t stride) {
  if (setjmp(d->errors.jump)) return false;
  jpeg_start_decompress(&d->cinfo);
  while (d->cinfo.output_scanline < d->cinfo.output_height) {
    JSAMPROW row = pixels + d->cinfo.output_scanline * stride;
    jpeg_read_scanlines(&d->cinfo, &row, 1);
  }
  jpeg_finish_decompress(&d->cinfo);
  return true;
}

}  // namespace

Image decode_jpeg(const std::string& bytes, const std::string& what, Channels channels) {
  auto fail = [&](const auto&... msg) { detail::fail("decode_jpeg '", what, "': ", msg...); };
  if (bytes.empty()) fail("the data is empty");
  Decompressor d;
  d.cinfo.err = jpeg_std_error(&d.errors.mgr);
  d.errors.mgr.error_exit = on_jpeg_error;
  d.errors.mgr.emit_message = on_jpeg_message;
  if (!jpeg_read_header_into(&d, bytes, channels)) fail(d.errors.message);
  check_image_size(d.cinfo.image_width, d.cinfo.image_height, "decode_jpeg", what);
  Image out;
  out.width = static_cast<int>(d.cinfo.image_width);
  out.height = static_cast<int>(d.cinfo.image_height);
  out.channels = d.cinfo.out_color_space == JCS_GRAYSCALE ? 1 : 3;
  const std::size_t stride = std::size_t(out.width) * out.channels;
  out.pixels.resize(stride * out.height);
  if (!jpeg_read_rows(&d, out.pixels.data(), stride)) fail(d.errors.message);
  return out;
}

}  // namespace advgrad::imageio
