// Input-gradient tools: saliency maps, the gradient probe, the finite-difference check.
#include <cmath>

#include "advgrad/attacks/saliency.h"
#include "advgrad/nn/models.h"
#include "testing.h"

namespace advgrad::attacks {
namespace {

nn::ModulePtr smooth_mlp(std::uint64_t seed) {
  nn::ModelConfig c;
  c.arch = "mlp";
  c.activation = "silu";  // smooth: integrated gradients converge
  c.seed = seed;
  c.height = c.width = 8;
  auto m = nn::build_model(c);
  m->to(DType::Float64);
  return m;
}

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

TEST(Saliency, FiniteDifferencesMatchAutograd) {
  auto model = smooth_mlp(3);
  Generator gen(4);
  Tensor x = rand({2, 1, 8, 8}, gen, {.dtype = DType::Float64});
  Tensor y = from_vector(std::vector<std::int64_t>{2, 5}, {2});
  for (const auto& p : finite_difference_check(*model, x, y, {0, 17, 63}, 1e-5))
    EXPECT_NEAR(p.autograd, p.finite_difference, 1e-6 + 1e-4 * std::fabs(p.autograd)) << "pixel " << p.index;
  EXPECT_THROW(finite_difference_check(*model, x, y, {64}), Error);
}

TEST(Saliency, ProbeReportsNormsAndMasking) {
  nn::ModelConfig c;  // small-cnn with ReLU and max-pooling: many exact zeros in dL/dx
  c.height = c.width = 12;
  auto model = nn::build_model(c);
  Generator gen(5);
  Tensor x = rand({4, 1, 12, 12}, gen);
  Tensor y = randint(0, 10, {4}, gen);
  GradientProbe p = probe_gradients(*model, x, y);
  ASSERT_EQ(p.l2.size(), 4u);
  for (std::size_t i = 0; i < 4; ++i) {
    EXPECT_LE(p.linf[i], p.l2[i] + 1e-9);
    EXPECT_LE(p.l2[i], p.l1[i] + 1e-9);
  }
  EXPECT_GE(p.zero_fraction, 0.0);
  EXPECT_LT(p.zero_fraction, 1.0);
  ASSERT_EQ(p.layers.size(), model->named_children().size());
  EXPECT_EQ(p.layers.front().type, "Conv2d");
  // The gradient reaching the first conv's output has passed ReLU's mask and the
  // max-pool routing: a good share of it is exactly zero.
  EXPECT_GT(p.layers.front().zero_fraction, 0.3);
  for (auto& param : model->parameters()) EXPECT_FALSE(param.grad().defined());
  EXPECT_THROW(parse_saliency_method("gradcam"), Error);
}

}  // namespace
}  // namespace advgrad::attacks
