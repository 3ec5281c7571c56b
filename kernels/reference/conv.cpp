#include "advgrad/kernels/reference/conv.h"

#include "advgrad/kernels/reduce_ops.h"

namespace advgrad::kernels::reference {

namespace {
// Index helpers for contiguous NCHW / OCkk buffers.
inline std::int64_t at4(std::int64_t a, std::int64_t b, std::int64_t c, std::int64_t d, std::int64_t B,
                        std::int64_t C, std::int64_t D) {
  return ((a * B + b) * C + c) * D + d;
}
}  // namespace

template <typename T>
void conv2d_forward(const Conv2dParams& p, const T* x, const T* w, const T* bias, T* y) {
  using Acc = typename acc_type<T>::type;
  const std::int64_t Cg = p.in_channels_per_group(), Og = p.out_channels_per_group();
  for (std::int64_t n = 0; n < p.N; ++n)
    for (std::int64_t o = 0; o < p.O; ++o) {
      const std::int64_t g = o / Og;
      for (std::int64_t oh = 0; oh < p.OH; ++oh)
        for (std::int64_t ow = 0; ow < p.OW; ++ow) {
          Acc acc = bias ? static_cast<Acc>(bias[o]) : Acc(0);
          for (std::int64_t c = 0; c < Cg; ++c)
            for (std::int64_t i = 0; i < p.kh; ++i) {
              const std::int64_t h = oh * p.stride_h - p.pad_h + i * p.dilation_h;
              if (h < 0 || h >= p.H) continue;  // zero padding
              for (std::int64_t j = 0; j < p.kw; ++j) {
                const std::int64_t v = ow * p.stride_w - p.pad_w + j * p.dilation_w;
                if (v < 0 || v >= p.W) continue;
                acc += static_cast<Acc>(x[at4(n, g * Cg + c, h, v, p.C, p.H, p.W)]) *
                       static_cast<Acc>(w[at4(o, c, i, j, Cg, p.kh, p.kw)]);
              }
            }
          y[at4(n, o, oh, ow, p.O, p.OH, p.OW)] = static_cast<T>(acc);
        }
    }
}

// Gather form of the adjoint: for each input pixel (h, v) and tap (i, j), the
// output position that read it is oh = (h + ph - i dh) / sh, when that division
// is exact and oh is in range.
template <typename T>
void conv2d_backward_input(const Conv2dParams& p, const T* gy, const T* w, T* gx) {
  using Acc = typename acc_type<T>::type;
  const std::int64_t Cg = p.in_channels_per_group(), Og = p.out_channels_per_group();
  for (std::int64_t n = 0; n < p.N; ++n)
    for (std::int64_t ci = 0; ci < p.C; ++ci) {
      const std::int64_t g = ci / Cg, c = ci % Cg;
      for (std::int64_t h = 0; h < p.H; ++h)
        for (std::int64_t v = 0; v < p.W; ++v) {
          Acc acc = 0;
          for (std::int64_t o = g * Og; o < (g + 1) * Og; ++o)
            for (std::int64_t i = 0; i < p.kh; ++i) {
              const std::int64_t th = h + p.pad_h - i * p.dilation_h;
              if (th < 0 || th % p.stride_h != 0 || th / p.stride_h >= p.OH) continue;
              const std::int64_t oh = th / p.stride_h;
              for (std::int64_t j = 0; j < p.kw; ++j) {
                const std::int64_t tw = v + p.pad_w - j * p.dilation_w;
                if (tw < 0 || tw % p.stride_w != 0 || tw / p.stride_w >= p.OW) continue;
                const std::int64_t ow = tw / p.stride_w;
                acc += static_cast<Acc>(gy[at4(n, o, oh, ow, p.O, p.OH, p.OW)]) *
                       static_cast<Acc>(w[at4(o, c, i, j, Cg, p.kh, p.kw)]);
              }
            }
          gx[at4(n, ci, h, v, p.C, p.H, p.W)] = static_cast<T>(acc);
        }
    }
}

template <typename T>
void conv2d_backward_weight(const Conv2dParams& p, const T* x, const T* gy, T* gw) {
  using Acc = typename acc_type<T>::type;
  const std::int64_t Cg = p.in_channels_per_group(), Og = p.out_channels_per_group();
  for (std::int64_t o = 0; o < p.O; ++o) {
    const std::int64_t g = o / Og;
    for (std::int64_t c = 0; c < Cg; ++c)
      for (std::int64_t i = 0; i < p.kh; ++i)
        for (std::int64_t j = 0; j < p.kw; ++j) {
          Acc acc = 0;
          for (std::int64_t n = 0; n < p.N; ++n)
            for (std::int64_t oh = 0; oh < p.OH; ++oh) {
              const std::int64_t h = oh * p.stride_h - p.pad_h + i * p.dilation_h;
              if (h < 0 || h >= p.H) continue;
              for (std::int64_t ow = 0; ow < p.OW; ++ow) {
                const std::int64_t v = ow * p.stride_w - p.pad_w + j * p.dilation_w;
                if (v < 0 || v >= p.W) continue;
                acc += static_cast<Acc>(gy[at4(n, o, oh, ow, p.O, p.OH, p.OW)]) *
                       static_cast<Acc>(x[at4(n, g * Cg + c, h, v, p.C, p.H, p.W)]);
              }
            }
          gw[at4(o, c, i, j, Cg, p.kh, p.kw)] = static_cast<T>(acc);
        }
  }
}

template void conv2d_forward<float>(const Conv2dParams&, const float*, const float*, const float*, float*);
template void conv2d_forward<double>(const Conv2dParams&, const double*, const double*, const double*, double*);
template void conv2d_backward_input<float>(const Conv2dParams&, const float*, const float*, float*);
template void conv2d_backward_input<double>(const Conv2dParams&, const double*, const double*, double*);
template void conv2d_backward_weight<float>(const Conv2dParams&, const float*, const float*, float*);
template void conv2d_backward_weight<double>(const Conv2dParams&, const double*, const double*, double*);

}  // namespace advgrad::kernels::reference
