// Fast CPU kernels vs the reference kernels on raw buffers: gather and
// scatter-add (strided, broadcast index, long rows that get split across
// threads, bad indices), softmax / log-softmax forward and backward in all
// three layouts, the cross-entropy gradient, and batch norm.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "advgrad/kernels/cpu/batch_norm.h"
#include "advgrad/kernels/cpu/index.h"
#include "advgrad/kernels/cpu/parallel.h"
#include "advgrad/kernels/cpu/softmax.h"
#include "advgrad/kernels/cpu/vec_exp.h"
#include "advgrad/kernels/reference/batch_norm.h"
#include "advgrad/kernels/reference/index.h"
#include "advgrad/kernels/reference/softmax.h"

namespace advgrad::kernels {
namespace {

std::vector<float> random_floats(std::size_t n, unsigned seed, float lo = -3.f, float hi = 3.f) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(lo, hi);
  std::vector<float> v(n);
  for (auto& e : v) e = dist(rng);
  return v;
}

std::vector<std::int64_t> random_indices(std::size_t n, std::int64_t limit, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<std::int64_t> dist(0, limit - 1);
  std::vector<std::int64_t> v(n);
  for (auto& e : v) e = dist(rng);
  return v;
}

void expect_close(const std::vector<float>& a, const std::vector<float>& b, float rtol, float atol) {
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t i = 0; i < a.size(); ++i)
    ASSERT_LE(std::fabs(a[i] - b[i]), atol + rtol * std::fabs(b[i])) << "element " << i << ": " << a[i] << " vs " << b[i];
}

// Runs the body with several thread counts (1, 2, 3), restoring the setting.
template <typename F>
void with_threads(F&& body) {
  const int before = cpu::get_num_threads();
  for (int t : {1, 2, 3}) {
    SCOPED_TRACE("threads " + std::to_string(t));
    cpu::set_num_threads(t);
    body();
  }
  cpu::set_num_threads(before);
}

// ---- gather / scatter_add ----

// A [A, B, C] problem along `dim`, the index of shape `isz` contiguous, the
// indexed tensor (size `xsz`) read through transposed strides of its last two dims.
struct IndexCase {
  std::int64_t isz[3];
  std::int64_t xsz[3];
  int dim;
  bool broadcast_index;  // index_select style: one index per slice along dim
};

IndexLoop make_loop(const IndexCase& c) {
  IndexLoop l;
  l.ndim = 3;
  l.dim = c.dim;
  const std::int64_t xs[3] = {c.xsz[1] * c.xsz[2], 1, c.xsz[1]};  // x stored as [A, C, B]
  for (int d = 0; d < 3; ++d) {
    l.sizes[d] = c.isz[d];
    l.indexed_strides[d] = xs[d];
  }
  l.dense_strides[0] = c.isz[1] * c.isz[2];
  l.dense_strides[1] = c.isz[2];
  l.dense_strides[2] = 1;
  for (int d = 0; d < 3; ++d) l.index_strides[d] = c.broadcast_index ? (d == c.dim ? 1 : 0) : l.dense_strides[d];
  l.indexed_size = c.xsz[c.dim];
  return l;
}

TEST(NnKernels, GatherAndScatterAddMatchReferenceExactly) {
  const IndexCase cases[] = {
      {{3, 5, 7}, {3, 6, 7}, 1, false},    {{2, 3, 9}, {4, 3, 9}, 0, false},   {{3, 4, 5}, {3, 4, 11}, 2, false},
      {{2, 3, 4}, {5, 6, 7}, 2, false},    {{1, 7, 5000}, {1, 9, 5000}, 1, true}, {{9000, 1, 1}, {13, 1, 1}, 0, false},
      {{5, 3, 1}, {5, 8, 1}, 1, true},
  };
  with_threads([&] {
    for (const auto& c : cases) {
      const IndexLoop loop = make_loop(c);
      const std::int64_t n_idx = c.isz[0] * c.isz[1] * c.isz[2], n_x = c.xsz[0] * c.xsz[1] * c.xsz[2];
      const auto x = random_floats(static_cast<std::size_t>(n_x), 1);
      const auto index = random_indices(static_cast<std::size_t>(n_idx), c.xsz[c.dim], 2);
      std::vector<float> fast(static_cast<std::size_t>(n_idx), -7.f), ref(fast);
      EXPECT_TRUE(cpu::gather(loop, fast.data(), x.data(), index.data()).ok());
      EXPECT_TRUE(reference::gather(loop, ref.data(), x.data(), index.data()).ok());
      EXPECT_EQ(fast, ref);
      // scatter_add into a contiguous [A, B, C] output (dims of x, stored row-major).
      IndexLoop s = loop;
      s.indexed_strides[0] = c.xsz[1] * c.xsz[2];
      s.indexed_strides[1] = c.xsz[2];
      s.indexed_strides[2] = 1;
      const auto src = random_floats(static_cast<std::size_t>(n_idx), 3);
      std::vector<float> fo(static_cast<std::size_t>(n_x), 0.f), ro(fo);
      EXPECT_TRUE(cpu::scatter_add(s, fo.data(), src.data(), index.data()).ok());
      EXPECT_TRUE(reference::scatter_add(s, ro.data(), src.data(), index.data()).ok());
      EXPECT_EQ(fo, ro);  // same addition order: bit-identical
    }
  });
}

TEST(NnKernels, BadIndexReportedAtTheSamePositionByBothKernels) {
  with_threads([] {
    const IndexCase c{{4, 5, 300}, {4, 6, 300}, 1, false};
    IndexLoop loop = make_loop(c);
    const auto x = random_floats(4 * 6 * 300, 4);
    auto index = random_indices(4 * 5 * 300, 6, 5);
    index[3 * 1500 + 2 * 300 + 17] = 6;   // later bad one
    index[1 * 1500 + 4 * 300 + 250] = -2;  // the first in row-major order
    std::vector<float> out(index.size());
    const auto f = cpu::gather(loop, out.data(), x.data(), index.data());
    const auto r = reference::gather(loop, out.data(), x.data(), index.data());
    EXPECT_EQ(r.position, 1 * 1500 + 4 * 300 + 250);
    EXPECT_EQ(r.value, -2);
    EXPECT_EQ(f.position, r.position);
    EXPECT_EQ(f.value, r.value);
    std::vector<float> acc(x.size(), 0.f);
    const auto fs = cpu::scatter_add(loop, acc.data(), out.data(), index.data());
    EXPECT_EQ(fs.position, r.position);
  });
}

// ---- softmax ----

TEST(NnKernels, VectorisedExpWithinTwoUlpAndSpecialValues) {
  std::vector<float> x;
  for (float v = -90.f; v <= 89.f; v += 0.00731f) x.push_back(v);
  for (float v : {0.f, -0.f, 1e-30f, -1e-30f, 88.72f, 88.7228f, -87.33f, -87.34f}) x.push_back(v);
  const std::int64_t n = static_cast<std::int64_t>(x.size());
  std::vector<float> y(x.size());
  cpu::exp_shifted(x.data(), 0.5f, y.data(), n);
  for (std::size_t i = 0; i < x.size(); ++i) {
    const float want = std::exp(x[i] - 0.5f);
    if (want < 1.2e-38f) {  // denormal range: flushed to 0 (or equal)
      ASSERT_LE(y[i], 1.2e-38f) << x[i];
      continue;
    }
    if (std::isinf(want)) {
      ASSERT_EQ(y[i], want) << x[i];
      continue;
    }
    const float ulp = std::nextafter(want, INFINITY) - want;
    ASSERT_LE(std::fabs(y[i] - want), 2 * ulp) << "exp(" << x[i] - 0.5f << ") = " << y[i] << ", want " << want;
  }
  const float special[] = {-INFINITY, INFINITY, NAN, -100.f, 100.f, 0.f, -1.f};
  std::vector<float> shift(7, 0.f), out(7);
  cpu::exp_diff(special, shift.data(), out.data(), 7);
  EXPECT_EQ(out[0], 0.f);
  EXPECT_EQ(out[1], INFINITY);
  EXPECT_TRUE(std::isnan(out[2]));
  EXPECT_EQ(out[3], 0.f);
  EXPECT_EQ(out[4], INFINITY);
  EXPECT_EQ(out[5], 1.f);
  EXPECT_NEAR(out[6], std::exp(-1.f), 1e-7f);
}

// [A, N, B] rows along the middle dim; `layout` 0: x stored [A, B, N] (row
// contiguous), 1: stored [A, N, B] (tiled path), 2: stored [B, A, N] read with
// large strides and the output strided too (general path).
RowLoop softmax_loop(std::int64_t A, std::int64_t N, std::int64_t B, int layout, int operands) {
  RowLoop l;
  l.n = N;
  l.rows.ndim = 2;
  l.rows.sizes[0] = A;
  l.rows.sizes[1] = B;
  for (int k = 0; k < operands; ++k) {
    if (layout == 0) {
      l.rows.strides[k][0] = B * N, l.rows.strides[k][1] = N, l.dim_strides[k] = 1;
    } else if (layout == 1) {
      l.rows.strides[k][0] = N * B, l.rows.strides[k][1] = 1, l.dim_strides[k] = B;
    } else {
      l.rows.strides[k][0] = N, l.rows.strides[k][1] = A * N, l.dim_strides[k] = 1 + (k == 0 ? 0 : 0);
    }
  }
  if (layout == 2) {  // operand 0 written through a different (strided) layout than the inputs
    l.rows.strides[0][0] = 1, l.rows.strides[0][1] = A, l.dim_strides[0] = A * B;
  }
  return l;
}

TEST(NnKernels, SoftmaxForwardBackwardAllLayouts) {
  const std::int64_t shapes[][3] = {{3, 7, 5}, {2, 130, 3}, {2, 9, 150}, {1, 1, 1}, {4, 1000, 2}};
  with_threads([&] {
    for (const auto& s : shapes)
      for (int layout = 0; layout < 3; ++layout)
        for (bool log : {false, true}) {
          SCOPED_TRACE(testing::Message() << "shape " << s[0] << "x" << s[1] << "x" << s[2] << " layout " << layout
                                          << (log ? " log" : ""));
          const std::int64_t n = s[0] * s[1] * s[2];
          const auto x = random_floats(static_cast<std::size_t>(n), 6, -20.f, 20.f);
          RowLoop fwd = softmax_loop(s[0], s[1], s[2], layout, 2);
          std::vector<float> yf(static_cast<std::size_t>(n)), yr(yf.size());
          cpu::softmax(log, fwd, yf.data(), x.data());
          reference::softmax(log, fwd, yr.data(), x.data());
          expect_close(yf, yr, 1e-5f, 1e-6f);
          // backward: gradient and y in the output's layout (operand 0's), g like x.
          RowLoop bwd = softmax_loop(s[0], s[1], s[2], layout, 3);
          for (int d = 0; d < 2; ++d) bwd.rows.strides[2][d] = fwd.rows.strides[0][d];
          bwd.dim_strides[2] = fwd.dim_strides[0];
          const auto g = random_floats(static_cast<std::size_t>(n), 7);
          std::vector<float> gf(static_cast<std::size_t>(n)), gr(gf.size());
          cpu::softmax_backward(log, bwd, gf.data(), g.data(), yr.data());
          reference::softmax_backward(log, bwd, gr.data(), g.data(), yr.data());
          expect_close(gf, gr, 1e-4f, 1e-5f);
        }
  });
}

TEST(NnKernels, CrossEntropyBackwardMatchesReference) {
  const std::int64_t rows = 37, classes = 11;
  const auto logits = random_floats(rows * classes, 8);
  RowLoop fwd;
  fwd.n = classes;
  fwd.rows.ndim = 1;
  fwd.rows.sizes[0] = rows;
  fwd.rows.strides[0][0] = fwd.rows.strides[1][0] = classes;
  fwd.dim_strides[0] = fwd.dim_strides[1] = 1;
  std::vector<float> lp(logits.size());
  reference::softmax(true, fwd, lp.data(), logits.data());
  auto labels = random_indices(rows, classes, 9);
  const auto g = random_floats(rows, 10);
  for (bool per_row : {false, true}) {
    RowLoop l = fwd;
    l.rows.strides[2][0] = per_row ? 1 : 0;
    l.rows.strides[3][0] = 1;
    const CrossEntropyParams p{0.15, per_row ? 1.0 : 1.0 / rows};
    std::vector<float> f(logits.size()), r(logits.size());
    with_threads([&] {
      cpu::cross_entropy_backward(l, p, f.data(), lp.data(), g.data(), labels.data());
      reference::cross_entropy_backward(l, p, r.data(), lp.data(), g.data(), labels.data());
      expect_close(f, r, 1e-5f, 1e-7f);
    });
  }
}

// ---- batch norm ----

TEST(NnKernels, BatchNormMatchesReference) {
  // Long channels and many rows (the parallel paths) and a single sample; the
  // small shapes run end to end in the op registry (tests/ops/cases_batch_norm.cpp).
  const BatchNormShape shapes[] = {{2, 3, 1000}, {64, 33, 1}, {1, 2, 2}};
  with_threads([&] {
    for (const auto& sh : shapes)
      for (bool affine : {false, true}) {
        SCOPED_TRACE(testing::Message() << sh.n << "x" << sh.c << "x" << sh.s << (affine ? " affine" : ""));
        const std::size_t n = static_cast<std::size_t>(sh.n * sh.c * sh.s), c = static_cast<std::size_t>(sh.c);
        const auto x = random_floats(n, 11, -2.f, 4.f);
        const auto w = random_floats(c, 12, 0.5f, 1.5f), b = random_floats(c, 13);
        std::vector<float> mf(c), vf(c), mr(c), vr(c);
        cpu::batch_norm_stats(sh, x.data(), mf.data(), vf.data());
        reference::batch_norm_stats(sh, x.data(), mr.data(), vr.data());
        expect_close(mf, mr, 1e-6f, 1e-6f);
        expect_close(vf, vr, 1e-5f, 1e-6f);
        std::vector<float> invstd(c);
        for (std::size_t i = 0; i < c; ++i) invstd[i] = 1.f / std::sqrt(vr[i] + 1e-5f);
        const float* wp = affine ? w.data() : nullptr;
        std::vector<float> yf(n), yr(n);
        cpu::batch_norm_forward(sh, x.data(), mr.data(), invstd.data(), wp, affine ? b.data() : nullptr, yf.data());
        reference::batch_norm_forward(sh, x.data(), mr.data(), invstd.data(), wp, affine ? b.data() : nullptr,
                                      yr.data());
        expect_close(yf, yr, 1e-5f, 1e-5f);
        const auto g = random_floats(n, 14);
        for (bool batch_stats : {true, false}) {
          std::vector<float> gxf(n), gxr(n), gwf(c), gwr(c), gbf(c), gbr(c);
          cpu::batch_norm_backward(sh, batch_stats, g.data(), x.data(), mr.data(), invstd.data(), wp, gxf.data(),
                                   gwf.data(), gbf.data());
          reference::batch_norm_backward(sh, batch_stats, g.data(), x.data(), mr.data(), invstd.data(), wp,
                                         gxr.data(), gwr.data(), gbr.data());
          expect_close(gxf, gxr, 1e-4f, 1e-5f);
          expect_close(gwf, gwr, 1e-4f, 1e-4f);
          expect_close(gbf, gbr, 1e-4f, 1e-4f);
          // Null outputs are skipped without touching the rest.
          std::vector<float> only_x(n);
          cpu::batch_norm_backward<float>(sh, batch_stats, g.data(), x.data(), mr.data(), invstd.data(), wp, only_x.data(),
                                   nullptr, nullptr);
          EXPECT_EQ(only_x, gxf);
        }
      }
  });
}

}  // namespace
}  // namespace advgrad::kernels
