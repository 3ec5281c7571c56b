// CUDA parity of the row-wise and normalisation kernels and of GEMM:
// softmax / log_softmax (any dim, rows shorter and longer than a warp),
// cross_entropy (label smoothing, reductions), batch_norm (training with the
// running-statistics update, eval, with and without affine) and matmul /
// linear (2-D, batched with broadcasting, transposed views, ragged tiles),
// plus the GEMM entry itself for alpha, beta and garbage in C.
#include <cmath>
#include <limits>

#include "advgrad/core/backend/backend.h"
#include "advgrad/kernels/gemm_params.h"
#include "advgrad/kernels/reference/gemm.h"
#include "cuda_testing.h"

namespace advgrad::testing {
namespace {

using V = std::vector<Tensor>;

Tensor leaf(const Shape& s, std::uint64_t salt, double lo = -2.0, double hi = 2.0) {
  return random_tensor(s, salt, DType::Float64, lo, hi).requires_grad_(true);
}
Tensor ints(const std::vector<std::int64_t>& v, const Shape& s) { return from_vector(v, s); }

// ---------------------------------------------------------------- softmax

TEST(CudaSoftmax, AlongEveryDimShortAndLongRows) {
  for (bool log : {false, true}) {
    auto f = [log](std::int64_t dim) {
      return [log, dim](const V& x) { return log ? log_softmax(x[0], dim) : softmax(x[0], dim); };
    };
    const std::string name = log ? "log_softmax" : "softmax";
    check_parity({name + "_last_37", f(-1), {leaf({3, 37}, 1)}});  // a row of 32 + 5: two lane strides
    check_parity({name + "_last_70", f(1), {leaf({2, 70}, 2)}, 1e-4, 1e-5, true, false});
    check_parity({name + "_dim0_short", f(0), {leaf({5, 3}, 3)}});  // rows of 5 at stride 3
    check_parity({name + "_middle", f(1), {leaf({2, 3, 4}, 4)}});   // strided rows, two row dims
    check_parity({name + "_1d", f(0), {leaf({6}, 5)}});
  }
}

TEST(CudaSoftmax, TransposedViewsAndBroadcastGradient) {
  // Rows read through a transposed view (the harness also permutes every input).
  check_parity({"softmax_of_transpose", [](const V& x) { return softmax(x[0].t(), 1); }, {leaf({37, 4}, 10)}});
  // sum over the row: the backward's grad_y is broadcast along the row (dim stride 0).
  check_parity({"log_softmax_row_sum", [](const V& x) { return sum(log_softmax(x[0], 1), {1}); }, {leaf({4, 35}, 11)}});
  check_parity({"softmax_times_x", [](const V& x) { return mul(softmax(x[0], 0), x[0]); }, {leaf({7, 3}, 12)}});
}

TEST(CudaSoftmax, LargeAndInfiniteLogitsMatchTheReference) {
  const double inf = std::numeric_limits<double>::infinity();
  // Row 0: huge values (stable); row 1: some -inf; row 2: all -inf (NaN, as on the CPU).
  Tensor x = from_vector(std::vector<double>{1000, 1001, 1002, -1000, 5, -inf, 2, -inf, -inf, -inf, -inf, -inf}, {3, 4},
                         {.dtype = DType::Float64});
  for (DType dtype : {DType::Float32, DType::Float64}) {
    const Tensor xc = x.to(dtype);
    Tensor expected_p, expected_lp;
    {
      ReferenceKernelsGuard reference;
      expected_p = softmax(xc, 1);
      expected_lp = log_softmax(xc, 1);
    }
    const Tensor xd = xc.to(cuda_test_device());
    EXPECT_TRUE(all_close(softmax(xd, 1).to(Device::cpu()), expected_p, 1e-6, 1e-7));
    EXPECT_TRUE(all_close(log_softmax(xd, 1).to(Device::cpu()), expected_lp, 1e-6, 1e-7));
    EXPECT_TRUE(std::isnan(softmax(xd, 1).to(Device::cpu()).to_double_vector()[8]));
  }
}

TEST(CudaSoftmax, CrossEntropyReductionsAndSmoothing) {
  const Tensor labels = ints({2, 0, 6, 3, 3}, {5});
  for (auto r : {Reduction::Mean, Reduction::Sum, Reduction::None})
    for (double s : {0.0, 0.2})
      check_parity({"cross_entropy",
                    [r, s](const V& x) { return cross_entropy(x[0], x[1], r, s); },
                    {leaf({5, 7}, 20), labels}});
  // 40 classes (longer than a warp), label at both ends.
  check_parity({"cross_entropy_40",
                [](const V& x) { return cross_entropy(x[0], x[1], Reduction::Mean, 0.1); },
                {leaf({3, 40}, 21), ints({39, 0, 17}, {3})},
                1e-4,
                1e-5,
                true,
                false});
  // [N, C, d]: classes at dim 1 (strided rows), labels [N, d].
  const Tensor labels_nd = ints({0, 3, 1, 2, 2, 1, 0, 3, 3, 0}, {2, 5});
  check_parity({"cross_entropy_nd",
                [](const V& x) { return cross_entropy(x[0], x[1], Reduction::Sum, 0.3); },
                {leaf({2, 4, 5}, 22), labels_nd}});
}

// ---------------------------------------------------------------- batch_norm

// Fresh running statistics in x's dtype (the harness converts the inputs).
Tensor bn_train(const Tensor& x, const Tensor& w, const Tensor& b) {
  Tensor rm = zeros({x.shape()[1]}, x.options()), rv = ones({x.shape()[1]}, x.options());
  return batch_norm(x, w, b, rm, rv, true, 0.1, 1e-5);
}
Tensor bn_eval(const Tensor& x, const Tensor& w, const Tensor& b) {
  const std::int64_t c = x.shape()[1];
  Tensor rm = random_tensor({c}, 99, DType::Float64, -0.5, 0.5).to(x.dtype()).to(x.device());
  Tensor rv = random_tensor({c}, 98, DType::Float64, 0.5, 2.0).to(x.dtype()).to(x.device());
  return batch_norm(x, w, b, rm, rv, false, 0.1, 1e-5);
}

TEST(CudaBatchNorm, TrainingWithAndWithoutAffine) {
  check_parity({"bn_train_2d",
                [](const V& x) { return bn_train(x[0], x[1], x[2]); },
                {leaf({6, 3}, 30), leaf({3}, 31, 0.5, 1.5), leaf({3}, 32)}});
  check_parity({"bn_train_4d",
                [](const V& x) { return bn_train(x[0], x[1], x[2]); },
                {leaf({3, 2, 3, 5}, 33), leaf({2}, 34, 0.5, 1.5), leaf({2}, 35)}});
  check_parity(
      {"bn_train_no_affine", [](const V& x) { return bn_train(x[0], Tensor(), Tensor()); }, {leaf({2, 3, 2, 3}, 36)}});
  // Only the input requires grad (what an attack asks for).
  check_parity({"bn_train_input_only",
                [](const V& x) { return bn_train(x[0], x[1], x[2]); },
                {leaf({4, 3, 2, 2}, 37), random_tensor({3}, 38, DType::Float64, 0.5, 1.5), random_tensor({3}, 39)}});
}

TEST(CudaBatchNorm, ChannelsLongerThanABlock) {
  // M = N * S > 256 values per channel: several per thread, with (n, s) carries
  // (S = 90 does not divide 256), and S = 1 with M = 300.
  check_parity({"bn_train_m360",
                [](const V& x) { return bn_train(x[0], x[1], x[2]); },
                {leaf({4, 3, 9, 10}, 40), leaf({3}, 41, 0.5, 1.5), leaf({3}, 42)},
                1e-4,
                1e-5,
                true,
                false});
  check_parity({"bn_train_m300_2d",
                [](const V& x) { return bn_train(x[0], Tensor(), x[1]); },
                {leaf({300, 2}, 43), leaf({2}, 44)},
                1e-4,
                1e-5,
                true,
                false});
}

TEST(CudaBatchNorm, EvalWithAndWithoutAffine) {
  check_parity({"bn_eval_4d",
                [](const V& x) { return bn_eval(x[0], x[1], x[2]); },
                {leaf({3, 4, 2, 3}, 50), leaf({4}, 51, 0.5, 1.5), leaf({4}, 52)}});
  check_parity(
      {"bn_eval_2d_no_affine", [](const V& x) { return bn_eval(x[0], Tensor(), Tensor()); }, {leaf({5, 4}, 53)}});
  check_parity({"bn_eval_input_only",
                [](const V& x) { return bn_eval(x[0], x[1], Tensor()); },
                {leaf({2, 3, 3, 2}, 54), random_tensor({3}, 55, DType::Float64, 0.5, 1.5)}});
  // No running statistics: batch statistics in eval too.
  check_parity({"bn_eval_batch_stats",
                [](const V& x) {
                  Tensor none;
                  return batch_norm(x[0], x[1], x[2], none, none, false, 0.1, 1e-5);
                },
                {leaf({3, 2, 5}, 56), leaf({2}, 57, 0.5, 1.5), leaf({2}, 58)}});
}

TEST(CudaBatchNorm, RunningStatisticsUpdateLikeTheCpu) {
  for (DType dtype : {DType::Float32, DType::Float64}) {
    SCOPED_TRACE(dtype_name(dtype));
    const Tensor x = random_tensor({5, 3, 2, 3}, 60, DType::Float64, -1.5, 2.5).to(dtype);
    const Tensor w = random_tensor({3}, 61, DType::Float64, 0.5, 1.5).to(dtype);
    const Tensor b = random_tensor({3}, 62).to(dtype);
    const Tensor rm0 = random_tensor({3}, 63).to(dtype), rv0 = random_tensor({3}, 64, DType::Float64, 0.5, 2).to(dtype);
    Tensor rm = rm0.clone(), rv = rv0.clone(), y;
    {
      ReferenceKernelsGuard reference;
      y = batch_norm(x, w, b, rm, rv, true, 0.2, 1e-5);
    }
    Tensor rm_d = rm0.to(cuda_test_device()), rv_d = rv0.to(cuda_test_device());
    const Tensor y_d = batch_norm(x.to(cuda_test_device()), w.to(cuda_test_device()), b.to(cuda_test_device()), rm_d,
                                  rv_d, true, 0.2, 1e-5);
    const double tol = dtype == DType::Float32 ? 1e-5 : 1e-12;
    EXPECT_TRUE(all_close(y_d.to(Device::cpu()), y, tol, tol));
    EXPECT_TRUE(all_close(rm_d.to(Device::cpu()), rm, tol, tol));
    EXPECT_TRUE(all_close(rv_d.to(Device::cpu()), rv, tol, tol));
    EXPECT_FALSE(all_close(rm, rm0, 0, 1e-3));  // the update happened
    // And eval with the updated statistics.
    Tensor y_eval;
    {
      ReferenceKernelsGuard reference;
      y_eval = batch_norm(x, w, b, rm, rv, false);
    }
    EXPECT_TRUE(all_close(
        batch_norm(x.to(cuda_test_device()), w.to(cuda_test_device()), b.to(cuda_test_device()), rm_d, rv_d, false)
            .to(Device::cpu()),
        y_eval, tol, tol));
  }
}

// ---------------------------------------------------------------- matmul / linear / gemm

Tensor mm(const V& x) { return matmul(x[0], x[1]); }

TEST(CudaGemm, MatmulOddAndMultiTileShapes) {
  check_parity({"mat_mat_small", mm, {leaf({3, 5}, 70), leaf({5, 4}, 71)}});
  check_parity({"mat_vec", mm, {leaf({6, 5}, 72), leaf({5}, 73)}});
  // 37 x 29 x 53: one ragged tile in every direction, two k steps.
  check_parity({"mat_mat_37x29x53", mm, {leaf({37, 29}, 74), leaf({29, 53}, 75)}, 1e-4, 1e-5, true, false});
  // 130 x 40 x 150: three tiles in m and n, three k steps; the backward's
  // products have k = 150 and k = 130.
  check_parity({"mat_mat_multi_tile", mm, {leaf({130, 40}, 76), leaf({40, 150}, 77)}, 1e-4, 1e-5, true, false});
}

TEST(CudaGemm, BatchedWithBroadcasting) {
  check_parity({"batched", mm, {leaf({2, 3, 4}, 80), leaf({2, 4, 5}, 81)}});
  check_parity({"batched_times_matrix", mm, {leaf({3, 5, 7}, 82), leaf({7, 6}, 83)}});
  check_parity({"matrix_times_batched", mm, {leaf({5, 7}, 84), leaf({3, 7, 6}, 85)}});  // batch stride 0 for A
  check_parity({"broadcast_batch_dims", mm, {leaf({2, 1, 4, 5}, 86), leaf({3, 5, 6}, 87)}});
  check_parity({"batched_odd_tiles", mm, {leaf({2, 67, 19}, 88), leaf({2, 19, 70}, 89)}, 1e-4, 1e-5, true, false});
}

TEST(CudaGemm, TransposedViews) {
  check_parity(
      {"transposed_a", [](const V& x) { return matmul(x[0].t(), x[1]); }, {leaf({5, 3}, 90), leaf({5, 4}, 91)}});
  check_parity(
      {"transposed_b", [](const V& x) { return matmul(x[0], x[1].t()); }, {leaf({3, 5}, 92), leaf({4, 5}, 93)}});
  check_parity({"both_transposed",
                [](const V& x) { return matmul(x[0].transpose(-1, -2), x[1].transpose(-1, -2)); },
                {leaf({2, 5, 3}, 94), leaf({2, 4, 5}, 95)}});
  check_parity({"transposed_odd",
                [](const V& x) { return matmul(x[0].t(), x[1].t()); },
                {leaf({29, 37}, 96), leaf({53, 29}, 97)},
                1e-4,
                1e-5,
                true,
                false});
  check_parity({"sliced_rows",
                [](const V& x) { return matmul(x[0].slice(1, 1, 6), x[1].slice(0, 0, 5)); },
                {leaf({3, 7}, 98), leaf({6, 4}, 99)}});
}

TEST(CudaGemm, LinearWithAndWithoutBias) {
  // With a bias, GEMM adds onto the broadcast bias (beta = 1).
  check_parity({"linear_bias",
                [](const V& x) { return linear(x[0], x[1], x[2]); },
                {leaf({4, 9}, 100), leaf({11, 9}, 101), leaf({11}, 102)}});
  check_parity({"linear_3d_bias",
                [](const V& x) { return linear(x[0], x[1], x[2]); },
                {leaf({2, 5, 9}, 103), leaf({7, 9}, 104), leaf({7}, 105)}});
  check_parity(
      {"linear_no_bias", [](const V& x) { return linear(x[0], x[1]); }, {leaf({3, 8}, 106), leaf({5, 8}, 107)}});
  check_parity({"linear_large_bias",
                [](const V& x) { return linear(x[0], x[1], x[2]); },
                {leaf({70, 33}, 108), leaf({66, 33}, 109), leaf({66}, 110)},
                1e-4,
                1e-5,
                true,
                false});
}

// The backend's GEMM directly, for what the ops never ask: alpha != 1, beta
// other than 0 and 1, padded leading dimensions, a broadcast (stride 0) batch
// operand, and NaN in C with beta == 0 (which must be overwritten, not read).
template <typename T>
void check_backend_gemm(const kernels::GemmParams& p, bool nan_c) {
  const DType dtype = sizeof(T) == 4 ? DType::Float32 : DType::Float64;
  const auto rows = [](bool trans, std::int64_t r, std::int64_t c) { return trans ? c : r; };
  const std::int64_t a_len = 1 + p.stride_a * (p.batch - 1) + rows(p.trans_a, p.m, p.k) * p.lda;
  const std::int64_t b_len = 1 + p.stride_b * (p.batch - 1) + rows(p.trans_b, p.k, p.n) * p.ldb;
  const std::int64_t c_len = p.stride_c * (p.batch - 1) + p.m * p.ldc;
  const Tensor a = random_tensor({a_len}, 120, DType::Float64, -1, 1).to(dtype);
  const Tensor b = random_tensor({b_len}, 121, DType::Float64, -1, 1).to(dtype);
  const Tensor c0 = nan_c ? full({c_len}, std::numeric_limits<double>::quiet_NaN(), {.dtype = dtype})
                          : random_tensor({c_len}, 122, DType::Float64, -1, 1).to(dtype);
  Tensor expected = c0.clone();
  kernels::reference::gemm<T>(p, a.data<T>(), b.data<T>(), expected.data<T>());
  const Tensor ad = a.to(cuda_test_device()), bd = b.to(cuda_test_device());
  Tensor cd = c0.to(cuda_test_device());
  backend_for(cuda_test_device()).gemm(dtype, p, ad.raw_data(), bd.raw_data(), cd.raw_data());
  const double tol = sizeof(T) == 4 ? 1e-5 : 1e-12;
  const Tensor got = cd.to(Device::cpu());
  EXPECT_TRUE(all_close(got, expected, tol, tol));
  // Padding between rows of C is never written.
  const auto g = got.to_double_vector(), e = c0.to_double_vector();
  for (std::int64_t bt = 0; bt < p.batch; ++bt)
    for (std::int64_t i = 0; i < p.m; ++i)
      for (std::int64_t j = p.n; j < p.ldc && bt * p.stride_c + i * p.ldc + j < c_len; ++j) {
        const std::size_t at = static_cast<std::size_t>(bt * p.stride_c + i * p.ldc + j);
        ASSERT_TRUE((std::isnan(g[at]) && std::isnan(e[at])) || g[at] == e[at]) << "padding at " << at;
      }
}

TEST(CudaGemm, BackendAlphaBetaStridesAndGarbageC) {
  kernels::GemmParams p;
  p.m = 37;
  p.n = 70;
  p.k = 29;
  for (bool ta : {false, true})
    for (bool tb : {false, true}) {
      SCOPED_TRACE(std::string("trans_a ") + (ta ? "1" : "0") + ", trans_b " + (tb ? "1" : "0"));
      p.trans_a = ta;
      p.trans_b = tb;
      p.lda = (ta ? p.m : p.k) + 3;
      p.ldb = (tb ? p.k : p.n) + 2;
      p.ldc = p.n + 5;
      p.batch = 3;
      p.stride_a = (ta ? p.k : p.m) * p.lda;
      p.stride_b = 0;  // one B for every item
      p.stride_c = p.m * p.ldc + 4;
      p.alpha = 1.5;
      p.beta = 0.0;
      check_backend_gemm<float>(p, true);
      check_backend_gemm<double>(p, true);
      p.alpha = -0.75;
      p.beta = 0.5;
      check_backend_gemm<float>(p, false);
      check_backend_gemm<double>(p, false);
    }
  // k = 0: C = beta C.
  p = {};
  p.m = 5;
  p.n = 3;
  p.k = 0;
  p.lda = 1;
  p.ldb = 3;
  p.ldc = 3;
  p.beta = 2.0;
  check_backend_gemm<float>(p, false);
}

}  // namespace
}  // namespace advgrad::testing
