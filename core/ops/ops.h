#pragma once
// Differentiable tensor operations. Every function here checks its arguments
// (throwing advgrad::Error that names the op and the shapes), runs the kernel
// of its tensors' device, and — when grad mode is on and an input requires
// grad — records a backward node. Backward formulas are written with these same
// ops, so gradients are themselves differentiable (create_graph=true).
//
// Binary ops broadcast with NumPy rules. Scalar overloads treat the scalar as a
// 0-dim tensor of the other operand's dtype.
#include <cstdint>
#include <optional>
#include <vector>

#include "advgrad/core/tensor.h"
#include "advgrad/kernels/fused_params.h"

namespace advgrad {

class Generator;
using Dims = std::vector<std::int64_t>;

// ---------------------------------------------------------------- elementwise
Tensor add(const Tensor& a, const Tensor& b);
Tensor sub(const Tensor& a, const Tensor& b);
Tensor mul(const Tensor& a, const Tensor& b);
Tensor div(const Tensor& a, const Tensor& b);
Tensor pow(const Tensor& a, const Tensor& b);
Tensor pow(const Tensor& a, double exponent);
Tensor minimum(const Tensor& a, const Tensor& b);  // ties split the gradient in half
Tensor maximum(const Tensor& a, const Tensor& b);
Tensor neg(const Tensor& x);
Tensor exp(const Tensor& x);
Tensor log(const Tensor& x);
Tensor sqrt(const Tensor& x);
Tensor rsqrt(const Tensor& x);
Tensor abs(const Tensor& x);        // d|x|/dx = sign(x), 0 at 0
Tensor sign(const Tensor& x);       // zero gradient
Tensor square(const Tensor& x);
Tensor reciprocal(const Tensor& x);
Tensor erf(const Tensor& x);
// clamp: gradient passes where lo <= x <= hi (bounds included). Missing bound = unbounded.
Tensor clamp(const Tensor& x, std::optional<double> lo, std::optional<double> hi);
Tensor clamp(const Tensor& x, const Tensor& lo, const Tensor& hi);  // tensor bounds (broadcast)
// where(cond, a, b): cond != 0 picks a. No gradient flows to cond.
Tensor where(const Tensor& cond, const Tensor& a, const Tensor& b);

// Comparisons return 0/1 in the dtype of the (promoted) inputs; never differentiable.
Tensor eq(const Tensor& a, const Tensor& b);
Tensor ne(const Tensor& a, const Tensor& b);
Tensor lt(const Tensor& a, const Tensor& b);
Tensor le(const Tensor& a, const Tensor& b);
Tensor gt(const Tensor& a, const Tensor& b);
Tensor ge(const Tensor& a, const Tensor& b);

Tensor operator+(const Tensor& a, const Tensor& b);
Tensor operator-(const Tensor& a, const Tensor& b);
Tensor operator*(const Tensor& a, const Tensor& b);
Tensor operator/(const Tensor& a, const Tensor& b);
Tensor operator-(const Tensor& x);
Tensor operator+(const Tensor& a, double b);
Tensor operator-(const Tensor& a, double b);
Tensor operator*(const Tensor& a, double b);
Tensor operator/(const Tensor& a, double b);
Tensor operator+(double a, const Tensor& b);
Tensor operator-(double a, const Tensor& b);
Tensor operator*(double a, const Tensor& b);
Tensor operator/(double a, const Tensor& b);

// ---------------------------------------------------------------- activations
Tensor relu(const Tensor& x);                             // relu'(0) = 0
Tensor leaky_relu(const Tensor& x, double slope = 0.01);
// relu6(x) = min(max(x, 0), 6), MobileNet's activation (torch.nn.ReLU6 =
// hardtanh(0, 6)). Gradient 1 where 0 < x < 6 strictly, 0 elsewhere (at both
// kinks too, as in PyTorch; clamp, by contrast, passes its bounds).
Tensor relu6(const Tensor& x);
Tensor elu(const Tensor& x, double alpha = 1.0);
Tensor gelu(const Tensor& x, bool tanh_approximation = false);
Tensor silu(const Tensor& x);                             // swish: x * sigmoid(x)
Tensor softplus(const Tensor& x, double beta = 1.0, double threshold = 20.0);
Tensor sigmoid(const Tensor& x);
Tensor tanh(const Tensor& x);

// ---------------------------------------------------------------- reductions
// dims empty = all dims. keepdim keeps reduced dims with size 1.
Tensor sum(const Tensor& x, const Dims& dims = {}, bool keepdim = false);
Tensor mean(const Tensor& x, const Dims& dims = {}, bool keepdim = false);
Tensor amax(const Tensor& x, const Dims& dims = {}, bool keepdim = false);  // ties share the gradient
Tensor amin(const Tensor& x, const Dims& dims = {}, bool keepdim = false);
struct ValuesIndices {
  Tensor values;
  Tensor indices;  // int64
};
// Along one dim; the gradient goes to the first index among ties.
ValuesIndices max(const Tensor& x, std::int64_t dim, bool keepdim = false);
ValuesIndices min(const Tensor& x, std::int64_t dim, bool keepdim = false);
Tensor argmax(const Tensor& x, std::int64_t dim, bool keepdim = false);
Tensor argmin(const Tensor& x, std::int64_t dim, bool keepdim = false);
Tensor logsumexp(const Tensor& x, const Dims& dims, bool keepdim = false);
// Variance with `correction` (1 = unbiased, 0 = population).
Tensor var(const Tensor& x, const Dims& dims = {}, bool keepdim = false, std::int64_t correction = 1);
// Per-sample p-norms over all dims but the first (what attacks use): shape [N].
// p = 1, 2 or infinity (std::numeric_limits<double>::infinity()).
Tensor norm_per_sample(const Tensor& x, double p);
// p-norm over dims (all if empty).
Tensor norm(const Tensor& x, double p, const Dims& dims = {}, bool keepdim = false);
// Sums `x` down to `shape` (the inverse of broadcasting); used by backward formulas.
Tensor sum_to(const Tensor& x, const Shape& shape);

// ---------------------------------------------------------------- shape / indexing
// (views are also methods of Tensor: reshape, transpose, permute, slice, ...)
Tensor cat(const std::vector<Tensor>& tensors, std::int64_t dim = 0);
Tensor stack(const std::vector<Tensor>& tensors, std::int64_t dim = 0);
std::vector<Tensor> split(const Tensor& x, std::int64_t size, std::int64_t dim = 0);
// Rows of x along dim picked by int64 index (1-D).
Tensor index_select(const Tensor& x, std::int64_t dim, const Tensor& index);
// out[i][j] = x[i][index[i][j]] (dim = 1), any rank: index has x's rank.
Tensor gather(const Tensor& x, std::int64_t dim, const Tensor& index);
// zeros of `shape` with src added at index along dim (the adjoint of gather).
// src must have the index's shape; index.size(d) <= shape[d] for d != dim.
Tensor scatter_add(const Shape& shape, std::int64_t dim, const Tensor& index, const Tensor& src);
// [..., num_classes]; num_classes = -1 infers (largest label + 1, read on the host).
Tensor one_hot(const Tensor& labels, std::int64_t num_classes, DType dtype = DType::Float32);

// ---------------------------------------------------------------- linear algebra
// matmul: 1-D/2-D/batched with broadcasting over batch dims (numpy.matmul rules).
Tensor matmul(const Tensor& a, const Tensor& b);
// y = x W^T + b, x [..., in], W [out, in], b [out] (optional).
Tensor linear(const Tensor& x, const Tensor& weight, const Tensor& bias = {});

// ---------------------------------------------------------------- convolution and pooling (NCHW)
struct Conv2dOptions {
  std::int64_t stride_h = 1, stride_w = 1;
  std::int64_t pad_h = 0, pad_w = 0;
  std::int64_t dilation_h = 1, dilation_w = 1;
  std::int64_t groups = 1;
};
// x [N, C, H, W], weight [O, C/groups, kh, kw], bias [O] (optional).
Tensor conv2d(const Tensor& x, const Tensor& weight, const Tensor& bias = {}, const Conv2dOptions& options = {});

struct Pool2dOptions {
  std::int64_t kernel_h = 2, kernel_w = 2;
  std::int64_t stride_h = 0, stride_w = 0;  // 0 = kernel size
  std::int64_t pad_h = 0, pad_w = 0;
  bool ceil_mode = false;
  bool count_include_pad = true;  // avg pool only
};
// Max pooling; the gradient goes to the first maximum in the window (row-major).
ValuesIndices max_pool2d_with_indices(const Tensor& x, const Pool2dOptions& options);
Tensor max_pool2d(const Tensor& x, const Pool2dOptions& options);
Tensor avg_pool2d(const Tensor& x, const Pool2dOptions& options);
Tensor adaptive_avg_pool2d(const Tensor& x, std::int64_t out_h, std::int64_t out_w);
Tensor global_avg_pool2d(const Tensor& x);  // [N, C, H, W] -> [N, C]

// Constant padding of the last two dims of x [..., H, W], each side its own
// width (TensorFlow's "SAME" padding is asymmetric at stride 2). The result is
// [..., top + H + bottom, left + W + right], `value` outside x. Gradient: the
// window of the incoming gradient where x sits (the constant gets none).
struct Pad2d {
  std::int64_t left = 0, right = 0, top = 0, bottom = 0;
};
Tensor pad2d(const Tensor& x, const Pad2d& pad, double value = 0.0);

// ---------------------------------------------------------------- softmax and losses
Tensor softmax(const Tensor& x, std::int64_t dim);
Tensor log_softmax(const Tensor& x, std::int64_t dim);
enum class Reduction { None, Mean, Sum };
// logits [N, C] (or [N, C, ...]), labels int64 [N] in [0, C).
Tensor cross_entropy(const Tensor& logits, const Tensor& labels, Reduction reduction = Reduction::Mean,
                     double label_smoothing = 0.0);
// log_probs [N, C], labels int64 [N].
Tensor nll_loss(const Tensor& log_probs, const Tensor& labels, Reduction reduction = Reduction::Mean);
Tensor mse_loss(const Tensor& input, const Tensor& target, Reduction reduction = Reduction::Mean);
// KL(target || input) with input given as log-probabilities (torch.nn.functional.kl_div
// semantics): sum target * (log target - input). Mean = over all elements;
// batchmean divides the sum by N.
enum class KlReduction { None, Mean, Sum, BatchMean };
Tensor kl_div(const Tensor& log_input, const Tensor& target, KlReduction reduction = KlReduction::BatchMean,
              bool log_target = false);

// ---------------------------------------------------------------- normalisation and dropout
// x [N, C] or [N, C, H, W]. In training, uses batch statistics and updates the
// running ones (momentum as in PyTorch: running = (1-m) running + m batch, the
// variance unbiased); in eval, uses the running statistics. weight and bias
// may be undefined (1 and 0); undefined running statistics (both) mean batch
// statistics in eval too. weight/bias/running stats must have shape [C].
Tensor batch_norm(const Tensor& x, const Tensor& weight, const Tensor& bias, Tensor& running_mean,
                  Tensor& running_var, bool training, double momentum = 0.1, double eps = 1e-5);
// Inverted dropout: zeroes with probability p and scales kept values by 1/(1-p).
Tensor dropout(const Tensor& x, double p, bool training, Generator& gen);
// Stochastic depth ("drop connect") on a residual branch x [N, ...]: in
// training, zeroes each example's x[n] with probability p and scales the kept
// ones by 1/(1-p); identity in eval. One Bernoulli draw per example.
Tensor drop_path(const Tensor& x, double p, bool training, Generator& gen);

// ---------------------------------------------------------------- fused in-place updates
// One pass over memory instead of a chain of ops (core/ops/fused.cpp). Not
// differentiable: they write through raw data, record no graph and bump the
// version of what they modify. Every tensor must be defined, on one device,
// of one floating dtype and of one shape; the tensors written must be
// contiguous and share no memory with the others (read-only ones may have any
// layout). A tensor that requires grad is written only under NoGradGuard.
//
// SGD (the math of nn::Sgd): g = grad + wd p; with momentum mu,
// b = g (first step) or mu b + (1 - dampening) g, d = g + mu b (Nesterov) or b;
// p -= lr d. `momentum` is the buffer, unused (may be undefined) when mu == 0;
// on the first step it holds nothing yet and becomes g.
//
// The options and the attack vocabulary (Norm, Normalizer) are the kernels'
// own structs (kernels/fused_params.h), named here so that one struct travels
// from nn:: and attacks:: down to the kernel with no mapping on the way.
using kernels::AdamOptions;
using kernels::AttackStepOptions;
using kernels::Norm;
using kernels::Normalizer;
using kernels::SgdOptions;
void sgd_update_(Tensor& param, const Tensor& grad, Tensor& momentum, const SgdOptions& options, bool first_step);
// Adam / AdamW (the math of nn::Adam) at step t >= 1, bias corrections 1 - beta^t.
void adam_update_(Tensor& param, const Tensor& grad, Tensor& exp_avg, Tensor& exp_avg_sq, const AdamOptions& options,
                  std::int64_t step);
// One attack iteration per example (row = everything but dim 0), the math of
// attacks::pgd: d = sign(g) | g / (max|g| + 1e-12) | g / (||g||_2 + 1e-12);
// a = x_adv + step_size d; project a onto the eps-ball around x (L-inf clamp,
// or L2 rescale of a - x); x_adv = clamp(a, lo, hi). x_adv, grad, x: [N, ...].
void attack_step_(Tensor& x_adv, const Tensor& grad, const Tensor& x, const AttackStepOptions& options);

}  // namespace advgrad
