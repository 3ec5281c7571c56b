// Fast CPU elementwise/reduction kernels vs the reference kernels, directly on
// raw buffers: odd sizes, broadcast (stride 0), permuted and gapped strides,
// float and double (int64 where instantiated), 1 and 2 threads. Output buffers
// start filled with a sentinel and are compared whole, so a stray write into a
// gap shows up. Plus unit tests of kernels::cpu::coalesce.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "advgrad/kernels/cpu/elementwise.h"
#include "advgrad/kernels/cpu/parallel.h"
#include "advgrad/kernels/random.h"
#include "advgrad/kernels/reference/elementwise.h"

namespace advgrad::kernels {
namespace {

using std::int64_t;

// ---------------------------------------------------------------- helpers

// Deterministic values in [lo, hi) from a Philox stream (no global state).
template <typename T>
std::vector<T> random_buffer(std::size_t n, std::uint64_t salt, double lo, double hi, double quantum = 0) {
  std::vector<T> v(n);
  for (std::size_t i = 0; i < n; ++i) {
    double x = lo + (hi - lo) * bits_to_unit<double>(philox_bits(0xC0FFEE + salt, 0, i));
    if (quantum > 0) x = std::floor(x / quantum) * quantum;  // many ties
    v[i] = static_cast<T>(x);
  }
  return v;
}

// One past the largest offset an operand with these sizes/strides touches.
std::size_t extent(int ndim, const int64_t* sizes, const int64_t* strides) {
  int64_t last = 0;
  for (int d = 0; d < ndim; ++d) {
    if (sizes[d] == 0) return 1;
    last += (sizes[d] - 1) * strides[d];
  }
  return static_cast<std::size_t>(last + 1);
}
std::size_t extent(const StridedLoop& l, int k) { return extent(l.ndim, l.sizes, l.strides[k]); }

StridedLoop make_loop(std::vector<int64_t> sizes, std::vector<std::vector<int64_t>> strides) {
  StridedLoop l;
  l.ndim = static_cast<int>(sizes.size());
  for (int d = 0; d < l.ndim; ++d) l.sizes[d] = sizes[d];
  for (std::size_t k = 0; k < strides.size(); ++k)
    for (int d = 0; d < l.ndim; ++d) l.strides[k][d] = strides[k][d];
  return l;
}

std::vector<int64_t> contiguous(const std::vector<int64_t>& sizes) {
  std::vector<int64_t> s(sizes.size());
  int64_t acc = 1;
  for (std::size_t i = sizes.size(); i-- > 0;) {
    s[i] = acc;
    acc *= std::max<int64_t>(sizes[i], 1);
  }
  return s;
}

struct LoopCase {
  std::string name;
  StridedLoop loop;
  bool large = false;  // big enough for the parallel paths: run for a sample of ops only
};

// Iteration spaces for `operands` operands (operand 0 = output). Inputs get
// the interesting layouts; the output is contiguous except where noted.
std::vector<LoopCase> loop_cases(int operands) {
  std::vector<LoopCase> cases;
  auto all = [&](std::vector<int64_t> sizes, std::vector<int64_t> in_strides, std::vector<int64_t> out_strides) {
    std::vector<std::vector<int64_t>> s(operands, in_strides);
    s[0] = out_strides;
    return make_loop(sizes, s);
  };
  // Long contiguous 1-D: the split-a-single-row parallel path (> 65536).
  cases.push_back({"contiguous_1d_70001", all({70001}, {1}, {1}), true});
  // Many rows: the parallel rows path, odd inner size.
  cases.push_back({"contiguous_257x131", all({257, 131}, contiguous({257, 131}), contiguous({257, 131})), true});
  cases.push_back({"contiguous_19x23", all({19, 23}, contiguous({19, 23}), contiguous({19, 23}))});
  // Permuted input: stored as [9, 5, 7], read as [5, 7, 9].
  cases.push_back({"permuted_5x7x9", all({5, 7, 9}, {7, 1, 35}, contiguous({5, 7, 9}))});
  // Gapped output (every other element) and a stepped input.
  cases.push_back({"gapped_37x29", all({37, 29}, {87, 3}, {60, 2})});
  // Size-1 dims, a 0-dim loop and an empty loop.
  cases.push_back({"size1_dims", all({1, 13, 1, 3}, {5, 3, 7, 1}, contiguous({1, 13, 1, 3}))});
  cases.push_back({"zero_dim", all({}, {}, {})});
  cases.push_back({"empty", all({4, 0, 3}, contiguous({4, 0, 3}), contiguous({4, 0, 3}))});
  // Broadcasts: operand k > 0 alternates row (stride 0 on dim 0), column
  // (stride 0 on dim 1) and scalar (all 0) broadcasting.
  auto broadcast = [&](int64_t rows, int64_t cols) {
    StridedLoop l = make_loop({rows, cols}, std::vector<std::vector<int64_t>>(operands, contiguous({rows, cols})));
    for (int k = 1; k < operands; ++k) {
      if (k % 3 == 1) {
        l.strides[k][0] = 0;
      } else if (k % 3 == 2) {
        l.strides[k][0] = 1;
        l.strides[k][1] = 0;
      } else {
        l.strides[k][0] = l.strides[k][1] = 0;
      }
    }
    return l;
  };
  cases.push_back({"broadcast_301x113", broadcast(301, 113), true});
  cases.push_back({"broadcast_11x13", broadcast(11, 13)});
  {  // A scalar first input over the long 1-D split path (the fast "scalar op tensor" case).
    StridedLoop l = make_loop({70001}, std::vector<std::vector<int64_t>>(operands, {1}));
    l.strides[1][0] = 0;
    cases.push_back({"scalar_first_70001", l, true});
    l.sizes[0] = 999;
    cases.push_back({"scalar_first_999", l});
  }
  return cases;
}

// Equal elementwise within rtol/atol; NaN equals NaN.
template <typename T>
::testing::AssertionResult close(const std::vector<T>& fast, const std::vector<T>& ref, double rtol, double atol) {
  for (std::size_t i = 0; i < ref.size(); ++i) {
    const double a = static_cast<double>(fast[i]), b = static_cast<double>(ref[i]);
    if (std::isnan(a) && std::isnan(b)) continue;
    if (a == b) continue;
    if (!(std::fabs(a - b) <= atol + rtol * std::fabs(b)))
      return ::testing::AssertionFailure() << "element " << i << ": fast " << a << " vs reference " << b;
  }
  return ::testing::AssertionSuccess();
}

template <typename T>
double tol() {
  return std::is_same_v<T, float> ? 2e-6 : 1e-14;
}

// Runs body() with 1 and 2 kernel threads, restoring the count after.
// (The reference kernels are single-threaded: each test computes them once and
// compares the fast kernels at both thread counts.)
template <typename F>
void with_thread_counts(F&& body) {
  const int before = cpu::get_num_threads();
  for (int threads : {1, 2}) {
    SCOPED_TRACE("threads " + std::to_string(threads));
    cpu::set_num_threads(threads);
    body();
  }
  cpu::set_num_threads(before);
}

constexpr float kSentinelF = -12345.0f;

// Parameters and input domains per op.
OpParams unary_params(UnaryOp op) {
  switch (op) {
    case UnaryOp::Elu: return {0.7, 0};
    case UnaryOp::LeakyRelu: return {0.1, 0};
    case UnaryOp::Softplus: return {2.0, 3.0};
    case UnaryOp::PowScalar: return {2.5, 0};
    case UnaryOp::Clamp: return {-0.5, 0.4};
    default: return {};
  }
}
bool positive_domain(UnaryOp op) {
  return op == UnaryOp::Log || op == UnaryOp::Sqrt || op == UnaryOp::Rsqrt || op == UnaryOp::Reciprocal ||
         op == UnaryOp::PowScalar;
}

// Every op of the X-macro lists, so a new op is tested without editing this file.
#define ADVGRAD_UNARY_ENTRY(name) UnaryOp::name,
#define ADVGRAD_BINARY_ENTRY(name) BinaryOp::name,
const UnaryOp kUnaryOps[] = {ADVGRAD_UNARY_OPS(ADVGRAD_UNARY_ENTRY)};
const BinaryOp kBinaryOps[] = {ADVGRAD_BINARY_OPS(ADVGRAD_BINARY_ENTRY)};
#undef ADVGRAD_UNARY_ENTRY
#undef ADVGRAD_BINARY_ENTRY

// The loop structure is the same for every op (one template per op), so the
// large parallel-path cases run for a sample of ops; every op runs on the rest.
bool sampled(UnaryOp op) { return op == UnaryOp::Copy || op == UnaryOp::Exp || op == UnaryOp::Clamp; }
bool sampled(BinaryOp op) {
  return op == BinaryOp::Add || op == BinaryOp::Div || op == BinaryOp::Maximum || op == BinaryOp::ReluBackward;
}

OpParams binary_params(BinaryOp op) {
  switch (op) {
    case BinaryOp::LeakyReluBackward: return {0.1, 0};
    case BinaryOp::EluBackward: return {0.7, 0};
    case BinaryOp::SoftplusBackward: return {2.0, 3.0};
    case BinaryOp::ClampBackward: return {-0.5, 0.5};
    default: return {};
  }
}

// ---------------------------------------------------------------- unary / binary / where / cast

template <typename T>
void check_unary() {
  for (const auto& c : loop_cases(2)) {
    SCOPED_TRACE(c.name);
    const auto signed_in = random_buffer<T>(extent(c.loop, 1), 1, -3, 3);
    const auto positive_in = random_buffer<T>(extent(c.loop, 1), 2, 0.1, 3);
    for (UnaryOp op : kUnaryOps) {
      if (c.large && !sampled(op)) continue;
      SCOPED_TRACE(unary_op_name(op));
      const auto& in = positive_domain(op) ? positive_in : signed_in;
      std::vector<T> ref(extent(c.loop, 0), T(kSentinelF));
      reference::unary<T>(op, c.loop, ref.data(), in.data(), unary_params(op));
      with_thread_counts([&] {
        std::vector<T> fast(ref.size(), T(kSentinelF));
        cpu::unary<T>(op, c.loop, fast.data(), in.data(), unary_params(op));
        ASSERT_TRUE(close(fast, ref, tol<T>(), tol<T>()));
      });
    }
  }
}

TEST(ElementwiseKernels, UnaryMatchesReference) {
  check_unary<float>();
  check_unary<double>();
}

template <typename T>
void check_binary() {
  for (const auto& c : loop_cases(3)) {
    SCOPED_TRACE(c.name);
    // Quantised values give ties for comparisons and minimum/maximum.
    const auto qa = random_buffer<T>(extent(c.loop, 1), 3, -3, 3, 0.5);
    const auto qb = random_buffer<T>(extent(c.loop, 2), 4, -3, 3, 0.5);
    const auto pos_a = random_buffer<T>(extent(c.loop, 1), 5, 0.1, 2);
    const auto pos_b = random_buffer<T>(extent(c.loop, 2), 6, 0.5, 2);
    const auto sa = random_buffer<T>(extent(c.loop, 1), 7, -2, 2);
    const auto sb = random_buffer<T>(extent(c.loop, 2), 8, -2, 2);
    for (BinaryOp op : kBinaryOps) {
      if (c.large && !sampled(op)) continue;
      SCOPED_TRACE(binary_op_name(op));
      const bool pow = op == BinaryOp::Pow, div = op == BinaryOp::Div;
      const auto& a = pow ? pos_a : (div ? sa : qa);
      const auto& b = div ? pos_b : (pow ? sb : qb);
      std::vector<T> ref(extent(c.loop, 0), T(kSentinelF));
      reference::binary<T>(op, c.loop, ref.data(), a.data(), b.data(), binary_params(op));
      with_thread_counts([&] {
        std::vector<T> fast(ref.size(), T(kSentinelF));
        cpu::binary<T>(op, c.loop, fast.data(), a.data(), b.data(), binary_params(op));
        ASSERT_TRUE(close(fast, ref, tol<T>(), tol<T>()));
      });
    }
  }
}

void check_binary_int64() {
  for (const auto& c : loop_cases(3)) {
    SCOPED_TRACE(c.name);
    const auto a = random_buffer<int64_t>(extent(c.loop, 1), 9, -50, 50);
    const auto b = random_buffer<int64_t>(extent(c.loop, 2), 10, -50, 50);
    for (BinaryOp op : {BinaryOp::Add, BinaryOp::Sub, BinaryOp::Mul, BinaryOp::Minimum, BinaryOp::Maximum,
                        BinaryOp::Eq, BinaryOp::Ne, BinaryOp::Lt, BinaryOp::Le, BinaryOp::Gt, BinaryOp::Ge}) {
      SCOPED_TRACE(binary_op_name(op));
      std::vector<int64_t> ref(extent(c.loop, 0), -7);
      reference::binary<int64_t>(op, c.loop, ref.data(), a.data(), b.data(), {});
      with_thread_counts([&] {
        std::vector<int64_t> fast(ref.size(), -7);
        cpu::binary<int64_t>(op, c.loop, fast.data(), a.data(), b.data(), {});
        ASSERT_EQ(fast, ref);
      });
    }
  }
}

TEST(ElementwiseKernels, BinaryMatchesReference) {
  check_binary<float>();
  check_binary<double>();
  check_binary_int64();
}

template <typename T>
void check_where() {
  for (const auto& c : loop_cases(4)) {
    SCOPED_TRACE(c.name);
    auto cond = random_buffer<T>(extent(c.loop, 1), 11, 0, 2, 1.0);  // 0 or 1
    const auto a = random_buffer<T>(extent(c.loop, 2), 12, -1, 1);
    const auto b = random_buffer<T>(extent(c.loop, 3), 13, -1, 1);
    std::vector<T> fast(extent(c.loop, 0), T(kSentinelF)), ref = fast;
    reference::where<T>(c.loop, ref.data(), cond.data(), a.data(), b.data());
    cpu::where<T>(c.loop, fast.data(), cond.data(), a.data(), b.data());
    ASSERT_TRUE(close(fast, ref, 0, 0));
  }
}

TEST(ElementwiseKernels, WhereMatchesReference) {
  with_thread_counts([] {
    check_where<float>();
    check_where<double>();
  });
}

template <typename To, typename From>
void check_cast() {
  for (const auto& c : loop_cases(2)) {
    SCOPED_TRACE(c.name);
    const auto in = random_buffer<From>(extent(c.loop, 1), 14, -100, 100);
    std::vector<To> fast(extent(c.loop, 0), To(-7)), ref = fast;
    reference::cast<To, From>(c.loop, ref.data(), in.data());
    cpu::cast<To, From>(c.loop, fast.data(), in.data());
    ASSERT_TRUE(close(fast, ref, 0, 0));
  }
}

TEST(ElementwiseKernels, CastMatchesReference) {
  with_thread_counts([] {
    check_cast<float, float>();
    check_cast<float, double>();
    check_cast<float, int64_t>();
    check_cast<double, float>();
    check_cast<double, double>();
    check_cast<double, int64_t>();
    check_cast<int64_t, float>();
    check_cast<int64_t, double>();
    check_cast<int64_t, int64_t>();
  });
}

// ---------------------------------------------------------------- reductions

struct ReduceCase {
  std::string name;
  ReduceLoop loop;
};

ReduceLoop make_reduce(std::vector<int64_t> out_sizes, std::vector<int64_t> out_strides,
                       std::vector<int64_t> red_sizes, std::vector<int64_t> red_strides) {
  ReduceLoop l;
  l.out_ndim = static_cast<int>(out_sizes.size());
  for (int d = 0; d < l.out_ndim; ++d) l.out_sizes[d] = out_sizes[d], l.out_strides[d] = out_strides[d];
  l.red_ndim = static_cast<int>(red_sizes.size());
  for (int d = 0; d < l.red_ndim; ++d) l.red_sizes[d] = red_sizes[d], l.red_strides[d] = red_strides[d];
  return l;
}

std::size_t input_extent(const ReduceLoop& l) {
  int64_t last = 0;
  for (int d = 0; d < l.out_ndim; ++d) {
    if (l.out_sizes[d] == 0) return 1;
    last += (l.out_sizes[d] - 1) * l.out_strides[d];
  }
  for (int d = 0; d < l.red_ndim; ++d) {
    if (l.red_sizes[d] == 0) return 1;
    last += (l.red_sizes[d] - 1) * l.red_strides[d];
  }
  return static_cast<std::size_t>(last + 1);
}

// Reductions with one reduced dim (what arg_reduce takes) come first.
std::vector<ReduceCase> reduce_cases(bool single_reduced_dim) {
  std::vector<ReduceCase> c = {
      {"all_of_10007", make_reduce({}, {}, {10007}, {1})},
      {"last_dim_301x129", make_reduce({301}, {129}, {129}, {1})},
      {"first_dim_129x301", make_reduce({301}, {1}, {129}, {301})},
      {"middle_dim_7x11x13", make_reduce({7, 13}, {143, 1}, {11}, {13})},
      {"stride0_dim", make_reduce({5}, {1}, {9}, {0})},
      {"size1_red", make_reduce({6}, {1}, {1}, {6})},
      {"empty_out", make_reduce({0}, {3}, {3}, {1})},
  };
  if (single_reduced_dim) return c;
  c.push_back({"dims_0_2_of_7x11x13x5", make_reduce({11, 5}, {65, 1}, {7, 13}, {715, 5})});
  c.push_back({"mergeable_5x6x8", make_reduce({5}, {48}, {6, 8}, {8, 1})});
  c.push_back({"permuted_red", make_reduce({4}, {1}, {9, 7}, {4, 36})});
  c.push_back({"with_size1_dims", make_reduce({3, 1}, {1, 99}, {1, 17, 1}, {5, 3, 51})});
  c.push_back({"zero_dim_input", make_reduce({}, {}, {}, {})});
  c.push_back({"broadcast_rows_many_out", make_reduce({333, 7}, {0, 1}, {101}, {7})});
  return c;
}

template <typename T>
void check_reduce() {
  for (const auto& c : reduce_cases(false)) {
    SCOPED_TRACE(c.name);
    const std::size_t n_out = static_cast<std::size_t>(c.loop.out_numel());
    auto in = random_buffer<T>(input_extent(c.loop), 15, -1, 1);
    for (ReduceOp op : {ReduceOp::Sum, ReduceOp::Max, ReduceOp::Min}) {
      SCOPED_TRACE(op == ReduceOp::Sum ? "sum" : op == ReduceOp::Max ? "max" : "min");
      std::vector<T> fast(n_out, T(kSentinelF)), ref = fast;
      reference::reduce<T>(op, c.loop, ref.data(), in.data());
      cpu::reduce<T>(op, c.loop, fast.data(), in.data());
      // Sums may associate differently (partial sums); max/min are exact.
      const double rt = op == ReduceOp::Sum ? 4 * tol<T>() : 0.0;
      const double at = op == ReduceOp::Sum ? (std::is_same_v<T, float> ? 1e-5 : 1e-11) : 0.0;
      ASSERT_TRUE(close(fast, ref, rt, at));
    }
  }
  // An empty reduced dim: the sum is 0 on both paths.
  const ReduceLoop empty = make_reduce({4}, {1}, {0}, {4});
  const T unused[1] = {T(1)};
  std::vector<T> fast(4, T(kSentinelF)), ref = fast;
  reference::reduce<T>(ReduceOp::Sum, empty, ref.data(), unused);
  cpu::reduce<T>(ReduceOp::Sum, empty, fast.data(), unused);
  EXPECT_EQ(fast, std::vector<T>(4, T(0)));
  EXPECT_EQ(ref, fast);
}

TEST(ReduceKernels, ReduceMatchesReference) {
  with_thread_counts([] {
    check_reduce<float>();
    check_reduce<double>();
  });
}

template <typename T>
void check_arg_reduce() {
  for (const auto& c : reduce_cases(true)) {
    SCOPED_TRACE(c.name);
    const std::size_t n_out = static_cast<std::size_t>(c.loop.out_numel());
    for (double quantum : {0.0, 0.25}) {  // distinct values, then many ties
      const auto in = random_buffer<T>(input_extent(c.loop), 16, -1, 1, quantum);
      for (bool is_max : {true, false}) {
        std::vector<T> fv(n_out, T(kSentinelF)), rv = fv;
        std::vector<int64_t> fi(n_out, -1), ri = fi;
        reference::arg_reduce<T>(is_max, c.loop, rv.data(), ri.data(), in.data());
        cpu::arg_reduce<T>(is_max, c.loop, fv.data(), fi.data(), in.data());
        ASSERT_TRUE(close(fv, rv, 0, 0)) << (is_max ? "max" : "min") << " quantum " << quantum;
        ASSERT_EQ(fi, ri) << (is_max ? "max" : "min") << " quantum " << quantum;
      }
    }
  }
}

TEST(ReduceKernels, ArgReduceMatchesReference) {
  with_thread_counts([] {
    check_arg_reduce<float>();
    check_arg_reduce<double>();
  });
}

// The documented conventions, on both paths: ties -> first index; NaN wins
// (max/min and arg_reduce return it, and its index).
TEST(ReduceKernels, TiesAndNaN) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const std::vector<double> in = {1, 5, 5, 2, /**/ 3, nan, 7, nan, /**/ 0, 0, 0, 0};
  const ReduceLoop rows = make_reduce({3}, {4}, {4}, {1});
  for (bool use_ref : {false, true}) {
    SCOPED_TRACE(use_ref ? "reference" : "fast");
    std::vector<double> v(3);
    std::vector<int64_t> idx(3);
    (use_ref ? reference::arg_reduce<double> : cpu::arg_reduce<double>)(true, rows, v.data(), idx.data(), in.data());
    EXPECT_EQ(idx, (std::vector<int64_t>{1, 1, 0}));
    EXPECT_EQ(v[0], 5.0);
    EXPECT_TRUE(std::isnan(v[1]));
    (use_ref ? reference::arg_reduce<double> : cpu::arg_reduce<double>)(false, rows, v.data(), idx.data(), in.data());
    EXPECT_EQ(idx, (std::vector<int64_t>{0, 1, 0}));
    std::vector<double> r(3);
    (use_ref ? reference::reduce<double> : cpu::reduce<double>)(ReduceOp::Max, rows, r.data(), in.data());
    EXPECT_EQ(r[0], 5.0);
    EXPECT_TRUE(std::isnan(r[1]));
    EXPECT_EQ(r[2], 0.0);
    (use_ref ? reference::reduce<double> : cpu::reduce<double>)(ReduceOp::Min, rows, r.data(), in.data());
    EXPECT_EQ(r[0], 1.0);
    EXPECT_TRUE(std::isnan(r[1]));
  }
}

// ---------------------------------------------------------------- coalesce

// The (offset of every operand) sequence a loop visits, in row-major order.
std::vector<std::vector<int64_t>> visits(const StridedLoop& l, int operands) {
  std::vector<std::vector<int64_t>> out;
  for (int64_t i = 0; i < l.numel(); ++i) {
    std::vector<int64_t> o;
    for (int k = 0; k < operands; ++k) o.push_back(strided_offset(l, k, i));
    out.push_back(o);
  }
  return out;
}

void expect_loop(const StridedLoop& l, int operands, std::vector<int64_t> sizes,
                 std::vector<std::vector<int64_t>> strides) {
  ASSERT_EQ(l.ndim, static_cast<int>(sizes.size()));
  for (int d = 0; d < l.ndim; ++d) {
    EXPECT_EQ(l.sizes[d], sizes[d]) << "dim " << d;
    for (int k = 0; k < operands; ++k) EXPECT_EQ(l.strides[k][d], strides[k][d]) << "operand " << k << " dim " << d;
  }
}

TEST(Coalesce, MergesContiguousDims) {
  expect_loop(cpu::coalesce(make_loop({2, 3, 4}, {{12, 4, 1}, {12, 4, 1}}), 2), 2, {24}, {{1}, {1}});
  // Operands with different but each row-major-compatible strides merge too.
  expect_loop(cpu::coalesce(make_loop({2, 3, 4}, {{12, 4, 1}, {24, 8, 2}}), 2), 2, {24}, {{1}, {2}});
}

TEST(Coalesce, KeepsDimsAnOperandCannotMerge) {
  // Transposed operand: nothing merges.
  expect_loop(cpu::coalesce(make_loop({3, 4}, {{4, 1}, {1, 3}}), 2), 2, {3, 4}, {{4, 1}, {1, 3}});
  // Row broadcast (stride 0 outer, 1 inner) cannot merge with a contiguous output.
  expect_loop(cpu::coalesce(make_loop({3, 4}, {{4, 1}, {0, 1}}), 2), 2, {3, 4}, {{4, 1}, {0, 1}});
  // A gap between rows splits the loop where the gap is.
  expect_loop(cpu::coalesce(make_loop({2, 3, 4}, {{12, 4, 1}, {24, 4, 1}}), 2), 2, {2, 12}, {{12, 1}, {24, 1}});
  // Column-major is not reordered.
  expect_loop(cpu::coalesce(make_loop({2, 3}, {{1, 2}}), 1), 1, {2, 3}, {{1, 2}});
}

TEST(Coalesce, ScalarBroadcastMerges) {
  expect_loop(cpu::coalesce(make_loop({3, 4}, {{4, 1}, {0, 0}}), 2), 2, {12}, {{1}, {0}});
}

TEST(Coalesce, DropsSizeOneDims) {
  expect_loop(cpu::coalesce(make_loop({1, 5, 1, 3}, {{15, 3, 3, 1}, {99, 3, 42, 1}}), 2), 2, {15}, {{1}, {1}});
  // All dims of size 1, or none at all: one element, stride 1.
  expect_loop(cpu::coalesce(make_loop({1, 1}, {{7, 9}, {0, 0}}), 2), 2, {1}, {{1}, {1}});
  expect_loop(cpu::coalesce(make_loop({}, {{}, {}}), 2), 2, {1}, {{1}, {1}});
}

TEST(Coalesce, OnlyTheGivenOperandsCount) {
  // Operand 1's strides are ignored when coalescing for one operand.
  expect_loop(cpu::coalesce(make_loop({3, 4}, {{4, 1}, {1, 3}}), 1), 1, {12}, {{1}});
}

TEST(Coalesce, PreservesTheVisitOrder) {
  const std::vector<StridedLoop> loops = {
      make_loop({2, 3, 4}, {{12, 4, 1}, {0, 4, 1}, {1, 0, 0}}),
      make_loop({5, 1, 7, 3}, {{21, 21, 3, 1}, {3, 100, 15, 1}, {0, 0, 0, 0}}),
      make_loop({4, 6, 2}, {{12, 2, 1}, {1, 8, 4}, {12, 2, 0}}),
      make_loop({3, 0, 2}, {{0, 2, 1}, {2, 2, 1}, {6, 2, 1}}),
      make_loop({2, 2, 2, 2, 2}, {{16, 8, 4, 2, 1}, {16, 8, 4, 2, 1}, {0, 8, 4, 2, 1}}),
  };
  for (std::size_t i = 0; i < loops.size(); ++i) {
    SCOPED_TRACE("loop " + std::to_string(i));
    const StridedLoop merged = cpu::coalesce(loops[i], 3);
    EXPECT_LE(merged.ndim, std::max(loops[i].ndim, 1));
    if (loops[i].numel() == 0) {
      EXPECT_EQ(merged.numel(), 0);
      continue;
    }
    EXPECT_EQ(visits(merged, 3), visits(loops[i], 3));
  }
}

}  // namespace
}  // namespace advgrad::kernels
