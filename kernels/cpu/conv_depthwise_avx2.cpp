// AVX2 depthwise convolution: the plane convolution of
// kernels/cpu/conv_depthwise_avx2.h and its three uses.
#include "advgrad/kernels/cpu/conv_depthwise_avx2.h"

#include <immintrin.h>

#include <algorithm>
#include <cstdint>
#include <vector>

#include "advgrad/kernels/cpu/parallel.h"

namespace advgrad::kernels::cpu::conv_detail {
namespace {

#define DW_TARGET __attribute__((target("avx2,fma")))

using std::int64_t;

// The few vector operations the plane loops need, for 8 floats or 4 doubles.
template <typename T>
struct Simd;

template <>
struct Simd<float> {
  using V = __m256;
  static constexpr int64_t L = 8;
  DW_TARGET static V zero() { return _mm256_setzero_ps(); }
  DW_TARGET static V set1(float v) { return _mm256_set1_ps(v); }
  DW_TARGET static V load(const float* p) { return _mm256_loadu_ps(p); }
  DW_TARGET static void store(float* p, V v) { _mm256_storeu_ps(p, v); }
  DW_TARGET static V fma(V a, V b, V c) { return _mm256_fmadd_ps(a, b, c); }
  DW_TARGET static V add(V a, V b) { return _mm256_add_ps(a, b); }
  // Lanes [0, n) on, for the last, partial vector of a row (0 < n < L).
  DW_TARGET static __m256i mask(int64_t n) {
    return _mm256_cmpgt_epi32(_mm256_set1_epi32(static_cast<int>(n)), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
  }
  DW_TARGET static V maskload(const float* p, __m256i m) { return _mm256_maskload_ps(p, m); }
  DW_TARGET static void maskstore(float* p, __m256i m, V v) { _mm256_maskstore_ps(p, m, v); }
  // even = p[0], p[2], ..., p[14]; odd = p[1], p[3], ..., p[15]. The shuffle
  // picks them within 128-bit halves, the permute puts the halves in order.
  // The inverse: p[0..16) = even[0], odd[0], even[1], odd[1], ...
  DW_TARGET static void interleave(V even, V odd, float* p) {
    const V lo = _mm256_unpacklo_ps(even, odd), hi = _mm256_unpackhi_ps(even, odd);
    store(p, _mm256_permute2f128_ps(lo, hi, 0x20));
    store(p + 8, _mm256_permute2f128_ps(lo, hi, 0x31));
  }
  DW_TARGET static void deinterleave(const float* p, V& even, V& odd) {
    const V a = load(p), b = load(p + 8);
    even = _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(_mm256_shuffle_ps(a, b, 0x88)), 0xD8));
    odd = _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(_mm256_shuffle_ps(a, b, 0xDD)), 0xD8));
  }
};

template <>
struct Simd<double> {
  using V = __m256d;
  static constexpr int64_t L = 4;
  DW_TARGET static V zero() { return _mm256_setzero_pd(); }
  DW_TARGET static V set1(double v) { return _mm256_set1_pd(v); }
  DW_TARGET static V load(const double* p) { return _mm256_loadu_pd(p); }
  DW_TARGET static void store(double* p, V v) { _mm256_storeu_pd(p, v); }
  DW_TARGET static V fma(V a, V b, V c) { return _mm256_fmadd_pd(a, b, c); }
  DW_TARGET static V add(V a, V b) { return _mm256_add_pd(a, b); }
  DW_TARGET static __m256i mask(int64_t n) {
    return _mm256_cmpgt_epi64(_mm256_set1_epi64x(n), _mm256_setr_epi64x(0, 1, 2, 3));
  }
  DW_TARGET static V maskload(const double* p, __m256i m) { return _mm256_maskload_pd(p, m); }
  DW_TARGET static void maskstore(double* p, __m256i m, V v) { _mm256_maskstore_pd(p, m, v); }
  DW_TARGET static void interleave(V even, V odd, double* p) {
    const V lo = _mm256_unpacklo_pd(even, odd), hi = _mm256_unpackhi_pd(even, odd);
    store(p, _mm256_permute2f128_pd(lo, hi, 0x20));
    store(p + 4, _mm256_permute2f128_pd(lo, hi, 0x31));
  }
  DW_TARGET static void deinterleave(const double* p, V& even, V& odd) {
    const V a = load(p), b = load(p + 4);
    even = _mm256_permute4x64_pd(_mm256_unpacklo_pd(a, b), 0xD8);
    odd = _mm256_permute4x64_pd(_mm256_unpackhi_pd(a, b), 0xD8);
  }
};

// out[oh][ow] = b + sum_{i,j} w[i][j] P[oh sh + i dh][ow sw + j dw] for an
// OH x OW output. P has `rows` rows, each split into sw phases of phase_width
// (column c at phase c % sw, position c / sw), so tap (i, j) of output
// (oh, ow) is P's element oh sh row_size() + offset(i, j) + ow: consecutive ow
// are consecutive in memory whatever the stride. phase_width leaves L spare
// positions, so a row's last vector may read past its end without leaving P.
struct PlaneConv {
  int64_t OH, OW, sh, sw, dh, dw, kh, kw;
  int64_t rows, cols, phase_width;
  int64_t row_size() const { return sw * phase_width; }
  int64_t size() const { return rows * row_size(); }
  int64_t offset(int64_t i, int64_t j) const { return i * dh * row_size() + (j * dw % sw) * phase_width + j * dw / sw; }
};

PlaneConv plane_conv(int64_t OH, int64_t OW, int64_t sh, int64_t sw, const Conv2dParams& p, int64_t lanes) {
  PlaneConv pc{OH, OW, sh, sw, p.dilation_h, p.dilation_w, p.kh, p.kw, 0, 0, 0};
  pc.rows = (OH - 1) * sh + (p.kh - 1) * p.dilation_h + 1;
  pc.cols = (OW - 1) * sw + (p.kw - 1) * p.dilation_w + 1;
  pc.phase_width = (pc.cols + sw - 1) / sw + lanes;
  return pc;
}

// The taps' offsets in P, row-major like the weights.
std::vector<int64_t> tap_offsets(const PlaneConv& pc) {
  std::vector<int64_t> off;
  for (int64_t i = 0; i < pc.kh; ++i)
    for (int64_t j = 0; j < pc.kw; ++j) off.push_back(pc.offset(i, j));
  return off;
}

// Where P's values come from: P[r][c] = src[(r - top) / up_h][(c - left) / up_w]
// when both divisions are exact and land inside the Hs x Ws source plane, else 0.
// (up = 1 pads; up = the stride spreads gy's samples out for backward-input.)
// Either up_w == 1 or P has one phase (sw == 1): no pass needs both. The
// columns a row copies are the same for every row, so they are worked out
// once (make_source), and filling a plane divides nothing.
struct Source {
  int64_t Hs, Ws, up_h, up_w, top, left;
  // up_w == 1: phase f copies positions [lo[f], hi[f]) from source column
  // f + pos sw - left. up_w > 1: source columns [lo[0], hi[0]) land at left + v up_w.
  std::vector<int64_t> lo, hi;
};

// ceil(a / b) for b > 0 and a of either sign.
int64_t ceil_div(int64_t a, int64_t b) { return a >= 0 ? (a + b - 1) / b : -(-a / b); }

Source make_source(const PlaneConv& pc, int64_t Hs, int64_t Ws, int64_t up_h, int64_t up_w, int64_t top,
                   int64_t left) {
  Source s{Hs, Ws, up_h, up_w, top, left, {}, {}};
  if (up_w > 1) {  // sw == 1: v with 0 <= left + v up_w < cols
    s.lo.push_back(std::max<int64_t>(0, ceil_div(-left, up_w)));
    s.hi.push_back(std::min(Ws, ceil_div(pc.cols - left, up_w)));
    return s;
  }
  for (int64_t phase = 0; phase < pc.sw; ++phase) {  // 0 <= phase + pos sw - left < Ws, phase + pos sw < cols
    s.lo.push_back(std::max<int64_t>(0, ceil_div(left - phase, pc.sw)));
    s.hi.push_back(std::min(ceil_div(pc.cols - phase, pc.sw), ceil_div(left + Ws - phase, pc.sw)));
  }
  return s;
}

// One source row into P's row prow when up_w == 1 (forward, weight gradient):
// phase by phase, each a strided read of the source. Column c = phase + pos sw
// takes srow[c - left] when 0 <= c - left < Ws and c < cols.
template <typename T>
void fill_row_phases(const PlaneConv& pc, const Source& s, const T* srow, T* prow) {
  for (int64_t phase = 0; phase < pc.sw; ++phase) {
    T* dst = prow + phase * pc.phase_width;
    const T* src = srow + phase - s.left;  // src[pos sw] is column phase + pos sw
    const int64_t lo = s.lo[static_cast<std::size_t>(phase)], hi = s.hi[static_cast<std::size_t>(phase)];
    if (pc.sw == 1 && lo < hi)  // contiguous: a plain copy
      std::copy(src + lo, src + hi, dst + lo);
    else
      for (int64_t pos = lo; pos < hi; ++pos) dst[pos] = src[pos * pc.sw];
  }
}

// fill_row_phases for sw == 2 and left >= 0 (forward and weight gradient at
// stride 2): 2 L source values per step split into their even and odd
// elements, which land in the two phases; the rest one by one. Source v is
// column left + v: phase (left + v) % 2, position (left + v) / 2.
template <typename T>
DW_TARGET void fill_row_stride2(const PlaneConv& pc, const Source& s, const T* srow, T* prow) {
  using S = Simd<T>;
  constexpr int64_t L = S::L;
  const int64_t end = std::min(s.Ws, pc.cols - s.left);
  T* even_dst = prow + (s.left % 2) * pc.phase_width + s.left / 2;
  T* odd_dst = prow + ((s.left + 1) % 2) * pc.phase_width + (s.left + 1) / 2;
  int64_t v = 0;
  for (; v + 2 * L <= end; v += 2 * L) {
    typename S::V even, odd;
    S::deinterleave(srow + v, even, odd);
    S::store(even_dst + v / 2, even);
    S::store(odd_dst + v / 2, odd);
  }
  for (; v < end; ++v) {
    const int64_t c = s.left + v;
    prow[(c % 2) * pc.phase_width + c / 2] = srow[v];
  }
}

// The same when sw == 1 (backward-input): the source's samples land up_w
// columns apart, at left + v up_w.
template <typename T>
void fill_row_spread(const Source& s, const T* srow, T* prow) {
  for (int64_t v = s.lo[0]; v < s.hi[0]; ++v) prow[s.left + v * s.up_w] = srow[v];
}

// P from the source plane: zeros, then source row i into P's row top + i up_h.
template <typename T>
void fill_padded(const PlaneConv& pc, const Source& s, const T* src, T* P) {
  std::fill(P, P + pc.size(), T(0));
  for (int64_t i = 0, r = s.top; i < s.Hs && r < pc.rows; ++i, r += s.up_h) {
    if (r < 0) continue;
    const T* srow = src + i * s.Ws;
    T* prow = P + r * pc.row_size();
    if (pc.sw == 2 && s.up_w == 1 && s.left >= 0)
      fill_row_stride2(pc, s, srow, prow);
    else if (s.up_w == 1)
      fill_row_phases(pc, s, srow, prow);
    else
      fill_row_spread(s, srow, prow);
  }
}

// The taps of R output vectors whose first taps are at base[0..R): R
// independent FMA chains sharing each broadcast weight.
template <typename T, int R>
DW_TARGET inline void conv_vectors(const T* const (&base)[R], const int64_t* off, int64_t taps, const T* w, T b,
                                   typename Simd<T>::V (&acc)[R]) {
  using S = Simd<T>;
  for (int r = 0; r < R; ++r) acc[r] = S::set1(b);
  for (int64_t t = 0; t < taps; ++t) {
    const typename S::V wv = S::set1(w[t]);
    for (int r = 0; r < R; ++r) acc[r] = S::fma(wv, S::load(base[r] + off[t]), acc[r]);
  }
}

// v to dst[0, n), through a mask when n < L (a row's last, partial vector).
template <typename T>
DW_TARGET inline void store_vector(T* dst, int64_t n, typename Simd<T>::V v) {
  using S = Simd<T>;
  if (n >= S::L)
    S::store(dst, v);
  else
    S::maskstore(dst, S::mask(n), v);
}

// All taps of an output vector before it is stored: every output element is
// written once (the tap-outer order would re-read and re-write the output
// plane kh kw times). The plane's output vectors, row by row and L columns
// each (the last of a row partial, stored through a mask), go four at a time,
// also across rows: a k x k chain of dependent FMAs per vector is latency
// bound, and the 14- and 7-wide rows of late layers have only one or two
// vectors each.
template <typename T>
DW_TARGET void conv_plane(const PlaneConv& pc, const int64_t* off, int64_t taps, const T* P, const T* w, T b,
                          T* out) {
  using S = Simd<T>;
  constexpr int64_t L = S::L;
  constexpr int R = 4;
  const int64_t per_row = (pc.OW + L - 1) / L, total = pc.OH * per_row;
  auto position = [&](int64_t k, int64_t& oh, int64_t& ow) {
    oh = k / per_row;
    ow = k % per_row * L;
  };
  int64_t k = 0;
  for (; k + R <= total; k += R) {
    int64_t oh[R], ow[R];
    const T* base[R];
    for (int r = 0; r < R; ++r) {
      position(k + r, oh[r], ow[r]);
      base[r] = P + oh[r] * pc.sh * pc.row_size() + ow[r];
    }
    typename S::V acc[R];
    conv_vectors<T, R>(base, off, taps, w, b, acc);
    for (int r = 0; r < R; ++r) store_vector<T>(out + oh[r] * pc.OW + ow[r], pc.OW - ow[r], acc[r]);
  }
  for (; k < total; ++k) {
    int64_t oh, ow;
    position(k, oh, ow);
    const T* base[1] = {P + oh * pc.sh * pc.row_size() + ow};
    typename S::V acc[1];
    conv_vectors<T, 1>(base, off, taps, w, b, acc);
    store_vector<T>(out + oh * pc.OW + ow, pc.OW - ow, acc[0]);
  }
}

// The output vectors of a plane, row by row and L columns each: where each
// starts in gy's plane and in P's (before the tap's offset) and how many of
// its lanes are outputs (L, or fewer for a row's last vector).
struct OutputVector {
  int64_t g, p, n;
};

std::vector<OutputVector> output_vectors(const PlaneConv& pc, int64_t lanes) {
  std::vector<OutputVector> v;
  for (int64_t oh = 0; oh < pc.OH; ++oh)
    for (int64_t ow = 0; ow < pc.OW; ow += lanes)
      v.push_back({oh * pc.OW + ow, oh * pc.sh * pc.row_size() + ow, std::min(lanes, pc.OW - ow)});
  return v;
}

// acc += g * P over one output vector, masked in both operands when partial.
template <typename T>
DW_TARGET inline typename Simd<T>::V dot_step(const OutputVector& v, const T* g, const T* P,
                                               typename Simd<T>::V acc) {
  using S = Simd<T>;
  if (v.n == S::L) return S::fma(S::load(g + v.g), S::load(P + v.p), acc);
  const __m256i m = S::mask(v.n);
  return S::fma(S::maskload(g + v.g, m), S::maskload(P + v.p, m), acc);
}

// lanes[t] += the lane-wise partial sums of sum_{oh,ow} g[oh][ow] P[oh sh + i dh][ow sw + j dw]
// for each tap t = (i, j) (lanes: taps x L values, summed across the lanes
// once per channel): one dot product per tap. Two loop orders:
// - narrow planes (rows of at most 2 L): tap outer, over the plane's output
//   vectors, four accumulators so that four FMA chains are in flight across
//   rows (a 7-wide row is one vector); the plane stays in L1 for every tap;
// - wide planes: row outer, tap inner, each tap's sum carried in `lanes`, so
//   that one row of gy and the kh rows of P it meets stay in L1 while all the
//   taps read them (tap outer would stream the whole plane once per tap).
template <typename T>
DW_TARGET void weight_grad_narrow(const PlaneConv& pc, const int64_t* off, const std::vector<OutputVector>& vecs,
                                  const T* P, const T* g, T* lanes) {
  using S = Simd<T>;
  constexpr int64_t L = S::L;
  const int64_t taps = pc.kh * pc.kw, total = static_cast<int64_t>(vecs.size());
  for (int64_t t = 0; t < taps; ++t) {
    const T* Pt = P + off[t];
    typename S::V acc[4] = {S::load(lanes + t * L), S::zero(), S::zero(), S::zero()};
    int64_t k = 0;
    for (; k + 4 <= total; k += 4)
      for (int r = 0; r < 4; ++r) acc[r] = dot_step<T>(vecs[static_cast<std::size_t>(k + r)], g, Pt, acc[r]);
    for (; k < total; ++k) acc[0] = dot_step<T>(vecs[static_cast<std::size_t>(k)], g, Pt, acc[0]);
    S::store(lanes + t * L, S::add(S::add(acc[0], acc[1]), S::add(acc[2], acc[3])));
  }
}

template <typename T>
DW_TARGET void weight_grad_wide(const PlaneConv& pc, const int64_t* off, const T* P, const T* g, T* lanes) {
  using S = Simd<T>;
  constexpr int64_t L = S::L;
  const int64_t taps = pc.kh * pc.kw;
  for (int64_t oh = 0; oh < pc.OH; ++oh) {
    const T* grow = g + oh * pc.OW;
    const T* prow = P + oh * pc.sh * pc.row_size();
    for (int64_t t = 0; t < taps; ++t) {
      const T* pt = prow + off[t];
      typename S::V a0 = S::load(lanes + t * L), a1 = S::zero();
      int64_t ow = 0;
      for (; ow + 2 * L <= pc.OW; ow += 2 * L) {
        a0 = S::fma(S::load(grow + ow), S::load(pt + ow), a0);
        a1 = S::fma(S::load(grow + ow + L), S::load(pt + ow + L), a1);
      }
      if (ow < pc.OW) a1 = dot_step<T>({ow, ow, std::min(L, pc.OW - ow)}, grow, pt, a1);
      if (ow + L < pc.OW) a0 = dot_step<T>({ow + L, ow + L, pc.OW - ow - L}, grow, pt, a0);
      S::store(lanes + t * L, S::add(a0, a1));
    }
  }
}

template <typename T>
void weight_grad_plane(const PlaneConv& pc, const int64_t* off, const std::vector<OutputVector>& vecs, const T* P,
                       const T* g, T* lanes) {
  if (pc.OW <= 2 * Simd<T>::L)
    weight_grad_narrow(pc, off, vecs, P, g, lanes);
  else
    weight_grad_wide(pc, off, P, g, lanes);
}

// Backward-input at stride s > 1, by output phase: the rows h = sh a + rh and
// columns v = sw b + rv of gx are reached by the taps (i, j) with
// rh + ph - i dh = sh di and rv + pw - j dw = sw dj exactly, and
//   gx[sh a + rh][sw b + rv] = sum over those taps of gy[a + di][b + dj] w[i][j],
// a stride-1 plane convolution of gy (zero-padded by top, left) with about
// 1 / (sh sw) of the taps. The upsampled form multiplies by the zeros instead.
struct InputPhase {
  int64_t rh, rv, Ha, Wb;
  std::vector<int64_t> off, tap;  // offsets in the padded gy plane, filter indices i kw + j
};

// The padded gy plane shared by the phases: top = ceil((kh - 1) dh / sh) rows
// (likewise columns) before gy, room after it for the largest phase.
PlaneConv input_phase_plane(const Conv2dParams& p, int64_t lanes, int64_t& top, int64_t& left) {
  top = ceil_div((p.kh - 1) * p.dilation_h, p.stride_h);
  left = ceil_div((p.kw - 1) * p.dilation_w, p.stride_w);
  PlaneConv pc{0, 0, 1, 1, p.dilation_h, p.dilation_w, p.kh, p.kw, 0, 0, 0};
  pc.rows = top + ceil_div(p.H, p.stride_h) + (p.stride_h - 1 + p.pad_h) / p.stride_h + 1;
  pc.cols = left + ceil_div(p.W, p.stride_w) + (p.stride_w - 1 + p.pad_w) / p.stride_w + 1;
  pc.phase_width = pc.cols + lanes;
  return pc;
}

std::vector<InputPhase> input_phases(const Conv2dParams& p, const PlaneConv& pc, int64_t top, int64_t left) {
  const int64_t sh = p.stride_h, sw = p.stride_w;
  std::vector<InputPhase> phases;
  for (int64_t rh = 0; rh < sh && rh < p.H; ++rh)
    for (int64_t rv = 0; rv < sw && rv < p.W; ++rv) {
      InputPhase ph{rh, rv, ceil_div(p.H - rh, sh), ceil_div(p.W - rv, sw), {}, {}};
      for (int64_t i = 0; i < p.kh; ++i) {
        const int64_t th = rh + p.pad_h - i * p.dilation_h;
        if ((th % sh + sh) % sh != 0) continue;
        for (int64_t j = 0; j < p.kw; ++j) {
          const int64_t tw = rv + p.pad_w - j * p.dilation_w;
          if ((tw % sw + sw) % sw != 0) continue;
          ph.off.push_back((th / sh + top) * pc.row_size() + tw / sw + left);
          ph.tap.push_back(i * p.kw + j);
        }
      }
      phases.push_back(std::move(ph));
    }
  return phases;
}

// dst[0, W) = even[0], odd[0], even[1], odd[1], ...: the two column phases
// of a stride-2 row put back in place, 2 L values per step.
template <typename T>
DW_TARGET void interleave_row(const T* even, const T* odd, int64_t W, T* dst) {
  using S = Simd<T>;
  int64_t v = 0;
  for (; v + 2 * S::L <= W; v += 2 * S::L) S::interleave(S::load(even + v / 2), S::load(odd + v / 2), dst + v);
  for (; v + 1 < W; v += 2) {
    dst[v] = even[v / 2];
    dst[v + 1] = odd[v / 2];
  }
  if (v < W) dst[v] = even[v / 2];
}

// One phase's sub-plane of gx into tmp (Ha x Wb).
template <typename T>
void input_phase_plane_conv(const PlaneConv& pc, const InputPhase& ph, const T* P, const T* wc, T* tmp,
                            std::vector<T>& wt) {
  PlaneConv sub = pc;
  sub.OH = ph.Ha;
  sub.OW = ph.Wb;
  const int64_t taps = static_cast<int64_t>(ph.tap.size());
  for (int64_t t = 0; t < taps; ++t) wt[static_cast<std::size_t>(t)] = wc[ph.tap[static_cast<std::size_t>(t)]];
  conv_plane(sub, ph.off.data(), taps, P, wt.data(), T(0), tmp);
}

// gx plane from the padded gy plane P, phase by phase through tmp. At column
// stride 2 the two column phases of a row phase are interleaved with vector
// shuffles; otherwise each phase is scattered element by element.
template <typename T>
void backward_input_phases(const PlaneConv& pc, const std::vector<InputPhase>& phases, const Conv2dParams& p,
                           const T* P, const T* wc, T* gxp, std::vector<T>& tmp, std::vector<T>& wt) {
  const std::size_t half = tmp.size() / 2;
  for (std::size_t k = 0; k < phases.size(); ++k) {
    const InputPhase& ph = phases[k];
    if (p.stride_w == 2 && k + 1 < phases.size() && phases[k + 1].rh == ph.rh) {
      const InputPhase& odd = phases[++k];
      input_phase_plane_conv(pc, ph, P, wc, tmp.data(), wt);
      input_phase_plane_conv(pc, odd, P, wc, tmp.data() + half, wt);
      for (int64_t a = 0; a < ph.Ha; ++a)
        interleave_row(tmp.data() + a * ph.Wb, tmp.data() + half + a * odd.Wb, p.W,
                       gxp + (a * p.stride_h + ph.rh) * p.W);
      continue;
    }
    input_phase_plane_conv(pc, ph, P, wc, tmp.data(), wt);
    for (int64_t a = 0; a < ph.Ha; ++a) {
      T* row = gxp + (a * p.stride_h + ph.rh) * p.W + ph.rv;
      for (int64_t b = 0; b < ph.Wb; ++b) row[b * p.stride_w] = tmp[static_cast<std::size_t>(a * ph.Wb + b)];
    }
  }
}

// The strided backward-input (stride_h or stride_w > 1).
template <typename T>
void depthwise_backward_input_strided(const Conv2dParams& p, const T* gy, const T* w, T* gx) {
  int64_t top = 0, left = 0;
  const PlaneConv pc = input_phase_plane(p, Simd<T>::L, top, left);
  const Source src = make_source(pc, p.OH, p.OW, 1, 1, top, left);
  const std::vector<InputPhase> phases = input_phases(p, pc, top, left);
  const int64_t taps = p.kh * p.kw;
  const int64_t tmp_size = ceil_div(p.H, p.stride_h) * ceil_div(p.W, p.stride_w);
  parallel_for(0, p.N * p.C, 1, [&](int64_t q0, int64_t q1) {
    std::vector<T> P(static_cast<std::size_t>(pc.size())), tmp(static_cast<std::size_t>(2 * tmp_size));
    std::vector<T> wt(static_cast<std::size_t>(taps));
    for (int64_t q = q0; q < q1; ++q) {
      fill_padded(pc, src, gy + q * p.out_plane(), P.data());
      backward_input_phases(pc, phases, p, P.data(), w + q % p.C * taps, gx + q * p.in_plane(), tmp, wt);
    }
  });
}

}  // namespace

bool depthwise_avx2_usable(const Conv2dParams& p) {
  const bool nonempty = p.N > 0 && p.H > 0 && p.W > 0 && p.OH > 0 && p.OW > 0;
  return p.groups == p.C && p.O == p.C && p.C > 1 && nonempty;
}

template <typename T>
void depthwise_avx2_forward(const Conv2dParams& p, const T* x, const T* w, const T* bias, T* y) {
  const PlaneConv pc = plane_conv(p.OH, p.OW, p.stride_h, p.stride_w, p, Simd<T>::L);
  const Source src = make_source(pc, p.H, p.W, 1, 1, p.pad_h, p.pad_w);
  const std::vector<int64_t> off = tap_offsets(pc);
  const int64_t taps = p.kh * p.kw;
  parallel_for(0, p.N * p.C, 1, [&](int64_t q0, int64_t q1) {
    std::vector<T> P(static_cast<std::size_t>(pc.size()));
    for (int64_t q = q0; q < q1; ++q) {
      const int64_t c = q % p.C;
      fill_padded(pc, src, x + q * p.in_plane(), P.data());
      conv_plane(pc, off.data(), taps, P.data(), w + c * taps, bias ? bias[c] : T(0), y + q * p.out_plane());
    }
  });
}

template <typename T>
void depthwise_avx2_backward_input(const Conv2dParams& p, const T* gy, const T* w, T* gx) {
  if (p.stride_h > 1 || p.stride_w > 1) return depthwise_backward_input_strided(p, gy, w, gx);
  const PlaneConv pc = plane_conv(p.H, p.W, 1, 1, p, Simd<T>::L);
  const Source src = make_source(pc, p.OH, p.OW, p.stride_h, p.stride_w, (p.kh - 1) * p.dilation_h - p.pad_h,
                                 (p.kw - 1) * p.dilation_w - p.pad_w);
  const std::vector<int64_t> off = tap_offsets(pc);
  const int64_t taps = p.kh * p.kw;
  std::vector<T> flipped(static_cast<std::size_t>(p.C * taps));  // w[c][kh-1-i][kw-1-j]
  for (int64_t c = 0; c < p.C; ++c)
    for (int64_t t = 0; t < taps; ++t) flipped[c * taps + t] = w[c * taps + taps - 1 - t];
  parallel_for(0, p.N * p.C, 1, [&](int64_t q0, int64_t q1) {
    std::vector<T> P(static_cast<std::size_t>(pc.size()));
    for (int64_t q = q0; q < q1; ++q) {
      const int64_t c = q % p.C;
      fill_padded(pc, src, gy + q * p.out_plane(), P.data());
      conv_plane(pc, off.data(), taps, P.data(), flipped.data() + c * taps, T(0), gx + q * p.in_plane());
    }
  });
}

template <typename T>
void depthwise_avx2_backward_weight(const Conv2dParams& p, const T* x, const T* gy, T* gw) {
  constexpr int64_t L = Simd<T>::L;
  const PlaneConv pc = plane_conv(p.OH, p.OW, p.stride_h, p.stride_w, p, Simd<T>::L);
  const Source src = make_source(pc, p.H, p.W, 1, 1, p.pad_h, p.pad_w);
  const std::vector<int64_t> off = tap_offsets(pc);
  const std::vector<OutputVector> vecs = output_vectors(pc, L);
  const int64_t taps = p.kh * p.kw;
  parallel_for(0, p.C, 1, [&](int64_t c0, int64_t c1) {
    std::vector<T> P(static_cast<std::size_t>(pc.size()));
    std::vector<T> lanes(static_cast<std::size_t>(taps * L));
    for (int64_t c = c0; c < c1; ++c) {
      std::fill(lanes.begin(), lanes.end(), T(0));
      for (int64_t n = 0; n < p.N; ++n) {
        fill_padded(pc, src, x + (n * p.C + c) * p.in_plane(), P.data());
        weight_grad_plane(pc, off.data(), vecs, P.data(), gy + (n * p.C + c) * p.out_plane(), lanes.data());
      }
      for (int64_t t = 0; t < taps; ++t) {  // the lanes' sum in the accumulation type
        double sum = 0;
        for (int64_t l = 0; l < L; ++l) sum += static_cast<double>(lanes[t * L + l]);
        gw[c * taps + t] = static_cast<T>(sum);
      }
    }
  });
}

#define ADVGRAD_DEPTHWISE_AVX2_INSTANTIATE(T)                                                     \
  template void depthwise_avx2_forward<T>(const Conv2dParams&, const T*, const T*, const T*, T*); \
  template void depthwise_avx2_backward_input<T>(const Conv2dParams&, const T*, const T*, T*);    \
  template void depthwise_avx2_backward_weight<T>(const Conv2dParams&, const T*, const T*, T*);
ADVGRAD_DEPTHWISE_AVX2_INSTANTIATE(float)
ADVGRAD_DEPTHWISE_AVX2_INSTANTIATE(double)
#undef ADVGRAD_DEPTHWISE_AVX2_INSTANTIATE

}  // namespace advgrad::kernels::cpu::conv_detail
