// 2-D pooling (NCHW): max (with argmax indices), average, adaptive average and
// global average. Kernel math in kernels/reference/pool.h.
//
// Every backward is itself a differentiable op, so create_graph works to any order:
//   max:  gx = scatter(gy, idx)   (linear in gy; its adjoint is gather(ggx, idx),
//         and gather's adjoint is scatter again). The indices are constants:
//         max pooling is piecewise linear, its second derivative is zero.
//   avg:  y = A x with A fixed by the geometry; gx = A^T gy; (A^T)^T = A.
// Sub-gradient at ties: the FIRST maximum of the window in row-major order
// gets the whole gradient (the same on every backend).
#include "advgrad/core/autograd/node.h"
#include "advgrad/core/ops/op_utils.h"
#include "advgrad/core/ops/ops.h"

namespace advgrad {

using autograd::FunctionNode;
using kernels::Pool2dParams;
using Grads = std::vector<Tensor>;
using Needs = std::vector<bool>;

namespace {

std::string pair_str(std::int64_t a, std::int64_t b) { return detail::concat("(", a, ", ", b, ")"); }

void check_pool_input(const Tensor& x, const char* op) {
  detail::check_defined(x, op, "input");
  detail::check_floating(x, op);
  ADVGRAD_CHECK(x.dim() == 4, op, ": expected input of 4 dims [N, C, H, W], got shape ", shape_str(x.shape()));
}

Pool2dParams window_params(const Tensor& x, const Pool2dOptions& o, const char* op) {
  check_pool_input(x, op);
  const std::int64_t sh = o.stride_h == 0 ? o.kernel_h : o.stride_h, sw = o.stride_w == 0 ? o.kernel_w : o.stride_w;
  ADVGRAD_CHECK(o.kernel_h > 0 && o.kernel_w > 0, op, ": kernel size must be positive, got ",
                pair_str(o.kernel_h, o.kernel_w));
  ADVGRAD_CHECK(sh > 0 && sw > 0, op, ": stride must be positive (0 = kernel size), got ",
                pair_str(o.stride_h, o.stride_w));
  // PyTorch's rule: a window must always hold a real pixel.
  ADVGRAD_CHECK(o.pad_h >= 0 && o.pad_w >= 0 && 2 * o.pad_h <= o.kernel_h && 2 * o.pad_w <= o.kernel_w, op,
                ": padding ", pair_str(o.pad_h, o.pad_w), " must be non-negative and at most half the kernel size ",
                pair_str(o.kernel_h, o.kernel_w));
  Pool2dParams p;
  p.N = x.size(0);
  p.C = x.size(1);
  p.H = x.size(2);
  p.W = x.size(3);
  p.kh = o.kernel_h;
  p.kw = o.kernel_w;
  p.stride_h = sh;
  p.stride_w = sw;
  p.pad_h = o.pad_h;
  p.pad_w = o.pad_w;
  p.count_include_pad = o.count_include_pad;
  p.OH = kernels::pool_out_size(p.H, p.kh, sh, p.pad_h, o.ceil_mode);
  p.OW = kernels::pool_out_size(p.W, p.kw, sw, p.pad_w, o.ceil_mode);
  ADVGRAD_CHECK(p.OH > 0 && p.OW > 0, op, ": kernel ", pair_str(p.kh, p.kw), " is larger than the padded input ",
                p.H + 2 * p.pad_h, "x", p.W + 2 * p.pad_w, " (input shape ", shape_str(x.shape()), ", padding ",
                pair_str(p.pad_h, p.pad_w), ")");
  return p;
}

Shape in_shape(const Pool2dParams& p) { return {p.N, p.C, p.H, p.W}; }
Shape out_shape(const Pool2dParams& p) { return {p.N, p.C, p.OH, p.OW}; }

// ---- max pooling's backward family: scatter and gather by the saved indices ----
Tensor max_pool_gather(const Tensor& in, const Tensor& indices, const Pool2dParams& p);

// gx = zeros(N, C, H, W); gx[n, c, idx] += gy[n, c, :]
Tensor max_pool_scatter(const Tensor& gy, const Tensor& indices, const Pool2dParams& p) {
  const Tensor gyc = gy.contiguous();
  Tensor gx = Tensor::empty(in_shape(p), gy.options());
  detail::backend_of(gy).max_pool2d_backward(gy.dtype(), p, gyc.raw_data(), indices.device_data<std::int64_t>(),
                                             gx.raw_data());
  if (autograd::any_requires_grad({&gy})) {
    auto node = autograd::record("MaxPool2dBackwardBackward", {gy}, {&gx},
                                 [p](FunctionNode& self, Grads& g, const Needs&) {
                                   return Grads{max_pool_gather(g[0], self.saved(0), p)};
                                 });
    node->save(indices, false);
  }
  return gx;
}

// out[n, c, o] = in[n, c, idx[n, c, o]]
Tensor max_pool_gather(const Tensor& in, const Tensor& indices, const Pool2dParams& p) {
  const Tensor inc = in.contiguous();
  Tensor out = Tensor::empty(out_shape(p), in.options());
  detail::backend_of(in).max_pool2d_gather(in.dtype(), p, inc.raw_data(), indices.device_data<std::int64_t>(),
                                           out.raw_data());
  if (autograd::any_requires_grad({&in})) {
    auto node = autograd::record("MaxPool2dGatherBackward", {in}, {&out},
                                 [p](FunctionNode& self, Grads& g, const Needs&) {
                                   return Grads{max_pool_scatter(g[0], self.saved(0), p)};
                                 });
    node->save(indices, false);
  }
  return out;
}

// ---- average pooling: y = A x and gx = A^T gy, each the other's backward ----
Tensor avg_pool_transpose(const Tensor& gy, const Pool2dParams& p, bool adaptive);

Tensor avg_pool_apply(const Tensor& x, const Pool2dParams& p, bool adaptive) {
  const Tensor xc = x.contiguous();
  Tensor y = Tensor::empty(out_shape(p), x.options());
  Backend& be = detail::backend_of(x);
  if (adaptive) be.adaptive_avg_pool2d_forward(x.dtype(), p, xc.raw_data(), y.raw_data());
  else be.avg_pool2d_forward(x.dtype(), p, xc.raw_data(), y.raw_data());
  if (autograd::any_requires_grad({&x}))
    autograd::record(adaptive ? "AdaptiveAvgPool2dBackward" : "AvgPool2dBackward", {x}, {&y},
                     [p, adaptive](FunctionNode&, Grads& g, const Needs&) {
                       return Grads{avg_pool_transpose(g[0], p, adaptive)};
                     });
  return y;
}

Tensor avg_pool_transpose(const Tensor& gy, const Pool2dParams& p, bool adaptive) {
  const Tensor gyc = gy.contiguous();
  Tensor gx = Tensor::empty(in_shape(p), gy.options());
  Backend& be = detail::backend_of(gy);
  if (adaptive) be.adaptive_avg_pool2d_backward(gy.dtype(), p, gyc.raw_data(), gx.raw_data());
  else be.avg_pool2d_backward(gy.dtype(), p, gyc.raw_data(), gx.raw_data());
  if (autograd::any_requires_grad({&gy}))
    autograd::record(adaptive ? "AdaptiveAvgPool2dBackwardBackward" : "AvgPool2dBackwardBackward", {gy}, {&gx},
                     [p, adaptive](FunctionNode&, Grads& g, const Needs&) {
                       return Grads{avg_pool_apply(g[0], p, adaptive)};
                     });
  return gx;
}

}  // namespace

ValuesIndices max_pool2d_with_indices(const Tensor& x, const Pool2dOptions& options) {
  const Pool2dParams p = window_params(x, options, "max_pool2d");
  const Tensor xc = x.contiguous();
  Tensor y = Tensor::empty(out_shape(p), x.options());
  Tensor indices = Tensor::empty(out_shape(p), x.options().with_dtype(DType::Int64));
  detail::backend_of(x).max_pool2d_forward(x.dtype(), p, xc.raw_data(), y.raw_data(), indices.device_data<std::int64_t>());
  if (autograd::any_requires_grad({&x})) {
    auto node = autograd::record("MaxPool2dBackward", {x}, {&y}, [p](FunctionNode& self, Grads& g, const Needs&) {
      return Grads{max_pool_scatter(g[0], self.saved(0), p)};
    });
    node->save(indices, false);
  }
  return {y, indices};
}

Tensor max_pool2d(const Tensor& x, const Pool2dOptions& options) { return max_pool2d_with_indices(x, options).values; }

Tensor avg_pool2d(const Tensor& x, const Pool2dOptions& options) {
  return avg_pool_apply(x, window_params(x, options, "avg_pool2d"), false);
}

Tensor adaptive_avg_pool2d(const Tensor& x, std::int64_t out_h, std::int64_t out_w) {
  const char* op = "adaptive_avg_pool2d";
  check_pool_input(x, op);
  ADVGRAD_CHECK(out_h > 0 && out_w > 0, op, ": output size must be positive, got ", pair_str(out_h, out_w));
  ADVGRAD_CHECK(x.size(2) > 0 && x.size(3) > 0, op, ": input ", shape_str(x.shape()), " has an empty plane");
  Pool2dParams p;
  p.N = x.size(0);
  p.C = x.size(1);
  p.H = x.size(2);
  p.W = x.size(3);
  p.OH = out_h;
  p.OW = out_w;
  return avg_pool_apply(x, p, true);
}

// mean over H and W: its backward spreads gy / (H W) over the plane.
Tensor global_avg_pool2d(const Tensor& x) {
  const char* op = "global_avg_pool2d";
  check_pool_input(x, op);
  ADVGRAD_CHECK(x.size(2) > 0 && x.size(3) > 0, op, ": input ", shape_str(x.shape()), " has an empty plane");
  return mean(x, {2, 3});
}

}  // namespace advgrad
