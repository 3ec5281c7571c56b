// pad2d: asymmetric constant padding of the last two dims, as TensorFlow's
// "SAME" padding needs at stride 2 (the extra row and column at the bottom and
// right). Odd sizes, a non-zero constant, a single side, 3-D and 4-D inputs;
// every mode also runs them on non-contiguous views of the input.
#include "ops/op_registry.h"

namespace advgrad::testing {

using V = std::vector<Tensor>;

std::vector<OpSpec> padding_cases() {
  OpCaseList c("padding");
  c.add("pad2d_same_stride_2", [](const V& x) { return pad2d(x[0], {.left = 0, .right = 1, .top = 0, .bottom = 1}); },
        {input({2, 3, 5, 7})});
  c.add("pad2d_asymmetric_value",
        [](const V& x) { return pad2d(x[0], {.left = 2, .right = 1, .top = 3, .bottom = 0}, -0.75); },
        {input({1, 2, 4, 3})});
  c.add("pad2d_one_side_3d",
        [](const V& x) { return pad2d(x[0], {.left = 0, .right = 0, .top = 0, .bottom = 2}, 6.0); },
        {input({3, 5, 4})});
  c.add("pad2d_none", [](const V& x) { return pad2d(x[0], {}); }, {input({2, 3, 3})});
  return c.take();
}

}  // namespace advgrad::testing
