// The harness must be able to fail: a deliberately wrong backward formula is
// caught by gradcheck, a wrong second derivative by gradgradcheck, a
// mismatch between paths by all_close, and the registry's FastVsReference
// mode catches a fast path that differs from the reference in its output, in
// its gradient, or only on non-contiguous inputs.
#include "testing.h"

namespace advgrad {
namespace {

using testing::gradcheck;
using testing::gradgradcheck;
using testing::random_tensor;
using V = std::vector<Tensor>;

// y = x^3 with a backward that claims 2x^2 (wrong by a factor 3/2).
Tensor cube_with_wrong_grad(const Tensor& x) {
  Tensor out;
  {
    NoGradGuard no_grad;
    out = x * x * x;
  }
  if (autograd::any_requires_grad({&x})) {
    auto node = autograd::record("WrongCubeBackward", {x}, {&out},
                                 [](autograd::FunctionNode& self, std::vector<Tensor>& g, const std::vector<bool>&) {
                                   Tensor x = self.saved(0);
                                   return std::vector<Tensor>{g[0] * x * x * 2.0};
                                 });
    node->save(x, false);
  }
  return out;
}

// y = x^3 with a correct first derivative 3x^2 whose own graph is cut (detached),
// so its second derivative is wrong (0 instead of 6x).
Tensor cube_with_detached_grad(const Tensor& x) {
  Tensor out;
  {
    NoGradGuard no_grad;
    out = x * x * x;
  }
  if (autograd::any_requires_grad({&x})) {
    auto node = autograd::record("DetachedCubeBackward", {x}, {&out},
                                 [](autograd::FunctionNode& self, std::vector<Tensor>& g, const std::vector<bool>&) {
                                   Tensor x = self.saved(0).detach();
                                   return std::vector<Tensor>{g[0] * x * x * 3.0};
                                 });
    node->save(x, false);
  }
  return out;
}

TEST(Harness, GradcheckCatchesAWrongFirstDerivative) {
  Tensor x = random_tensor({4}, 1).requires_grad_(true);
  EXPECT_FALSE(gradcheck([](const V& v) { return cube_with_wrong_grad(v[0]); }, {x}));
  EXPECT_TRUE(gradcheck([](const V& v) { return v[0] * v[0] * v[0]; }, {x}));
}

TEST(Harness, GradgradcheckCatchesAWrongSecondDerivative) {
  Tensor x = random_tensor({4}, 2).requires_grad_(true);
  EXPECT_TRUE(gradcheck([](const V& v) { return cube_with_detached_grad(v[0]); }, {x}));
  EXPECT_FALSE(gradgradcheck([](const V& v) { return cube_with_detached_grad(v[0]); }, {x}));
  EXPECT_TRUE(gradgradcheck([](const V& v) { return v[0] * v[0] * v[0]; }, {x}));
}

TEST(Harness, AllCloseReportsTheWorstElement) {
  Tensor a = from_vector(std::vector<double>{1, 2, 3}, {3});
  Tensor b = from_vector(std::vector<double>{1, 2.5, 3}, {3});
  auto r = testing::all_close(a, b);
  EXPECT_FALSE(r);
  EXPECT_NE(std::string(r.message()).find("element 1"), std::string::npos) << r.message();
}

TEST(Harness, FastVsReferenceCatchesAMismatchingFastPath) {
  using testing::input;
  testing::OpCaseList cases("harness");
  cases.add("output_off", [](const V& x) { return reference_kernels_enabled() ? x[0] * 2.0 : x[0] * 2.001; },
            {input({3, 4})});
  // Same values on both paths; on the fast one the gradient flows through half of it only.
  cases.add("gradient_off", [](const V& x) { return reference_kernels_enabled() ? x[0] * 2.0 : x[0] + x[0].detach(); },
            {input({3, 4})});
  cases.add("off_when_strided",
            [](const V& x) { return reference_kernels_enabled() || x[0].is_contiguous() ? x[0] * 2.0 : x[0] * 2.001; },
            {input({3, 4})});
  const std::vector<testing::OpSpec> specs = cases.take();
  for (const auto& spec : specs) EXPECT_FALSE(testing::fast_matches_reference(spec)) << spec.name;
  // The strided-only difference goes unseen when the case opts out of non-contiguous views.
  testing::OpSpec contiguous = specs[2];
  contiguous.contiguous_only();
  EXPECT_TRUE(testing::fast_matches_reference(contiguous));
}

}  // namespace
}  // namespace advgrad
