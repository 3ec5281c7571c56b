// The fast CPU GEMM against the reference triple loop on raw buffers: odd
// sizes around the register tiles and cache blocks, every transposition,
// padded leading dimensions, alpha/beta (beta = 0 over NaN), batches with
// broadcast operands, float and double, every instruction set this machine
// has, and 1/2/3 threads (whose results must be bit-identical).
#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "advgrad/kernels/cpu/cpu_features.h"
#include "advgrad/kernels/cpu/gemm.h"
#include "advgrad/kernels/cpu/parallel.h"
#include "advgrad/kernels/reference/gemm.h"

namespace advgrad::kernels {
namespace {

using cpu::Isa;
using std::int64_t;

struct Case {
  int64_t m, n, k;
  bool trans_a = false, trans_b = false;
  double alpha = 1.0, beta = 0.0;
  int64_t pad = 0;  // extra elements per row of A, B and C beyond the minimum
  int64_t batch = 1;
  bool broadcast_a = false, broadcast_b = false;  // batch stride 0

  std::string str() const {
    std::ostringstream os;
    os << "m=" << m << " n=" << n << " k=" << k << " trans_a=" << trans_a << " trans_b=" << trans_b
       << " alpha=" << alpha << " beta=" << beta << " pad=" << pad << " batch=" << batch
       << " broadcast_a=" << broadcast_a << " broadcast_b=" << broadcast_b;
    return os.str();
  }
};

// Restores the thread count and the instruction-set cap after a test.
class KernelSettingsGuard {
 public:
  KernelSettingsGuard() : threads_(cpu::get_num_threads()), isa_(cpu::cpu_isa()) {}
  ~KernelSettingsGuard() {
    cpu::set_num_threads(threads_);
    cpu::set_cpu_isa_limit(isa_);
  }

 private:
  int threads_;
  Isa isa_;
};

std::vector<Isa> available_isas() {
  std::vector<Isa> out{Isa::Scalar};
  if (cpu::cpu_isa_supported() >= Isa::Avx2) out.push_back(Isa::Avx2);
  if (cpu::cpu_isa_supported() >= Isa::Avx512) out.push_back(Isa::Avx512);
  return out;
}

template <typename T>
struct Problem {
  GemmParams p;
  std::vector<T> a, b, c;  // c: the initial C (garbage NaN when beta == 0)
};

template <typename T>
Problem<T> make_problem(const Case& cs, std::uint64_t seed) {
  Problem<T> pr;
  GemmParams& p = pr.p;
  p.m = cs.m;
  p.n = cs.n;
  p.k = cs.k;
  p.trans_a = cs.trans_a;
  p.trans_b = cs.trans_b;
  p.alpha = cs.alpha;
  p.beta = cs.beta;
  p.batch = cs.batch;
  // Stored shapes: A is m x k (k x m when transposed), B is k x n (n x k).
  const int64_t a_rows = cs.trans_a ? cs.k : cs.m, a_cols = cs.trans_a ? cs.m : cs.k;
  const int64_t b_rows = cs.trans_b ? cs.n : cs.k, b_cols = cs.trans_b ? cs.k : cs.n;
  p.lda = a_cols + cs.pad;
  p.ldb = b_cols + cs.pad;
  p.ldc = cs.n + cs.pad;
  // Gaps between batch items too, so strides are not the packed ones.
  p.stride_a = cs.broadcast_a ? 0 : a_rows * p.lda + 3;
  p.stride_b = cs.broadcast_b ? 0 : b_rows * p.ldb + 5;
  p.stride_c = cs.m * p.ldc + 7;
  auto size = [&](int64_t stride, int64_t rows, int64_t ld) {
    return static_cast<std::size_t>(stride * (cs.batch - 1) + rows * ld + 1);
  };
  std::mt19937_64 gen(seed);
  std::uniform_real_distribution<double> dist(-1.0, 1.0);
  auto fill = [&](std::vector<T>& v, std::size_t n) {
    v.resize(n);
    for (auto& x : v) x = static_cast<T>(dist(gen));
  };
  fill(pr.a, size(p.stride_a, a_rows, p.lda));
  fill(pr.b, size(p.stride_b, b_rows, p.ldb));
  fill(pr.c, size(p.stride_c, cs.m, p.ldc));
  if (cs.beta == 0.0) std::fill(pr.c.begin(), pr.c.end(), std::numeric_limits<T>::quiet_NaN());
  return pr;
}

template <typename T>
std::vector<T> abs_of(const std::vector<T>& v) {
  std::vector<T> out(v.size());
  for (std::size_t i = 0; i < v.size(); ++i) out[i] = std::fabs(v[i]);
  return out;
}

bool in_matrix(const GemmParams& p, std::size_t idx) {
  const auto i = static_cast<int64_t>(idx);
  for (int64_t bt = 0; bt < p.batch; ++bt) {
    const int64_t off = i - bt * p.stride_c;
    if (off >= 0 && off < p.m * p.ldc && off % p.ldc < p.n) return true;
  }
  return false;
}

// Runs the fast kernel on every ISA and thread count and checks it against
// the reference: within a rounding bound inside C, bit-identical outside it
// (padding, gaps), and bit-identical across thread counts.
template <typename T>
void check_case(const Case& cs, std::uint64_t seed) {
  SCOPED_TRACE(cs.str() + (sizeof(T) == 4 ? " float" : " double"));
  KernelSettingsGuard guard;
  const Problem<T> pr = make_problem<T>(cs, seed);
  std::vector<T> expected = pr.c;
  reference::gemm(pr.p, pr.a.data(), pr.b.data(), expected.data());
  // Per-element error scale: |alpha| |op(A)| |op(B)| + |beta| |C|.
  GemmParams abs_p = pr.p;
  abs_p.alpha = std::fabs(pr.p.alpha);
  abs_p.beta = std::fabs(pr.p.beta);
  std::vector<T> scale = abs_of(pr.c), abs_a = abs_of(pr.a), abs_b = abs_of(pr.b);
  reference::gemm(abs_p, abs_a.data(), abs_b.data(), scale.data());
  const double eps = std::numeric_limits<T>::epsilon();
  const double tol = 2.0 * eps * static_cast<double>(cs.k + 2);

  for (Isa isa : available_isas()) {
    SCOPED_TRACE(std::string("isa ") + cpu::isa_name(isa));
    cpu::set_cpu_isa_limit(isa);
    std::vector<T> first;
    for (int threads : {1, 2, 3}) {
      SCOPED_TRACE("threads " + std::to_string(threads));
      cpu::set_num_threads(threads);
      std::vector<T> got = pr.c;
      cpu::gemm(pr.p, pr.a.data(), pr.b.data(), got.data());
      if (threads == 1) {
        first = got;
        int reported = 0;
        for (std::size_t i = 0; i < got.size(); ++i) {
          if (in_matrix(pr.p, i)) {
            const double err = std::fabs(static_cast<double>(got[i]) - static_cast<double>(expected[i]));
            if (!(err <= tol * static_cast<double>(scale[i]) + 1e-300) && reported++ < 5)
              ADD_FAILURE() << "C element " << i << ": fast " << got[i] << " vs reference " << expected[i];
          } else if (std::memcmp(&got[i], &pr.c[i], sizeof(T)) != 0 && reported++ < 5) {
            ADD_FAILURE() << "element " << i << " outside C was written";
          }
        }
      } else {
        EXPECT_EQ(std::memcmp(got.data(), first.data(), got.size() * sizeof(T)), 0)
            << "result differs from the 1-thread result";
      }
    }
  }
}

template <typename T>
void check_all(const std::vector<Case>& cases) {
  std::uint64_t seed = 1;
  for (const Case& c : cases) check_case<T>(c, seed++);
}

// Sizes around the tiles (mr 4/6/12, nr 8/16/32) and the blocks (kc 256,
// mc 120..480, nc 2048/4096), each with all four transpositions.
std::vector<Case> shape_cases() {
  const std::vector<std::array<int64_t, 3>> shapes = {
      {1, 1, 1},     {1, 7, 33},    {7, 1, 33},   {7, 7, 7},     {3, 5, 2},     {33, 65, 17},
      {65, 33, 129}, {129, 257, 65}, {257, 129, 33}, {12, 32, 256}, {24, 64, 16}, {13, 31, 300},
      {40, 70, 600}, {600, 40, 30},  {13, 4200, 20}, {2, 300, 300}, {300, 2, 300}};
  std::vector<Case> out;
  for (const auto& s : shapes)
    for (int t = 0; t < 4; ++t) {
      Case c{s[0], s[1], s[2]};
      c.trans_a = (t & 1) != 0;
      c.trans_b = (t & 2) != 0;
      out.push_back(c);
    }
  return out;
}

TEST(GemmKernel, ShapesAndTranspositionsFloat) { check_all<float>(shape_cases()); }
TEST(GemmKernel, ShapesAndTranspositionsDouble) { check_all<double>(shape_cases()); }

std::vector<Case> scaling_cases() {
  std::vector<Case> out;
  for (const auto& [alpha, beta] : std::vector<std::pair<double, double>>{{1, 0}, {0.5, 0}, {1, 1}, {-1.5, 0.75}})
    for (int t = 0; t < 4; ++t)
      for (const auto& s : std::vector<std::array<int64_t, 3>>{{5, 6, 3}, {37, 45, 70}, {70, 37, 300}}) {
        Case c{s[0], s[1], s[2], (t & 1) != 0, (t & 2) != 0, alpha, beta};
        c.pad = 3 + t;
        out.push_back(c);
      }
  return out;
}

TEST(GemmKernel, AlphaBetaAndPaddedLeadingDimsFloat) { check_all<float>(scaling_cases()); }
TEST(GemmKernel, AlphaBetaAndPaddedLeadingDimsDouble) { check_all<double>(scaling_cases()); }

TEST(GemmKernel, EmptyInnerDimensionScalesC) {
  check_all<float>({Case{5, 6, 0, false, false, 1.0, 0.0}, Case{5, 6, 0, true, true, 2.0, 0.5, 2}});
  check_all<double>({Case{5, 6, 0, false, false, 1.0, 0.0}, Case{5, 6, 0, false, true, 2.0, -1.0, 1}});
}

TEST(GemmKernel, EmptyOutputTouchesNothing) {
  for (auto [m, n] : std::vector<std::pair<int64_t, int64_t>>{{0, 5}, {5, 0}}) {
    GemmParams p;
    p.m = m;
    p.n = n;
    p.k = 4;
    p.lda = p.ldb = p.ldc = 8;
    std::vector<float> a(64, 1.0f), b(64, 1.0f), c(64, 42.0f);
    cpu::gemm(p, a.data(), b.data(), c.data());
    for (float v : c) EXPECT_EQ(v, 42.0f);
  }
}

std::vector<Case> batch_cases() {
  std::vector<Case> out;
  // batch 3 (one product at a time, split over threads), 4 (whole products per
  // thread), 9 (small products); with A or B broadcast (stride 0).
  for (int64_t batch : {3, 4, 9})
    for (int bc = 0; bc < 3; ++bc) {
      Case c = batch == 9 ? Case{6, 5, 7} : Case{45, 70, 33};
      c.batch = batch;
      c.broadcast_a = bc == 1;
      c.broadcast_b = bc == 2;
      c.trans_a = bc == 2;
      c.trans_b = batch == 4;
      c.beta = batch == 3 ? 0.5 : 0.0;
      c.pad = 1;
      out.push_back(c);
    }
  return out;
}

TEST(GemmKernel, BatchedWithBroadcastFloat) { check_all<float>(batch_cases()); }
TEST(GemmKernel, BatchedWithBroadcastDouble) { check_all<double>(batch_cases()); }

TEST(GemmKernel, IsaLimitIsHonoured) {
  KernelSettingsGuard guard;
  cpu::set_cpu_isa_limit(Isa::Scalar);
  EXPECT_EQ(cpu::cpu_isa(), Isa::Scalar);
  cpu::set_cpu_isa_limit(Isa::Avx512);
  EXPECT_EQ(cpu::cpu_isa(), cpu::cpu_isa_supported());
  EXPECT_STREQ(cpu::isa_name(Isa::Avx2), "avx2");
}

}  // namespace
}  // namespace advgrad::kernels
