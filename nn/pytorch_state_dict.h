#pragma once
// From the pickle tree of a PyTorch checkpoint (io/pickle.h) to the list of
// its tensors (nn/pytorch_storage.h): which globals the unpickler may name,
// where the state dict is, and what each `_rebuild_tensor_v2` call and
// storage persistent id says. Formats: nn/pytorch_checkpoint.h.
#include <set>
#include <string>
#include <vector>

#include "advgrad/io/pickle_value.h"
#include "advgrad/nn/pytorch_storage.h"

namespace advgrad::nn::pytorch {

// The globals a checkpoint pickle may name ("module.name").
const std::set<std::string>& allowed_globals();

// The tensors of the state dict in `root` (the rule in nn/pytorch_checkpoint.h),
// in the pickle's order. Errors name `what` and the offending entry.
std::vector<TensorRef> read_state_dict(const io::PickleValue& root, const std::string& what);

}  // namespace advgrad::nn::pytorch
