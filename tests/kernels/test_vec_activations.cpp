// The AVX2 activation kernels (kernels/cpu/vec_activations.h) against the
// scalar formulas of elementwise_ops.h evaluated in double, over a dense sweep,
// random inputs, odd lengths and the special values; and the same answers
// whatever the length or offset of the row.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "advgrad/kernels/cpu/cpu_features.h"
#include "advgrad/kernels/cpu/vec_activations.h"
#include "advgrad/kernels/elementwise_ops.h"

namespace advgrad::kernels {
namespace {

constexpr float kInf = std::numeric_limits<float>::infinity();
constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

bool have_avx2() { return cpu::cpu_isa_supported() >= cpu::Isa::Avx2; }

// Inputs: a sweep of [-20, 20], random normals of three scales, and specials.
std::vector<float> inputs() {
  std::vector<float> x;
  for (int i = -40000; i <= 40000; ++i) x.push_back(static_cast<float>(i) * 5e-4f);
  std::mt19937 gen(123);
  for (float scale : {0.01f, 1.0f, 6.0f}) {
    std::normal_distribution<float> d(0.0f, scale);
    for (int i = 0; i < 5003; ++i) x.push_back(d(gen));
  }
  for (float v : {0.0f, -0.0f, 1e-30f, -1e-30f, 1e-8f, -1e-8f, 50.0f, -50.0f, 100.0f, -100.0f, 1e30f, -1e30f, kInf,
                  -kInf, kNaN})
    x.push_back(v);
  return x;
}

// |fast - exact| <= rel (1 + tail x^2) |exact| + abs, NaN where exact is NaN.
// `tail`: gelu's exponent -x^2/2 is itself computed in float (x / sqrt 2
// rounded, then squared inside an FMA), off by about x^2 9e-8, and e^that is
// off by as much relative to it (1.3e-5 at x = -12, where gelu is -3e-32).
void expect_close(const std::vector<float>& x, const std::vector<float>& fast, const std::vector<double>& exact,
                  double rel, double tail, double abs, const std::string& what) {
  int bad = 0;
  for (std::size_t i = 0; i < x.size() && bad < 5; ++i) {
    const double f = fast[i], e = exact[i], x2 = static_cast<double>(x[i]) * x[i];
    const double growth = tail > 0 ? 1 + tail * x2 : 1;
    const bool ok = std::isnan(e) ? std::isnan(f) : (f == e || std::fabs(f - e) <= rel * growth * std::fabs(e) + abs);
    if (!ok) {
      ++bad;
      ADD_FAILURE() << what << " at x = " << x[i] << ": vectorised " << f << ", exact " << e;
    }
  }
}

struct UnaryCase {
  UnaryOp op;
  OpParams p;
  double rel;   // the accuracy promised, relative to the exact value
  double tail;  // and its growth with x^2 (expect_close)
};

TEST(VecActivations, UnaryOpsMatchTheFormulasInDouble) {
  if (!have_avx2()) GTEST_SKIP() << "no AVX2+FMA on this CPU";
  const auto x = inputs();
  // Absolute floor: float denormals and results that underflow (e.g. gelu(-14)).
  for (const UnaryCase& c :
       {UnaryCase{UnaryOp::Gelu, {}, 6e-7, 0.3}, UnaryCase{UnaryOp::Silu, {}, 4e-7, 0},
        UnaryCase{UnaryOp::Sigmoid, {}, 4e-7, 0}, UnaryCase{UnaryOp::Softplus, {1.0, 20.0}, 4e-7, 0},
        UnaryCase{UnaryOp::Softplus, {2.0, 3.0}, 4e-7, 0}, UnaryCase{UnaryOp::Elu, {0.7, 0}, 4e-7, 0}}) {
    std::vector<float> fast(x.size(), -7.0f);
    ASSERT_TRUE(cpu::unary_vectorised(c.op, x.data(), fast.data(), static_cast<std::int64_t>(x.size()), c.p));
    std::vector<double> exact(x.size());
    visit(c.op, [&]<UnaryOp Op>() {
      for (std::size_t i = 0; i < x.size(); ++i) exact[i] = unary_scalar<Op>(static_cast<double>(x[i]), c.p);
    });
    expect_close(x, fast, exact, c.rel, c.tail, 1e-37, unary_op_name(c.op));
  }
}

struct BinaryCase {
  BinaryOp op;
  OpParams p;
  double rel, tail;
};

TEST(VecActivations, BackwardOpsMatchTheFormulasInDouble) {
  if (!have_avx2()) GTEST_SKIP() << "no AVX2+FMA on this CPU";
  const auto x = inputs();
  std::mt19937 gen(7);
  std::normal_distribution<float> d;
  std::vector<float> g(x.size());
  for (auto& v : g) v = d(gen);
  for (const BinaryCase& c :
       {BinaryCase{BinaryOp::GeluBackward, {}, 8e-7, 0.3}, BinaryCase{BinaryOp::SiluBackward, {}, 6e-7, 0},
        BinaryCase{BinaryOp::SoftplusBackward, {2.0, 3.0}, 4e-7, 0},
        BinaryCase{BinaryOp::EluBackward, {0.7, 0}, 4e-7, 0}}) {
    std::vector<float> fast(x.size(), -7.0f);
    ASSERT_TRUE(cpu::binary_vectorised(c.op, g.data(), x.data(), fast.data(), static_cast<std::int64_t>(x.size()),
                                       c.p));
    std::vector<double> exact(x.size());
    visit(c.op, [&]<BinaryOp Op>() {
      for (std::size_t i = 0; i < x.size(); ++i)
        exact[i] = binary_scalar<Op>(static_cast<double>(g[i]), static_cast<double>(x[i]), c.p);
    });
    // gelu' and silu' cross zero (at x = -0.75 and -1.28): there the error is
    // relative to the terms, of size |g|, not to their small sum.
    const double abs = c.op == BinaryOp::GeluBackward || c.op == BinaryOp::SiluBackward ? 3e-7 * 4 : 1e-37;
    expect_close(x, fast, exact, c.rel, c.tail, abs, binary_op_name(c.op));
  }
}

TEST(VecActivations, AnElementsResultDoesNotDependOnTheRowAroundIt) {
  if (!have_avx2()) GTEST_SKIP() << "no AVX2+FMA on this CPU";
  std::mt19937 gen(11);
  std::normal_distribution<float> d(0.0f, 3.0f);
  std::vector<float> x(61), g(61);
  for (auto& v : x) v = d(gen);
  for (auto& v : g) v = d(gen);
  for (UnaryOp op : {UnaryOp::Gelu, UnaryOp::Silu, UnaryOp::Softplus, UnaryOp::Elu}) {
    const OpParams p = op == UnaryOp::Softplus ? OpParams{1.0, 20.0} : op == UnaryOp::Elu ? OpParams{1.0, 0} : OpParams{};
    std::vector<float> whole(61);
    ASSERT_TRUE(cpu::unary_vectorised(op, x.data(), whole.data(), 61, p));
    for (std::int64_t start : {1, 3, 8, 13})
      for (std::int64_t n : {1, 5, 7, 9, 17}) {
        std::vector<float> part(n);
        ASSERT_TRUE(cpu::unary_vectorised(op, x.data() + start, part.data(), n, p));
        for (std::int64_t i = 0; i < n; ++i) ASSERT_EQ(part[i], whole[start + i]) << unary_op_name(op);
      }
  }
  std::vector<float> whole(61), part(7);
  ASSERT_TRUE(cpu::binary_vectorised(BinaryOp::GeluBackward, g.data(), x.data(), whole.data(), 61, {}));
  ASSERT_TRUE(cpu::binary_vectorised(BinaryOp::GeluBackward, g.data() + 5, x.data() + 5, part.data(), 7, {}));
  for (int i = 0; i < 7; ++i) ASSERT_EQ(part[i], whole[5 + i]);
}

TEST(VecActivations, OtherOpsAndScalarCpusFallBackToTheScalarLoop) {
  float x[3] = {1, 2, 3}, out[3] = {-1, -1, -1};
  EXPECT_FALSE(cpu::unary_vectorised(UnaryOp::Relu, x, out, 3, {}));
  EXPECT_FALSE(cpu::binary_vectorised(BinaryOp::Add, x, x, out, 3, {}));
  cpu::set_cpu_isa_limit(cpu::Isa::Scalar);
  EXPECT_FALSE(cpu::unary_vectorised(UnaryOp::Gelu, x, out, 3, {}));
  EXPECT_FALSE(cpu::binary_vectorised(BinaryOp::GeluBackward, x, x, out, 3, {}));
  cpu::set_cpu_isa_limit(cpu::Isa::Avx512);
  EXPECT_EQ(out[0], -1.0f);  // nothing written
}

}  // namespace
}  // namespace advgrad::kernels
