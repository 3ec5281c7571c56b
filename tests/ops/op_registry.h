#pragma once
// The op registry: every differentiable op case is declared once, here, and
// every mode runs from that one declaration (the way ggml's test-backend-ops
// works):
//
//   FastVsReference  the fast CPU kernels against the reference kernels, on
//                    float32 copies of the inputs, contiguous and
//                    non-contiguous: the output and the first-order gradients
//                    (tests/core/test_ops.cpp);
//   Gradcheck        central finite differences in float64 against autograd;
//   Gradgradcheck    the same for the gradient itself (Hessian-vector products);
//   Cuda             the CUDA device (emulated without a GPU) against the CPU
//                    reference kernels in float32 and float64, contiguous and
//                    not, plus a float64 gradcheck of the op run on the device
//                    (tests/cuda/test_ops_cuda.cpp), once per CUDA variant;
//   Timing           fast and reference kernels, forward + backward, as Google
//                    Benchmark rows (bench/bench_ops.cpp).
//
// The registry has no GoogleTest dependency: it declares the cases, draws
// their inputs, and runs an op forward and backward. The drivers turn that
// into tests and benchmarks. docs/testing.md says how to add an op.
#include <cstdint>
#include <functional>
#include <iosfwd>
#include <memory>
#include <string>
#include <vector>

#include "advgrad/advgrad.h"

namespace advgrad::testing {

using TensorFn = std::function<Tensor(const std::vector<Tensor>&)>;

// One input of an op case. Floating inputs are drawn afresh for every run,
// uniform in [lo, hi) (the op's domain: log needs lo > 0), from a seed that
// depends on the case's name and the input's position, so every mode sees the
// same values. int64 inputs (indices, labels) hold exactly the values given
// and are never cast or differentiated.
struct Arg {
  Shape shape;
  bool differentiable = true;         // a leaf that requires grad; otherwise a constant
  double lo = -1.0, hi = 1.0;         // floating inputs: uniform in [lo, hi)
  double quantum = 0.0;               // > 0: rounded down to lo + a multiple of it (ties on purpose)
  std::vector<std::int64_t> indices;  // int64 inputs: the values, row-major

  bool is_index() const { return !indices.empty(); }
  // Values from {lo, lo + q, lo + 2q, ...}: ties for max/min and pooling, 0/1 masks.
  Arg rounded_to(double q) const;
};
// A differentiable floating input.
Arg input(Shape shape, double lo = -1.0, double hi = 1.0);
// A floating input that does not require grad.
Arg constant(Shape shape, double lo = -1.0, double hi = 1.0);
// An int64 input with these values (row-major).
Arg indices(std::vector<std::int64_t> values, Shape shape);

struct Tolerance {
  double rtol, atol;  // |a - b| <= atol + rtol |b|, elementwise
};

// A setting a mode runs under, e.g. the conv algorithm of CUDA tensors. Each
// variant of a case is its own test ("conv2d_3x3_pad_1_direct").
struct Variant {
  std::string name;
  // Puts the setting in place; destroying the returned guard restores the old one.
  std::function<std::shared_ptr<void>()> enter;
  // Why the variant cannot run on this machine, or "" when it can (a skip
  // that the CUDA suite counts and prints, never a silent pass).
  std::function<std::string()> unavailable = [] { return std::string(); };
};

// One op case: what to run, on what inputs, and which modes apply.
struct OpSpec {
  std::string name;    // unique; letters, digits and '_' (it names the tests)
  std::string family;  // the cases_<family>.cpp that declares it
  TensorFn fn;         // attributes (dims, strides, reductions) are captured in it
  std::vector<Arg> inputs;

  bool gradcheck = true;               // float64 finite differences on the CPU
  bool second_order = true;            // gradgradcheck
  bool cuda = true;                    // CUDA device vs CPU reference
  bool cuda_gradcheck = true;          // float64 finite differences of the op on the device
  bool non_contiguous = true;          // FastVsReference and Cuda also run on non-contiguous views
  std::vector<Variant> cuda_variants;  // empty: one plain CUDA run

  Tolerance fast{1e-4, 1e-5};      // float32 fast vs reference
  Tolerance grad{1e-4, 1e-6};      // analytic vs finite differences (first order)
  Tolerance cuda_f32{1e-4, 1e-5};  // float32 device vs reference; float64 uses 1e-10, 1e-12

  // Setters for the declarations: add(...).first_order_only().cuda_tolerance(...).
  // Why a case leaves a mode out belongs in a comment next to the call.
  OpSpec& first_order_only();            // no gradgradcheck
  OpSpec& without_finite_differences();  // neither gradcheck (CPU, device) nor gradgradcheck
  OpSpec& without_device_gradcheck();    // CUDA still compares values and gradients
  OpSpec& cpu_only();                    // no CUDA mode
  OpSpec& contiguous_only();             // no non-contiguous views
  OpSpec& fast_tolerance(double rtol, double atol);
  OpSpec& grad_tolerance(double rtol, double atol);
  OpSpec& cuda_tolerance(double rtol, double atol);
  OpSpec& variants(std::vector<Variant> v);
};

// The cases of one family, in declaration order.
class OpCaseList {
 public:
  explicit OpCaseList(std::string family) : family_(std::move(family)) {}
  // The returned reference is valid until the next add().
  OpSpec& add(std::string name, TensorFn fn, std::vector<Arg> inputs);
  std::vector<OpSpec> take() { return std::move(cases_); }

 private:
  std::string family_;
  std::vector<OpSpec> cases_;
};

// Every case of every family (built on first use; names checked unique).
const std::vector<OpSpec>& op_registry();
const OpSpec& find_op(const std::string& name);  // throws std::out_of_range for an unknown name

enum class Mode { FastVsReference, Gradcheck, Gradgradcheck, Cuda, Timing };

// One test (or benchmark) of a mode: a case, and for Cuda one of its variants.
struct OpRun {
  std::string name;  // the case's name, then "_<variant>" when there is one
  const OpSpec* spec = nullptr;
  const Variant* variant = nullptr;
};
std::vector<OpRun> op_runs(Mode mode);
void PrintTo(const OpRun& run, std::ostream* os);  // how GoogleTest names a parameter

// The inputs of a case for one run: floating inputs as `dtype` (int64 ones
// stay int64) on `device`, seen through non-contiguous views when `strided`;
// the differentiable ones are fresh leaves that require grad.
std::vector<Tensor> make_inputs(const OpSpec& spec, DType dtype, Device device = Device::cpu(), bool strided = false);

// The op's output followed by the gradients of sum(out * w) with respect to
// each input that requires grad (undefined where the output does not reach
// it), all detached. w is loss_weight(out) unless given: random in [0.5, 1.5)
// so that every output element matters and none cancels another.
std::vector<Tensor> outputs_and_gradients(const TensorFn& fn, const std::vector<Tensor>& inputs,
                                          const Tensor& weight = Tensor());
Tensor loss_weight(const Tensor& out);

// The cases of each family (tests/ops/cases_<family>.cpp).
std::vector<OpSpec> elementwise_cases();
std::vector<OpSpec> activation_cases();
std::vector<OpSpec> reduction_cases();
std::vector<OpSpec> linalg_cases();
std::vector<OpSpec> conv_cases();
std::vector<OpSpec> pooling_cases();
std::vector<OpSpec> softmax_loss_cases();
std::vector<OpSpec> batch_norm_cases();
std::vector<OpSpec> indexing_cases();
std::vector<OpSpec> view_cases();
std::vector<OpSpec> dropout_cases();
std::vector<OpSpec> padding_cases();

}  // namespace advgrad::testing
