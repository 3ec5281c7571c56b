// dropout beyond the op registry (tests/ops/cases_dropout.cpp checks its
// values and derivatives with a freshly seeded Generator per call):
// determinism, the keep fraction, scaling, the backward mask and bad inputs.
#include <cmath>

#include "testing.h"

namespace advgrad {
namespace {

using testing::random_tensor;

TEST(Dropout, SameSeedSameMaskOtherSeedOtherMask) {
  Tensor x = ones({64, 33});
  Generator a(7), b(7), c(8);
  auto ma = dropout(x, 0.5, true, a).to_double_vector();
  EXPECT_EQ(ma, dropout(x, 0.5, true, b).to_double_vector());
  EXPECT_NE(ma, dropout(x, 0.5, true, c).to_double_vector());
  // The generator advances: a second draw differs from the first.
  EXPECT_NE(ma, dropout(x, 0.5, true, a).to_double_vector());
}

TEST(Dropout, KeepFractionAndScaling) {
  const double p = 0.3;
  const std::int64_t n = 200000;
  Generator gen(42);
  auto v = dropout(ones({n}), p, true, gen).to_double_vector();
  std::int64_t kept = 0;
  for (double e : v) {
    if (e != 0.0) {
      ++kept;
      EXPECT_NEAR(e, 1.0 / (1.0 - p), 1e-6);
    }
  }
  // Binomial(n, 1 - p): 6 standard deviations is a bound a correct mask never crosses.
  const double frac = static_cast<double>(kept) / static_cast<double>(n);
  EXPECT_NEAR(frac, 1.0 - p, 6.0 * std::sqrt(p * (1.0 - p) / static_cast<double>(n)));
}

TEST(Dropout, BackwardUsesTheSameScaledMask) {
  Tensor x = random_tensor({40, 25}, 3, DType::Float64, 0.5, 1.5).requires_grad_(true);
  Generator gen(5);
  Tensor y = dropout(x, 0.25, true, gen);
  Tensor g = autograd::grad({sum(y)}, {x})[0];
  // y = x * mask / (1 - p), so dy/dx = y / x elementwise.
  EXPECT_TRUE(testing::all_close(g, y.detach() / x.detach(), 1e-12, 1e-12));
  const auto gv = g.to_double_vector();
  for (double e : gv) EXPECT_TRUE(e == 0.0 || std::fabs(e - 1.0 / 0.75) < 1e-12) << e;
}

TEST(Dropout, IdentityInEvalOrWithZeroP) {
  Tensor x = random_tensor({5, 3}, 4);
  Generator gen(1);
  const auto before = gen.state();
  EXPECT_EQ(dropout(x, 0.5, false, gen).unsafe_impl(), x.unsafe_impl());
  EXPECT_EQ(dropout(x, 0.0, true, gen).unsafe_impl(), x.unsafe_impl());
  EXPECT_EQ(gen.state(), before);  // no randomness consumed
}

TEST(Dropout, BadProbability) {
  Generator gen(1);
  for (double p : {1.0, -0.1, 1.5}) {
    try {
      dropout(ones({3}), p, true, gen);
      ADD_FAILURE() << "expected an error for p = " << p;
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("dropout: p must be in [0, 1)"), std::string::npos) << e.what();
    }
  }
  EXPECT_THROW(dropout(from_vector(std::vector<std::int64_t>{1, 2}, {2}), 0.5, true, gen), Error);
}

}  // namespace
}  // namespace advgrad
