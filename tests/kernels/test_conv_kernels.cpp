// Fast conv kernels (im2col + GEMM, depthwise direct) against the reference
// loops on raw buffers: odd sizes, 1x1 / 3x3 / 5x3 kernels, strides, padding,
// dilation, groups, depthwise, column tiling, float and double.
#include <cmath>
#include <string>
#include <vector>

#include "advgrad/kernels/cpu/conv.h"
#include "advgrad/kernels/cpu/cpu_features.h"
#include "advgrad/kernels/cpu/parallel.h"
#include "advgrad/kernels/reference/conv.h"
#include "testing.h"

namespace advgrad {
namespace {

using kernels::Conv2dParams;
namespace ref = kernels::reference;
namespace fast = kernels::cpu;

struct ConvCase {
  std::int64_t N, C, H, W, O, kh, kw, sh, sw, ph, pw, dh, dw, groups;
};

Conv2dParams params_of(const ConvCase& c) {
  Conv2dParams p;
  p.N = c.N;
  p.C = c.C;
  p.H = c.H;
  p.W = c.W;
  p.O = c.O;
  p.kh = c.kh;
  p.kw = c.kw;
  p.stride_h = c.sh;
  p.stride_w = c.sw;
  p.pad_h = c.ph;
  p.pad_w = c.pw;
  p.dilation_h = c.dh;
  p.dilation_w = c.dw;
  p.groups = c.groups;
  p.OH = kernels::conv_out_size(c.H, c.kh, c.sh, c.ph, c.dh);
  p.OW = kernels::conv_out_size(c.W, c.kw, c.sw, c.pw, c.dw);
  return p;
}

std::string describe(const ConvCase& c) {
  return detail::concat("N=", c.N, " C=", c.C, " H=", c.H, " W=", c.W, " O=", c.O, " k=", c.kh, "x", c.kw, " s=(",
                        c.sh, ",", c.sw, ") p=(", c.ph, ",", c.pw, ") d=(", c.dh, ",", c.dw, ") g=", c.groups);
}

template <typename T>
std::vector<T> random_buffer(std::int64_t n, std::uint64_t salt) {
  return testing::random_tensor({n}, salt, dtype_of<T>::value).template to_vector<T>();
}

// |a - b| <= atol + rtol |b| everywhere, naming the first bad element.
template <typename T>
::testing::AssertionResult close(const std::vector<T>& a, const std::vector<T>& b, double rtol, double atol) {
  if (a.size() != b.size()) return ::testing::AssertionFailure() << "sizes " << a.size() << " vs " << b.size();
  for (std::size_t i = 0; i < a.size(); ++i) {
    const double d = std::fabs(static_cast<double>(a[i]) - static_cast<double>(b[i]));
    if (!(d <= atol + rtol * std::fabs(static_cast<double>(b[i]))))
      return ::testing::AssertionFailure() << "element " << i << ": " << a[i] << " vs " << b[i];
  }
  return ::testing::AssertionSuccess();
}

// Float sums of n terms of size ~1 err by ~eps sqrt(n); a bug errs by ~1.
template <typename T>
double tolerance(std::int64_t terms) {
  return (sizeof(T) == 4 ? 2e-6 : 1e-13) * (1.0 + std::sqrt(static_cast<double>(terms)));
}

template <typename T>
void check_case(const ConvCase& c) {
  SCOPED_TRACE(describe(c) + (sizeof(T) == 4 ? " float" : " double"));
  const Conv2dParams p = params_of(c);
  ASSERT_GT(p.OH, 0);
  ASSERT_GT(p.OW, 0);
  const std::int64_t xn = p.N * p.C * p.H * p.W, wn = p.O * p.col_rows(), yn = p.N * p.O * p.OH * p.OW;
  const auto x = random_buffer<T>(xn, 1), w = random_buffer<T>(wn, 2), b = random_buffer<T>(p.O, 3);
  const auto gy = random_buffer<T>(yn, 4);

  std::vector<T> y_ref(yn), y_fast(yn, T(7));  // fast output pre-filled: it must overwrite
  ref::conv2d_forward<T>(p, x.data(), w.data(), b.data(), y_ref.data());
  fast::conv2d_forward<T>(p, x.data(), w.data(), b.data(), y_fast.data());
  EXPECT_TRUE(close(y_fast, y_ref, 1e-5, tolerance<T>(p.col_rows()))) << "forward";
  ref::conv2d_forward<T>(p, x.data(), w.data(), nullptr, y_ref.data());
  fast::conv2d_forward<T>(p, x.data(), w.data(), nullptr, y_fast.data());
  EXPECT_TRUE(close(y_fast, y_ref, 1e-5, tolerance<T>(p.col_rows()))) << "forward without bias";

  std::vector<T> gx_ref(xn), gx_fast(xn, T(7));
  ref::conv2d_backward_input<T>(p, gy.data(), w.data(), gx_ref.data());
  fast::conv2d_backward_input<T>(p, gy.data(), w.data(), gx_fast.data());
  EXPECT_TRUE(close(gx_fast, gx_ref, 1e-5, tolerance<T>(p.out_channels_per_group() * p.kh * p.kw)))
      << "backward-input";

  std::vector<T> gw_ref(wn), gw_fast(wn, T(7));
  ref::conv2d_backward_weight<T>(p, x.data(), gy.data(), gw_ref.data());
  fast::conv2d_backward_weight<T>(p, x.data(), gy.data(), gw_fast.data());
  EXPECT_TRUE(close(gw_fast, gw_ref, 1e-5, tolerance<T>(p.N * p.OH * p.OW))) << "backward-weight";

  // Deterministic: a second run gives the same bits.
  std::vector<T> gw_again(wn);
  fast::conv2d_backward_weight<T>(p, x.data(), gy.data(), gw_again.data());
  EXPECT_EQ(gw_again, gw_fast) << "backward-weight is not deterministic";
}

// Each case aims at one path of the fast kernels. The plain layers (1x1,
// 3x3 same padding, dilated same padding, depthwise with and without a channel
// multiplier) run end to end in the op registry (tests/ops/cases_conv.cpp:
// fast vs reference in float32, and the fast float64 kernels under gradcheck).
const std::vector<ConvCase> kCases = {
    // N  C   H   W  O  kh kw sh sw ph pw dh dw g
    {3, 5, 11, 9, 6, 5, 3, 2, 2, 2, 1, 1, 1, 1},   // 5x3, stride 2
    {3, 4, 11, 9, 5, 5, 3, 1, 1, 2, 1, 1, 1, 1},   // 5x3 "same" (stride 1, OW == W: shifted-copy im2col)
    {2, 3, 3, 2, 4, 5, 5, 1, 1, 2, 2, 1, 1, 1},    // "same" with taps entirely in the padding
    {2, 3, 9, 8, 4, 3, 3, 1, 1, 0, 0, 1, 1, 1},    // stride 1, no padding (run-by-run im2col)
    {3, 5, 11, 9, 4, 3, 3, 2, 1, 1, 2, 2, 2, 1},   // dilation 2, mixed strides and pads
    {3, 5, 11, 9, 5, 5, 3, 1, 2, 2, 0, 2, 1, 5},   // depthwise, 5x3, dilated
    {3, 6, 11, 9, 9, 3, 3, 1, 1, 1, 1, 1, 1, 3},   // 3 groups
    {2, 4, 9, 10, 6, 3, 2, 1, 1, 0, 1, 1, 1, 2},   // 2 groups, 3x2 kernel
    {1, 3, 8, 7, 4, 1, 1, 2, 2, 0, 0, 1, 1, 1},    // 1x1 stride 2 (needs im2col)
    {1, 1, 6, 5, 3, 3, 3, 1, 1, 1, 1, 1, 1, 1},    // one image, one channel
    {4, 1, 9, 8, 12, 3, 3, 1, 1, 1, 1, 1, 1, 1},   // first-layer shape: K = 9 < O (transposed weight GEMM)
    {3, 2, 7, 6, 40, 3, 3, 2, 1, 1, 1, 1, 1, 2},   // transposed weight GEMM per group
    {5, 2, 7, 7, 3, 7, 7, 1, 1, 0, 0, 1, 1, 1},    // kernel = image: 1x1 output
    {5, 2, 4, 3, 3, 3, 3, 3, 3, 2, 2, 1, 1, 1},    // padding larger than the image border
    // Og a multiple of 32 and K >= 16: the AVX-512 float forward with channels on the lanes
    {3, 4, 9, 7, 64, 3, 3, 1, 1, 1, 1, 1, 1, 1},   // 64-channel blocks, tiles of 6 positions
    {3, 3, 9, 8, 32, 3, 3, 2, 1, 1, 0, 1, 1, 1},   // 32-channel blocks, tiles of 12, mixed strides
    {2, 6, 9, 10, 128, 3, 2, 1, 1, 2, 1, 2, 2, 2}, // 2 groups of 64, dilated
    {2, 16, 5, 4, 32, 1, 1, 1, 1, 0, 0, 1, 1, 1},  // pointwise, read in place (no padded copy)
    {2, 2, 7, 6, 96, 5, 5, 1, 1, 0, 0, 1, 1, 1},   // no padding, 3 blocks of 32
};

TEST(ConvKernels, FastMatchesReferenceFloat) {
  for (const auto& c : kCases) check_case<float>(c);
}

TEST(ConvKernels, FastMatchesReferenceDouble) {
  for (const auto& c : kCases) check_case<double>(c);
}

// A 32-channel 3x3 conv on 31x31 images: the column matrix exceeds its cache
// budget, so it is built in tiles that start in the middle of output rows.
TEST(ConvKernels, ColumnTilesMatchReference) {
  check_case<float>({2, 32, 31, 31, 8, 3, 3, 1, 1, 1, 1, 1, 1, 1});
  check_case<double>({2, 32, 31, 31, 8, 3, 3, 1, 1, 1, 1, 1, 1, 1});
  check_case<float>({2, 32, 31, 31, 64, 3, 3, 1, 1, 1, 1, 1, 1, 1});  // channels on lanes: several chunks
}

// Other thread counts: the batch split (and the partial sums of the weight
// gradient) change, the results must not.
TEST(ConvKernels, ThreadCounts) {
  const int saved = fast::get_num_threads();
  for (int threads : {1, 3, 4}) {
    SCOPED_TRACE(detail::concat("threads=", threads));
    fast::set_num_threads(threads);
    check_case<float>({5, 4, 9, 7, 6, 3, 3, 1, 1, 1, 1, 1, 1, 1});
    check_case<float>({5, 4, 9, 7, 8, 3, 3, 1, 1, 1, 1, 1, 1, 4});
    check_case<float>({5, 1, 9, 7, 16, 3, 3, 1, 1, 1, 1, 1, 1, 1});
    check_case<float>({5, 4, 9, 7, 64, 3, 3, 1, 1, 1, 1, 1, 1, 1});
    check_case<float>({5, 6, 9, 7, 6, 5, 5, 2, 2, 2, 2, 1, 1, 6});  // depthwise: planes and channels split
  }
  fast::set_num_threads(saved);
}

// Depthwise (groups == C == O) on the MobileNet / EfficientNet kernels: 3x3
// and 5x5, strides 1 and 2, pads 0 to 2, odd planes whose rows end in a
// partial vector (7, 13, 17), and dilation; under each instruction set the
// machine has, so both the AVX2 plane convolutions and the portable loops run.
TEST(ConvKernels, DepthwiseMatchesReference) {
  using fast::Isa;
  const Isa saved = fast::cpu_isa();
  std::vector<ConvCase> cases;
  for (std::int64_t k : {3, 5})
    for (std::int64_t s : {1, 2})
      for (std::int64_t pad : {0, 1, 2}) {
        cases.push_back({2, 5, 13, 17, 5, k, k, s, s, pad, pad, 1, 1, 5});
        cases.push_back({1, 32, 7, 7, 32, k, k, s, s, pad, pad, 1, 1, 32});
      }
  cases.push_back({3, 3, 17, 13, 3, 3, 5, 2, 1, 1, 2, 2, 1, 3});  // dilated, mixed strides
  cases.push_back({2, 3, 9, 40, 3, 3, 3, 1, 2, 1, 1, 1, 3, 3});   // rows of several vectors, dilated width
  for (Isa isa : {Isa::Scalar, Isa::Avx2}) {
    if (fast::cpu_isa_supported() < isa) continue;
    fast::set_cpu_isa_limit(isa);
    SCOPED_TRACE(fast::isa_name(isa));
    for (const auto& c : cases) {
      check_case<float>(c);
      check_case<double>(c);
    }
  }
  fast::set_cpu_isa_limit(saved);
}

TEST(ConvKernels, ReferenceKnownValues) {
  // x = 1..9 as a 3x3 image, w = 2x2 ones, no padding: each output sums a 2x2 block.
  Conv2dParams p = params_of({1, 1, 3, 3, 1, 2, 2, 1, 1, 0, 0, 1, 1, 1});
  const std::vector<double> x{1, 2, 3, 4, 5, 6, 7, 8, 9}, w{1, 1, 1, 1}, b{0.5};
  std::vector<double> y(4);
  ref::conv2d_forward<double>(p, x.data(), w.data(), b.data(), y.data());
  EXPECT_EQ(y, (std::vector<double>{12.5, 16.5, 24.5, 28.5}));
  // dL/dx with gy = 1: how many windows cover each pixel.
  const std::vector<double> gy{1, 1, 1, 1};
  std::vector<double> gx(9);
  ref::conv2d_backward_input<double>(p, gy.data(), w.data(), gx.data());
  EXPECT_EQ(gx, (std::vector<double>{1, 2, 1, 2, 4, 2, 1, 2, 1}));
  // dL/dw[i][j] = sum of the 2x2 block of x starting at (i, j).
  std::vector<double> gw(4);
  ref::conv2d_backward_weight<double>(p, x.data(), gy.data(), gw.data());
  EXPECT_EQ(gw, (std::vector<double>{12, 16, 24, 28}));
}

}  // namespace
}  // namespace advgrad
