#include "advgrad/attacks/square.h"

#include <algorithm>
#include <cmath>

#include "advgrad/core/grad_mode.h"

namespace advgrad::attacks {
namespace {

// The margins z_y - max_{j != y} z_j of the rows of `xs` (host copies of
// inputs, [rows, C, H, W] flattened) under the model.
std::vector<double> margins(nn::Module& model, const std::vector<double>& xs, const Shape& shape,
                            const std::vector<std::int64_t>& labels, const TensorOptions& options) {
  const Tensor x = from_vector(xs, shape).to(options.dtype).to(options.device);
  const Tensor y = from_vector(labels, {static_cast<std::int64_t>(labels.size())}).to(options.device);
  const Tensor m = neg(attack_loss(model(x), y, AttackLoss::Margin));
  return m.to_double_vector();
}

}  // namespace

double square_window_share(double p_init, int i, int queries) {
  const double it = static_cast<double>(i) / std::max(queries, 1) * 10000;
  double p = p_init;
  for (const double threshold : {10, 50, 200, 500, 1000, 2000, 4000, 6000, 8000})
    if (it > threshold) p /= 2;
  return p;
}

AttackResult square_attack(nn::Module& model, const Tensor& x_in, const Tensor& y, const SquareOptions& so,
                           Generator& gen) {
  AttackOptions o;
  o.eps = so.eps, o.lo = so.lo, o.hi = so.hi;
  check_attack_inputs(x_in, y, o, "square_attack");
  ADVGRAD_CHECK(so.queries >= 1, "square_attack: queries must be >= 1, got ", so.queries);
  ADVGRAD_CHECK(so.p_init > 0 && so.p_init <= 1, "square_attack: p_init must be in (0, 1], got ", so.p_init);
  ADVGRAD_CHECK(x_in.dim() == 4 && x_in.size(2) >= 2 && x_in.size(3) >= 2,
                "square_attack: expected images [N, C, H, W] with H, W >= 2, got ", shape_str(x_in.shape()));
  EvalModeGuard eval_mode(model);
  NoGradGuard no_grad;  // queries only: no graph, no gradient
  const std::int64_t n = x_in.size(0), c = x_in.size(1), h = x_in.size(2), w = x_in.size(3), size = c * h * w;
  const std::vector<double> x = x_in.to_double_vector();
  const std::vector<std::int64_t> labels = y.to_int_vector();
  const TensorOptions options = x_in.options();
  const auto clip = [&](double v) { return std::clamp(v, so.lo, so.hi); };
  const auto sign = [&] { return gen.next_u32() & 1 ? so.eps : -so.eps; };

  // Vertical stripes: one sign per (example, channel, column).
  std::vector<double> best(x.size());
  for (std::int64_t i = 0; i < n; ++i)
    for (std::int64_t ch = 0; ch < c; ++ch)
      for (std::int64_t col = 0; col < w; ++col) {
        const double s = sign();
        for (std::int64_t row = 0; row < h; ++row) {
          const std::size_t k = static_cast<std::size_t>(i * size + (ch * h + row) * w + col);
          best[k] = clip(x[k] + s);
        }
      }
  std::vector<double> margin = margins(model, best, x_in.shape(), labels, options);

  for (int q = 1; q < so.queries; ++q) {
    std::vector<std::int64_t> active;
    for (std::int64_t i = 0; i < n; ++i)
      if (margin[static_cast<std::size_t>(i)] > 0) active.push_back(i);
    if (active.empty()) break;
    const double p = square_window_share(so.p_init, q, so.queries);
    const std::int64_t side = std::clamp<std::int64_t>(std::llround(std::sqrt(p * static_cast<double>(h * w))), 1,
                                                       std::min(h, w) - 1);
    std::vector<double> proposal;
    std::vector<std::int64_t> active_labels;
    proposal.reserve(active.size() * static_cast<std::size_t>(size));
    for (const std::int64_t i : active) {
      const auto first = best.begin() + i * size;
      std::vector<double> cand(first, first + size);
      const std::int64_t top = gen.next_int(0, h - side + 1), left = gen.next_int(0, w - side + 1);
      // Signs per channel, drawn again (a few times at most) while the window would not change.
      for (int attempt = 0; attempt < 10; ++attempt) {
        bool changed = false;
        for (std::int64_t ch = 0; ch < c; ++ch) {
          const double s = sign();
          for (std::int64_t r = top; r < top + side; ++r)
            for (std::int64_t col = left; col < left + side; ++col) {
              const std::size_t k = static_cast<std::size_t>((ch * h + r) * w + col);
              cand[k] = clip(x[static_cast<std::size_t>(i * size) + k] + s);
              changed = changed || std::abs(cand[k] - best[static_cast<std::size_t>(i * size) + k]) > 1e-7;
            }
        }
        if (changed) break;
      }
      proposal.insert(proposal.end(), cand.begin(), cand.end());
      active_labels.push_back(labels[static_cast<std::size_t>(i)]);
    }
    const Shape shape{static_cast<std::int64_t>(active.size()), c, h, w};
    const std::vector<double> m = margins(model, proposal, shape, active_labels, options);
    for (std::size_t a = 0; a < active.size(); ++a) {
      const std::size_t i = static_cast<std::size_t>(active[a]);
      if (m[a] >= margin[i]) continue;
      margin[i] = m[a];
      std::copy(proposal.begin() + static_cast<std::ptrdiff_t>(a * static_cast<std::size_t>(size)),
                proposal.begin() + static_cast<std::ptrdiff_t>((a + 1) * static_cast<std::size_t>(size)),
                best.begin() + static_cast<std::ptrdiff_t>(i * static_cast<std::size_t>(size)));
    }
  }
  AttackResult r;
  r.x_adv = from_vector(best, x_in.shape()).to(options.dtype).to(options.device);
  std::vector<double> success(static_cast<std::size_t>(n)), loss(static_cast<std::size_t>(n));
  for (std::size_t i = 0; i < margin.size(); ++i) success[i] = margin[i] < 0, loss[i] = -margin[i];
  r.success = from_vector(success, {n}).to(DType::Float32).to(options.device);
  r.loss = from_vector(loss, {n}).to(DType::Float32).to(options.device);
  r.eligible = ones({n}, TensorOptions{DType::Float32, options.device});
  return r;
}

}  // namespace advgrad::attacks
