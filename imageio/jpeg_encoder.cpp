#include "advgrad/imageio/jpeg_encoder.h"

// jpeglib.h needs size_t and FILE declared before it.
#include <cstddef>
#include <cstdio>
#include <jpeglib.h>

#include <algorithm>
#include <cmath>
#include <csetjmp>
#include <cstdlib>

#include "advgrad/core/error.h"
#include "advgrad/imageio/jpeg_codec.h"

namespace advgrad::imageio {
namespace {

// libjpeg must not get control back after an error: the handler formats the
// message and longjmps to the setjmp in compress(). Nothing between the two
// has a destructor; the compressor and its output buffer are released by the
// guard in encode_jpeg's frame.
struct EncoderErrors {
  jpeg_error_mgr mgr{};  // first member: cinfo.err points here
  std::jmp_buf jump;
  char message[JMSG_LENGTH_MAX] = "unknown libjpeg error";
};

struct Compressor {
  jpeg_compress_struct cinfo{};
  EncoderErrors errors;
  unsigned char* buffer = nullptr;  // malloc'ed by jpeg_mem_dest
  unsigned long size = 0;
  bool created = false;
  ~Compressor() {
    if (created) jpeg_destroy_compress(&cinfo);
    std::free(buffer);
  }
};

void on_error(j_common_ptr cinfo) {
  auto* errors = reinterpret_cast<EncoderErrors*>(cinfo->err);
  (*cinfo->err->format_message)(cinfo, errors->message);
  std::longjmp(errors->jump, 1);
}

bool compress(Compressor* c, const Image& image, int quality) {
  if (setjmp(c->errors.jump)) return false;
  c->cinfo.err = jpeg_std_error(&c->errors.mgr);
  c->errors.mgr.error_exit = on_error;
  jpeg_create_compress(&c->cinfo);
  c->created = true;
  jpeg_mem_dest(&c->cinfo, &c->buffer, &c->size);
  c->cinfo.image_width = static_cast<JDIMENSION>(image.width);
  c->cinfo.image_height = static_cast<JDIMENSION>(image.height);
  c->cinfo.input_components = image.channels;
  c->cinfo.in_color_space = image.channels == 3 ? JCS_RGB : JCS_GRAYSCALE;
  jpeg_set_defaults(&c->cinfo);
  jpeg_set_quality(&c->cinfo, quality, TRUE);
  jpeg_start_compress(&c->cinfo, TRUE);
  const auto stride = static_cast<std::size_t>(image.width) * static_cast<std::size_t>(image.channels);
  while (c->cinfo.next_scanline < c->cinfo.image_height) {
    // libjpeg reads the row and does not write it; its API lacks the const.
    auto* row = const_cast<JSAMPLE*>(image.pixels.data() + c->cinfo.next_scanline * stride);
    jpeg_write_scanlines(&c->cinfo, &row, 1);
  }
  jpeg_finish_compress(&c->cinfo);
  return true;
}

}  // namespace

std::string encode_jpeg(const Image& image, int quality) {
  ADVGRAD_CHECK(quality >= 1 && quality <= 100, "encode_jpeg: quality must be in 1..100, got ", quality);
  ADVGRAD_CHECK(image.channels == 1 || image.channels == 3, "encode_jpeg: need 1 or 3 channels, got ",
                image.channels);
  check_image_size(image.width, image.height, "encode_jpeg", "image");
  ADVGRAD_CHECK(image.pixels.size() == static_cast<std::size_t>(image.width) * static_cast<std::size_t>(image.height) *
                                           static_cast<std::size_t>(image.channels),
                "encode_jpeg: ", image.pixels.size(), " bytes for a ", image.width, "x", image.height, "x",
                image.channels, " image");
  Compressor c;
  ADVGRAD_CHECK(compress(&c, image, quality), "encode_jpeg: ", c.errors.message);
  return {reinterpret_cast<const char*>(c.buffer), c.size};
}

std::vector<float> jpeg_round_trip(const float* image, const data::ImageShape& s, int quality) {
  ADVGRAD_CHECK(s.channels == 1 || s.channels == 3, "jpeg_round_trip: need 1 or 3 channels, got ", s.channels);
  Image img;
  img.width = static_cast<int>(s.width), img.height = static_cast<int>(s.height), img.channels = static_cast<int>(s.channels);
  img.pixels.resize(static_cast<std::size_t>(s.numel()));
  const std::int64_t plane = s.height * s.width;
  for (std::int64_t c = 0; c < s.channels; ++c)  // planar [C, H, W] -> interleaved
    for (std::int64_t p = 0; p < plane; ++p)
      img.pixels[static_cast<std::size_t>(p * s.channels + c)] =
          static_cast<std::uint8_t>(std::lround(std::clamp(static_cast<double>(image[c * plane + p]), 0.0, 1.0) * 255));
  const Image back = decode_jpeg(encode_jpeg(img, quality), "jpeg_round_trip",
                                 s.channels == 3 ? Channels::Rgb : Channels::AsStored);
  std::vector<float> out(static_cast<std::size_t>(s.numel()));
  for (std::int64_t c = 0; c < s.channels; ++c)
    for (std::int64_t p = 0; p < plane; ++p)
      out[c * plane + p] = static_cast<float>(back.pixels[static_cast<std::size_t>(p * s.channels + c)]) / 255.0f;
  return out;
}

}  // namespace advgrad::imageio
