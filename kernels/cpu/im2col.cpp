#include "kernels/cpu/im2col.h"

#include <algorithm>

namespace advgrad::kernels::cpu {

namespace {
// ceil(a / d) for d > 0 and any sign of a.
std::int64_t ceil_div(std::int64_t a, std::int64_t d) { return a >= 0 ? (a + d - 1) / d : -((-a) / d); }

// Walks the rows of the column matrix and, within each, the runs of output
// columns that share one output row oh. `visit(r, c, i, j, oh, ow_begin,
// ow_end, q)` gets the run [ow_begin, ow_end) of output row oh, whose first
// element sits at column q - p0 of row r of col.
template <typename Visit>
void for_each_run(const Conv2dParams& p, std::int64_t p0, std::int64_t p1, Visit&& visit) {
  const std::int64_t Cg = p.in_channels_per_group();
  for (std::int64_t c = 0; c < Cg; ++c)
    for (std::int64_t i = 0; i < p.kh; ++i)
      for (std::int64_t j = 0; j < p.kw; ++j) {
        const std::int64_t r = (c * p.kh + i) * p.kw + j;
        for (std::int64_t q = p0; q < p1;) {
          const std::int64_t oh = q / p.OW, ow = q % p.OW;
          const std::int64_t run_end = std::min(p1, (oh + 1) * p.OW);
          visit(r, c, i, j, oh, ow, ow + (run_end - q), q);
          q = run_end;
        }
      }
}
}  // namespace

ValidRange valid_columns(std::int64_t off, std::int64_t stride, std::int64_t W, std::int64_t ow_begin,
                         std::int64_t ow_end) {
  // 0 <= ow * stride + off < W  <=>  ceil(-off / stride) <= ow < ceil((W - off) / stride)
  const std::int64_t lo = std::clamp(ceil_div(-off, stride), ow_begin, ow_end);
  const std::int64_t hi = std::clamp(ceil_div(W - off, stride), lo, ow_end);
  return {lo, hi};
}

template <typename T>
void im2col(const Conv2dParams& p, const T* x_g, std::int64_t p0, std::int64_t p1, T* col) {
  const std::int64_t ncols = p1 - p0;
  for_each_run(p, p0, p1,
               [&](std::int64_t r, std::int64_t c, std::int64_t i, std::int64_t j, std::int64_t oh,
                   std::int64_t ow_begin, std::int64_t ow_end, std::int64_t q) {
                 // Indices (not pointers, which must stay inside their arrays):
                 // col[dst + ow] and x_g[src + ow sw] for ow in the run.
                 const std::int64_t dst = r * ncols + (q - p0) - ow_begin;
                 const std::int64_t h = oh * p.stride_h - p.pad_h + i * p.dilation_h;
                 if (h < 0 || h >= p.H) {
                   std::fill(col + dst + ow_begin, col + dst + ow_end, T(0));
                   return;
                 }
                 const std::int64_t off = j * p.dilation_w - p.pad_w;
                 const ValidRange v = valid_columns(off, p.stride_w, p.W, ow_begin, ow_end);
                 const std::int64_t src = (c * p.H + h) * p.W + off;
                 std::fill(col + dst + ow_begin, col + dst + v.lo, T(0));
                 if (p.stride_w == 1) {
                   for (std::int64_t ow = v.lo; ow < v.hi; ++ow) col[dst + ow] = x_g[src + ow];
                 } else {
                   for (std::int64_t ow = v.lo; ow < v.hi; ++ow) col[dst + ow] = x_g[src + ow * p.stride_w];
                 }
                 std::fill(col + dst + v.hi, col + dst + ow_end, T(0));
               });
}

template <typename T>
void col2im_add(const Conv2dParams& p, const T* col, std::int64_t p0, std::int64_t p1, T* x_g) {
  const std::int64_t ncols = p1 - p0;
  for_each_run(p, p0, p1,
               [&](std::int64_t r, std::int64_t c, std::int64_t i, std::int64_t j, std::int64_t oh,
                   std::int64_t ow_begin, std::int64_t ow_end, std::int64_t q) {
                 const std::int64_t h = oh * p.stride_h - p.pad_h + i * p.dilation_h;
                 if (h < 0 || h >= p.H) return;  // read padding: nothing to give back
                 const std::int64_t src = r * ncols + (q - p0) - ow_begin;
                 const std::int64_t off = j * p.dilation_w - p.pad_w;
                 const ValidRange v = valid_columns(off, p.stride_w, p.W, ow_begin, ow_end);
                 const std::int64_t dst = (c * p.H + h) * p.W + off;
                 if (p.stride_w == 1) {
                   for (std::int64_t ow = v.lo; ow < v.hi; ++ow) x_g[dst + ow] += col[src + ow];
                 } else {
                   for (std::int64_t ow = v.lo; ow < v.hi; ++ow) x_g[dst + ow * p.stride_w] += col[src + ow];
                 }
               });
}

template void im2col<float>(const Conv2dParams&, const float*, std::int64_t, std::int64_t, float*);
template void im2col<double>(const Conv2dParams&, const double*, std::int64_t, std::int64_t, double*);
template void col2im_add<float>(const Conv2dParams&, const float*, std::int64_t, std::int64_t, float*);
template void col2im_add<double>(const Conv2dParams&, const double*, std::int64_t, std::int64_t, double*);

}  // namespace advgrad::kernels::cpu
