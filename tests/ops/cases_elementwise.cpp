// Elementwise arithmetic and math, with NumPy broadcasting, 0-dim operands and
// up to eight dims. Inputs stay inside each op's domain (log, sqrt, rsqrt,
// reciprocal, pow and div need positive values) and away from the kinks of
// abs, clamp, minimum and maximum (random values: a tie or a value within the
// finite-difference step of a kink has probability ~1e-6).
#include <cstdlib>
#include <optional>

#include "ops/op_registry.h"

namespace advgrad::testing {
namespace {

using V = std::vector<Tensor>;

// Sets (value != nullptr) or unsets an environment variable for a scope.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    if (value)
      ::setenv(name, value, 1);
    else
      ::unsetenv(name);
  }
  ~ScopedEnv() {
    if (old_)
      ::setenv(name_, old_->c_str(), 1);
    else
      ::unsetenv(name_);
  }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  const char* name_;
  std::optional<std::string> old_;
};

// The CUDA elementwise kernels index with 32 bits unless an index or offset
// passes 2^31; ADVGRAD_CUDA_INDEX64=1 (read at every launch) forces the 64-bit
// path, which tensors a test can afford would otherwise never take.
std::vector<Variant> index_widths() {
  return {{"index32", [] { return std::make_shared<ScopedEnv>("ADVGRAD_CUDA_INDEX64", nullptr); }},
          {"index64", [] { return std::make_shared<ScopedEnv>("ADVGRAD_CUDA_INDEX64", "1"); }}};
}

}  // namespace

std::vector<OpSpec> elementwise_cases() {
  OpCaseList c("elementwise");
  // ---- binary, with broadcasting
  c.add("add", [](const V& x) { return add(x[0], x[1]); }, {input({3, 5}), input({5})});
  c.add("add_broadcast_both", [](const V& x) { return add(x[0], x[1]); }, {input({3, 1, 5}), input({4, 5})});
  c.add("sub", [](const V& x) { return sub(x[0], x[1]); }, {input({2, 1, 3}), input({4, 3})});
  c.add("mul", [](const V& x) { return mul(x[0], x[1]); }, {input({3, 4}), input({3, 1})});
  c.add("mul_broadcast_both", [](const V& x) { return mul(x[0], x[1]); }, {input({3, 1, 5}), input({4, 5})})
      .variants(index_widths());
  c.add("div", [](const V& x) { return div(x[0], x[1]); }, {input({3, 4}), input({4}, 0.5, 2.0)});
  c.add("div_broadcast_both", [](const V& x) { return div(x[0], x[1]); }, {input({3, 1, 5}), input({4, 5}, 0.5, 2.0)});
  c.add("pow", [](const V& x) { return pow(x[0], x[1]); }, {input({3, 4}, 0.5, 2.0), input({3, 4})});
  c.add("pow_broadcast_exponent", [](const V& x) { return pow(x[0], x[1]); }, {input({3, 4}, 0.5, 2.0), input({4})});
  c.add("pow_scalar_3", [](const V& x) { return pow(x[0], 3.0); }, {input({5, 3})});
  c.add("pow_scalar_2_5", [](const V& x) { return pow(x[0], 2.5); }, {input({5, 3}, 0.5, 2.0)});
  c.add("scalar_operands", [](const V& x) { return (2.0 - x[0]) * 3.0 / (x[0] + 4.0) - 1.5; }, {input({7})});
  c.add("minimum", [](const V& x) { return minimum(x[0], x[1]); }, {input({4, 3}), input({3})});
  c.add("maximum", [](const V& x) { return maximum(x[0], x[1]); }, {input({4, 3}), input({4, 3})});
  c.add("maximum_broadcast_both", [](const V& x) { return maximum(x[0], x[1]); }, {input({3, 1, 5}), input({4, 5})});
  // A 0-dim operand broadcast against a matrix, and two 0-dim operands.
  c.add("zero_dim_operand", [](const V& x) { return mul(x[0], x[1]) + x[1]; }, {input({}), input({2, 3})});
  c.add("zero_dim_both", [](const V& x) { return div(x[0], x[1]); }, {input({}), input({}, 0.5, 2.0)});
  // Eight dims (the most a strided loop holds), broadcast along several of them.
  c.add("eight_dims", [](const V& x) { return mul(x[0], x[1]); },
        {input({2, 1, 2, 1, 3, 1, 2, 2}), input({1, 2, 1, 2, 3, 2, 1, 2})});

  // ---- unary math
  c.add("neg", [](const V& x) { return neg(x[0]); }, {input({3, 5})});
  c.add("exp", [](const V& x) { return exp(x[0]); }, {input({3, 5})}).variants(index_widths());
  c.add("log", [](const V& x) { return log(x[0]); }, {input({3, 5}, 0.5, 2.0)});
  c.add("sqrt", [](const V& x) { return sqrt(x[0]); }, {input({4, 3}, 0.5, 2.0)});
  c.add("rsqrt", [](const V& x) { return rsqrt(x[0]); }, {input({4, 3}, 0.5, 2.0)});
  c.add("abs", [](const V& x) { return abs(x[0]); }, {input({4, 3})});
  c.add("sign", [](const V& x) { return sign(x[0]); }, {input({4, 3})});  // its gradient is zero
  c.add("square", [](const V& x) { return square(x[0]); }, {input({4, 3})});
  c.add("reciprocal", [](const V& x) { return reciprocal(x[0]); }, {input({4, 3}, 0.5, 2.0)});
  c.add("erf", [](const V& x) { return erf(x[0]); }, {input({4, 3})});
  // A copy kernel: contiguous() of a non-contiguous view (the harness supplies one).
  c.add("copy", [](const V& x) { return x[0].contiguous() * 1.0; }, {input({3, 4, 2})});

  // ---- clamp and where
  c.add("clamp", [](const V& x) { return clamp(x[0], -0.5, 0.4); }, {input({5, 4})});
  c.add("clamp_lo_only", [](const V& x) { return clamp(x[0], -0.2, std::nullopt); }, {input({5, 4})});
  // Tensor bounds, broadcast; lo < hi everywhere.
  c.add("clamp_tensor_bounds", [](const V& x) { return clamp(x[0], x[1], x[2]); },
        {input({5, 4}), input({4}, -1.0, -0.3), input({5, 1}, 0.3, 1.0)});
  c.add("where", [](const V& x) { return where(gt(x[0], x[1]), x[0] * 2.0, x[1]); }, {input({3, 4}), input({4})})
      .variants(index_widths());
  // A 0/1 mask input that broadcasts against both branches.
  c.add("where_broadcast_mask", [](const V& x) { return where(x[2], x[0], x[1]); },
        {input({3, 1, 5}), input({4, 5}), constant({4, 1}, 0.0, 2.0).rounded_to(1.0)});
  return c.take();
}

}  // namespace advgrad::testing
