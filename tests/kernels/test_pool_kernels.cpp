// Fast pooling kernels against the reference loops on raw buffers: odd sizes,
// overlapping and padded windows, ceil mode, count_include_pad, adaptive
// windows (shrinking and growing), ties and NaN.
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "advgrad/kernels/cpu/pool.h"
#include "advgrad/kernels/reference/pool.h"
#include "testing.h"

namespace advgrad {
namespace {

using kernels::Pool2dParams;
namespace ref = kernels::reference;
namespace fast = kernels::cpu;

struct PoolCase {
  std::int64_t N, C, H, W, kh, kw, sh, sw, ph, pw;
  bool ceil_mode, count_include_pad;
};

Pool2dParams params_of(const PoolCase& c) {
  Pool2dParams p;
  p.N = c.N;
  p.C = c.C;
  p.H = c.H;
  p.W = c.W;
  p.kh = c.kh;
  p.kw = c.kw;
  p.stride_h = c.sh;
  p.stride_w = c.sw;
  p.pad_h = c.ph;
  p.pad_w = c.pw;
  p.count_include_pad = c.count_include_pad;
  p.OH = kernels::pool_out_size(c.H, c.kh, c.sh, c.ph, c.ceil_mode);
  p.OW = kernels::pool_out_size(c.W, c.kw, c.sw, c.pw, c.ceil_mode);
  return p;
}

std::string describe(const Pool2dParams& p) {
  return detail::concat("N=", p.N, " C=", p.C, " H=", p.H, " W=", p.W, " k=", p.kh, "x", p.kw, " s=(", p.stride_h,
                        ",", p.stride_w, ") p=(", p.pad_h, ",", p.pad_w, ") out=", p.OH, "x", p.OW,
                        " include_pad=", p.count_include_pad);
}

template <typename T>
std::vector<T> random_buffer(std::int64_t n, std::uint64_t salt) {
  return testing::random_tensor({n}, salt, dtype_of<T>::value).template to_vector<T>();
}

template <typename T>
::testing::AssertionResult close(const std::vector<T>& a, const std::vector<T>& b, double tol) {
  for (std::size_t i = 0; i < a.size(); ++i)
    if (!(std::fabs(static_cast<double>(a[i]) - static_cast<double>(b[i])) <= tol * (1 + std::fabs(b[i]))))
      return ::testing::AssertionFailure() << "element " << i << ": " << a[i] << " vs " << b[i];
  return ::testing::AssertionSuccess();
}

template <typename T>
void check_max(const Pool2dParams& p, const std::vector<T>& x) {
  SCOPED_TRACE(describe(p));
  const std::int64_t yn = p.planes() * p.out_plane(), xn = p.planes() * p.in_plane();
  std::vector<T> y_ref(yn), y_fast(yn);
  std::vector<std::int64_t> i_ref(yn), i_fast(yn, -5);
  ref::max_pool2d_forward<T>(p, x.data(), y_ref.data(), i_ref.data());
  fast::max_pool2d_forward<T>(p, x.data(), y_fast.data(), i_fast.data());
  EXPECT_EQ(i_fast, i_ref) << "argmax indices";
  for (std::int64_t k = 0; k < yn; ++k) {
    ASSERT_TRUE(i_ref[k] >= 0 && i_ref[k] < p.in_plane());
    ASSERT_TRUE(y_ref[k] == y_fast[k] || (std::isnan(y_ref[k]) && std::isnan(y_fast[k]))) << "value " << k;
  }
  const auto gy = random_buffer<T>(yn, 11);
  std::vector<T> gx_ref(xn), gx_fast(xn, T(3));
  ref::max_pool2d_backward<T>(p, gy.data(), i_ref.data(), gx_ref.data());
  fast::max_pool2d_backward<T>(p, gy.data(), i_ref.data(), gx_fast.data());
  EXPECT_TRUE(close(gx_fast, gx_ref, 1e-6)) << "backward (scatter)";
  const auto ggx = random_buffer<T>(xn, 12);
  std::vector<T> g_ref(yn), g_fast(yn);
  ref::max_pool2d_gather<T>(p, ggx.data(), i_ref.data(), g_ref.data());
  fast::max_pool2d_gather<T>(p, ggx.data(), i_ref.data(), g_fast.data());
  EXPECT_EQ(g_fast, g_ref) << "gather";
}

template <typename T>
void check_avg(const Pool2dParams& p, bool adaptive) {
  SCOPED_TRACE(describe(p) + (adaptive ? " adaptive" : ""));
  const std::int64_t yn = p.planes() * p.out_plane(), xn = p.planes() * p.in_plane();
  const auto x = random_buffer<T>(xn, 21), gy = random_buffer<T>(yn, 22);
  std::vector<T> y_ref(yn), y_fast(yn), gx_ref(xn), gx_fast(xn, T(3));
  const double tol = sizeof(T) == 4 ? 1e-5 : 1e-12;
  if (adaptive) {
    ref::adaptive_avg_pool2d_forward<T>(p, x.data(), y_ref.data());
    fast::adaptive_avg_pool2d_forward<T>(p, x.data(), y_fast.data());
    ref::adaptive_avg_pool2d_backward<T>(p, gy.data(), gx_ref.data());
    fast::adaptive_avg_pool2d_backward<T>(p, gy.data(), gx_fast.data());
  } else {
    ref::avg_pool2d_forward<T>(p, x.data(), y_ref.data());
    fast::avg_pool2d_forward<T>(p, x.data(), y_fast.data());
    ref::avg_pool2d_backward<T>(p, gy.data(), gx_ref.data());
    fast::avg_pool2d_backward<T>(p, gy.data(), gx_fast.data());
  }
  EXPECT_TRUE(close(y_fast, y_ref, tol)) << "forward";
  EXPECT_TRUE(close(gx_fast, gx_ref, tol)) << "backward";
}

// The plain windows (2x2 on odd sizes, 3x3 stride 2 padding 1) run end to end
// in the op registry (tests/ops/cases_pooling.cpp), ties included.
const std::vector<PoolCase> kWindows = {
    // N  C  H   W  kh kw sh sw ph pw ceil  include_pad
    {3, 5, 12, 8, 2, 2, 2, 2, 0, 0, false, true},  // 2x2, even sizes
    {2, 3, 20, 23, 2, 2, 2, 2, 0, 0, false, true}, // 2x2, 11 outputs per row: SIMD body and scalar tail
    {3, 5, 11, 9, 2, 2, 2, 2, 0, 0, true, true},   // 2x2 ceil mode: clipped last windows
    {3, 5, 11, 9, 3, 3, 2, 2, 1, 1, false, false},  // overlapping, padded, padding not counted
    {2, 3, 11, 9, 3, 2, 1, 2, 1, 1, true, true},   // non-square, ceil mode
    {2, 3, 11, 9, 3, 2, 1, 2, 1, 1, true, false},
    {2, 3, 10, 7, 4, 3, 3, 2, 2, 1, true, true},   // ceil mode past the padding
    {2, 3, 10, 7, 4, 3, 3, 2, 2, 1, true, false},
    {1, 2, 5, 5, 5, 5, 1, 1, 0, 0, false, true},   // window = image
};

TEST(PoolKernels, MaxPoolFastMatchesReference) {
  for (const auto& c : kWindows) {
    const Pool2dParams p = params_of(c);
    check_max<float>(p, random_buffer<float>(p.planes() * p.in_plane(), 1));
    check_max<double>(p, random_buffer<double>(p.planes() * p.in_plane(), 2));
  }
}

// Values from {0, 1, 2}: many ties, so both paths must pick the first maximum.
TEST(PoolKernels, MaxPoolTiesPickTheSameIndex) {
  for (const auto& c : kWindows) {
    const Pool2dParams p = params_of(c);
    auto x = random_buffer<float>(p.planes() * p.in_plane(), 3);
    for (auto& v : x) v = std::floor((v + 1.0f) * 1.5f);
    check_max<float>(p, x);
  }
}

TEST(PoolKernels, MaxPoolNaNWins) {
  const Pool2dParams p = params_of({1, 1, 4, 4, 2, 2, 2, 2, 0, 0, false, true});
  std::vector<float> x(16, 1.0f);
  x[1 * 4 + 1] = std::numeric_limits<float>::quiet_NaN();  // window (0, 0), last element
  x[2 * 4 + 3] = 5.0f;
  std::vector<float> y(4);
  std::vector<std::int64_t> idx(4);
  ref::max_pool2d_forward<float>(p, x.data(), y.data(), idx.data());
  EXPECT_TRUE(std::isnan(y[0]));
  EXPECT_EQ(idx, (std::vector<std::int64_t>{5, 2, 8, 11}));
  check_max<float>(p, x);
  // NaNs scattered over wider planes (the SIMD path of 2x2 windows, and padded 3x3 windows).
  for (const PoolCase& c : {PoolCase{2, 2, 10, 19, 2, 2, 2, 2, 0, 0, false, true},
                            PoolCase{2, 2, 10, 19, 3, 3, 2, 2, 1, 1, true, true}}) {
    const Pool2dParams q = params_of(c);
    auto v = random_buffer<float>(q.planes() * q.in_plane(), 4);
    for (std::size_t k = 0; k < v.size(); k += 7) v[k] = std::numeric_limits<float>::quiet_NaN();
    for (std::size_t k = 3; k < v.size(); k += 11) v[k] = 1.0f;  // ties with other 1s
    for (std::size_t k = 5; k < v.size(); k += 11) v[k] = 1.0f;
    check_max<float>(q, v);
  }
}

TEST(PoolKernels, AvgPoolFastMatchesReference) {
  for (const auto& c : kWindows) {
    check_avg<float>(params_of(c), false);
    check_avg<double>(params_of(c), false);
  }
}

TEST(PoolKernels, AdaptiveAvgPoolFastMatchesReference) {
  for (auto [oh, ow] : std::vector<std::pair<std::int64_t, std::int64_t>>{{4, 5}, {3, 3}, {1, 1}, {13, 10}, {11, 9}}) {
    Pool2dParams p;
    p.N = 3;
    p.C = 5;
    p.H = 11;
    p.W = 9;
    p.OH = oh;
    p.OW = ow;
    check_avg<float>(p, true);
    check_avg<double>(p, true);
  }
}

TEST(PoolKernels, ReferenceKnownValues) {
  // 1x1x3x3 image 1..9; avg 2x2 stride 2 ceil mode, with and without counting padding.
  const std::vector<double> x{1, 2, 3, 4, 5, 6, 7, 8, 9};
  Pool2dParams p = params_of({1, 1, 3, 3, 2, 2, 2, 2, 0, 0, true, true});
  ASSERT_EQ(p.OH, 2);
  std::vector<double> y(4);
  // Ceil-mode windows past the input (no padding) are clipped before counting.
  ref::avg_pool2d_forward<double>(p, x.data(), y.data());
  EXPECT_EQ(y, (std::vector<double>{3, 4.5, 7.5, 9}));
  // 3x3 windows, stride 2, padding 1: 2x2 outputs, each window holds 4 real pixels.
  p = params_of({1, 1, 3, 3, 3, 3, 2, 2, 1, 1, false, true});
  ref::avg_pool2d_forward<double>(p, x.data(), y.data());
  EXPECT_EQ(y, (std::vector<double>{12.0 / 9, 16.0 / 9, 24.0 / 9, 28.0 / 9}));
  p.count_include_pad = false;
  ref::avg_pool2d_forward<double>(p, x.data(), y.data());
  EXPECT_EQ(y, (std::vector<double>{3, 4, 6, 7}));
  // Adaptive 3 -> 2: windows [0, 2) and [1, 3) in each axis.
  p.OH = p.OW = 2;
  ref::adaptive_avg_pool2d_forward<double>(p, x.data(), y.data());
  EXPECT_EQ(y, (std::vector<double>{3, 4, 6, 7}));
}

}  // namespace
}  // namespace advgrad
