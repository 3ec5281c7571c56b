// Activations, on ranges that reach both sides of each curve's bend (and both
// branches of softplus's threshold). relu, leaky_relu and elu have a kink at 0
// (relu6 also at 6) that random inputs do not hit (tests/core/test_elementwise_ops.cpp checks the
// sub-gradient conventions there).
#include "ops/op_registry.h"

namespace advgrad::testing {

using V = std::vector<Tensor>;

std::vector<OpSpec> activation_cases() {
  OpCaseList c("activations");
  c.add("relu", [](const V& x) { return relu(x[0]); }, {input({6, 5})});
  c.add("leaky_relu", [](const V& x) { return leaky_relu(x[0], 0.1); }, {input({6, 5})});
  // relu6 on [-2, 8): both clipped sides and the linear middle
  c.add("relu6", [](const V& x) { return relu6(x[0]); }, {input({7, 5}, -2, 8)});
  c.add("elu", [](const V& x) { return elu(x[0], 0.7); }, {input({6, 5})});
  c.add("gelu", [](const V& x) { return gelu(x[0]); }, {input({6, 5}, -3, 3)});
  c.add("gelu_tanh", [](const V& x) { return gelu(x[0], true); }, {input({6, 5}, -3, 3)});
  c.add("silu", [](const V& x) { return silu(x[0]); }, {input({6, 5}, -3, 3)});
  c.add("softplus", [](const V& x) { return softplus(x[0], 2.0, 3.0); }, {input({6, 5}, -3, 3)});  // both branches
  c.add("sigmoid", [](const V& x) { return sigmoid(x[0]); }, {input({6, 5}, -6, 6)});
  c.add("tanh", [](const V& x) { return tanh(x[0]); }, {input({6, 5}, -3, 3)});
  return c.take();
}

}  // namespace advgrad::testing
