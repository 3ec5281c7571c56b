// CUDA parity of the elementwise family: elementwise ops, casts, fills,
// reductions, gather/scatter and the random draws, against the CPU reference
// kernels (check_parity where there is a gradient, plain comparisons
// otherwise). Shapes are small and odd: the emulated device runs every thread
// as a fiber.
#include <cmath>
#include <cstdlib>
#include <limits>
#include <string>

#include "advgrad/core/backend/backend.h"
#include "cuda_testing.h"

namespace advgrad::testing {
namespace {

using V = std::vector<Tensor>;

std::string dname(DType d) { return std::string(dtype_name(d)); }

Tensor leaf(const Shape& s, std::uint64_t salt, double lo = -1.0, double hi = 1.0) {
  return random_tensor(s, salt, DType::Float64, lo, hi).requires_grad_(true);
}
Tensor constant(const Shape& s, std::uint64_t salt, double lo = -1.0, double hi = 1.0) {
  return random_tensor(s, salt, DType::Float64, lo, hi);
}
Tensor labels(const std::vector<std::int64_t>& v, const Shape& s) { return from_vector(v, s); }
// Values rounded to multiples of 0.5: many exact ties.
Tensor round_values(const Tensor& t) {
  std::vector<double> v = t.to_double_vector();
  for (auto& x : v) x = std::round(2 * x) / 2;
  return from_vector(v, t.shape(), {DType::Float64});
}

// The CPU reference result of fn on `inputs`.
Tensor on_cpu(const TensorFn& fn, const V& inputs) {
  ReferenceKernelsGuard reference;
  return fn(inputs);
}
// fn on device copies of `inputs`, brought back to the CPU.
Tensor on_device(const TensorFn& fn, const V& inputs, bool strided = false) {
  V moved;
  for (const auto& t : inputs) {
    Tensor d = t.to(cuda_test_device());
    moved.push_back(strided && d.dim() > 0 ? non_contiguous(d) : d);
  }
  Tensor out = fn(moved);
  EXPECT_TRUE(out.device() == cuda_test_device());
  return out.to(Device::cpu());
}

// Bitwise equality (NaNs equal), dtype and shape included.
::testing::AssertionResult same(const Tensor& a, const Tensor& b) {
  if (a.dtype() != b.dtype())
    return ::testing::AssertionFailure() << dname(a.dtype()) << " vs " << dname(b.dtype());
  return all_close(a, b, 0, 0);
}

// fn on the device (contiguous and non-contiguous inputs) equals the CPU reference exactly.
void expect_same(const std::string& name, const TensorFn& fn, const V& inputs) {
  SCOPED_TRACE(name);
  const Tensor expected = on_cpu(fn, inputs);
  EXPECT_TRUE(same(on_device(fn, inputs, false), expected)) << "contiguous";
  EXPECT_TRUE(same(on_device(fn, inputs, true), expected)) << "non-contiguous";
}

// The advgrad::Error message of fn, or "" when it does not throw.
std::string error_of(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

// ---------------------------------------------------------------- elementwise

TEST(CudaElementwise, UnaryMath) {
  check_parity({"neg", [](const V& x) { return neg(x[0]); }, {leaf({3, 5}, 1)}});
  check_parity({"exp", [](const V& x) { return exp(x[0]); }, {leaf({3, 5}, 2)}});
  check_parity({"log", [](const V& x) { return log(x[0]); }, {leaf({3, 5}, 3, 0.5, 2.0)}});
  check_parity({"sqrt", [](const V& x) { return sqrt(x[0]); }, {leaf({4, 3}, 4, 0.5, 2.0)}});
  check_parity({"rsqrt", [](const V& x) { return rsqrt(x[0]); }, {leaf({4, 3}, 5, 0.5, 2.0)}});
  check_parity({"abs", [](const V& x) { return abs(x[0]); }, {leaf({4, 3}, 6)}});
  check_parity({"sign", [](const V& x) { return sign(x[0]); }, {leaf({4, 3}, 7)}});
  check_parity({"square", [](const V& x) { return square(x[0]); }, {leaf({4, 3}, 8)}});
  check_parity({"reciprocal", [](const V& x) { return reciprocal(x[0]); }, {leaf({4, 3}, 9, 0.5, 2.0)}});
  check_parity({"erf", [](const V& x) { return erf(x[0]); }, {leaf({4, 3}, 10)}});
  check_parity({"pow_scalar", [](const V& x) { return pow(x[0], 2.5); }, {leaf({5, 3}, 11, 0.5, 2.0)}});
  check_parity({"clamp", [](const V& x) { return clamp(x[0], -0.5, 0.4); }, {leaf({5, 4}, 12)}});
  check_parity({"clamp_lo_only", [](const V& x) { return clamp(x[0], -0.2, std::nullopt); }, {leaf({5, 4}, 13)}});
  check_parity({"copy", [](const V& x) { return x[0].contiguous() * 1.0; }, {leaf({3, 4, 2}, 14)}});
}

TEST(CudaElementwise, Activations) {
  check_parity({"relu", [](const V& x) { return relu(x[0]); }, {leaf({6, 5}, 20)}});
  check_parity({"leaky_relu", [](const V& x) { return leaky_relu(x[0], 0.1); }, {leaf({6, 5}, 21)}});
  check_parity({"elu", [](const V& x) { return elu(x[0], 0.7); }, {leaf({6, 5}, 22)}});
  check_parity({"gelu", [](const V& x) { return gelu(x[0]); }, {leaf({6, 5}, 23, -3, 3)}});
  check_parity({"gelu_tanh", [](const V& x) { return gelu(x[0], true); }, {leaf({6, 5}, 24, -3, 3)}});
  check_parity({"silu", [](const V& x) { return silu(x[0]); }, {leaf({6, 5}, 25, -3, 3)}});
  check_parity({"softplus", [](const V& x) { return softplus(x[0], 2.0, 3.0); }, {leaf({6, 5}, 26, -3, 3)}});
  check_parity({"sigmoid", [](const V& x) { return sigmoid(x[0]); }, {leaf({6, 5}, 27, -6, 6)}});
  check_parity({"tanh", [](const V& x) { return tanh(x[0]); }, {leaf({6, 5}, 28, -3, 3)}});
}

TEST(CudaElementwise, BinaryWithBroadcastingAndScalars) {
  check_parity({"add", [](const V& x) { return add(x[0], x[1]); }, {leaf({3, 1, 5}, 30), leaf({4, 5}, 31)}});
  check_parity({"sub", [](const V& x) { return sub(x[0], x[1]); }, {leaf({2, 1, 3}, 32), leaf({4, 3}, 33)}});
  check_parity({"mul", [](const V& x) { return mul(x[0], x[1]); }, {leaf({3, 4}, 34), leaf({3, 1}, 35)}});
  check_parity({"div", [](const V& x) { return div(x[0], x[1]); }, {leaf({3, 1, 5}, 36), leaf({4, 5}, 37, 0.5, 2)}});
  check_parity({"pow", [](const V& x) { return pow(x[0], x[1]); }, {leaf({3, 4}, 38, 0.5, 2.0), leaf({4}, 39)}});
  check_parity({"minimum", [](const V& x) { return minimum(x[0], x[1]); }, {leaf({4, 3}, 40), leaf({3}, 41)}});
  check_parity({"maximum", [](const V& x) { return maximum(x[0], x[1]); }, {leaf({3, 1, 5}, 42), leaf({4, 5}, 43)}});
  check_parity({"scalars", [](const V& x) { return (2.0 - x[0]) * 3.0 / (x[0] + 4.0) - 1.5; }, {leaf({7}, 44)}});
  check_parity({"zero_dim", [](const V& x) { return mul(x[0], x[1]) + x[1]; }, {leaf({}, 45), leaf({2, 3}, 46)}});
  check_parity({"both_zero_dim", [](const V& x) { return div(x[0], x[1]); }, {leaf({}, 47), leaf({}, 48, 0.5, 2)}});
  // Eight dims with broadcasting along several of them.
  check_parity({"eight_dims", [](const V& x) { return mul(x[0], x[1]); },
                {leaf({2, 1, 2, 1, 3, 1, 2, 2}, 49), leaf({1, 2, 1, 2, 3, 2, 1, 2}, 50)}});
}

// Tensors this small take the kernel's 32-bit index path; ADVGRAD_CUDA_INDEX64=1
// forces the 64-bit one (taken on a GPU when an index or offset passes 2^31).
TEST(CudaElementwise, SixtyFourBitIndexPath) {
  ASSERT_EQ(setenv("ADVGRAD_CUDA_INDEX64", "1", 1), 0);
  check_parity({"mul 64-bit", [](const V& x) { return mul(x[0], x[1]); }, {leaf({3, 1, 5}, 55), leaf({4, 5}, 56)}});
  check_parity({"exp 64-bit", [](const V& x) { return exp(x[0]); }, {leaf({2, 3, 4}, 57)}});
  check_parity({"where 64-bit", [](const V& x) { return where(gt(x[0], x[1]), x[0], x[1]); },
                {leaf({3, 4}, 58), leaf({4}, 59)}});
  expect_same("cast 64-bit", [](const V& x) { return x[0].to(DType::Int64); }, {constant({3, 5}, 65, -9, 9)});
  unsetenv("ADVGRAD_CUDA_INDEX64");
}

TEST(CudaElementwise, Comparisons) {
  // Ties on purpose: rounded values.
  const Tensor a = round_values(constant({3, 1, 5}, 51, -2, 2));
  const Tensor b = round_values(constant({4, 5}, 52, -2, 2));
  const std::vector<std::pair<const char*, TensorFn>> ops = {
      {"eq", [](const V& x) { return eq(x[0], x[1]); }}, {"ne", [](const V& x) { return ne(x[0], x[1]); }},
      {"lt", [](const V& x) { return lt(x[0], x[1]); }}, {"le", [](const V& x) { return le(x[0], x[1]); }},
      {"gt", [](const V& x) { return gt(x[0], x[1]); }}, {"ge", [](const V& x) { return ge(x[0], x[1]); }}};
  for (const auto& [name, fn] : ops) {
    for (DType dtype : {DType::Float32, DType::Float64, DType::Int64})
      expect_same(std::string(name) + " " + dname(dtype), fn, {a.to(dtype), b.to(dtype)});
  }
}

TEST(CudaElementwise, Int64Arithmetic) {
  const Tensor a = constant({3, 1, 5}, 53, -50, 50).to(DType::Int64);
  const Tensor b = constant({4, 5}, 54, -50, 50).to(DType::Int64);
  expect_same("add", [](const V& x) { return add(x[0], x[1]); }, {a, b});
  expect_same("sub", [](const V& x) { return sub(x[0], x[1]); }, {a, b});
  expect_same("mul", [](const V& x) { return mul(x[0], x[1]); }, {a, b});
  expect_same("minimum", [](const V& x) { return minimum(x[0], x[1]); }, {a, b});
  expect_same("maximum", [](const V& x) { return maximum(x[0], x[1]); }, {a, b});
  expect_same("neg", [](const V& x) { return neg(x[0]); }, {a});
  // Ops core/ refuses on int64 are refused on the device too, with the same message.
  const std::string cpu = error_of([&] { (void)div(a, b); });
  const std::string dev = error_of([&] { (void)div(a.to(cuda_test_device()), b.to(cuda_test_device())); });
  EXPECT_FALSE(cpu.empty());
  EXPECT_EQ(cpu, dev);
}

TEST(CudaElementwise, Where) {
  check_parity({"where", [](const V& x) { return where(gt(x[0], x[1]), x[0] * 2.0, x[1]); },
                {leaf({3, 4}, 60), leaf({4}, 61)}});
  check_parity({"where_broadcast", [](const V& x) { return where(x[2], x[0], x[1]); },
                {leaf({3, 1, 5}, 62), leaf({4, 5}, 63), gt(constant({4, 1}, 64), scalar_tensor(0.0, {DType::Float64}))}});
}

TEST(CudaElementwise, CastsBetweenAllDtypes) {
  const Tensor x = constant({4, 3, 5}, 70, -6, 6);
  for (DType from : {DType::Float32, DType::Float64, DType::Int64}) {
    for (DType to : {DType::Float32, DType::Float64, DType::Int64}) {
      SCOPED_TRACE(std::string(dname(from)) + " -> " + dname(to));
      const Tensor src = x.to(from);
      const Tensor expected = src.to(to);
      Tensor d = src.to(cuda_test_device());
      EXPECT_TRUE(same(d.to(to).to(Device::cpu()), expected));
      // Strided source, and a strided destination through copy_.
      EXPECT_TRUE(same(non_contiguous(d).to(to).to(Device::cpu()), expected));
      Tensor dst = Tensor::empty({5, 3, 4}, {to, cuda_test_device()}).permute({2, 1, 0});
      dst.copy_(d);
      EXPECT_TRUE(same(dst.to(Device::cpu()), expected));
    }
  }
}

TEST(CudaElementwise, FillsViaZerosOnesAndFull) {
  for (DType dtype : {DType::Float32, DType::Float64, DType::Int64}) {
    SCOPED_TRACE(dname(dtype));
    const TensorOptions cpu{dtype}, dev{dtype, cuda_test_device()};
    EXPECT_TRUE(same(zeros({3, 7, 2}, dev).to(Device::cpu()), zeros({3, 7, 2}, cpu)));
    EXPECT_TRUE(same(ones({5}, dev).to(Device::cpu()), ones({5}, cpu)));
    EXPECT_TRUE(same(full({2, 3, 4, 5}, -3.0, dev).to(Device::cpu()), full({2, 3, 4, 5}, -3.0, cpu)));
    EXPECT_TRUE(same(full({}, 7.0, dev).to(Device::cpu()), full({}, 7.0, cpu)));
    EXPECT_EQ(zeros({0, 3}, dev).numel(), 0);
  }
  // A fill large enough for the grid-stride loop to wrap (more elements than threads).
  const Tensor big = full({600000}, 1.25, {DType::Float32, cuda_test_device()});
  EXPECT_DOUBLE_EQ(sum(big).item(), 750000.0);
}

// ---------------------------------------------------------------- reductions

TEST(CudaReduce, SumMeanAlongDims) {
  const Tensor x = leaf({4, 3, 5}, 80);
  for (const Dims& dims : std::vector<Dims>{{}, {0}, {1}, {2}, {0, 2}, {-1, 0}, {0, 1, 2}}) {
    for (bool keepdim : {false, true}) {
      const std::string name = "dims " + std::to_string(dims.size()) + (dims.empty() ? "" : std::to_string(dims[0])) +
                               (keepdim ? " keepdim" : "");
      check_parity({"sum " + name, [dims, keepdim](const V& v) { return sum(v[0], dims, keepdim); }, {x}});
      check_parity({"mean " + name, [dims, keepdim](const V& v) { return mean(v[0], dims, keepdim); }, {x}});
    }
  }
  // Zero-dim input, and a sum over an empty dim.
  check_parity({"sum 0-dim", [](const V& v) { return sum(v[0]); }, {leaf({}, 81)}});
  expect_same("sum empty", [](const V& v) { return sum(v[0], {1}); }, {constant({3, 0, 2}, 82)});
}

TEST(CudaReduce, LongReductionsUseTheBlockKernel) {
  // Reduced extents above 32 with few outputs: the block kernel, with inner
  // (coalesced) and outer (strided) reduced dims, and a reduced extent that is
  // not a multiple of the block.
  check_parity({"sum inner", [](const V& v) { return sum(v[0], {1}); }, {leaf({3, 300}, 83)}});
  check_parity({"sum outer", [](const V& v) { return sum(v[0], {0}); }, {leaf({300, 3}, 84)}});
  check_parity({"sum all", [](const V& v) { return sum(v[0]); }, {leaf({7, 9, 11}, 85)}});
  check_parity({"amax inner", [](const V& v) { return amax(v[0], {1}); }, {leaf({3, 77}, 86)}});
  check_parity({"amin all", [](const V& v) { return amin(v[0]); }, {leaf({5, 41}, 87)}});
  check_parity({"max inner", [](const V& v) { return max(v[0], 1).values; }, {leaf({3, 130}, 88)}});
  // Many outputs next to each other in memory: the thread-per-output kernel.
  check_parity({"sum many outputs", [](const V& v) { return sum(v[0], {0}); }, {leaf({40, 2100}, 89)},
                1e-4, 1e-5, false, false});
}

TEST(CudaReduce, AmaxAminAndNorms) {
  const Tensor x = leaf({4, 3, 5}, 90);
  for (const Dims& dims : std::vector<Dims>{{}, {0}, {2}, {0, 1}}) {
    for (bool keepdim : {false, true}) {
      check_parity({"amax", [dims, keepdim](const V& v) { return amax(v[0], dims, keepdim); }, {x}});
      check_parity({"amin", [dims, keepdim](const V& v) { return amin(v[0], dims, keepdim); }, {x}});
    }
  }
  for (double p : {1.0, 2.0, std::numeric_limits<double>::infinity()})
    check_parity({"norm_per_sample p=" + std::to_string(p), [p](const V& v) { return norm_per_sample(v[0], p); },
                  {leaf({3, 2, 4}, 91)}});
  check_parity({"logsumexp", [](const V& v) { return logsumexp(v[0], {1}); }, {leaf({3, 6}, 92)}});
  check_parity({"var", [](const V& v) { return var(v[0], {0}); }, {leaf({5, 3}, 93)}});
}

TEST(CudaReduce, MaxMinPropagateNaN) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  std::vector<double> v(3 * 70);
  for (std::size_t i = 0; i < v.size(); ++i) v[i] = std::sin(static_cast<double>(i));
  v[5] = nan;        // row 0, short and long reductions
  v[70 + 69] = nan;  // row 1, last element
  const Tensor x = from_vector(v, {3, 70}, {DType::Float64});
  for (DType dtype : {DType::Float32, DType::Float64}) {
    const Tensor xd = x.to(dtype);
    expect_same("amax rows", [](const V& t) { return amax(t[0], {1}); }, {xd});
    expect_same("amin rows", [](const V& t) { return amin(t[0], {1}); }, {xd});
    expect_same("amax cols", [](const V& t) { return amax(t[0], {0}); }, {xd});
    expect_same("amax all", [](const V& t) { return amax(t[0]); }, {xd});
  }
}

TEST(CudaReduce, ArgmaxArgminFirstIndexOnTiesAndNaN) {
  // Rounded values give many ties; columns of 70 use the block kernel, rows of 6 the thread kernel.
  const Tensor x = round_values(constant({6, 70}, 95, -2, 2));
  for (DType dtype : {DType::Float32, DType::Float64}) {
    const Tensor xd = x.to(dtype);
    for (std::int64_t dim : {0, 1, -1}) {
      for (bool keepdim : {false, true}) {
        SCOPED_TRACE("dim " + std::to_string(dim) + (keepdim ? " keepdim" : ""));
        expect_same("argmax", [=](const V& t) { return argmax(t[0], dim, keepdim); }, {xd});
        expect_same("argmin", [=](const V& t) { return argmin(t[0], dim, keepdim); }, {xd});
        expect_same("max values", [=](const V& t) { return max(t[0], dim, keepdim).values; }, {xd});
        expect_same("min indices", [=](const V& t) { return min(t[0], dim, keepdim).indices; }, {xd});
      }
    }
    expect_same("argmax 0-dim", [](const V& t) { return argmax(t[0], 0); }, {sum(xd)});
  }
  // NaNs: the first NaN wins, in both kernels.
  const double nan = std::numeric_limits<double>::quiet_NaN();
  std::vector<double> v(4 * 50, 1.0);
  v[10] = nan;
  v[30] = nan;       // row 0: first NaN at 10
  v[50 + 49] = nan;  // row 1: NaN last
  v[100 + 3] = 5.0;
  v[100 + 40] = 5.0;  // row 2: tie at 3
  const Tensor y = from_vector(v, {4, 50}, {DType::Float64});
  for (DType dtype : {DType::Float32, DType::Float64}) {
    expect_same("argmax nan rows", [](const V& t) { return argmax(t[0], 1); }, {y.to(dtype)});
    expect_same("argmin nan rows", [](const V& t) { return argmin(t[0], 1); }, {y.to(dtype)});
    expect_same("argmax nan cols", [](const V& t) { return argmax(t[0], 0); }, {y.to(dtype)});
    expect_same("max nan values", [](const V& t) { return max(t[0], 1).values; }, {y.to(dtype)});
  }
  check_parity({"max gradient", [](const V& t) { return max(t[0], 0).values; }, {leaf({5, 4}, 96)}});
  check_parity({"min gradient", [](const V& t) { return min(t[0], 1, true).values; }, {leaf({5, 40}, 97)}});
}

// ---------------------------------------------------------------- indexing

TEST(CudaIndex, GatherScatterAddIndexSelect) {
  const Tensor idx = labels({0, 2, 1, 2, 2, 0, 1, 1, 0, 2, 2, 2}, {3, 4});
  check_parity({"gather dim 1", [idx](const V& v) { return gather(v[0], 1, idx.to(v[0].device())); },
                {leaf({3, 5}, 100)}});
  check_parity({"gather dim 0", [idx](const V& v) { return gather(v[0], 0, idx.to(v[0].device())); },
                {leaf({4, 6}, 101)}});
  // Repeated indices: the adds happen in the reference's order.
  check_parity({"scatter_add dim 1",
                [idx](const V& v) { return scatter_add({3, 5}, 1, idx.to(v[0].device()), v[0]); },
                {leaf({3, 4}, 102)}});
  check_parity({"scatter_add dim 0",
                [idx](const V& v) { return scatter_add({3, 6}, 0, idx.to(v[0].device()), v[0]); },
                {leaf({3, 4}, 103)}});
  const Tensor sel = labels({2, 0, 2, 3, 1}, {5});
  check_parity({"index_select dim 0", [sel](const V& v) { return index_select(v[0], 0, sel.to(v[0].device())); },
                {leaf({4, 3}, 104)}});
  check_parity({"index_select dim 1", [sel](const V& v) { return index_select(v[0], 1, sel.to(v[0].device())); },
                {leaf({2, 4, 3}, 105)}});
}

TEST(CudaIndex, ScatterAddIsBitwiseTheReference) {
  // Many repeats of a few destinations, in float32: any other order of the adds shows up in the bits.
  std::vector<std::int64_t> v(6 * 200);
  for (std::size_t i = 0; i < v.size(); ++i) v[i] = static_cast<std::int64_t>((i * 7) % 3);
  const Tensor idx = labels(v, {6, 200});
  for (DType dtype : {DType::Float32, DType::Float64, DType::Int64}) {
    const Tensor src = constant({6, 200}, 106, -100, 100).to(dtype);
    expect_same(std::string("scatter_add dim 1 ") + dname(dtype),
                [idx](const V& t) { return scatter_add({6, 3}, 1, idx.to(t[0].device()), t[0]); }, {src});
    expect_same(std::string("gather dim 1 ") + dname(dtype),
                [idx](const V& t) { return gather(t[0], 1, idx.to(t[0].device())); },
                {constant({6, 3}, 107, -100, 100).to(dtype)});
  }
}

TEST(CudaIndex, OneHot) {
  const Tensor l = labels({3, 0, 1, 3, 2, 0}, {2, 3});
  for (DType dtype : {DType::Float32, DType::Float64, DType::Int64}) {
    EXPECT_TRUE(same(one_hot(l.to(cuda_test_device()), 4, dtype).to(Device::cpu()), one_hot(l, 4, dtype)));
    EXPECT_TRUE(same(one_hot(l.to(cuda_test_device()), -1, dtype).to(Device::cpu()), one_hot(l, -1, dtype)));
  }
}

TEST(CudaIndex, BadIndexGivesTheCpuError) {
  // Two bad indices: the first in row-major order is named, on both devices.
  const Tensor x = constant({3, 4}, 110);
  const Tensor bad = labels({0, 1, 2, 1, 3, 0, 9, -1, 0, 0, 1, 2}, {3, 4});
  const Tensor bad_col = labels({0, 1, 7, 0, 1, -2, 0, 2}, {2, 4});
  const Tensor bad_sel = labels({1, 0, 5, -3}, {4});
  const Tensor bad_labels = labels({0, 4, 1, 6}, {4});
  const Device dev = cuda_test_device();
  const std::vector<std::pair<const char*, std::function<void(const Device&)>>> cases = {
      {"gather", [&](const Device& d) { (void)gather(x.to(d), 1, bad.to(d)); }},
      {"gather dim 0", [&](const Device& d) { (void)gather(x.to(d), 0, bad_col.to(d)); }},
      {"scatter_add", [&](const Device& d) { (void)scatter_add({3, 4}, 1, bad.to(d), x.to(d)); }},
      {"index_select", [&](const Device& d) { (void)index_select(x.to(d), 1, bad_sel.to(d)); }},
      {"nll_loss labels",
       [&](const Device& d) { (void)nll_loss(x.to(d), labels({1, 3, 4}, {3}).to(d)); }},
      {"one_hot", [&](const Device& d) { (void)one_hot(bad_labels.to(d), 4); }}};
  for (const auto& [name, fn] : cases) {
    SCOPED_TRACE(name);
    const std::string cpu = error_of([&] { fn(Device::cpu()); });
    const std::string gpu = error_of([&] { fn(dev); });
    EXPECT_FALSE(cpu.empty());
    EXPECT_EQ(gpu, cpu);
  }
  // The device still works after a reported bad index.
  EXPECT_TRUE(same(gather(x.to(dev), 1, labels({0, 1, 2, 3, 3, 2, 1, 0, 0, 0, 0, 0}, {3, 4}).to(dev)).to(Device::cpu()),
                   gather(x, 1, labels({0, 1, 2, 3, 3, 2, 1, 0, 0, 0, 0, 0}, {3, 4}))));
}

// ---------------------------------------------------------------- random

// Same generator state on both devices; identical values. On a real GPU the
// normals go through its double log/cos, which may differ from the host libm
// in the last bit, so those are compared to 2 ulps there.
void expect_same_draw(const std::string& name, const std::function<Tensor(Generator&, TensorOptions)>& draw,
                      DType dtype, bool transcendental) {
  SCOPED_TRACE(name + " " + dname(dtype));
  for (std::uint64_t seed : {0ull, 1234ull}) {
    Generator cpu_gen(seed), dev_gen(seed);
    (void)cpu_gen.reserve(3);  // a non-zero offset
    (void)dev_gen.reserve(3);
    const Tensor a = draw(cpu_gen, {dtype});
    const Tensor b = draw(dev_gen, {dtype, cuda_test_device()}).to(Device::cpu());
    EXPECT_TRUE(cpu_gen.state() == dev_gen.state());
    if (transcendental && !cuda_test_device_is_emulated()) {
      const double ulp = dtype == DType::Float32 ? 1.2e-7 : 2.3e-16;
      EXPECT_TRUE(all_close(b, a, 2 * ulp, 0));
    } else {
      EXPECT_TRUE(same(b, a));
    }
  }
}

TEST(CudaRandom, DrawsMatchTheCpuForTheSameSeed) {
  for (DType dtype : {DType::Float32, DType::Float64}) {
    // Odd sizes: partial Philox blocks at the end.
    expect_same_draw("uniform", [](Generator& g, TensorOptions o) { return uniform({5, 7}, -2.0, 3.0, g, o); }, dtype,
                     false);
    expect_same_draw("rand", [](Generator& g, TensorOptions o) { return rand({1001}, g, o); }, dtype, false);
    // A range whose upper end float32 rounds onto: the [lo, hi) fix.
    expect_same_draw("uniform narrow", [](Generator& g, TensorOptions o) { return uniform({333}, 1.0, 1.0 + 1e-7, g, o); },
                     dtype, false);
    expect_same_draw("normal", [](Generator& g, TensorOptions o) { return normal({3, 11}, 0.5, 2.0, g, o); }, dtype,
                     true);
    expect_same_draw("randn", [](Generator& g, TensorOptions o) { return randn({1}, g, o); }, dtype, true);
    expect_same_draw("bernoulli", [](Generator& g, TensorOptions o) { return bernoulli({9, 13}, 0.3, g, o); }, dtype,
                     false);
  }
}

}  // namespace
}  // namespace advgrad::testing
