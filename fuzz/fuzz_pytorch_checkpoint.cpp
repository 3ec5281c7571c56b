// libFuzzer harness: nn::parse_pytorch_checkpoint, both formats: the zip
// archive (io/zip_archive) and the legacy pickles, through the restricted
// unpickler (io/pickle) and the tensor rebuild.
#include "advgrad/nn/pytorch_checkpoint.h"
#include "fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  advgrad::fuzz::refuse_or_parse(
      [&] { advgrad::nn::parse_pytorch_checkpoint(advgrad::fuzz::as_string(data, size), "fuzz"); });
  return 0;
}
