#pragma once
// Model files in the safetensors format (the public spec of Hugging Face's
// safetensors): an 8-byte little-endian header length N, then N bytes of JSON
//   {"<name>": {"dtype": "F32", "shape": [..], "data_offsets": [begin, end]}, ...,
//    "__metadata__": {"<key>": "<string>", ...}}
// then the raw little-endian tensor bytes, offsets relative to the end of the
// header. Files written here open in Python's safetensors and in PyTorch.
//
// Writes are atomic: a temporary file in the same directory, fsync'd, then
// renamed over the target. Reading checks everything before allocating: the
// header size (at most 100 MB), the JSON, dtypes (F32, F64, I64), shapes, and
// that the data offsets tile the data section exactly; a corrupt or hostile
// file gets an advgrad::Error naming the file and the problem.
#include <map>
#include <string>

#include "advgrad/core/tensor.h"

namespace advgrad::nn {

struct SafetensorsFile {
  std::map<std::string, Tensor> tensors;
  std::map<std::string, std::string> metadata;
};

void save_safetensors(const std::string& path, const std::map<std::string, Tensor>& tensors,
                      const std::map<std::string, std::string>& metadata = {});
SafetensorsFile load_safetensors(const std::string& path);

// Parses an in-memory file (the same checks); `what` names it in errors.
SafetensorsFile parse_safetensors(const std::string& bytes, const std::string& what);

}  // namespace advgrad::nn
