// CUDA parity of the row-wise and normalisation kernels and of GEMM beyond
// the op registry (whose CUDA mode checks softmax, the losses, batch_norm,
// matmul and linear: tests/cuda/test_ops_cuda.cpp): softmax at huge and
// infinite logits, the running-statistics update of batch_norm, and the GEMM
// entry itself for alpha, beta, padded leading dimensions and garbage in C.
#include <cmath>
#include <limits>

#include "advgrad/core/backend/backend.h"
#include "advgrad/kernels/gemm_params.h"
#include "advgrad/kernels/reference/gemm.h"
#include "cuda_testing.h"

namespace advgrad::testing {
namespace {

// ---------------------------------------------------------------- softmax

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

// ---------------------------------------------------------------- batch_norm

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
