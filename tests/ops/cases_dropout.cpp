// dropout and drop_path are deterministic given its Generator: the case seeds a fresh one on
// every call, so the fast, reference and CUDA runs (Philox draws are the same
// on every device) and every finite-difference evaluation see the same mask.
#include "ops/op_registry.h"

namespace advgrad::testing {

std::vector<OpSpec> dropout_cases() {
  OpCaseList c("dropout");
  c.add("dropout",
        [](const std::vector<Tensor>& x) {
          Generator gen(1234);
          return dropout(x[0], 0.3, true, gen);
        },
        {input({7, 9})});
  // 4-D, as on a residual branch; a fixed seed that keeps some examples and drops others.
  c.add("drop_path",
        [](const std::vector<Tensor>& x) {
          Generator gen(1234);
          return drop_path(x[0], 0.4, true, gen);
        },
        {input({6, 3, 4, 5})});
  return c.take();
}

}  // namespace advgrad::testing
