// libFuzzer harness: nn::config_from_json, the model metadata a model file
// carries ("advgrad.model"), with its plausibility bounds.
#include "advgrad/nn/model_io.h"
#include "fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  advgrad::fuzz::refuse_or_parse([&] { advgrad::nn::config_from_json(advgrad::fuzz::as_string(data, size), "fuzz"); });
  return 0;
}
