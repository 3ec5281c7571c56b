// The view ops (they copy nothing; their backward writes the gradient back
// through the same view) and contiguous()/clone(), which do copy. Some results
// are multiplied by a second input or by the input itself, so that the
// gradient flows through a broadcast or through two paths.
#include "ops/op_registry.h"

namespace advgrad::testing {

using V = std::vector<Tensor>;

std::vector<OpSpec> view_cases() {
  OpCaseList c("views");
  c.add("view", [](const V& x) { return x[0].view({2, 3, 4}); }, {input({6, 4})});
  c.add("view_infer", [](const V& x) { return x[0].view({-1}); }, {input({1, 5})});
  c.add("reshape", [](const V& x) { return x[0].reshape({4, 3}); }, {input({3, 4})});
  c.add("flatten", [](const V& x) { return x[0].flatten(1); }, {input({2, 3, 4})});
  c.add("permute", [](const V& x) { return x[0].permute({2, 0, 1}); }, {input({2, 3, 4})});
  c.add("transpose", [](const V& x) { return x[0].transpose(0, 1); }, {input({3, 5})});
  c.add("t_times_input", [](const V& x) { return x[0].t() * x[1]; }, {input({3, 5}), input({5, 3})});
  c.add("slice_step", [](const V& x) { return x[0].slice(0, 1, 7, 2); }, {input({7, 5})});
  c.add("slice_last_dim", [](const V& x) { return x[0].slice(-1, 0, 5, 3); }, {input({3, 5})});
  c.add("narrow", [](const V& x) { return x[0].narrow(1, 2, 3); }, {input({5, 6})});
  c.add("select", [](const V& x) { return x[0].select(0, 2); }, {input({4, 5})});
  c.add("select_negative", [](const V& x) { return x[0].select(1, -1); }, {input({4, 5})});
  c.add("squeeze", [](const V& x) { return x[0].squeeze(1); }, {input({3, 1, 4})});
  c.add("squeeze_all", [](const V& x) { return x[0].squeeze(); }, {input({1, 3, 1})});
  c.add("unsqueeze_times_input", [](const V& x) { return x[0].unsqueeze(0) * x[1]; },
        {input({3, 4}), input({2, 1, 4})});
  c.add("expand", [](const V& x) { return x[0].expand({2, 3, 4}); }, {input({3, 1})});
  c.add("contiguous", [](const V& x) { return x[0].t().contiguous(); }, {input({3, 4})});
  c.add("clone_times_input", [](const V& x) { return x[0].clone() * x[0]; }, {input({3, 4})});
  c.add("view_chain", [](const V& x) { return x[0].transpose(0, 2).slice(1, 1, 3).reshape({-1}).narrow(0, 1, 9); },
        {input({2, 3, 4})});
  return c.take();
}

}  // namespace advgrad::testing
