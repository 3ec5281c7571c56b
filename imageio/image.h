#pragma once
// A decoded 8-bit image, as the files store it, and its float tensor.
//
// Pixels are interleaved and row-major, like the files: sample c of pixel
// (x, y) is pixels[(y * width + x) * channels + c], x to the right, y down.
// to_tensor() turns it into what the rest of advgrad calls an image: float32
// [C, H, W] in [0, 1] (value / 255), the convention of the data sets
// (data/dataset.h) and of every attack's eps. A network's own normalisation,
// e.g. (x - 0.5) / 0.5, belongs inside the model (docs/images.md).
#include <cstdint>
#include <string>
#include <vector>

#include "advgrad/core/tensor.h"

namespace advgrad::imageio {

// What a decoder gives back. AsStored: a grey file stays 1 channel, a colour
// file is 3. Rgb: grey is repeated into 3 equal channels, so every image has 3.
enum class Channels { AsStored, Rgb };

struct Image {
  int width = 0, height = 0;
  int channels = 0;                  // 1 (grey) or 3 (RGB)
  std::vector<std::uint8_t> pixels;  // height * width * channels, interleaved
};

// Limits on what a header may make a decoder allocate: each side at most
// 16384 and at most 2^26 pixels (64 Mpixel: 256 MiB while decoding RGBA).
inline constexpr std::int64_t kMaxSide = 16384;
inline constexpr std::int64_t kMaxPixels = std::int64_t{1} << 26;

// Throws advgrad::Error "<op> '<what>': image is WxH, ..." when width or
// height is not positive or a limit above is exceeded; decoders call it on
// the header's size before allocating anything.
void check_image_size(std::int64_t width, std::int64_t height, const char* op, const std::string& what);

// float32 [channels, height, width] with values pixel / 255 in [0, 1].
Tensor to_tensor(const Image& image);

}  // namespace advgrad::imageio
