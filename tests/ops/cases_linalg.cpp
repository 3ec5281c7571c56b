// matmul and linear: vector/matrix promotion, batches with broadcasting,
// strided operands (transposed views map to GEMM's trans flags, a slice keeps
// a padded row stride, other views are copied), and shapes that span several
// tiles of the packed CPU kernel and of the CUDA GEMM (64 x 64 x 16) with a
// ragged last tile. Those large cases skip the finite differences (thousands
// of elements, each a full product); their gradients are still compared.
#include "ops/op_registry.h"

namespace advgrad::testing {
namespace {

using V = std::vector<Tensor>;

Tensor mm(const V& x) { return matmul(x[0], x[1]); }
Tensor linear_with_bias(const V& x) { return linear(x[0], x[1], x[2]); }

}  // namespace

std::vector<OpSpec> linalg_cases() {
  OpCaseList c("linalg");
  // ---- vector and matrix promotion
  c.add("matmul_dot", mm, {input({7}), input({7})});
  c.add("matmul_vec_mat", mm, {input({5}), input({5, 4})});
  c.add("matmul_mat_vec", mm, {input({6, 5}), input({5})});
  c.add("matmul_mat_mat", mm, {input({3, 5}), input({5, 4})});
  c.add("matmul_vec_batched", mm, {input({5}), input({2, 5, 3})});
  c.add("matmul_batched_vec", mm, {input({2, 3, 5}), input({5})});

  // ---- batches with broadcasting
  c.add("matmul_batched", mm, {input({2, 3, 4}), input({2, 4, 5})});
  c.add("matmul_batched_times_matrix", mm, {input({3, 5, 7}), input({7, 6})});
  c.add("matmul_matrix_times_batched", mm, {input({5, 7}), input({3, 7, 6})});  // batch stride 0 for A
  c.add("matmul_broadcast_batch_dims", mm, {input({2, 1, 4, 5}), input({3, 5, 6})});
  c.add("matmul_broadcast_size_one", mm, {input({1, 3, 4}), input({3, 4, 2})});

  // ---- strided operands without copies
  c.add("matmul_transposed_a", [](const V& x) { return matmul(x[0].t(), x[1]); }, {input({5, 3}), input({5, 4})});
  c.add("matmul_transposed_b", [](const V& x) { return matmul(x[0], x[1].t()); }, {input({3, 5}), input({4, 5})});
  c.add("matmul_both_transposed", [](const V& x) { return matmul(x[0].transpose(-1, -2), x[1].transpose(-1, -2)); },
        {input({2, 5, 3}), input({2, 4, 5})});
  c.add("matmul_sliced", [](const V& x) { return matmul(x[0].slice(1, 1, 6), x[1].slice(0, 0, 5)); },
        {input({3, 7}), input({6, 4})});
  c.add("matmul_permuted_batch",
        [](const V& x) {
          return matmul(x[0].permute({1, 0, 2}), x[1]);
        },
        {input({3, 2, 4}), input({2, 4, 3})});
  c.add("matmul_expanded",
        [](const V& x) {
          return matmul(x[0].expand({3, 2, 4}), x[1]);
        },
        {input({2, 4}), input({3, 4, 5})});
  // Every other column: neither dim has stride 1, so the operand is copied.
  c.add("matmul_strided_columns", [](const V& x) { return matmul(x[0].slice(1, 0, 8, 2), x[1]); },
        {input({3, 8}), input({4, 2})});

  // ---- several tiles with ragged edges
  // The packed CPU kernel (edges in every direction) and its threads.
  c.add("matmul_packed", mm, {input({2, 37, 41}), input({41, 45})})
      .fast_tolerance(1e-4, 1e-4)
      .without_device_gradcheck();  // 4879 elements: minutes of emulated GEMMs
  // 37 x 29 x 53: one ragged CUDA tile in every direction, two k steps.
  c.add("matmul_37x29x53", mm, {input({37, 29}), input({29, 53})}).without_finite_differences();
  // 130 x 40 x 150: three CUDA tiles in m and n, three k steps; the backward's
  // products have k = 150 and k = 130.
  c.add("matmul_multi_tile", mm, {input({130, 40}), input({40, 150})}).without_finite_differences();
  c.add("matmul_batched_odd_tiles", mm, {input({2, 67, 19}), input({2, 19, 70})}).without_finite_differences();
  c.add("matmul_transposed_odd_tiles", [](const V& x) { return matmul(x[0].t(), x[1].t()); },
        {input({29, 37}), input({53, 29})})
      .without_finite_differences();

  // ---- linear (GEMM adds onto the broadcast bias: beta = 1)
  c.add("linear", linear_with_bias, {input({4, 9}), input({11, 9}), input({11})});
  c.add("linear_no_bias", [](const V& x) { return linear(x[0], x[1]); }, {input({3, 8}), input({5, 8})});
  c.add("linear_3d_input", linear_with_bias, {input({2, 5, 9}), input({7, 9}), input({7})});
  c.add("linear_1d_input", linear_with_bias, {input({5}), input({4, 5}), input({4})});
  c.add("linear_transposed_weight", [](const V& x) { return linear(x[0], x[1].t(), x[2]); },
        {input({4, 5}), input({5, 3}), input({3})});
  // A frozen weight: only the input and the bias are differentiable.
  c.add("linear_constant_weight", linear_with_bias, {input({4, 5}), constant({3, 5}), input({3})});
  c.add("linear_large", linear_with_bias, {input({70, 33}), input({66, 33}), input({66})}).without_finite_differences();
  return c.take();
}

}  // namespace advgrad::testing
