// libFuzzer harness: nn::parse_safetensors, the model-file reader (header
// length, JSON header, dtypes, shapes, offsets tiling the data section).
#include "advgrad/nn/safetensors.h"
#include "fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  advgrad::fuzz::refuse_or_parse([&] { advgrad::nn::parse_safetensors(advgrad::fuzz::as_string(data, size), "fuzz"); });
  return 0;
}
