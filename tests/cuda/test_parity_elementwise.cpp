// CUDA parity of the elementwise family beyond the op registry (whose CUDA
// mode checks every differentiable elementwise, reduction and indexing op:
// tests/cuda/test_ops_cuda.cpp): comparisons, int64 arithmetic, casts, fills,
// NaN propagation, ties and NaN in argmax/argmin, bitwise scatter_add,
// one_hot, bad indices and the random draws, against the CPU reference
// kernels. Shapes are small and odd: the emulated device runs every thread as
// a fiber.
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

// Tensors this small take the kernel's 32-bit index path; ADVGRAD_CUDA_INDEX64=1
// forces the 64-bit one (taken on a GPU when an index or offset passes 2^31).
// The differentiable ops run on both paths as variants of their registry cases
// (tests/ops/cases_elementwise.cpp); a cast has no gradient and is checked here.
TEST(CudaElementwise, CastOnTheSixtyFourBitIndexPath) {
  ASSERT_EQ(setenv("ADVGRAD_CUDA_INDEX64", "1", 1), 0);
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

// A sum over an empty dim is zeros (the registry's cases have no empty dims).
TEST(CudaReduce, SumOverAnEmptyDim) {
  expect_same("sum empty", [](const V& v) { return sum(v[0], {1}); }, {constant({3, 0, 2}, 82)});
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
}

// ---------------------------------------------------------------- indexing

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
