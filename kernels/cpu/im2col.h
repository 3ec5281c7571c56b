#pragma once
// im2col / col2im for one image and one group of channels, on a range of
// output columns [p0, p1) (p = oh * OW + ow), so the column matrix can be
// built in cache-sized tiles.
//
// The column matrix has one row per (channel c, tap i, j) — r = (c kh + i) kw + j,
// Cg kh kw rows — and one column per output position:
//   col[r][p - p0] = x[c][oh sh - ph + i dh][ow sw - pw + j dw]   (0 outside the image)
// so that conv = W_g (Og x rows) * col (rows x P). col2im is its adjoint:
//   x[c][h][v] += col[r][p - p0] for every (r, p) that read (c, h, v).
#include <cstdint>

#include "advgrad/kernels/conv_params.h"

namespace advgrad::kernels::cpu {

// x_g: the Cg channel planes of one group of one image. col: rows x (p1 - p0).
template <typename T>
void im2col(const Conv2dParams& p, const T* x_g, std::int64_t p0, std::int64_t p1, T* col);

// Adds col (rows x (p1 - p0)) into x_g (Cg planes), in a fixed order. col is
// scratch: entries that read padding may be overwritten with zeros.
template <typename T>
void col2im_add(const Conv2dParams& p, T* col, std::int64_t p0, std::int64_t p1, T* x_g);

// For the column offset `off` = j dw - pw of a tap, the output columns
// [lo, hi) within [ow_begin, ow_end) whose input column ow sw + off lies in [0, W).
struct ValidRange {
  std::int64_t lo, hi;
};
ValidRange valid_columns(std::int64_t off, std::int64_t stride, std::int64_t W, std::int64_t ow_begin,
                         std::int64_t ow_end);

}  // namespace advgrad::kernels::cpu
