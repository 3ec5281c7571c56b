#pragma once
// Parameters of 2-D convolution and pooling kernels. All tensors are
// contiguous NCHW buffers; core/ops checks the arguments and fills these.
#include <cstdint>

namespace advgrad::kernels {

// Convolution (cross-correlation, as in every DL library):
//   x [N, C, H, W], w [O, C/groups, kh, kw], y [N, O, OH, OW]
//   y[n, o, oh, ow] = sum_{c, i, j} x[n, g*Cg + c, oh*sh - ph + i*dh, ow*sw - pw + j*dw] * w[o, c, i, j]
// with g = o / (O/groups), Cg = C/groups, out-of-range x reading as 0, and
//   OH = (H + 2 ph - dh (kh - 1) - 1) / sh + 1   (likewise OW).
struct Conv2dParams {
  std::int64_t N = 0, C = 0, H = 0, W = 0;  // input
  std::int64_t O = 0;                        // output channels
  std::int64_t kh = 1, kw = 1;
  std::int64_t stride_h = 1, stride_w = 1;
  std::int64_t pad_h = 0, pad_w = 0;
  std::int64_t dilation_h = 1, dilation_w = 1;
  std::int64_t groups = 1;
  std::int64_t OH = 0, OW = 0;  // output

  std::int64_t in_channels_per_group() const { return C / groups; }
  std::int64_t out_channels_per_group() const { return O / groups; }
  // Rows of the im2col matrix of one group: one per (channel, kernel tap).
  std::int64_t col_rows() const { return C / groups * kh * kw; }
  std::int64_t out_plane() const { return OH * OW; }
  std::int64_t in_plane() const { return H * W; }
};

// Output extent of a convolution along one axis (may be <= 0 for bad sizes;
// the op checks).
constexpr std::int64_t conv_out_size(std::int64_t in, std::int64_t kernel, std::int64_t stride, std::int64_t pad,
                                     std::int64_t dilation) {
  return (in + 2 * pad - dilation * (kernel - 1) - 1) / stride + 1;
}

// Pooling over windows of kh x kw with stride and zero/neg-inf padding:
//   window (oh, ow) covers rows oh*sh - ph .. oh*sh - ph + kh - 1 (likewise columns),
//   clipped to the input; padding never contributes to a max and contributes
//   zeros to an average only when count_include_pad.
// Adaptive pooling uses N, C, H, W, OH, OW only (its windows follow from the sizes).
struct Pool2dParams {
  std::int64_t N = 0, C = 0, H = 0, W = 0;
  std::int64_t OH = 0, OW = 0;
  std::int64_t kh = 1, kw = 1;
  std::int64_t stride_h = 1, stride_w = 1;
  std::int64_t pad_h = 0, pad_w = 0;
  bool count_include_pad = true;  // avg pool only

  std::int64_t planes() const { return N * C; }
  std::int64_t in_plane() const { return H * W; }
  std::int64_t out_plane() const { return OH * OW; }
};

// Output extent of a pooling along one axis, PyTorch's rule:
//   floor or ceil of (in + 2 pad - kernel) / stride, plus one; in ceil mode the
//   last window must still start inside the input or its left padding.
constexpr std::int64_t pool_out_size(std::int64_t in, std::int64_t kernel, std::int64_t stride, std::int64_t pad,
                                     bool ceil_mode) {
  const std::int64_t span = in + 2 * pad - kernel;
  if (span < 0) return 0;
  std::int64_t out = (ceil_mode ? (span + stride - 1) / stride : span / stride) + 1;
  if (ceil_mode && (out - 1) * stride >= in + pad) --out;
  return out;
}

// Adaptive pooling window along one axis: output i of `out` averages input
// rows [floor(i * in / out), ceil((i + 1) * in / out)).
constexpr std::int64_t adaptive_start(std::int64_t i, std::int64_t in, std::int64_t out) { return i * in / out; }
constexpr std::int64_t adaptive_end(std::int64_t i, std::int64_t in, std::int64_t out) {
  return ((i + 1) * in + out - 1) / out;
}

}  // namespace advgrad::kernels
