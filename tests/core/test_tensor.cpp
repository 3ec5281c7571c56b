// Tensor behaviour: factories, dtype conversions, views (shapes, strides,
// shared storage, gradients), copies, element access, printing and the errors
// a user can provoke.
#include <cstring>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include "advgrad/core/backend/backend.h"
#include "advgrad/core/backend/cuda.h"
#include "expect_error.h"
#include "testing.h"

namespace advgrad {
namespace {

using testing::all_close;
using testing::expect_error;
using testing::random_tensor;
using Strides = std::vector<std::int64_t>;

const TensorOptions kF64{.dtype = DType::Float64};

// 0, 1, 2, ... as float32 of `shape`.
Tensor iota(const Shape& shape, TensorOptions options = {}) {
  return arange(0.0, static_cast<double>(numel_of(shape)), 1.0, options).reshape(shape);
}

bool same_storage(const Tensor& a, const Tensor& b) { return a.impl()->storage == b.impl()->storage; }

// ---------------------------------------------------------------- factories

// A tensor kept in a function-local static (a model cache, say) is freed during
// static destruction. Its storage must still reach a live backend then (UBSan
// flags a call on a destroyed one; ctest runs each test in its own process, so
// the exit is this test's own).
TEST(Tensor, ATensorInAStaticIsFreedSafelyAtExit) {
  // The cache is constructed before the first tensor (and so, in this process,
  // before the CPU backend), so it is destroyed after the backend would be.
  static std::vector<Tensor> cache;
  cache.push_back(random_tensor({3, 5}, /*salt=*/41, DType::Float32));
  EXPECT_EQ(cache.back().numel(), 15);
}

TEST(Tensor, ConstantFactories) {
  Tensor z = zeros({2, 3});
  EXPECT_EQ(z.shape(), (Shape{2, 3}));
  EXPECT_EQ(z.strides(), (Strides{3, 1}));
  EXPECT_EQ(z.dtype(), DType::Float32);
  EXPECT_TRUE(z.device().is_cpu());
  EXPECT_TRUE(z.is_contiguous());
  EXPECT_FALSE(z.requires_grad());
  EXPECT_EQ(z.to_double_vector(), std::vector<double>(6, 0.0));
  EXPECT_EQ(ones({4}, kF64).to_vector<double>(), std::vector<double>(4, 1.0));
  EXPECT_EQ(full({2, 2}, 2.5).to_vector<float>(), std::vector<float>(4, 2.5f));
  EXPECT_EQ(full({3}, 7.9, {.dtype = DType::Int64}).to_vector<std::int64_t>(), std::vector<std::int64_t>(3, 7));
  Tensor g = zeros({2}, {.requires_grad = true});
  EXPECT_TRUE(g.requires_grad());
  EXPECT_TRUE(g.is_leaf());
  Tensor s = scalar_tensor(3.5, kF64);
  EXPECT_EQ(s.dim(), 0);
  EXPECT_EQ(s.numel(), 1);
  EXPECT_EQ(s.item(), 3.5);
  Tensor e = zeros({0, 3});
  EXPECT_EQ(e.numel(), 0);
  EXPECT_TRUE(e.to_double_vector().empty());

  Tensor base = full({2, 3}, 4.0, kF64);
  for (const Tensor& t : {zeros_like(base), ones_like(base), full_like(base, -1.0), empty_like(base)}) {
    EXPECT_EQ(t.shape(), base.shape());
    EXPECT_EQ(t.dtype(), DType::Float64);
    EXPECT_FALSE(same_storage(t, base));
  }
  EXPECT_EQ(full_like(base, -1.0).to_vector<double>(), std::vector<double>(6, -1.0));
}

TEST(Tensor, Ranges) {
  Tensor a = arange(5);
  EXPECT_EQ(a.dtype(), DType::Int64);
  EXPECT_EQ(a.to_vector<std::int64_t>(), (std::vector<std::int64_t>{0, 1, 2, 3, 4}));
  EXPECT_EQ(arange(1.0, 2.0, 0.25).to_vector<float>(), (std::vector<float>{1.0f, 1.25f, 1.5f, 1.75f}));
  EXPECT_EQ(arange(5.0, 0.0, -2.0, kF64).to_vector<double>(), (std::vector<double>{5, 3, 1}));
  EXPECT_EQ(arange(0.0, 0.0).shape(), (Shape{0}));
  EXPECT_EQ(arange(3.0, 1.0).numel(), 0);
  expect_error([] { arange(0.0, 1.0, 0.0); }, {"arange", "step=0"});
  expect_error([] { arange(0.0, std::numeric_limits<double>::infinity()); }, {"arange"});
}

TEST(Tensor, FromVectorAndFromBlobCopy) {
  Tensor d = from_vector(std::vector<double>{1.5, -2.0, 3.25, 4.0}, {2, 2});
  EXPECT_EQ(d.dtype(), DType::Float32);
  EXPECT_EQ(d.shape(), (Shape{2, 2}));
  EXPECT_EQ(d.to_vector<float>(), (std::vector<float>{1.5f, -2.0f, 3.25f, 4.0f}));
  Tensor f = from_vector(std::vector<float>{0.5f, 1.0f}, {2}, kF64);
  EXPECT_EQ(f.to_vector<double>(), (std::vector<double>{0.5, 1.0}));
  Tensor i = from_vector(std::vector<std::int64_t>{7, -8}, {2, 1});
  EXPECT_EQ(i.dtype(), DType::Int64);
  EXPECT_EQ(i.to_vector<std::int64_t>(), (std::vector<std::int64_t>{7, -8}));
  Tensor r = from_vector(std::vector<double>{1.0}, {}, {.dtype = DType::Float64, .requires_grad = true});
  EXPECT_TRUE(r.requires_grad());
  EXPECT_EQ(r.dim(), 0);

  double buffer[6] = {1, 2, 3, 4, 5, 6};
  Tensor b = from_blob(buffer, {3, 2}, kF64);
  buffer[0] = 100;  // a copy: the tensor does not see later writes
  EXPECT_EQ(b.to_vector<double>(), (std::vector<double>{1, 2, 3, 4, 5, 6}));
  EXPECT_EQ(b.at({2, 1}), 6.0);
  std::int64_t ints[3] = {-1, 0, 1};
  EXPECT_EQ(from_blob(ints, {3}, {.dtype = DType::Int64}).to_int_vector(), (std::vector<std::int64_t>{-1, 0, 1}));
}

// ---------------------------------------------------------------- dtypes

TEST(Tensor, DtypeConversionRoundTrips) {
  Tensor d = from_vector(std::vector<double>{1.5, -2.25, 0.0, 1048576.125}, {4}, kF64);
  Tensor back = d.to(DType::Float32).to(DType::Float64);
  EXPECT_EQ(back.to_vector<double>(), d.to_vector<double>());  // exactly representable in float32
  EXPECT_EQ(d.to(DType::Float32).dtype(), DType::Float32);

  Tensor i = from_vector(std::vector<std::int64_t>{-3, 0, 7, std::int64_t{1} << 40}, {4});
  EXPECT_EQ(i.to(DType::Float64).to(DType::Int64).to_vector<std::int64_t>(), i.to_vector<std::int64_t>());
  // float -> int truncates toward zero (static_cast).
  Tensor t = from_vector(std::vector<double>{1.9, -1.9, 2.0}, {3}).to(DType::Int64);
  EXPECT_EQ(t.to_vector<std::int64_t>(), (std::vector<std::int64_t>{1, -1, 2}));
  // Same dtype: the same tensor, no copy.
  EXPECT_EQ(d.to(DType::Float64).impl(), d.impl());
  // A non-contiguous source converts element by element in logical order.
  Tensor m = iota({2, 3}, kF64).t();
  EXPECT_EQ(m.to(DType::Float32).to_vector<float>(), (std::vector<float>{0, 3, 1, 4, 2, 5}));

  // Conversions are differentiable between floating dtypes.
  Tensor x = from_vector(std::vector<double>{1.0, 2.0}, {2}, kF64).requires_grad_(true);
  sum(x.to(DType::Float32) * 3.0).backward();
  EXPECT_EQ(x.grad().dtype(), DType::Float64);
  EXPECT_EQ(x.grad().to_vector<double>(), (std::vector<double>{3, 3}));
  expect_error([&] { x.to(DType::Int64); }, {"to: cannot convert a tensor that requires grad", "int64"});
  expect_error([&] { d.to_vector<float>(); }, {"to_vector", "float64", "float32"});
  expect_error([&] { d.data<std::int64_t>(); }, {"data", "float64", "int64"});
}

// ---------------------------------------------------------------- views share storage

TEST(Tensor, ViewsShareStorageAndCopyNothing) {
  Tensor x = iota({12});
  Tensor v = x.view({3, 4});
  EXPECT_TRUE(same_storage(v, x));
  EXPECT_EQ(v.strides(), (Strides{4, 1}));
  v.select(0, 1).fill_(-1.0);  // row 1 of the view is x[4:8]
  EXPECT_EQ(x.to_vector<float>(), (std::vector<float>{0, 1, 2, 3, -1, -1, -1, -1, 8, 9, 10, 11}));
  for (const Tensor& view : {x.reshape({2, 6}), v.t(), v.permute({1, 0}), v.slice(1, 1, 3), v.narrow(0, 1, 2),
                             v.select(1, 2), v.unsqueeze(0), v.unsqueeze(0).squeeze(), v.flatten(),
                             x.slice(0, 0, 12, 5).expand({3, 3}), x.detach()}) {
    EXPECT_TRUE(same_storage(view, x));
  }
  x.slice(0, 0, 12, 5).fill_(7.0);  // a strided write: elements 0, 5, 10
  EXPECT_EQ(v.at({0, 0}), 7.0);
  EXPECT_EQ(v.at({1, 1}), 7.0);
  EXPECT_EQ(v.at({2, 2}), 7.0);
  EXPECT_EQ(v.at({2, 3}), 11.0);
  // Writes through one view bump the version every view sees.
  const auto before = x.impl()->storage->version();
  v.t().copy_(zeros({4, 3}));
  EXPECT_GT(x.impl()->storage->version(), before);
  EXPECT_EQ(x.to_vector<float>(), std::vector<float>(12, 0.0f));
}

TEST(Tensor, ReshapeOfNonContiguousCopies) {
  Tensor x = iota({3, 4});
  Tensor t = x.t();  // [4, 3], strides [1, 4]
  EXPECT_FALSE(t.is_contiguous());
  Tensor r = t.reshape({12});
  EXPECT_FALSE(same_storage(r, x));
  EXPECT_EQ(r.to_vector<float>(), (std::vector<float>{0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11}));
  r.fill_(0.0);
  EXPECT_EQ(x.at({1, 0}), 4.0);  // the base is untouched
  // Splitting a dim of a non-contiguous tensor needs no copy: reshape views.
  Tensor split = t.reshape({2, 2, 3});
  EXPECT_TRUE(same_storage(split, x));
  EXPECT_EQ(split.strides(), (Strides{2, 1, 4}));
  EXPECT_EQ(split.to_vector<float>(), t.contiguous().to_vector<float>());
  EXPECT_TRUE(same_storage(t.view({2, 2, 3}), x));
  // An expanded tensor cannot be viewed flat either.
  Tensor e = from_vector(std::vector<double>{1, 2, 3}, {3}).expand({2, 3});
  EXPECT_EQ(e.reshape({6}).to_vector<float>(), (std::vector<float>{1, 2, 3, 1, 2, 3}));
  expect_error([&] { e.view({6}); }, {"view"});
  // -1 infers a size.
  EXPECT_EQ(x.reshape({-1, 6}).shape(), (Shape{2, 6}));
  EXPECT_EQ(zeros({0, 3}).reshape({-1}).shape(), (Shape{0}));
}

TEST(Tensor, ViewOfIncompatibleNonContiguousThrows) {
  Tensor t = iota({3, 4}).t();
  expect_error([&] { t.view({12}); }, {"view: shape [12] is incompatible", "[4, 3]", "reshape()"});
  expect_error([&] { t.view({3, 4}); }, {"view", "reshape()"});
}

// ---------------------------------------------------------------- shapes, strides and values of view ops

TEST(Tensor, PermuteAndTranspose) {
  Tensor x = iota({2, 3, 4});
  Tensor p = x.permute({2, 0, 1});
  EXPECT_EQ(p.shape(), (Shape{4, 2, 3}));
  EXPECT_EQ(p.strides(), (Strides{1, 12, 4}));
  for (std::int64_t i = 0; i < 4; ++i)
    for (std::int64_t j = 0; j < 2; ++j)
      for (std::int64_t k = 0; k < 3; ++k) ASSERT_EQ(p.at({i, j, k}), x.at({j, k, i}));
  EXPECT_EQ(x.permute({-1, 0, 1}).strides(), p.strides());
  Tensor t = x.transpose(0, 2);
  EXPECT_EQ(t.shape(), (Shape{4, 3, 2}));
  EXPECT_EQ(t.strides(), (Strides{1, 4, 12}));
  EXPECT_EQ(t.at({3, 1, 1}), x.at({1, 1, 3}));
  EXPECT_EQ(x.transpose(1, 1).strides(), x.strides());
  Tensor m = iota({2, 3});
  EXPECT_EQ(m.t().shape(), (Shape{3, 2}));
  EXPECT_EQ(m.t().to_vector<float>(), (std::vector<float>{0, 3, 1, 4, 2, 5}));
  EXPECT_EQ(iota({5}).t().shape(), (Shape{5}));
}

TEST(Tensor, SliceNarrowSelect) {
  Tensor x = iota({10});
  Tensor s = x.slice(0, 1, 8, 3);
  EXPECT_EQ(s.shape(), (Shape{3}));
  EXPECT_EQ(s.strides(), (Strides{3}));
  EXPECT_EQ(s.offset(), 1);
  EXPECT_EQ(s.to_vector<float>(), (std::vector<float>{1, 4, 7}));
  EXPECT_EQ(x.slice(0, -3, 10).to_vector<float>(), (std::vector<float>{7, 8, 9}));
  EXPECT_EQ(x.slice(0, 2, -5, 2).to_vector<float>(), (std::vector<float>{2, 4}));
  EXPECT_EQ(x.slice(0, 5, 2).numel(), 0);    // end before start: empty
  EXPECT_EQ(x.slice(0, 8, 100).numel(), 2);  // clamped
  Tensor m = iota({3, 4});
  Tensor ms = m.slice(1, 0, 4, 2);
  EXPECT_EQ(ms.shape(), (Shape{3, 2}));
  EXPECT_EQ(ms.strides(), (Strides{4, 2}));
  EXPECT_EQ(ms.to_vector<float>(), (std::vector<float>{0, 2, 4, 6, 8, 10}));
  Tensor n = m.narrow(1, 1, 2);
  EXPECT_EQ(n.shape(), (Shape{3, 2}));
  EXPECT_EQ(n.strides(), (Strides{4, 1}));
  EXPECT_EQ(n.offset(), 1);
  EXPECT_EQ(n.to_vector<float>(), (std::vector<float>{1, 2, 5, 6, 9, 10}));
  Tensor col = m.select(1, -1);
  EXPECT_EQ(col.shape(), (Shape{3}));
  EXPECT_EQ(col.strides(), (Strides{4}));
  EXPECT_EQ(col.offset(), 3);
  EXPECT_EQ(col.to_vector<float>(), (std::vector<float>{3, 7, 11}));
  EXPECT_EQ(m.select(0, 2).to_vector<float>(), (std::vector<float>{8, 9, 10, 11}));
  EXPECT_EQ(m.select(0, 1).select(0, 2).item(), 6.0);
  // Slicing a slice composes offsets and strides.
  EXPECT_EQ(x.slice(0, 1, 10, 2).slice(0, 1, 5, 2).to_vector<float>(), (std::vector<float>{3, 7}));
}

TEST(Tensor, SqueezeUnsqueezeExpandFlatten) {
  Tensor x = iota({1, 3, 1, 2});
  EXPECT_EQ(x.squeeze().shape(), (Shape{3, 2}));
  EXPECT_EQ(x.squeeze(2).shape(), (Shape{1, 3, 2}));
  EXPECT_EQ(x.squeeze(-4).shape(), (Shape{3, 1, 2}));
  EXPECT_EQ(x.squeeze(1).shape(), x.shape());  // size 3: unchanged
  EXPECT_EQ(iota({2}).unsqueeze(0).shape(), (Shape{1, 2}));
  EXPECT_EQ(iota({2, 3}).unsqueeze(-1).shape(), (Shape{2, 3, 1}));
  EXPECT_EQ(iota({2, 3}).unsqueeze(1).shape(), (Shape{2, 1, 3}));
  EXPECT_EQ(scalar_tensor(1.0).unsqueeze(0).shape(), (Shape{1}));

  Tensor c = from_vector(std::vector<double>{1, 2, 3}, {3, 1});
  Tensor e = c.expand({2, 3, 4});
  EXPECT_EQ(e.shape(), (Shape{2, 3, 4}));
  EXPECT_EQ(e.strides(), (Strides{0, 1, 0}));
  EXPECT_FALSE(e.is_contiguous());
  EXPECT_EQ(e.at({1, 2, 3}), 3.0);
  EXPECT_EQ(e.sum().item(), 2 * 4 * 6.0);
  EXPECT_EQ(c.expand({-1, 5}).shape(), (Shape{3, 5}));
  EXPECT_EQ(scalar_tensor(2.0).expand({2, 2}).to_vector<float>(), std::vector<float>(4, 2.0f));

  Tensor y = iota({2, 3, 4});
  EXPECT_EQ(y.flatten().shape(), (Shape{24}));
  EXPECT_EQ(y.flatten(1).shape(), (Shape{2, 12}));
  EXPECT_EQ(y.flatten(0, 1).shape(), (Shape{6, 4}));
  EXPECT_EQ(y.flatten(-2, -1).strides(), (Strides{12, 1}));
  EXPECT_EQ(scalar_tensor(1.0).flatten().shape(), (Shape{1}));
  Tensor yt = y.transpose(0, 2).flatten();  // copies
  EXPECT_EQ(yt.at({1}), 12.0);
}

TEST(Tensor, ContiguousAndClone) {
  Tensor x = iota({2, 3});
  EXPECT_EQ(x.contiguous().impl(), x.impl());  // already contiguous: itself
  Tensor t = x.t();
  Tensor c = t.contiguous();
  EXPECT_TRUE(c.is_contiguous());
  EXPECT_FALSE(same_storage(c, x));
  EXPECT_EQ(c.strides(), (Strides{2, 1}));
  EXPECT_EQ(c.to_vector<float>(), (std::vector<float>{0, 3, 1, 4, 2, 5}));

  Tensor k = x.clone();
  EXPECT_FALSE(same_storage(k, x));
  EXPECT_EQ(k.to_vector<float>(), x.to_vector<float>());
  k.fill_(9.0);
  EXPECT_EQ(x.at({1, 2}), 5.0);
  x.fill_(-1.0);
  EXPECT_EQ(k.at({1, 2}), 9.0);
  Tensor kv = iota({4, 4}).slice(1, 1, 4, 2).clone();  // clone of a view is compact
  EXPECT_EQ(kv.strides(), (Strides{2, 1}));
  EXPECT_EQ(kv.to_vector<float>(), (std::vector<float>{1, 3, 5, 7, 9, 11, 13, 15}));
  EXPECT_EQ(iota({3}, {.dtype = DType::Int64}).clone().to_int_vector(), (std::vector<std::int64_t>{0, 1, 2}));
}

TEST(Tensor, ElementAccess) {
  Tensor x = iota({2, 3}, kF64).t();  // non-contiguous
  EXPECT_EQ(x.at({2, 1}), 5.0);
  EXPECT_EQ(x.select(0, 1).select(0, 1).item(), 4.0);
  EXPECT_EQ(x.to_double_vector(), (std::vector<double>{0, 3, 1, 4, 2, 5}));
  EXPECT_EQ(x.to_vector<double>(), x.to_double_vector());
  EXPECT_EQ(x.to_int_vector(), (std::vector<std::int64_t>{0, 3, 1, 4, 2, 5}));
  // int64 values beyond 2^53 come back exactly (not through double).
  const std::int64_t big = (std::int64_t{1} << 60) + 1;
  EXPECT_EQ(from_vector(std::vector<std::int64_t>{big, -big}, {2}).to_int_vector(),
            (std::vector<std::int64_t>{big, -big}));
  EXPECT_EQ(scalar_tensor(-2.5).item(), -2.5);
  EXPECT_EQ(full({1, 1}, 4.0).item(), 4.0);
  Tensor r = iota({3}, kF64).requires_grad_(true);
  EXPECT_EQ((r * 2.0).at({2}), 4.0);
  EXPECT_EQ(x.size(-1), 2);
  EXPECT_EQ(x.numel(), 6);
  EXPECT_EQ(x.dim(), 2);
}

// ---------------------------------------------------------------- printing

TEST(Tensor, Printing) {
  Tensor a = from_vector(std::vector<double>{1.5, -2.0, 3.0}, {3});
  const std::string s = a.str();
  for (const char* piece : {"tensor(", "1.5", "-2", "3]", "shape=[3]", "dtype=float32"})
    EXPECT_NE(s.find(piece), std::string::npos) << piece << " missing in " << s;
  std::ostringstream os;
  os << a;
  EXPECT_EQ(os.str(), s);

  const std::string m = iota({2, 3}, kF64).str();
  EXPECT_NE(m.find("[[0, 1, 2],\n"), std::string::npos) << m;
  EXPECT_NE(m.find("[3, 4, 5]]"), std::string::npos) << m;
  EXPECT_NE(m.find("shape=[2, 3], dtype=float64"), std::string::npos) << m;

  const std::string longer = arange(100).str();  // long dims are elided
  EXPECT_NE(longer.find("[0, 1, 2, ..., 97, 98, 99]"), std::string::npos) << longer;
  EXPECT_EQ(longer.find("50"), std::string::npos) << longer;
  EXPECT_NE(longer.find("dtype=int64"), std::string::npos) << longer;
  const std::string rows = zeros({50, 2}).str();
  EXPECT_NE(rows.find("..."), std::string::npos);
  EXPECT_LT(rows.size(), 300u) << rows;

  EXPECT_NE(scalar_tensor(2.5).str().find("tensor(2.5, shape=[]"), std::string::npos) << scalar_tensor(2.5).str();
  Tensor leaf = ones({2}, {.requires_grad = true});
  EXPECT_NE(leaf.str().find("requires_grad=true"), std::string::npos) << leaf.str();
  EXPECT_NE((leaf * 2.0).str().find("grad_fn=MulBackward"), std::string::npos) << (leaf * 2.0).str();
  EXPECT_EQ(Tensor().str(), "tensor(undefined)");
  EXPECT_NE(zeros({0, 2}).str().find("shape=[0, 2]"), std::string::npos);
}

// The gradients of every view op: tests/ops/cases_views.cpp.

// ---------------------------------------------------------------- errors

TEST(Tensor, BadDims) {
  Tensor x = zeros({2, 3});
  expect_error([&] { x.transpose(0, 2); }, {"transpose: dim 2 is out of range for a tensor of 2 dims"});
  expect_error([&] { x.select(-3, 0); }, {"select: dim -3 is out of range"});
  expect_error([&] { x.select(0, 2); }, {"select: index 2 is out of range for dim 0 of size 2"});
  expect_error([&] { x.slice(2, 0, 1); }, {"slice: dim 2 is out of range"});
  expect_error([&] { x.slice(0, 0, 1, 0); }, {"slice: step must be positive"});
  expect_error([&] { x.narrow(1, 2, 2); }, {"narrow: range [2, 4) is out of bounds for dim 1 of size 3"});
  expect_error([&] { x.squeeze(2); }, {"squeeze: dim 2"});
  expect_error([&] { x.unsqueeze(3); }, {"unsqueeze: dim 3"});
  expect_error([&] { x.flatten(0, 2); }, {"flatten: dim 2"});
  expect_error([&] { x.flatten(1, 0); }, {"flatten: start_dim 1 comes after end_dim 0"});
  expect_error([&] { x.size(2); }, {"size: dim 2"});
  expect_error([&] { zeros({2, 2, 2}).t(); }, {"t: expected a tensor with at most 2 dims"});
  expect_error([&] { scalar_tensor(1.0).slice(0, 0, 1); }, {"slice: cannot slice a 0-dim tensor"});
  // 0-dim tensors accept dim 0 in wrap_dim but have no size to index.
  expect_error([&] { scalar_tensor(1.0).select(0, 0); }, {"select: cannot select from a 0-dim tensor"});
  expect_error([&] { scalar_tensor(1.0).narrow(0, 0, 1); }, {"narrow: cannot narrow a 0-dim tensor"});
  expect_error([&] { scalar_tensor(1.0).size(0); }, {"size: a 0-dim tensor has no dims"});
}

TEST(Tensor, BadPermuteExpandView) {
  Tensor x = zeros({2, 3});
  expect_error([&] { x.permute({0}); }, {"permute: got 1 dims for a tensor of shape [2, 3]"});
  expect_error([&] { x.permute({1, 1}); }, {"permute: dim 1 repeated in [1, 1]"});
  expect_error([&] { x.permute({0, 2}); }, {"permute: dim 2 is out of range"});
  expect_error([&] { x.expand({4, 3}); }, {"expand: size 2 at dim 0 of [2, 3] cannot be expanded to [4, 3]"});
  expect_error([&] { x.expand({3}); }, {"expand: cannot expand shape [2, 3] to fewer dims [3]"});
  expect_error([&] { x.expand({-1, 2, 3}); }, {"expand: new leading dim 0 must be given explicitly"});
  expect_error([&] { zeros({1}).expand({-2}); }, {"expand", "[-2]"});
  expect_error([&] { x.view({-1, -1}); }, {"view: only one dimension can be -1, got [-1, -1]"});
  expect_error([&] { x.view({5}); }, {"view: shape [5] is invalid for input of shape [2, 3]"});
  expect_error([&] { x.reshape({4, -1}); }, {"reshape: shape [4, -1] is invalid for input of shape [2, 3]"});
  expect_error([&] { x.view({-2, -3}); }, {"view: invalid size -2"});
  expect_error([&] { x.reshape({0, -1}); }, {"reshape", "invalid"});
}

TEST(Tensor, BadFactoriesAndAccess) {
  expect_error([] { from_vector(std::vector<double>{1, 2, 3, 4, 5}, {2, 3}); },
               {"from_vector: 5 values do not fill shape [2, 3] (6 elements)"});
  expect_error([] { zeros({2, -1}); }, {"negative size", "[2, -1]"});
  expect_error([] { Tensor::empty({-3}); }, {"empty: negative size in shape [-3]"});
  expect_error([] { zeros({2, 3}).item(); }, {"item: expected a tensor with one element, got shape [2, 3]"});
  expect_error([] { zeros({2, 3}).at({0}); }, {"at: got 1 indices for a tensor of shape [2, 3]"});
  expect_error([] { zeros({2, 3}).at({0, 3}); }, {"at: index 3 out of range for dim 1"});
  expect_error([] { Tensor().shape(); }, {"undefined tensor"});
  expect_error([] { zeros({2}).set_grad(zeros({3})); }, {"set_grad: gradient shape [3] does not match tensor shape [2]"});
  expect_error([] { zeros({2}, kF64).set_grad(zeros({2})); }, {"set_grad: gradient of dtype float32", "float64"});
  expect_error([] { zeros({2}).copy_(zeros({3})); }, {"copy_", "[3]", "[2]"});
  expect_error([] { zeros({2}).add_(zeros({2, 2})); }, {"add_", "[2, 2]"});
}

TEST(Tensor, CudaWithoutAGpuIsAClearError) {
  // This binary never registers the emulated device, so cuda means the
  // library's own backend: absent from a CPU-only build, or present (a CUDA
  // build) with no GPU on this machine. Either way the error says why.
  if (cuda::is_available()) GTEST_SKIP() << "a GPU is present: " << cuda::describe();
  const char* why = registered_cuda_runtime() == nullptr ? "no CUDA backend" : "no CUDA device is available";
  Tensor x = ones({2, 2});
  expect_error([&] { x.to(Device::cuda()); }, {"cuda:0", why});
  expect_error([] { zeros({2}, {.device = Device::cuda(1)}); }, {"cuda:1"});
  EXPECT_FALSE(cuda::describe().empty());
  EXPECT_EQ(x.to(Device::cpu()).impl(), x.impl());
  EXPECT_EQ(Device::parse("cuda:3"), Device::cuda(3));
  EXPECT_EQ(Device::parse("cpu").str(), "cpu");
  expect_error([] { Device::parse("gpu"); }, {"Device: cannot parse 'gpu'"});
}

}  // namespace
}  // namespace advgrad
