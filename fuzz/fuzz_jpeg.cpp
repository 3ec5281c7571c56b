// libFuzzer harness: imageio::decode_jpeg (libjpeg-turbo through advgrad's
// error and warning handling, size and scan limits), as RGB and as grey.
#include "advgrad/imageio/jpeg_codec.h"
#include "fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace advgrad;
  const std::string bytes = fuzz::as_string(data, size);
  fuzz::refuse_or_parse([&] { imageio::decode_jpeg(bytes, "fuzz", imageio::Channels::Rgb); });
  fuzz::refuse_or_parse([&] { imageio::decode_jpeg(bytes, "fuzz", imageio::Channels::AsStored); });
  return 0;
}
