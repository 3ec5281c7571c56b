// cat, stack, split, index_select, gather, scatter_add and one_hot beyond the
// op registry (tests/ops/cases_indexing.cpp checks their values and
// derivatives): hand-computed values, int64 data, non-contiguous indices and
// labels, and bad inputs.
#include "expect_error.h"
#include "testing.h"

namespace advgrad {
namespace {

using testing::expect_error;
using testing::random_tensor;

Tensor leaf(const Shape& s, std::uint64_t salt) { return random_tensor(s, salt).requires_grad_(true); }
Tensor ints(const std::vector<std::int64_t>& v, const Shape& s) { return from_vector(v, s); }

TEST(IndexingOps, GatherAndScatterValues) {
  Tensor x = from_vector(std::vector<double>{1, 2, 3, 4, 5, 6}, {2, 3});
  Tensor idx = ints({2, 0, 1, 1}, {2, 2});
  EXPECT_EQ(gather(x, 1, idx).to_double_vector(), (std::vector<double>{3, 1, 5, 5}));
  Tensor src = from_vector(std::vector<double>{10, 20, 30, 40}, {2, 2});
  EXPECT_EQ(scatter_add({2, 3}, 1, idx, src).to_double_vector(), (std::vector<double>{20, 0, 10, 0, 70, 0}));
  // gather's gradient is scatter_add of g: repeated index 1 in row 1 collects 2.
  Tensor xg = x.detach().clone().requires_grad_(true);
  auto g = autograd::grad({sum(gather(xg, 1, idx))}, {xg})[0];
  EXPECT_EQ(g.to_double_vector(), (std::vector<double>{1, 0, 1, 0, 2, 0}));
}

TEST(IndexingOps, IndexSelectAndCatValuesIncludingInt64) {
  Tensor x = from_vector(std::vector<double>{1, 2, 3, 4, 5, 6}, {3, 2});
  EXPECT_EQ(index_select(x, 0, ints({2, 2, 0}, {3})).to_double_vector(), (std::vector<double>{5, 6, 5, 6, 1, 2}));
  EXPECT_EQ(index_select(x.t(), 1, ints({1}, {1})).to_double_vector(), (std::vector<double>{3, 4}));
  // int64 data (labels reordered by a permutation, as a data loader does).
  Tensor labels = ints({7, 8, 9, 10}, {4});
  EXPECT_EQ(index_select(labels, 0, ints({3, 0, 2, 1}, {4})).to_int_vector(), (std::vector<std::int64_t>{10, 7, 9, 8}));
  EXPECT_EQ(cat({labels, ints({1, 2}, {2})}).to_int_vector(), (std::vector<std::int64_t>{7, 8, 9, 10, 1, 2}));
  Tensor s = stack({from_vector(std::vector<double>{1, 2}, {2}), from_vector(std::vector<double>{3, 4}, {2})}, 1);
  EXPECT_EQ(s.shape(), (Shape{2, 2}));
  EXPECT_EQ(s.to_double_vector(), (std::vector<double>{1, 3, 2, 4}));
  auto parts = split(arange(7.0, 14.0), 3);
  ASSERT_EQ(parts.size(), 3u);
  EXPECT_EQ(parts[2].to_double_vector(), (std::vector<double>{13}));
}

TEST(IndexingOps, NonContiguousIndexAndLabels) {
  Tensor x = from_vector(std::vector<double>{1, 2, 3, 4, 5, 6}, {2, 3});
  Tensor idx_t = ints({2, 1, 0, 0}, {2, 2}).t();  // [[2, 0], [1, 0]] through strides
  EXPECT_EQ(gather(x, 1, idx_t).to_double_vector(), (std::vector<double>{3, 1, 5, 4}));
  Tensor every_other = ints({1, 9, 0, 9}, {4}).slice(0, 0, 4, 2);  // [1, 0]
  EXPECT_EQ(index_select(x, 0, every_other).to_double_vector(), (std::vector<double>{4, 5, 6, 1, 2, 3}));
  EXPECT_EQ(one_hot(every_other, 2).to_double_vector(), (std::vector<double>{0, 1, 1, 0}));
  EXPECT_NEAR(cross_entropy(x, every_other, Reduction::Sum).item(),
              cross_entropy(x, every_other.contiguous(), Reduction::Sum).item(), 1e-15);
}

TEST(IndexingOps, StackGradientIsSelect) {
  Tensor a = leaf({2, 3}, 30), b = leaf({2, 3}, 31);
  Tensor w = random_tensor({2, 2, 3}, 32);
  auto g = autograd::grad({sum(mul(stack({a, b}, 1), w))}, {a, b});
  EXPECT_TRUE(testing::all_close(g[0], w.select(1, 0), 0, 0));
  EXPECT_TRUE(testing::all_close(g[1], w.select(1, 1), 0, 0));
}

TEST(IndexingOps, OneHot) {
  Tensor oh = one_hot(ints({2, 0, 1}, {3}), 3);
  EXPECT_EQ(oh.dtype(), DType::Float32);
  EXPECT_EQ(oh.to_double_vector(), (std::vector<double>{0, 0, 1, 1, 0, 0, 0, 1, 0}));
  Tensor oh2 = one_hot(ints({1, 3, 0, 0}, {2, 2}), -1, DType::Int64);  // num_classes inferred: 4
  EXPECT_EQ(oh2.shape(), (Shape{2, 2, 4}));
  EXPECT_EQ(oh2.to_int_vector(), (std::vector<std::int64_t>{0, 1, 0, 0, 0, 0, 0, 1, 1, 0, 0, 0, 1, 0, 0, 0}));
}

TEST(IndexingOps, OutOfRangeIndicesNameOpValueAndSize) {
  Tensor x = random_tensor({2, 3}, 40);
  expect_error([&] { gather(x, 1, ints({0, 5, 1, 1}, {2, 2})); }, {"gather: index 5 is out of range for dim 1 of size 3"});
  expect_error([&] { gather(x, 0, ints({0, -1, 1}, {1, 3})); }, {"gather: index -1 is out of range for dim 0 of size 2"});
  expect_error([&] { scatter_add({2, 3}, 1, ints({3}, {1, 1}), random_tensor({1, 1}, 41)); },
               {"scatter_add: index 3 is out of range for dim 1 of size 3"});
  expect_error([&] { index_select(x, 0, ints({0, 2}, {2})); }, {"index_select: index 2 is out of range for dim 0 of size 2"});
  expect_error([&] { one_hot(ints({0, 4}, {2}), 4); }, {"one_hot: label 4 is out of range for 4 classes"});
  // Out of range also on the reference kernels, with the same message.
  ReferenceKernelsGuard ref;
  expect_error([&] { gather(x, 1, ints({0, 1, 7, 9}, {2, 2})); }, {"gather: index 7 is out of range for dim 1 of size 3"});
}

TEST(IndexingOps, BadShapesAndDtypes) {
  Tensor x = random_tensor({2, 3}, 50);
  expect_error([&] { gather(x, 1, random_tensor({2, 2}, 51)); }, {"gather: index must be int64, got float64"});
  expect_error([&] { gather(x, 1, ints({0, 0, 0}, {3, 1})); }, {"gather: index of shape [3, 1] does not fit the input of shape [2, 3]"});
  expect_error([&] { gather(x, 1, ints({0, 0}, {2})); }, {"gather: index of shape [2] must have as many dims"});
  expect_error([&] { scatter_add({2, 3}, 1, ints({0, 1}, {2, 1}), random_tensor({2, 2}, 52)); },
               {"scatter_add: src of shape [2, 2] must have the shape of the index [2, 1]"});
  expect_error([&] { index_select(x, 0, ints({0, 1}, {1, 2})); }, {"index_select: index must be 1-D"});
  expect_error([&] { cat({x, random_tensor({2, 4}, 53)}, 0); }, {"cat: tensor 1 has shape [2, 4]"});
  expect_error([&] { cat({x, x.to(DType::Float32)}, 0); }, {"cat: tensor 1 is float32, tensor 0 is float64"});
  expect_error([&] { cat({}, 0); }, {"cat: expected at least one tensor"});
  expect_error([&] { stack({x, random_tensor({3, 2}, 54)}); }, {"stack: tensor 1 has shape [3, 2]"});
  expect_error([&] { split(x, 0); }, {"split: size must be positive"});
  expect_error([&] { one_hot(random_tensor({2}, 55), 3); }, {"one_hot: labels must be int64"});
  expect_error([&] { gather(x, 2, ints({0}, {1, 1})); }, {"gather: dim 2 is out of range"});
}

}  // namespace
}  // namespace advgrad
