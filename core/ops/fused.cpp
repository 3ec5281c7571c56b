// The fused in-place updates (core/ops/ops.h): an optimizer step and one
// attack iteration, each one kernel call (kernels/fused_params.h has the math)
// instead of a chain of elementwise ops and reductions, each of which would
// read and write the whole tensor again.
//
// They are deliberately not differentiable and record nothing: an optimizer
// step runs under NoGradGuard, and an attack iterate is detached at every
// step. What they write gets its version bumped, so a graph that saved the old
// values reports the in-place change instead of using them silently.
#include <cmath>
#include <cstdint>

#include "advgrad/core/ops/op_utils.h"
#include "advgrad/core/ops/ops.h"

namespace advgrad {
namespace {

// `t` must match `like` (the tensor being updated) in device, dtype and shape.
void check_operand(const Tensor& t, const Tensor& like, const char* op, const char* what, const char* like_what) {
  detail::check_defined(t, op, what);
  ADVGRAD_CHECK(t.device() == like.device(), op, ": the ", what, " is on ", t.device().str(), " but the ", like_what,
                " is on ", like.device().str(), "; move one with .to(device)");
  ADVGRAD_CHECK(t.dtype() == like.dtype(), op, ": the ", what, " is ", dtype_name(t.dtype()), " but the ", like_what,
                " is ", dtype_name(like.dtype()), " (convert one with .to(dtype))");
  ADVGRAD_CHECK(t.shape() == like.shape(), op, ": the ", what, " has shape ", shape_str(t.shape()), " but the ",
                like_what, " has shape ", shape_str(like.shape()));
}

// A tensor the kernel writes through its raw data: contiguous, and allowed to
// be written (not a tensor that requires grad while grad mode is on).
void check_written(const Tensor& t, const char* op, const char* what) {
  detail::check_inplace(t, op);
  ADVGRAD_CHECK(t.is_contiguous(), op, ": the ", what, " (shape ", shape_str(t.shape()),
                ") must be contiguous: it is updated in place through its raw data");
}

// Whether two contiguous tensors' bytes [data, data + nbytes) intersect.
bool overlaps(const Tensor& a, const Tensor& b) {
  const std::int64_t na = a.numel() * static_cast<std::int64_t>(dtype_size(a.dtype()));
  const std::int64_t nb = b.numel() * static_cast<std::int64_t>(dtype_size(b.dtype()));
  if (na == 0 || nb == 0) return false;
  const auto* pa = static_cast<const char*>(a.raw_data());
  const auto* pb = static_cast<const char*>(b.raw_data());
  return pa < pb + nb && pb < pa + na;
}

// A written tensor must not share memory with any other operand: the kernels
// read every operand while writing, and the attack step reads whole rows.
void check_no_overlap(const Tensor& written, const Tensor& other, const char* op, const char* what,
                      const char* other_what) {
  ADVGRAD_CHECK(!overlaps(written, other), op, ": the ", what, " and the ", other_what,
                " share memory; the ", what, " is updated in place and must have storage of its own (clone it)");
}

}  // namespace

void sgd_update_(Tensor& param, const Tensor& grad_in, Tensor& momentum, const SgdOptions& o, bool first_step) {
  const char* op = "sgd_update_";
  detail::check_defined(param, op, "parameter");
  detail::check_floating(param, op);
  check_operand(grad_in, param, op, "gradient", "parameter");
  check_written(param, op, "parameter");
  const bool use_momentum = o.momentum != 0;
  if (use_momentum) {
    check_operand(momentum, param, op, "momentum buffer", "parameter");
    check_written(momentum, op, "momentum buffer");
  }
  const Tensor grad = grad_in.contiguous();
  check_no_overlap(param, grad, op, "parameter", "gradient");
  if (use_momentum) {
    check_no_overlap(momentum, param, op, "momentum buffer", "parameter");
    check_no_overlap(momentum, grad, op, "momentum buffer", "gradient");
  }
  const kernels::SgdParams p{o, first_step};
  detail::backend_of(param).sgd_update(param.dtype(), p, param.numel(), param.raw_data(), grad.raw_data(),
                                       use_momentum ? momentum.raw_data() : nullptr);
  param.bump_version();
  if (use_momentum) momentum.bump_version();
}

void adam_update_(Tensor& param, const Tensor& grad_in, Tensor& exp_avg, Tensor& exp_avg_sq, const AdamOptions& o,
                  std::int64_t step) {
  const char* op = "adam_update_";
  detail::check_defined(param, op, "parameter");
  detail::check_floating(param, op);
  ADVGRAD_CHECK(step >= 1, op, ": the step count t must be >= 1 (bias corrections 1 - beta^t), got ", step);
  check_operand(grad_in, param, op, "gradient", "parameter");
  check_operand(exp_avg, param, op, "first-moment buffer (exp_avg)", "parameter");
  check_operand(exp_avg_sq, param, op, "second-moment buffer (exp_avg_sq)", "parameter");
  check_written(param, op, "parameter");
  check_written(exp_avg, op, "first-moment buffer (exp_avg)");
  check_written(exp_avg_sq, op, "second-moment buffer (exp_avg_sq)");
  const Tensor grad = grad_in.contiguous();
  check_no_overlap(param, grad, op, "parameter", "gradient");
  check_no_overlap(exp_avg, param, op, "first-moment buffer (exp_avg)", "parameter");
  check_no_overlap(exp_avg, grad, op, "first-moment buffer (exp_avg)", "gradient");
  check_no_overlap(exp_avg_sq, param, op, "second-moment buffer (exp_avg_sq)", "parameter");
  check_no_overlap(exp_avg_sq, grad, op, "second-moment buffer (exp_avg_sq)", "gradient");
  check_no_overlap(exp_avg_sq, exp_avg, op, "second-moment buffer (exp_avg_sq)", "first-moment buffer (exp_avg)");
  // Bias corrections in double on the host, as the unfused optimizer computes them.
  const double t = static_cast<double>(step);
  const kernels::AdamParams p{o, 1 - std::pow(o.beta1, t), 1 - std::pow(o.beta2, t)};
  detail::backend_of(param).adam_update(param.dtype(), p, param.numel(), param.raw_data(), grad.raw_data(),
                                        exp_avg.raw_data(), exp_avg_sq.raw_data());
  param.bump_version();
  exp_avg.bump_version();
  exp_avg_sq.bump_version();
}

void attack_step_(Tensor& x_adv, const Tensor& grad_in, const Tensor& x_in, const AttackStepOptions& o) {
  const char* op = "attack_step_";
  detail::check_defined(x_adv, op, "adversarial input");
  detail::check_floating(x_adv, op);
  ADVGRAD_CHECK(x_adv.dim() >= 1, op, ": expected a batch [N, ...], got shape ", shape_str(x_adv.shape()));
  check_operand(grad_in, x_adv, op, "gradient", "adversarial input");
  check_operand(x_in, x_adv, op, "clean input", "adversarial input");
  check_written(x_adv, op, "adversarial input");
  ADVGRAD_CHECK(std::isfinite(o.step_size) && std::isfinite(o.eps) && o.eps >= 0, op,
                ": need a finite step size and a finite eps >= 0, got step size ", o.step_size, " and eps ", o.eps);
  ADVGRAD_CHECK(o.lo <= o.hi, op, ": the valid range needs lo <= hi, got [", o.lo, ", ", o.hi, "]");
  const Tensor grad = grad_in.contiguous();
  const Tensor x = x_in.contiguous();
  check_no_overlap(x_adv, grad, op, "adversarial input", "gradient");
  check_no_overlap(x_adv, x, op, "adversarial input", "clean input");
  const std::int64_t rows = x_adv.size(0);
  const kernels::AttackStepParams p{o, rows, rows > 0 ? x_adv.numel() / rows : 0};
  detail::backend_of(x_adv).attack_step(x_adv.dtype(), p, x_adv.raw_data(), grad.raw_data(), x.raw_data());
  x_adv.bump_version();
}

}  // namespace advgrad
