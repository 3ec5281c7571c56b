#pragma once
// JPEG files for the decoder's tests, encoded here with libjpeg itself (the
// library has no JPEG encoder). The inputs are always valid, so libjpeg's
// default error handler, which ends the process, is never reached.
#include <string>

#include "advgrad/imageio/image.h"

namespace advgrad::testing {

// `image`: 1 (grey) or 3 (RGB) channels. quality 1..100; progressive writes
// several scans instead of one.
std::string encode_jpeg(const imageio::Image& image, int quality = 90, bool progressive = false);

}  // namespace advgrad::testing
