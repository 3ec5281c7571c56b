// Reductions: sum and mean over every set of dims of a 3-D tensor (with and
// without keepdim, negative dims too), amax/amin (ties share the gradient;
// random values have none), max/min along a dim (the gradient goes to the
// argmax), logsumexp, var, norms and sum_to. The CUDA backend has two
// reduction kernels, a thread per output and a block per output for reduced
// extents above 32: the "_long" cases take the block kernel, with the reduced
// dim inner (coalesced) or outer (strided), and an extent that is not a
// multiple of the block.
#include <limits>
#include <string>

#include "ops/op_registry.h"

namespace advgrad::testing {
namespace {

using V = std::vector<Tensor>;
constexpr double kInf = std::numeric_limits<double>::infinity();

// "dims_0_2", "dims_m1_0" (m = minus), "all" for {}.
std::string dims_name(const Dims& dims) {
  if (dims.empty()) return "all";
  std::string s = "dims";
  for (auto d : dims) {
    s += d < 0 ? "_m" : "_";
    s += std::to_string(d < 0 ? -d : d);
  }
  return s;
}

}  // namespace

std::vector<OpSpec> reduction_cases() {
  OpCaseList c("reductions");
  // ---- sum and mean over each set of dims of [4, 3, 5]
  for (const Dims& dims : std::vector<Dims>{{}, {0}, {1}, {2}, {0, 2}, {-1, 0}, {0, 1, 2}}) {
    for (bool keepdim : {false, true}) {
      const std::string suffix = dims_name(dims) + (keepdim ? "_keepdim" : "");
      c.add("sum_" + suffix, [dims, keepdim](const V& x) { return sum(x[0], dims, keepdim); }, {input({4, 3, 5})});
      c.add("mean_" + suffix, [dims, keepdim](const V& x) { return mean(x[0], dims, keepdim); }, {input({4, 3, 5})});
    }
  }
  c.add("sum_dims_m1_m3", [](const V& x) { return sum(x[0], {-1, -3}); }, {input({3, 4, 5})});
  // keepdim's result broadcasts back against its input.
  c.add("sum_keepdim_times_input", [](const V& x) { return sum(x[0], {1}, true) * x[0]; }, {input({3, 4, 2})});
  // An expanded (stride 0) input.
  c.add("sum_expanded_input", [](const V& x) { return sum(x[0].expand({4, 3, 5}), {0, 2}); }, {input({3, 1})});
  c.add("sum_0dim", [](const V& x) { return sum(x[0] * 2.0); }, {input({})});
  c.add("sum_long_inner", [](const V& x) { return sum(x[0], {1}); }, {input({3, 300})});
  c.add("sum_long_outer", [](const V& x) { return sum(x[0], {0}); }, {input({300, 3})});
  c.add("sum_all_long", [](const V& x) { return sum(x[0]); }, {input({7, 9, 11})});
  // Many outputs next to each other in memory: the thread-per-output kernel
  // with 2100 threads. 84000 elements are too many for finite differences and
  // for a second, transposed layout; values and gradients are still compared.
  c.add("sum_many_outputs", [](const V& x) { return sum(x[0], {0}); }, {input({40, 2100})})
      .without_finite_differences()
      .contiguous_only();

  // ---- amax / amin
  for (const Dims& dims : std::vector<Dims>{{}, {0}, {-1}, {0, 1}}) {
    for (bool keepdim : {false, true}) {
      const std::string suffix = dims_name(dims) + (keepdim ? "_keepdim" : "");
      c.add("amax_" + suffix, [dims, keepdim](const V& x) { return amax(x[0], dims, keepdim); }, {input({4, 3, 5})});
      c.add("amin_" + suffix, [dims, keepdim](const V& x) { return amin(x[0], dims, keepdim); }, {input({4, 3, 5})});
    }
  }
  c.add("amax_dims_1", [](const V& x) { return amax(x[0], {1}); }, {input({4, 5, 3})});
  c.add("amax_dims_0_2_keepdim", [](const V& x) { return amax(x[0], {0, 2}, true); }, {input({4, 5, 3})});
  c.add("amax_long_inner", [](const V& x) { return amax(x[0], {1}); }, {input({3, 77})});
  c.add("amin_all_long", [](const V& x) { return amin(x[0]); }, {input({5, 41})});

  // ---- max / min along one dim (values; the indices are not differentiable)
  c.add("max_dim_1", [](const V& x) { return max(x[0], 1).values; }, {input({4, 6})});
  c.add("max_dim_0", [](const V& x) { return max(x[0], 0).values; }, {input({5, 4})});
  c.add("max_dim_0_keepdim_times_input", [](const V& x) { return max(x[0], 0, true).values * x[0]; }, {input({5, 3})});
  c.add("max_1d", [](const V& x) { return max(x[0], 0).values; }, {input({9})});
  c.add("max_long_inner", [](const V& x) { return max(x[0], 1).values; }, {input({3, 130})});
  c.add("min_dim_m1", [](const V& x) { return min(x[0], -1).values; }, {input({3, 4, 5})});
  c.add("min_dim_1_keepdim_long", [](const V& x) { return min(x[0], 1, true).values; }, {input({5, 40})});

  // ---- logsumexp, var
  c.add("logsumexp_dim_1", [](const V& x) { return logsumexp(x[0], {1}); }, {input({4, 6}, -3, 3)});
  c.add("logsumexp_dims_0_2_keepdim",
        [](const V& x) {
          return logsumexp(x[0], {0, 2}, true);
        },
        {input({3, 4, 5}, -3, 3)});
  c.add("logsumexp_all", [](const V& x) { return logsumexp(x[0], {}); }, {input({3, 5}, -3, 3)});
  c.add("var_dim_1_unbiased", [](const V& x) { return var(x[0], {1}); }, {input({4, 6})});
  c.add("var_dim_0_unbiased", [](const V& x) { return var(x[0], {0}); }, {input({5, 3})});
  c.add("var_dims_0_2_population", [](const V& x) { return var(x[0], {0, 2}, true, 0); }, {input({3, 4, 5})});
  c.add("var_all", [](const V& x) { return var(x[0]); }, {input({5, 3})});

  // ---- norms (|x|'s kink at 0 and the L-inf argmax are not hit by random values)
  c.add("norm_l1", [](const V& x) { return norm(x[0], 1); }, {input({4, 5})});
  c.add("norm_l2_dim_1", [](const V& x) { return norm(x[0], 2, {1}); }, {input({4, 5})});
  c.add("norm_linf_dim_0_keepdim", [](const V& x) { return norm(x[0], kInf, {0}, true); }, {input({4, 5})});
  c.add("norm_p3_dim_1", [](const V& x) { return norm(x[0], 3, {1}); }, {input({4, 5}, 0.2, 1.0)});
  c.add("norm_per_sample_l1", [](const V& x) { return norm_per_sample(x[0], 1); }, {input({3, 2, 4})});
  c.add("norm_per_sample_l2", [](const V& x) { return norm_per_sample(x[0], 2); }, {input({3, 2, 4})});
  c.add("norm_per_sample_linf", [](const V& x) { return norm_per_sample(x[0], kInf); }, {input({3, 2, 4})});

  // ---- sum_to (the reduction behind every broadcast's backward)
  c.add("sum_to_inner", [](const V& x) { return sum_to(x[0], {3, 1}); }, {input({2, 3, 4})});
  c.add("sum_to_leading", [](const V& x) { return sum_to(x[0], {1, 4}); }, {input({3, 2, 4})});
  c.add("sum_to_scalar", [](const V& x) { return sum_to(x[0], {}); }, {input({3, 2})});
  return c.take();
}

}  // namespace advgrad::testing
