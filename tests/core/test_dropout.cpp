// dropout and drop_path beyond the op registry (tests/ops/cases_dropout.cpp
// checks their values and derivatives with a freshly seeded Generator per
// call): determinism, the keep fraction, scaling, the backward mask and bad
// inputs; drop_path keeps or drops whole examples.
#include <cmath>

#include "expect_error.h"
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

TEST(DropPath, KeepsOrDropsWholeExamplesScaled) {
  const double p = 0.3;
  const std::int64_t n = 4000;
  Tensor x = random_tensor({n, 2, 3, 3}, 11, DType::Float64, 0.5, 1.5);  // no zeros of its own
  Generator gen(3);
  const Tensor y = drop_path(x, p, true, gen);
  const auto xv = x.to_double_vector(), yv = y.to_double_vector();
  const std::size_t per = 18;
  std::int64_t kept = 0;
  for (std::int64_t i = 0; i < n; ++i) {
    const bool k = yv[static_cast<std::size_t>(i) * per] != 0.0;
    kept += k ? 1 : 0;
    for (std::size_t j = 0; j < per; ++j) {
      const std::size_t e = static_cast<std::size_t>(i) * per + j;
      ASSERT_NEAR(yv[e], k ? xv[e] / (1 - p) : 0.0, 1e-12) << "example " << i << " element " << j;
    }
  }
  const double frac = static_cast<double>(kept) / static_cast<double>(n);
  EXPECT_NEAR(frac, 1.0 - p, 6.0 * std::sqrt(p * (1.0 - p) / static_cast<double>(n)));
}

TEST(DropPath, BackwardIsTheScaledPerExampleMaskOnAView) {
  // A non-contiguous input (a transposed view); dy/dx = y / x elementwise.
  Tensor base = random_tensor({5, 7, 6}, 12, DType::Float64, 0.5, 1.5);
  Tensor x = base.transpose(1, 2).detach().requires_grad_(true);
  Generator gen(9);
  const Tensor y = drop_path(x, 0.5, true, gen);
  const Tensor g = autograd::grad({sum(y)}, {x})[0];
  EXPECT_TRUE(testing::all_close(g, y.detach() / x.detach(), 1e-12, 1e-12));
}

TEST(DropPath, IdentityInEvalOrWithZeroPAndBadInputs) {
  Tensor x = random_tensor({5, 3}, 4);
  Generator gen(1);
  const auto before = gen.state();
  EXPECT_EQ(drop_path(x, 0.5, false, gen).unsafe_impl(), x.unsafe_impl());
  EXPECT_EQ(drop_path(x, 0.0, true, gen).unsafe_impl(), x.unsafe_impl());
  EXPECT_EQ(gen.state(), before);
  testing::expect_error([&] { drop_path(x, 1.0, true, gen); }, {"drop_path: p must be in [0, 1)"});
  testing::expect_error([&] { drop_path(full({}, 1.0), 0.5, true, gen); }, {"drop_path", "scalar"});
  EXPECT_THROW(drop_path(from_vector(std::vector<std::int64_t>{1, 2}, {2}), 0.5, true, gen), Error);
}

}  // namespace
}  // namespace advgrad
