#pragma once
// TensorImpl: the state behind a Tensor handle. A view over a Storage
// (shape, strides in elements, offset in elements) plus autograd metadata.
#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "advgrad/core/dtype.h"
#include "advgrad/core/shape.h"
#include "advgrad/core/storage.h"

namespace advgrad {

class Tensor;
namespace autograd {
class Node;
}

// A gradient hook sees the gradient flowing into a tensor during backward; it
// may return a replacement (a defined Tensor) or an undefined Tensor to keep it.
using GradHook = std::function<Tensor(const Tensor&)>;

struct TensorImpl {
  std::shared_ptr<Storage> storage;
  Shape shape;
  std::vector<std::int64_t> strides;
  std::int64_t offset = 0;
  DType dtype = DType::Float32;

  // ---- autograd ----
  bool requires_grad = false;                   // set by the user on leaves
  std::shared_ptr<TensorImpl> grad;             // accumulated .grad (leaves, or retain_grad)
  std::shared_ptr<autograd::Node> grad_fn;      // the op that made this tensor (non-leaves)
  std::uint32_t output_nr = 0;                  // which output of grad_fn this is
  std::weak_ptr<autograd::Node> grad_accumulator;  // leaves: AccumulateGrad, created lazily
  std::vector<std::pair<int, GradHook>> hooks;     // leaves: hooks run before accumulation
  bool retains_grad = false;
};

}  // namespace advgrad
