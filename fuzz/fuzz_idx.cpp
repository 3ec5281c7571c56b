// libFuzzer harness: IDX image and label files, raw or gzip-compressed
// (data::gunzip_if_gzip, then data::parse_idx_images / parse_idx_labels: the
// magic number decides which one can accept it).
#include "advgrad/data/dataset.h"
#include "fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace advgrad;
  fuzz::refuse_or_parse([&] {
    // 64 MB: above any seed, below libFuzzer's 2 GB memory limit.
    const std::string bytes = data::gunzip_if_gzip(fuzz::as_string(data, size), "fuzz", std::uint64_t{64} << 20);
    fuzz::refuse_or_parse([&] { data::parse_idx_images(bytes, "fuzz"); });
    data::parse_idx_labels(bytes, "fuzz");
  });
  return 0;
}
