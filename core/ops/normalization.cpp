// Batch normalisation over x [N, C, ...] (channels at dim 1), per channel c
// with the M = N * H * W values of that channel:
//   training:  mean, var = batch mean and biased variance;
//              running = (1 - m) running + m batch (the variance unbiased: var M / (M - 1))
//   eval:      mean, var = the running statistics (or the batch's when there are none)
//   y = (x - mean) / sqrt(var + eps) * w + b = xhat * w + b
// Backward (sums over everything but the channel; invstd = 1/sqrt(var + eps)):
//   dL/db = sum g,  dL/dw = sum g xhat
//   batch statistics: dL/dx = w invstd (g - mean(g) - xhat mean(g xhat))
//                     (the two extra terms are the paths through mean and var)
//   fixed statistics: dL/dx = w invstd g
// First order runs the fused kernels; with create_graph the same formulas are
// built from differentiable ops, recomputing mean and var from x so that the
// gradient's own dependence on x is in the graph.
#include "advgrad/core/autograd/node.h"
#include "advgrad/core/grad_mode.h"
#include "advgrad/core/ops/op_utils.h"
#include "advgrad/core/ops/ops.h"

namespace advgrad {

using autograd::FunctionNode;
using Grads = std::vector<Tensor>;
using Needs = std::vector<bool>;

namespace {

void check_channel_param(const Tensor& t, const Tensor& x, const char* what, bool same_dtype) {
  if (!t.defined()) return;
  const std::int64_t c = x.shape()[1];
  ADVGRAD_CHECK(t.shape() == Shape{c}, "batch_norm: ", what, " of shape ", shape_str(t.shape()), " does not match the ",
                c, " channels of input ", shape_str(x.shape()), " (expected [", c, "])");
  detail::check_floating(t, "batch_norm");
  detail::check_same_device(t, x, "batch_norm");
  ADVGRAD_CHECK(!same_dtype || t.dtype() == x.dtype(), "batch_norm: ", what, " is ", dtype_name(t.dtype()),
                " but the input is ", dtype_name(x.dtype()));
}

void* data_or_null(const Tensor& t) { return t.defined() ? t.raw_data() : nullptr; }

// The differentiable backward (create_graph).
Grads batch_norm_composite(const Tensor& g, const Tensor& x, const Tensor& w, const Tensor& mean_used,
                           const Tensor& invstd_used, bool batch_stats, double eps, const Needs& needs) {
  Dims red{0};
  Shape cshape(static_cast<std::size_t>(x.dim()), 1);
  cshape[1] = x.shape()[1];
  for (std::int64_t d = 2; d < x.dim(); ++d) red.push_back(d);
  Tensor xhat, istd;
  if (batch_stats) {
    Tensor centered = sub(x, mean(x, red, true));
    istd = rsqrt(mean(mul(centered, centered), red, true) + eps);
    xhat = mul(centered, istd);
  } else {
    istd = invstd_used.reshape(cshape);
    xhat = mul(sub(x, mean_used.reshape(cshape)), istd);
  }
  Grads grads(3);
  if (needs[0]) {
    Tensor k = w.defined() ? mul(w.reshape(cshape), istd) : istd;
    Tensor inner = batch_stats ? sub(sub(g, mean(g, red, true)), mul(xhat, mean(mul(g, xhat), red, true))) : g;
    grads[0] = mul(k, inner);
  }
  if (needs[1]) grads[1] = sum(mul(g, xhat), red);
  if (needs[2]) grads[2] = sum(g, red);
  return grads;
}

}  // namespace

Tensor batch_norm(const Tensor& x, const Tensor& weight, const Tensor& bias, Tensor& running_mean,
                  Tensor& running_var, bool training, double momentum, double eps) {
  detail::check_defined(x, "batch_norm", "input");
  detail::check_floating(x, "batch_norm");
  ADVGRAD_CHECK(x.dim() >= 2, "batch_norm: expected input of shape [N, C] or [N, C, H, W], got ", shape_str(x.shape()));
  check_channel_param(weight, x, "weight", true);
  check_channel_param(bias, x, "bias", true);
  check_channel_param(running_mean, x, "running_mean", false);
  check_channel_param(running_var, x, "running_var", false);
  ADVGRAD_CHECK(running_mean.defined() == running_var.defined(),
                "batch_norm: running_mean and running_var must both be given or both be undefined");
  ADVGRAD_CHECK(eps > 0, "batch_norm: eps must be positive, got ", eps);
  ADVGRAD_CHECK(momentum >= 0 && momentum <= 1, "batch_norm: momentum must be in [0, 1], got ", momentum);

  kernels::BatchNormShape shape;
  shape.n = x.shape()[0];
  shape.c = x.shape()[1];
  shape.s = 1;
  for (std::int64_t d = 2; d < x.dim(); ++d) shape.s *= x.shape()[d];
  const std::int64_t m = shape.per_channel();
  const bool batch_stats = training || !running_mean.defined();
  Backend& backend = detail::backend_of(x);

  Tensor mean_used, invstd;
  Tensor xc, wc, bc;
  {
    NoGradGuard no_grad;
    xc = x.contiguous();
    wc = weight.defined() ? weight.contiguous() : Tensor();
    bc = bias.defined() ? bias.contiguous() : Tensor();
    if (batch_stats) {
      ADVGRAD_CHECK(m > 1 || (!training && m > 0),
                    "batch_norm: expected more than 1 value per channel when training, got input of shape ",
                    shape_str(x.shape()));
      mean_used = Tensor::empty({shape.c}, x.options());
      Tensor var = Tensor::empty({shape.c}, x.options());
      backend.batch_norm_stats(x.dtype(), shape, xc.raw_data(), mean_used.raw_data(), var.raw_data());
      invstd = rsqrt(var + eps);
      if (training && running_mean.defined()) {
        // In place, outside the graph: running = (1 - m) running + m batch.
        const Tensor unbiased = var * (static_cast<double>(m) / static_cast<double>(m - 1));
        running_mean.copy_(running_mean * (1.0 - momentum) + mean_used.to(running_mean.dtype()) * momentum);
        running_var.copy_(running_var * (1.0 - momentum) + unbiased.to(running_var.dtype()) * momentum);
      }
    } else {
      // Private copies: the running statistics may be updated in place later.
      mean_used = running_mean.to(x.dtype()).clone();
      invstd = rsqrt(running_var.to(x.dtype()) + eps);
    }
  }
  Tensor y = Tensor::empty(x.shape(), x.options());
  backend.batch_norm_forward(x.dtype(), shape, xc.raw_data(), mean_used.raw_data(), invstd.raw_data(),
                             data_or_null(wc), data_or_null(bc), y.raw_data());

  if (autograd::any_requires_grad({&x, &weight, &bias})) {
    auto node = autograd::record(
        "BatchNormBackward", {x, weight, bias}, {&y},
        [shape, batch_stats, eps](FunctionNode& self, Grads& g, const Needs& needs) {
          Tensor x = self.saved(0), w = self.saved(1), mean_used = self.saved(2), invstd = self.saved(3);
          const Tensor& gy = g[0];
          if (autograd::any_requires_grad({&gy, &x, &w}))
            return batch_norm_composite(gy, x, w, mean_used, invstd, batch_stats, eps, needs);
          Tensor gc = gy.contiguous(), xc = x.contiguous(), wc = w.defined() ? w.contiguous() : Tensor();
          Tensor gx = needs[0] ? Tensor::empty(x.shape(), x.options()) : Tensor();
          Tensor gw = needs[1] ? Tensor::empty({shape.c}, x.options()) : Tensor();
          Tensor gb = needs[2] ? Tensor::empty({shape.c}, x.options()) : Tensor();
          detail::backend_of(x).batch_norm_backward(x.dtype(), shape, batch_stats, gc.raw_data(), xc.raw_data(),
                                                    mean_used.raw_data(), invstd.raw_data(), data_or_null(wc),
                                                    data_or_null(gx), data_or_null(gw), data_or_null(gb));
          return Grads{gx, gw, gb};
        });
    node->save(x, false);
    node->save(weight, false);
    node->save(mean_used, false);
    node->save(invstd, false);
  }
  return y;
}

}  // namespace advgrad
