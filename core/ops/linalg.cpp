// Matrix products: matmul (numpy.matmul rules) and linear, forward through the
// backend's batched GEMM, backward written with matmul itself (so gradients of
// gradients work).
//
// matmul(A, B) with A [..., m, k], B [..., k, n] -> C [..., m, n]; a 1-D A is
// promoted to [1, k] and a 1-D B to [k, 1], and the promoted dim is removed
// from the result. Batch dims broadcast. With G = dL/dC:
//   dL/dA = G B^T   (summed over the batch dims A was broadcast along)
//   dL/dB = A^T G   (likewise for B)
// linear(x, W, b) = x W^T + b for x [..., in], W [out, in], b [out]:
//   dL/dx = G W,  dL/dW = G^T x (leading dims flattened),  dL/db = sum of G over leading dims.
//
// No copies for strided operands where GEMM can read them: a matrix whose
// last dim has stride 1 is passed as is (ld = row stride), one whose
// second-to-last dim has stride 1 (a transposed view) is passed with the trans
// flag; batch dims are coalesced into a batch stride (0 for broadcast). Other
// layouts are made contiguous first.
#include <optional>

#include "advgrad/core/autograd/node.h"
#include "advgrad/core/grad_mode.h"
#include "advgrad/core/ops/op_utils.h"
#include "advgrad/core/ops/ops.h"

namespace advgrad {

using autograd::FunctionNode;
using Grads = std::vector<Tensor>;
using Needs = std::vector<bool>;

namespace {

// How GEMM reads an r x c matrix stored with strides (sr, sc), if it can.
struct MatrixLayout {
  bool trans = false;
  std::int64_t ld = 0;
};

std::optional<MatrixLayout> matrix_layout(std::int64_t r, std::int64_t c, std::int64_t sr, std::int64_t sc) {
  if (sc == 1 || c == 1) return MatrixLayout{false, r == 1 ? c : sr};  // element (i, j) at i*ld + j
  if (sr == 1 || r == 1) return MatrixLayout{true, sc};                // element (i, j) at j*ld + i
  return std::nullopt;
}

Shape batch_of(const Tensor& t) { return Shape(t.shape().begin(), t.shape().end() - 2); }

// Broadcast of two batch shapes; the error names both full operand shapes.
Shape broadcast_batch(const Tensor& a, const Tensor& b, const Shape& a_shape, const Shape& b_shape, const char* op) {
  const Shape ba = batch_of(a), bb = batch_of(b);
  const std::size_t nd = std::max(ba.size(), bb.size());
  Shape out(nd);
  for (std::size_t i = 0; i < nd; ++i) {
    const std::int64_t x = i + ba.size() >= nd ? ba[i + ba.size() - nd] : 1;
    const std::int64_t y = i + bb.size() >= nd ? bb[i + bb.size() - nd] : 1;
    ADVGRAD_CHECK(x == y || x == 1 || y == 1, op, ": batch dims of shapes ", shape_str(a_shape), " and ",
                  shape_str(b_shape), " cannot be broadcast");
    out[i] = x == 1 ? y : x;
  }
  return out;
}

const char* element_ptr(const Tensor& t, std::int64_t offset) {
  return static_cast<const char*>(t.raw_data()) + offset * static_cast<std::int64_t>(dtype_size(t.dtype()));
}

// out[batch..., m, n] = a2 @ b2 + beta * out, where a2 [..., m, k] and b2
// [..., k, n] broadcast to out's batch dims and out is contiguous. Runs
// without recording (the callers record their own node).
void gemm_into(Tensor a, Tensor b, Tensor& out, double beta) {
  const std::int64_t m = a.shape().end()[-2], k = a.shape().back(), n = b.shape().back();
  if (out.numel() == 0) return;
  auto layout = [](Tensor& t) {
    const auto r = t.shape().end()[-2], c = t.shape().back();
    auto l = matrix_layout(r, c, t.strides().end()[-2], t.strides().back());
    if (!l) {
      t = t.contiguous();
      l = matrix_layout(r, c, t.strides().end()[-2], t.strides().back());
    }
    return *l;
  };
  const MatrixLayout la = layout(a), lb = layout(b);

  // Batch dims: per-operand strides (0 where broadcast), size-1 dims dropped,
  // neighbours merged when every operand steps through them evenly.
  const Shape out_batch = batch_of(out);
  const auto sa = broadcast_strides(batch_of(a), std::vector<std::int64_t>(a.strides().begin(), a.strides().end() - 2), out_batch);
  const auto sb = broadcast_strides(batch_of(b), std::vector<std::int64_t>(b.strides().begin(), b.strides().end() - 2), out_batch);
  const auto sc = std::vector<std::int64_t>(out.strides().begin(), out.strides().end() - 2);
  struct Dim {
    std::int64_t size, a, b, c;
  };
  std::vector<Dim> dims;
  for (std::size_t d = 0; d < out_batch.size(); ++d) {
    if (out_batch[d] == 1) continue;
    const Dim cur{out_batch[d], sa[d], sb[d], sc[d]};
    if (!dims.empty()) {
      Dim& prev = dims.back();
      if (prev.a == cur.a * cur.size && prev.b == cur.b * cur.size && prev.c == cur.c * cur.size) {
        prev = {prev.size * cur.size, cur.a, cur.b, cur.c};
        continue;
      }
    }
    dims.push_back(cur);
  }
  if (dims.empty()) dims.push_back({1, 0, 0, 0});

  kernels::GemmParams p;
  p.m = m;
  p.n = n;
  p.k = k;
  p.trans_a = la.trans;
  p.trans_b = lb.trans;
  p.lda = la.ld;
  p.ldb = lb.ld;
  p.ldc = n;
  p.beta = beta;
  const Dim inner = dims.back();
  p.batch = inner.size;
  p.stride_a = inner.a;
  p.stride_b = inner.b;
  p.stride_c = inner.c;
  // A shared B and row-major A whose items follow each other: one tall product.
  if (p.batch > 1 && p.stride_b == 0 && !p.trans_a && p.stride_a == m * p.lda && p.stride_c == m * p.ldc) {
    p.m *= p.batch;
    p.batch = 1;
  }
  Backend& backend = detail::backend_of(out);
  // Outer batch dims that did not coalesce: one GEMM call each.
  std::vector<std::int64_t> idx(dims.size() - 1, 0);
  for (;;) {
    std::int64_t oa = 0, ob = 0, oc = 0;
    for (std::size_t d = 0; d < idx.size(); ++d) {
      oa += idx[d] * dims[d].a;
      ob += idx[d] * dims[d].b;
      oc += idx[d] * dims[d].c;
    }
    backend.gemm(out.dtype(), p, element_ptr(a, oa), element_ptr(b, ob),
                 const_cast<char*>(element_ptr(out, oc)));
    std::size_t d = idx.size();
    while (d > 0 && ++idx[d - 1] == dims[d - 1].size) idx[--d] = 0;
    if (d == 0) break;
  }
}

void check_pair(const Tensor& a, const Tensor& b, const char* op, const char* what_a, const char* what_b) {
  detail::check_defined(a, op, what_a);
  detail::check_defined(b, op, what_b);
  detail::check_floating(a, op);
  detail::check_floating(b, op);
  detail::check_same_device(a, b, op);
  ADVGRAD_CHECK(a.dtype() == b.dtype(), op, ": dtype mismatch: ", dtype_name(a.dtype()), " ", shape_str(a.shape()),
                " and ", dtype_name(b.dtype()), " ", shape_str(b.shape()), " (convert one with .to(dtype))");
}

// 1-D operands as matrices: a [k] -> [1, k], b [k] -> [k, 1].
Tensor promote_a(const Tensor& a) { return a.dim() == 1 ? a.unsqueeze(0) : a; }
Tensor promote_b(const Tensor& b) { return b.dim() == 1 ? b.unsqueeze(1) : b; }

}  // namespace

Tensor matmul(const Tensor& a, const Tensor& b) {
  check_pair(a, b, "matmul", "first operand", "second operand");
  ADVGRAD_CHECK(a.dim() >= 1 && b.dim() >= 1, "matmul: both operands need at least 1 dim, got shapes ",
                shape_str(a.shape()), " and ", shape_str(b.shape()));
  Tensor out;
  {
    NoGradGuard no_grad;
    const Tensor a2 = promote_a(a.detach()), b2 = promote_b(b.detach());
    const std::int64_t m = a2.shape().end()[-2], k = a2.shape().back(), n = b2.shape().back();
    ADVGRAD_CHECK(b2.shape().end()[-2] == k, "matmul: shapes ", shape_str(a.shape()), " and ", shape_str(b.shape()),
                  " cannot be multiplied (", k, " columns against ", b2.shape().end()[-2], " rows)");
    Shape shape = broadcast_batch(a2, b2, a.shape(), b.shape(), "matmul");
    shape.push_back(m);
    shape.push_back(n);
    out = Tensor::empty(shape, a.options());
    if (k == 0) out.zero_();
    else gemm_into(a2, b2, out, 0.0);
    Shape result = batch_of(out);
    if (a.dim() > 1) result.push_back(m);
    if (b.dim() > 1) result.push_back(n);
    out = out.view(result);
  }
  if (autograd::any_requires_grad({&a, &b})) {
    auto node = autograd::record("MatmulBackward", {a, b}, {&out}, [](FunctionNode& self, Grads& g, const Needs& needs) {
      const Tensor a = self.saved(0), b = self.saved(1);
      const Tensor a2 = promote_a(a), b2 = promote_b(b);
      const std::int64_t m = a2.shape().end()[-2], k = a2.shape().back(), n = b2.shape().back();
      Shape shape(g[0].shape().begin(), g[0].shape().end() - (a.dim() > 1) - (b.dim() > 1));
      shape.push_back(m);
      shape.push_back(n);
      const Tensor g2 = g[0].reshape(shape);  // batch..., m, n
      Tensor ga, gb;
      if (needs[0]) ga = sum_to(matmul(g2, b2.transpose(-1, -2)), a2.shape()).reshape(a.shape());
      if (needs[1]) {
        if (b2.dim() == 2 && a2.dim() > 2)  // B shared by every item: one product over the stacked rows
          gb = matmul(a2.reshape({-1, k}).t(), g2.reshape({-1, n}));
        else
          gb = sum_to(matmul(a2.transpose(-1, -2), g2), b2.shape());
        gb = gb.reshape(b.shape());
      }
      return Grads{ga, gb};
    });
    node->save(a, false);
    node->save(b, false);
  }
  return out;
}

Tensor linear(const Tensor& x, const Tensor& weight, const Tensor& bias) {
  check_pair(x, weight, "linear", "input", "weight");
  ADVGRAD_CHECK(weight.dim() == 2, "linear: expected weight with 2 dims [out, in], got shape ",
                shape_str(weight.shape()));
  ADVGRAD_CHECK(x.dim() >= 1 && x.shape().back() == weight.shape()[1], "linear: input of shape ",
                shape_str(x.shape()), " does not match weight of shape ", shape_str(weight.shape()),
                " (expected the last input dim to be ", weight.shape()[1], ")");
  const std::int64_t in = weight.shape()[1], out_features = weight.shape()[0];
  if (bias.defined()) {
    check_pair(x, bias, "linear", "input", "bias");
    ADVGRAD_CHECK(bias.dim() == 1 && bias.shape()[0] == out_features, "linear: expected bias of shape [",
                  out_features, "] for weight of shape ", shape_str(weight.shape()), ", got ",
                  shape_str(bias.shape()));
  }
  Shape y_shape(x.shape().begin(), x.shape().end() - 1);
  y_shape.push_back(out_features);
  Tensor y;
  {
    NoGradGuard no_grad;
    const std::int64_t rows = numel_of(Shape(x.shape().begin(), x.shape().end() - 1));
    const Tensor x2 = x.detach().reshape({rows, in});
    Tensor y2 = Tensor::empty({rows, out_features}, x.options());
    // y = x W^T + b: start from the broadcast bias and let GEMM add onto it (beta = 1).
    if (bias.defined()) y2.copy_(bias.detach());
    if (in == 0 && !bias.defined()) y2.zero_();
    else if (in > 0) gemm_into(x2, weight.detach().t(), y2, bias.defined() ? 1.0 : 0.0);
    y = y2.view(y_shape);
  }
  if (autograd::any_requires_grad({&x, &weight, &bias})) {
    auto node = autograd::record("LinearBackward", {x, weight, bias}, {&y},
                                 [in, out_features](FunctionNode& self, Grads& g, const Needs& needs) {
                                   const Tensor x = self.saved(0), w = self.saved(1);
                                   Grads out(3);
                                   if (needs[0]) out[0] = matmul(g[0], w);  // [..., in]
                                   if (needs[1])
                                     out[1] = matmul(g[0].reshape({-1, out_features}).t(), x.reshape({-1, in}));
                                   if (needs.size() > 2 && needs[2]) out[2] = sum_to(g[0], {out_features});
                                   return out;
                                 });
    node->save(x, false);
    node->save(weight, false);
  }
  return y;
}

}  // namespace advgrad
