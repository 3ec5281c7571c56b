// libFuzzer harness: data::parse_cifar10_batches, CIFAR-10's binary batches
// (3073-byte records: a label, then 3x32x32 pixels).
#include "advgrad/data/dataset.h"
#include "fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace advgrad;
  fuzz::refuse_or_parse([&] { data::parse_cifar10_batches({fuzz::as_string(data, size)}, {"fuzz"}, "cifar10"); });
  return 0;
}
