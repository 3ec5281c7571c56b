// cat, stack, split, gather, scatter_add and index_select. Index inputs are
// int64 and repeat entries on purpose: the gradient of gather and
// index_select adds up at a repeated index, and scatter_add adds several
// values into one place (the CUDA kernels in the reference's order).
#include "ops/op_registry.h"

namespace advgrad::testing {

using V = std::vector<Tensor>;

std::vector<OpSpec> indexing_cases() {
  OpCaseList c("indexing");
  // ---- cat, stack, split
  c.add("cat_dim1",
        [](const V& x) {
          return cat({x[0], x[1], x[2]}, 1);
        },
        {input({3, 2}), input({3, 5}), input({3, 1})});
  c.add("cat_dim0_negative", [](const V& x) { return cat({x[0], x[1]}, -2); }, {input({2, 3}), input({4, 3})});
  c.add("cat_with_constant", [](const V& x) { return cat({x[0], x[1]}, 0); }, {input({2, 3}), constant({1, 3})});
  c.add("stack_dim1",
        [](const V& x) {
          return stack({x[0], x[1], x[2]}, 1);
        },
        {input({3, 4}), input({3, 4}), input({3, 4})});
  c.add("split_and_recombine",
        [](const V& x) {
          auto parts = split(x[0], 2, 1);  // widths 2, 2, 1
          return cat({parts[2] * 3.0, parts[0], parts[1] * 2.0}, 1);
        },
        {input({3, 5})});

  // ---- gather / scatter_add / index_select (index shapes smaller than the input where allowed)
  const std::vector<std::int64_t> idx34{0, 2, 1, 2, 2, 0, 1, 1, 0, 2, 2, 2};
  c.add("gather_dim1", [](const V& x) { return gather(x[0], 1, x[1]); }, {input({3, 5}), indices(idx34, {3, 4})});
  c.add("gather_dim0", [](const V& x) { return gather(x[0], 0, x[1]); }, {input({4, 6}), indices(idx34, {3, 4})});
  c.add("gather_3d_dim2", [](const V& x) { return gather(x[0], 2, x[1]); },
        {input({2, 4, 4}), indices({0, 3, 1, 2, 2, 0, 3, 3, 1, 0, 0, 2}, {2, 3, 2})});
  c.add("scatter_add_dim1",
        [](const V& x) {
          return scatter_add({3, 5}, 1, x[1], x[0]);
        },
        {input({3, 4}), indices(idx34, {3, 4})});
  c.add("scatter_add_dim0",
        [](const V& x) {
          return scatter_add({3, 6}, 0, x[1], x[0]);
        },
        {input({3, 4}), indices(idx34, {3, 4})});
  const std::vector<std::int64_t> sel{2, 0, 2, 3, 1};
  c.add("index_select_dim0", [](const V& x) { return index_select(x[0], 0, x[1]); },
        {input({4, 3}), indices(sel, {5})});
  c.add("index_select_dim1", [](const V& x) { return index_select(x[0], 1, x[1]); },
        {input({2, 4, 3}), indices(sel, {5})});
  c.add("index_select_last_dim", [](const V& x) { return index_select(x[0], -1, x[1]); },
        {input({3, 4}), indices(sel, {5})});
  return c.take();
}

}  // namespace advgrad::testing
