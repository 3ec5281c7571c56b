#pragma once
// Reading PyTorch checkpoints (`torch.save(model.state_dict(), "x.pth")`)
// without Python and without running the pickle inside them: the file's
// pickle goes through a restricted unpickler (io/pickle.h) that knows only the
// globals below, and the tensors are rebuilt here from their storages.
//
// Both formats torch.save has written:
//   legacy (torch < 1.6, and `_use_new_zipfile_serialization=False`): five
//     pickles back to back (magic number 0x1950a86a20f9469cfc6c, protocol
//     version 1001, a sys-info dict, the object, the list of storage keys),
//     then each storage in the order of that list: a little-endian int64
//     element count and the raw little-endian elements;
//   zip (torch >= 1.6): a stored zip archive with `<prefix>/data.pkl` (the
//     object's pickle) and each storage as `<prefix>/data/<key>`.
// In both, a tensor is `torch._utils._rebuild_tensor_v2(storage,
// storage_offset, size, stride, requires_grad, backward_hooks[, metadata])`
// (perhaps wrapped in `torch._utils._rebuild_parameter`), and a storage is the
// persistent id ('storage', torch.<T>Storage, key, location, numel[, None]).
// Facts from torch/serialization.py and torch/_utils.py (PyTorch docs).
//
// Allowed globals: collections.OrderedDict, torch._utils._rebuild_tensor_v2,
// torch._utils._rebuild_parameter, torch.FloatStorage, torch.DoubleStorage,
// torch.HalfStorage, torch.LongStorage. Anything else is an error naming it.
// Storage types: float32, float64 and int64 keep their dtype; float16 becomes
// float32 (advgrad has no half tensors). Strides and storage offsets are
// honoured (the tensor is gathered into a contiguous one) and checked against
// the storage's size; a tensor with more elements than its storage
// (a stride-0 broadcast) is refused, so a small file cannot demand a large
// allocation.
//
// What counts as the state dict: the top-level dict when any of its values is
// a tensor (then all must be); otherwise the one entry named "state_dict" or
// "model" whose value is a dict of tensors (the common {"state_dict": ...,
// "epoch": ...} wrapper; the other entries are ignored). An OrderedDict's
// _metadata is ignored. Errors are advgrad::Error naming the file.
#include <map>
#include <string>

#include "advgrad/core/tensor.h"

namespace advgrad::nn {

std::map<std::string, Tensor> load_pytorch_checkpoint(const std::string& path);

// Parses an in-memory file (the same checks); `what` names it in errors.
std::map<std::string, Tensor> parse_pytorch_checkpoint(const std::string& bytes, const std::string& what);

}  // namespace advgrad::nn
