#include "advgrad/kernels/cpu/im2col.h"

#include <algorithm>
#include <cstring>

namespace advgrad::kernels::cpu {

namespace {
// ceil(a / d) for d > 0 and any sign of a.
std::int64_t ceil_div(std::int64_t a, std::int64_t d) { return a >= 0 ? (a + d - 1) / d : -((-a) / d); }

// Walks the rows of the column matrix and, within each, the runs of output
// columns that share one output row oh. For each run, visit(r, c, h, first,
// lo, hi, src) gets: the row r of col and channel c, the input row h (maybe
// outside [0, H): a padding row), the column index in col of ow = 0 of this
// run (`first`, so that ow sits at col[r * ncols + first + ow]), the valid
// output columns [lo, hi) of the run (the others read padding), and the index
// in x_g of the input pixel read by ow = 0 (x_g[src + ow sw], valid for ow in
// [lo, hi)). The run itself is [ow_begin, ow_end), passed as well. All
// divisions happen once per call or per kernel column, not per run.
template <typename Visit>
void for_each_run(const Conv2dParams& p, std::int64_t p0, std::int64_t p1, Visit&& visit) {
  const std::int64_t Cg = p.in_channels_per_group();
  const std::int64_t oh_first = p0 / p.OW, ow_first = p0 % p.OW, oh_last = (p1 - 1) / p.OW;
  for (std::int64_t c = 0; c < Cg; ++c)
    for (std::int64_t i = 0; i < p.kh; ++i)
      for (std::int64_t j = 0; j < p.kw; ++j) {
        const std::int64_t r = (c * p.kh + i) * p.kw + j;
        const std::int64_t off = j * p.dilation_w - p.pad_w;
        const ValidRange full = valid_columns(off, p.stride_w, p.W, 0, p.OW);
        std::int64_t first = -ow_first;  // col column of (oh_first, ow = 0)
        for (std::int64_t oh = oh_first; oh <= oh_last; ++oh) {
          const std::int64_t ow_begin = oh == oh_first ? ow_first : 0;
          const std::int64_t ow_end = oh == oh_last ? p1 - oh * p.OW : p.OW;
          const std::int64_t h = oh * p.stride_h - p.pad_h + i * p.dilation_h;
          const std::int64_t lo = std::clamp(full.lo, ow_begin, ow_end), hi = std::clamp(full.hi, lo, ow_end);
          visit(r, c, h, first, ow_begin, ow_end, lo, hi, (c * p.H + h) * p.W + off);
          first += p.OW;
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

namespace {

// ---- general path: one run of output columns per output row ----
// Indices (not pointers, which must stay inside their arrays) address col and x_g.
template <typename T>
void im2col_runs(const Conv2dParams& p, const T* x_g, std::int64_t p0, std::int64_t p1, T* col) {
  const std::int64_t ncols = p1 - p0, sw = p.stride_w;
  for_each_run(p, p0, p1,
               [&](std::int64_t r, std::int64_t, std::int64_t h, std::int64_t first, std::int64_t ow_begin,
                   std::int64_t ow_end, std::int64_t lo, std::int64_t hi, std::int64_t src) {
                 T* dst = col + r * ncols + first + ow_begin;  // dst[ow - ow_begin]
                 if (h < 0 || h >= p.H) {
                   std::fill(dst, dst + (ow_end - ow_begin), T(0));
                   return;
                 }
                 std::fill(dst, dst + (lo - ow_begin), T(0));
                 if (sw == 1) {
                   if (lo < hi) std::copy(x_g + src + lo, x_g + src + hi, dst + (lo - ow_begin));
                 } else {
                   for (std::int64_t ow = lo; ow < hi; ++ow) dst[ow - ow_begin] = x_g[src + ow * sw];
                 }
                 std::fill(dst + (hi - ow_begin), dst + (ow_end - ow_begin), T(0));
               });
}

template <typename T>
void col2im_runs(const Conv2dParams& p, const T* col, std::int64_t p0, std::int64_t p1, T* x_g) {
  const std::int64_t ncols = p1 - p0, sw = p.stride_w;
  for_each_run(p, p0, p1,
               [&](std::int64_t r, std::int64_t, std::int64_t h, std::int64_t first, std::int64_t ow_begin,
                   std::int64_t, std::int64_t lo, std::int64_t hi, std::int64_t dst) {
                 if (h < 0 || h >= p.H) return;  // read padding: nothing to give back
                 const T* src = col + r * ncols + first + ow_begin;  // src[ow - ow_begin]
                 if (sw == 1) {
                   for (std::int64_t ow = lo; ow < hi; ++ow) x_g[dst + ow] += src[ow - ow_begin];
                 } else {
                   for (std::int64_t ow = lo; ow < hi; ++ow) x_g[dst + ow * sw] += src[ow - ow_begin];
                 }
               });
}

// ---- same-width path: stride 1 and OW == W ("same" padding) ----
// Then output q = oh W + ow reads input pixel q + shift of the channel plane,
// shift = (i dh - ph) W + (j dw - pw), so each row of col is ONE shifted copy of
// the plane: a long vectorised copy instead of one short run per output row.
// Only the kernel taps that fall off the left/right edge would wrap into the
// neighbouring input row; those few columns (|j dw - pw| per output row) are
// zeroed afterwards, and the rows that fall off the top/bottom are zero.
struct ShiftedRow {
  std::int64_t shift;           // input index = q + shift
  std::int64_t qa, qb;          // [qa, qb): outputs of the tile on valid input rows
  std::int64_t ca, cb;          // [ca, cb) within [qa, qb): source inside the plane
  std::int64_t lo_w, hi_w;      // valid output columns [lo_w, hi_w)
};

inline ShiftedRow shifted_row(const Conv2dParams& p, std::int64_t i, std::int64_t j, std::int64_t p0, std::int64_t p1) {
  ShiftedRow s;
  const std::int64_t off_h = i * p.dilation_h - p.pad_h, off_w = j * p.dilation_w - p.pad_w;
  s.shift = off_h * p.W + off_w;
  const std::int64_t oh_lo = std::clamp<std::int64_t>(-off_h, 0, p.OH);
  const std::int64_t oh_hi = std::clamp<std::int64_t>(p.H - off_h, oh_lo, p.OH);
  s.qa = std::clamp(oh_lo * p.W, p0, p1);
  s.qb = std::clamp(oh_hi * p.W, s.qa, p1);
  s.ca = std::clamp(-s.shift, s.qa, s.qb);
  s.cb = std::clamp(p.in_plane() - s.shift, s.ca, s.qb);
  s.lo_w = std::clamp<std::int64_t>(-off_w, 0, p.W);
  s.hi_w = std::clamp<std::int64_t>(p.W - off_w, s.lo_w, p.W);
  return s;
}

// row[q - p0] = 0 for the outputs q in [qa, qb) whose column reads padding:
// ow < lo_w and ow >= hi_w (the whole row when no column is valid). One
// strided loop per such column, over the output rows whose q lies in [qa, qb).
template <typename T>
void zero_edge_columns(const Conv2dParams& p, const ShiftedRow& s, std::int64_t p0, T* row) {
  if ((s.lo_w == 0 && s.hi_w == p.W) || s.qa >= s.qb) return;
  const std::int64_t W = p.W, left_end = s.lo_w < s.hi_w ? s.lo_w : W;
  auto zero_column = [&](std::int64_t ow) {
    // oh with qa <= oh W + ow < qb
    const std::int64_t oh0 = (s.qa - ow + W - 1) / W;  // qa - ow > -W, so this is ceil
    const std::int64_t oh1 = (s.qb - ow + W - 1) / W;
    for (std::int64_t oh = oh0; oh < oh1; ++oh) row[oh * W + ow - p0] = T(0);
  };
  for (std::int64_t ow = 0; ow < left_end; ++ow) zero_column(ow);
  if (s.lo_w < s.hi_w)
    for (std::int64_t ow = s.hi_w; ow < W; ++ow) zero_column(ow);
}

template <typename T>
void im2col_same_width(const Conv2dParams& p, const T* x_g, std::int64_t p0, std::int64_t p1, T* col) {
  const std::int64_t ncols = p1 - p0, Cg = p.in_channels_per_group();
  for (std::int64_t c = 0; c < Cg; ++c) {
    const T* xc = x_g + c * p.in_plane();
    for (std::int64_t i = 0; i < p.kh; ++i)
      for (std::int64_t j = 0; j < p.kw; ++j) {
        T* row = col + ((c * p.kh + i) * p.kw + j) * ncols;
        const ShiftedRow s = shifted_row(p, i, j, p0, p1);
        std::fill(row, row + (s.qa - p0), T(0));
        std::fill(row + (s.qb - p0), row + ncols, T(0));
        std::fill(row + (s.qa - p0), row + (s.ca - p0), T(0));
        std::fill(row + (s.cb - p0), row + (s.qb - p0), T(0));
        // row[q - p0] = xc[q + shift] for q in [ca, cb): one long copy.
        if (s.ca < s.cb)
          std::memcpy(row + (s.ca - p0), xc + (s.ca + s.shift), static_cast<std::size_t>(s.cb - s.ca) * sizeof(T));
        zero_edge_columns(p, s, p0, row);
      }
  }
}

// The adjoint: zero the wrapped columns of the (scratch) col, then one long add.
template <typename T>
void col2im_same_width(const Conv2dParams& p, T* col, std::int64_t p0, std::int64_t p1, T* x_g) {
  const std::int64_t ncols = p1 - p0, Cg = p.in_channels_per_group();
  for (std::int64_t c = 0; c < Cg; ++c) {
    T* xc = x_g + c * p.in_plane();
    for (std::int64_t i = 0; i < p.kh; ++i)
      for (std::int64_t j = 0; j < p.kw; ++j) {
        T* row = col + ((c * p.kh + i) * p.kw + j) * ncols;
        const ShiftedRow s = shifted_row(p, i, j, p0, p1);
        zero_edge_columns(p, s, p0, row);
        const std::int64_t base = s.shift + p0;  // xc[q + shift] += row[q - p0], q = k + p0
        for (std::int64_t k = s.ca - p0; k < s.cb - p0; ++k) xc[k + base] += row[k];
      }
  }
}

bool same_width(const Conv2dParams& p) { return p.stride_w == 1 && p.stride_h == 1 && p.OW == p.W; }

}  // namespace

template <typename T>
void im2col(const Conv2dParams& p, const T* x_g, std::int64_t p0, std::int64_t p1, T* col) {
  if (same_width(p)) im2col_same_width(p, x_g, p0, p1, col);
  else im2col_runs(p, x_g, p0, p1, col);
}

template <typename T>
void col2im_add(const Conv2dParams& p, T* col, std::int64_t p0, std::int64_t p1, T* x_g) {
  if (same_width(p)) col2im_same_width(p, col, p0, p1, x_g);
  else col2im_runs(p, col, p0, p1, x_g);
}

template void im2col<float>(const Conv2dParams&, const float*, std::int64_t, std::int64_t, float*);
template void im2col<double>(const Conv2dParams&, const double*, std::int64_t, std::int64_t, double*);
template void col2im_add<float>(const Conv2dParams&, float*, std::int64_t, std::int64_t, float*);
template void col2im_add<double>(const Conv2dParams&, double*, std::int64_t, std::int64_t, double*);

}  // namespace advgrad::kernels::cpu
