// 2-D convolution (NCHW) and its two backward ops, each differentiable; the
// closed family and its derivative formulas are in core/ops/conv_internal.h,
// the kernel math in kernels/reference/conv.h.
#include "advgrad/core/autograd/node.h"
#include "advgrad/core/ops/conv_internal.h"
#include "advgrad/core/ops/op_utils.h"
#include "advgrad/core/ops/ops.h"

namespace advgrad {

using autograd::FunctionNode;
using kernels::Conv2dParams;
using Grads = std::vector<Tensor>;
using Needs = std::vector<bool>;

namespace detail {

ConvKernelCalls& conv_kernel_calls() {
  static ConvKernelCalls calls;
  return calls;
}

namespace {

std::string pair_str(std::int64_t a, std::int64_t b) { return concat("(", a, ", ", b, ")"); }

// Checks the geometry of a convolution and fills its kernel parameters.
// `op` names the public op in messages.
Conv2dParams conv_params(const Shape& x, const Shape& w, const Conv2dOptions& o, const char* op) {
  ADVGRAD_CHECK(x.size() == 4, op, ": expected input of 4 dims [N, C, H, W], got shape ", shape_str(x));
  ADVGRAD_CHECK(w.size() == 4, op, ": expected weight of 4 dims [O, C/groups, kh, kw], got shape ", shape_str(w));
  ADVGRAD_CHECK(o.stride_h > 0 && o.stride_w > 0, op, ": stride must be positive, got ",
                pair_str(o.stride_h, o.stride_w));
  ADVGRAD_CHECK(o.dilation_h > 0 && o.dilation_w > 0, op, ": dilation must be positive, got ",
                pair_str(o.dilation_h, o.dilation_w));
  ADVGRAD_CHECK(o.pad_h >= 0 && o.pad_w >= 0, op, ": padding must be non-negative, got ",
                pair_str(o.pad_h, o.pad_w));
  ADVGRAD_CHECK(o.groups > 0, op, ": groups must be positive, got ", o.groups);
  ADVGRAD_CHECK(x[1] > 0 && w[0] > 0 && w[1] > 0 && w[2] > 0 && w[3] > 0, op,
                ": channel and kernel dims must be positive, got input ", shape_str(x), " and weight ", shape_str(w));
  ADVGRAD_CHECK(x[1] % o.groups == 0, op, ": groups=", o.groups, " must divide the input channels C=", x[1],
                " (input shape ", shape_str(x), ")");
  ADVGRAD_CHECK(w[0] % o.groups == 0, op, ": groups=", o.groups, " must divide the output channels O=", w[0],
                " (weight shape ", shape_str(w), ")");
  ADVGRAD_CHECK(w[1] * o.groups == x[1], op, ": input ", shape_str(x), " has C=", x[1], " channels but weight ",
                shape_str(w), " with groups=", o.groups, " expects C = weight.shape[1] * groups = ", w[1] * o.groups);
  const std::int64_t eff_h = o.dilation_h * (w[2] - 1) + 1, eff_w = o.dilation_w * (w[3] - 1) + 1;
  ADVGRAD_CHECK(eff_h <= x[2] + 2 * o.pad_h && eff_w <= x[3] + 2 * o.pad_w, op, ": kernel ", w[2], "x", w[3],
                " (", eff_h, "x", eff_w, " with dilation) is larger than the padded input ", x[2] + 2 * o.pad_h, "x",
                x[3] + 2 * o.pad_w, " (input shape ", shape_str(x), ", padding ", pair_str(o.pad_h, o.pad_w), ")");
  Conv2dParams p;
  p.N = x[0];
  p.C = x[1];
  p.H = x[2];
  p.W = x[3];
  p.O = w[0];
  p.kh = w[2];
  p.kw = w[3];
  p.stride_h = o.stride_h;
  p.stride_w = o.stride_w;
  p.pad_h = o.pad_h;
  p.pad_w = o.pad_w;
  p.dilation_h = o.dilation_h;
  p.dilation_w = o.dilation_w;
  p.groups = o.groups;
  p.OH = kernels::conv_out_size(p.H, p.kh, p.stride_h, p.pad_h, p.dilation_h);
  p.OW = kernels::conv_out_size(p.W, p.kw, p.stride_w, p.pad_w, p.dilation_w);
  return p;
}

Shape out_shape(const Conv2dParams& p) { return {p.N, p.O, p.OH, p.OW}; }

// Defined, floating, one dtype, one device.
void check_pair(const Tensor& a, const char* a_name, const Tensor& b, const char* b_name, const char* op) {
  check_defined(a, op, a_name);
  check_defined(b, op, b_name);
  check_floating(a, op);
  ADVGRAD_CHECK(a.dtype() == b.dtype(), op, ": dtype mismatch: ", a_name, " ", shape_str(a.shape()), " is ",
                dtype_name(a.dtype()), " but ", b_name, " ", shape_str(b.shape()), " is ", dtype_name(b.dtype()));
  check_same_device(a, b, op);
}

void check_grad_output(const Tensor& gy, const Conv2dParams& p, const char* op) {
  ADVGRAD_CHECK(gy.shape() == out_shape(p), op, ": expected grad_output of shape ", shape_str(out_shape(p)),
                ", got ", shape_str(gy.shape()));
}

}  // namespace

Tensor conv2d_input_grad(const Tensor& gy, const Tensor& weight, const Shape& input_shape, const Conv2dOptions& o) {
  const char* op = "conv2d_input_grad";
  check_pair(gy, "grad_output", weight, "weight", op);
  const Conv2dParams p = conv_params(input_shape, weight.shape(), o, op);
  check_grad_output(gy, p, op);
  const Tensor gyc = gy.contiguous(), wc = weight.contiguous();
  Tensor gx = Tensor::empty(input_shape, gy.options());
  ++conv_kernel_calls().input_grad;
  backend_of(gy).conv2d_backward_input(gy.dtype(), p, gyc.raw_data(), wc.raw_data(), gx.raw_data());
  if (autograd::any_requires_grad({&gy, &weight})) {
    const Shape w_shape = weight.shape();
    auto node = autograd::record("Conv2dInputGradBackward", {gy, weight}, {&gx},
                                 [o, w_shape](FunctionNode& self, Grads& g, const Needs& needs) {
                                   // gx = IG(gy, w): d/dgy = conv2d(ggx, w), d/dw = WG(ggx, gy)
                                   Grads out(2);
                                   if (!g[0].defined()) return out;
                                   if (needs[0]) out[0] = conv2d(g[0], self.saved(1), {}, o);
                                   if (needs[1]) out[1] = conv2d_weight_grad(g[0], self.saved(0), w_shape, o);
                                   return out;
                                 });
    node->save(gy, false);
    node->save(weight, false);
  }
  return gx;
}

Tensor conv2d_weight_grad(const Tensor& x, const Tensor& gy, const Shape& weight_shape, const Conv2dOptions& o) {
  const char* op = "conv2d_weight_grad";
  check_pair(x, "input", gy, "grad_output", op);
  const Conv2dParams p = conv_params(x.shape(), weight_shape, o, op);
  check_grad_output(gy, p, op);
  const Tensor xc = x.contiguous(), gyc = gy.contiguous();
  Tensor gw = Tensor::empty(weight_shape, x.options());
  ++conv_kernel_calls().weight_grad;
  backend_of(x).conv2d_backward_weight(x.dtype(), p, xc.raw_data(), gyc.raw_data(), gw.raw_data());
  if (autograd::any_requires_grad({&x, &gy})) {
    const Shape x_shape = x.shape();
    auto node = autograd::record("Conv2dWeightGradBackward", {x, gy}, {&gw},
                                 [o, x_shape](FunctionNode& self, Grads& g, const Needs& needs) {
                                   // gw = WG(x, gy): d/dx = IG(gy, ggw), d/dgy = conv2d(x, ggw)
                                   Grads out(2);
                                   if (!g[0].defined()) return out;
                                   if (needs[0]) out[0] = conv2d_input_grad(self.saved(1), g[0], x_shape, o);
                                   if (needs[1]) out[1] = conv2d(self.saved(0), g[0], {}, o);
                                   return out;
                                 });
    node->save(x, false);
    node->save(gy, false);
  }
  return gw;
}

}  // namespace detail

// y = conv2d(x, w) + b. Backward (each part only when its input's gradient is
// needed, so an attack's input-only backward never runs the weight kernel):
//   dL/dx = conv2d_input_grad(gy, w),  dL/dw = conv2d_weight_grad(x, gy),
//   dL/db = sum of gy over N, H, W.
Tensor conv2d(const Tensor& x, const Tensor& weight, const Tensor& bias, const Conv2dOptions& o) {
  const char* op = "conv2d";
  detail::check_pair(x, "input", weight, "weight", op);
  const Conv2dParams p = detail::conv_params(x.shape(), weight.shape(), o, op);
  if (bias.defined()) {
    detail::check_pair(x, "input", bias, "bias", op);
    ADVGRAD_CHECK(bias.shape() == Shape{p.O}, op, ": expected bias of shape [", p.O, "] for weight ",
                  shape_str(weight.shape()), ", got ", shape_str(bias.shape()));
  }
  const Tensor xc = x.contiguous(), wc = weight.contiguous();
  const Tensor bc = bias.defined() ? bias.contiguous() : Tensor();
  Tensor y = Tensor::empty(detail::out_shape(p), x.options());
  ++detail::conv_kernel_calls().forward;
  detail::backend_of(x).conv2d_forward(x.dtype(), p, xc.raw_data(), wc.raw_data(),
                                       bc.defined() ? bc.raw_data() : nullptr, y.raw_data());
  if (autograd::any_requires_grad({&x, &weight, &bias})) {
    const Shape x_shape = x.shape(), w_shape = weight.shape();
    auto node = autograd::record("Conv2dBackward", {x, weight, bias}, {&y},
                                 [o, x_shape, w_shape](FunctionNode& self, Grads& g, const Needs& needs) {
                                   Grads out(3);
                                   const Tensor& gy = g[0];
                                   if (!gy.defined()) return out;
                                   if (needs[0]) out[0] = detail::conv2d_input_grad(gy, self.saved(1), x_shape, o);
                                   if (needs[1]) out[1] = detail::conv2d_weight_grad(self.saved(0), gy, w_shape, o);
                                   if (needs[2]) out[2] = sum(gy, {0, 2, 3});
                                   return out;
                                 });
    node->save(x, false);
    node->save(weight, false);
  }
  return y;
}

}  // namespace advgrad
