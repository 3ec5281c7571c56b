#include "ops/tensor_inputs.h"

namespace advgrad::testing {

Tensor random_tensor(const Shape& shape, std::uint64_t salt, DType dtype, double lo, double hi) {
  Generator gen(0x5eed0000ull + salt * 7919ull);
  return uniform(shape, lo, hi, gen, TensorOptions{}.with_dtype(dtype));
}

Tensor non_contiguous(const Tensor& t) {
  if (t.dim() < 2) {
    // Every other element of a twice-as-long buffer.
    Tensor wide = zeros({t.numel() * 2}, t.options());
    {
      NoGradGuard no_grad;
      wide.slice(0, 0, t.numel() * 2, 2).copy_(t.reshape({t.numel()}));
    }
    return wide.slice(0, 0, t.numel() * 2, 2).reshape(t.shape());
  }
  // Store transposed, view back: same values, swapped strides on the last two dims.
  const auto n = t.dim();
  Tensor stored = t.transpose(n - 2, n - 1).contiguous();
  return stored.transpose(n - 2, n - 1);
}

}  // namespace advgrad::testing
