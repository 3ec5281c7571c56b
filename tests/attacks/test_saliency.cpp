// Saliency maps against their definitions.
#include "advgrad/attacks/saliency.h"
#include "advgrad/nn/models.h"
#include "attacks/smooth_mlp.h"
#include "testing.h"

namespace advgrad::attacks {
namespace {

using testing::smooth_mlp;

TEST(Saliency, MethodsAgreeWithTheirDefinitions) {
  auto model = smooth_mlp(1);
  Generator gen(2);
  Tensor x = rand({3, 1, 8, 8}, gen, {.dtype = DType::Float64});
  Tensor t = from_vector(std::vector<std::int64_t>{1, 4, 7}, {3});
  SaliencyOptions o;
  Tensor grad = saliency(*model, x, t, o, gen);
  o.method = SaliencyMethod::GradientTimesInput;
  EXPECT_TRUE(testing::all_close(saliency(*model, x, t, o, gen), x * grad, 1e-12, 1e-14));
  o.method = SaliencyMethod::SmoothGrad;
  o.sigma = 0;
  o.samples = 3;
  EXPECT_TRUE(testing::all_close(saliency(*model, x, t, o, gen), grad, 1e-12, 1e-14));
  // Integrated gradients: completeness, sum_i IG_i = score(x) - score(0).
  o.method = SaliencyMethod::IntegratedGradients;
  o.samples = 400;
  Tensor ig = saliency(*model, x, t, o, gen);
  NoGradGuard no_grad;
  model->eval();
  Tensor score_x = gather((*model)(x), 1, t.unsqueeze(1)).squeeze(1);
  Tensor score_0 = gather((*model)(zeros_like(x)), 1, t.unsqueeze(1)).squeeze(1);
  EXPECT_TRUE(testing::all_close(sum(ig, {1, 2, 3}), score_x - score_0, 2e-2, 2e-3));
}

TEST(Saliency, RejectsAnUnknownMethod) { EXPECT_THROW(parse_saliency_method("gradcam"), Error); }

}  // namespace
}  // namespace advgrad::attacks
