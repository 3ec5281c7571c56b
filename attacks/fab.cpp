#include "advgrad/attacks/fab.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "advgrad/core/autograd/engine.h"
#include "advgrad/core/grad_mode.h"

namespace advgrad::attacks {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

// The examples of one run, on the host: originals, labels, targets (-1:
// untargeted), each `size` values long.
struct Rows {
  std::vector<double> x;
  std::vector<std::int64_t> labels, targets;
  std::int64_t count = 0, size = 0;
};

// The linearised boundary FAB steps onto, per example: f = z_l - z_c at the
// iterate and w = grad f, for l the target (FAB-T) or the closest boundary
// |f_l| / ||grad f_l||_1 over all wrong classes (FAB); fab.h has the math.
struct Boundary {
  std::vector<double> f, w;
};

Boundary linearise(nn::Module& model, const std::vector<double>& xi, const Shape& shape, const Rows& rows,
                   const TensorOptions& options) {
  EnableGradGuard grad_on;
  const Tensor xt = from_vector(xi, shape, TensorOptions{options.dtype}).to(options.device).requires_grad_(true);
  const Tensor logits = model(xt);
  const Tensor y = from_vector(rows.labels, {rows.count}).to(options.device);
  const Tensor z_c = logit_of(logits, y);
  const bool targeted = rows.targets.front() >= 0;
  const std::int64_t classes = logits.size(1);
  std::vector<std::int64_t> candidates;
  if (targeted)
    candidates.push_back(-1);  // one pass: the target of each example
  else
    for (std::int64_t l = 0; l < classes; ++l) candidates.push_back(l);
  Boundary best{std::vector<double>(static_cast<std::size_t>(rows.count), 0.0),
                std::vector<double>(static_cast<std::size_t>(rows.count * rows.size), 0.0)};
  std::vector<double> best_dist(static_cast<std::size_t>(rows.count), kInf);
  for (std::size_t k = 0; k < candidates.size(); ++k) {
    const Tensor l =
        targeted ? from_vector(rows.targets, {rows.count}).to(options.device)
                 : full({rows.count}, static_cast<double>(candidates[k]), TensorOptions{DType::Int64, options.device});
    const Tensor f = sub(logit_of(logits, l), z_c);
    const Tensor g = autograd::grad({sum(f)}, {xt}, {}, {.retain_graph = k + 1 < candidates.size()})[0];
    const std::vector<double> fv = f.detach().to_double_vector(), gv = g.to_double_vector();
    for (std::int64_t i = 0; i < rows.count; ++i) {
      const std::size_t iu = static_cast<std::size_t>(i);
      if (!targeted && candidates[k] == rows.labels[iu]) continue;  // the label is no boundary
      const auto first = gv.begin() + i * rows.size;
      const double l1 =
          std::accumulate(first, first + rows.size, 0.0, [](double s, double v) { return s + std::abs(v); });
      const double dist = std::abs(fv[iu]) / (l1 + 1e-12);
      if (targeted || dist < best_dist[iu]) {
        best_dist[iu] = dist, best.f[iu] = fv[iu];
        std::copy(first, first + rows.size, best.w.begin() + i * rows.size);
      }
    }
  }
  return best;
}

// Whether each example is misclassified at xs.
std::vector<bool> misclassified(nn::Module& model, const std::vector<double>& xs, const Shape& shape, const Rows& rows,
                                const TensorOptions& options) {
  NoGradGuard no_grad;
  const std::vector<std::int64_t> pred =
      argmax(model(from_vector(xs, shape, TensorOptions{options.dtype}).to(options.device)), 1).to_int_vector();
  std::vector<bool> out(pred.size());
  for (std::size_t i = 0; i < pred.size(); ++i) out[i] = pred[i] != rows.labels[i];
  return out;
}

double linf(const double* a, const double* b, std::int64_t size) {
  double m = 0;
  for (std::int64_t j = 0; j < size; ++j) m = std::max(m, std::abs(a[j] - b[j]));
  return m;
}

// One FAB run (steps iterations) on `rows`; best/best_norm hold, per example,
// the closest misclassified point so far and its L-inf distance (kInf: none),
// and are improved in place.
void fab_run(nn::Module& model, const Rows& rows, const Shape& shape, const FabOptions& o, bool random_start,
             Generator& gen, const TensorOptions& options, std::vector<double>& best, std::vector<double>& best_norm) {
  const std::int64_t d = rows.size;
  std::vector<double> xi = rows.x;
  if (random_start) {
    // x + u * min(best, eps) / 2 with ||u||_inf = 1 (the authors' radius).
    for (std::int64_t i = 0; i < rows.count; ++i) {
      std::vector<double> u(static_cast<std::size_t>(d));
      double m = 0;
      for (double& v : u) v = 2 * gen.next_double() - 1, m = std::max(m, std::abs(v));
      const double radius = 0.5 * std::min(best_norm[static_cast<std::size_t>(i)], o.eps) / std::max(m, 1e-12);
      for (std::int64_t j = 0; j < d; ++j) {
        const std::size_t k = static_cast<std::size_t>(i * d + j);
        xi[k] = std::clamp(rows.x[k] + radius * u[static_cast<std::size_t>(j)], o.lo, o.hi);
      }
    }
  }
  std::vector<double> wi(static_cast<std::size_t>(d)), zi(static_cast<std::size_t>(d)), z0(static_cast<std::size_t>(d));
  for (int it = 0; it < o.steps; ++it) {
    const Boundary pi = linearise(model, xi, shape, rows, options);
    for (std::int64_t i = 0; i < rows.count; ++i) {
      const std::size_t at = static_cast<std::size_t>(i * d);
      std::copy(pi.w.begin() + static_cast<std::ptrdiff_t>(at), pi.w.begin() + static_cast<std::ptrdiff_t>(at + d),
                wi.begin());
      std::copy(xi.begin() + static_cast<std::ptrdiff_t>(at), xi.begin() + static_cast<std::ptrdiff_t>(at + d),
                zi.begin());
      std::copy(rows.x.begin() + static_cast<std::ptrdiff_t>(at), rows.x.begin() + static_cast<std::ptrdiff_t>(at + d),
                z0.begin());
      // pi_s: f + <w, xi - x_i> = 0, i.e. <w, xi> + b = 0 with b = f - <w, x_i>.
      const double b = pi.f[static_cast<std::size_t>(i)] - std::inner_product(wi.begin(), wi.end(), zi.begin(), 0.0);
      const std::vector<double> d_i = fab_linf_projection(zi, wi, b, o.lo, o.hi);
      const std::vector<double> d_0 = fab_linf_projection(z0, wi, b, o.lo, o.hi);
      const auto norm = [](const std::vector<double>& v) {
        double m = 0;
        for (double e : v) m = std::max(m, std::abs(e));
        return std::max(m, 1e-8);  // the authors' floor: a = 1/2 when both are 0
      };
      const double n_i = norm(d_i), n_0 = norm(d_0);
      const double a = std::clamp(n_i / (n_i + n_0), 0.0, o.alpha_max);  // the bias towards x
      for (std::int64_t j = 0; j < d; ++j) {                             // the biased step
        const std::size_t ju = static_cast<std::size_t>(j);
        xi[at + ju] = std::clamp((1 - a) * (zi[ju] + o.eta * d_i[ju]) + a * (z0[ju] + o.eta * d_0[ju]), o.lo, o.hi);
      }
    }
    const std::vector<bool> wrong = misclassified(model, xi, shape, rows, options);
    for (std::int64_t i = 0; i < rows.count; ++i) {
      const std::size_t iu = static_cast<std::size_t>(i), at = static_cast<std::size_t>(i * d);
      if (!wrong[iu]) continue;
      const double n = linf(xi.data() + at, rows.x.data() + at, d);
      if (n < best_norm[iu]) {
        best_norm[iu] = n;
        std::copy(xi.begin() + static_cast<std::ptrdiff_t>(at), xi.begin() + static_cast<std::ptrdiff_t>(at + d),
                  best.begin() + static_cast<std::ptrdiff_t>(at));
      }
      for (std::int64_t j = 0; j < d; ++j)  // the backward step towards x
        xi[at + static_cast<std::size_t>(j)] =
            rows.x[at + static_cast<std::size_t>(j)] +
            o.beta * (xi[at + static_cast<std::size_t>(j)] - rows.x[at + static_cast<std::size_t>(j)]);
    }
  }
}

}  // namespace

std::vector<double> fab_linf_projection(const std::vector<double>& z, const std::vector<double>& w, double b, double lo,
                                        double hi) {
  ADVGRAD_CHECK(z.size() == w.size(), "fab_linf_projection: z has ", z.size(), " values, w ", w.size());
  const std::size_t d = z.size();
  std::vector<double> delta(d, 0.0);
  const double r = -(std::inner_product(w.begin(), w.end(), z.begin(), 0.0) + b);  // the needed <w, delta>
  if (r == 0) return delta;
  // Coordinate i moves in direction s_i = sign(r w_i), by at most u_i (the box side).
  std::vector<double> room(d, 0.0), weight(d, 0.0);
  std::vector<std::size_t> order;
  double reachable = 0;
  for (std::size_t i = 0; i < d; ++i) {
    if (w[i] == 0) continue;
    const bool up = (r > 0) == (w[i] > 0);
    room[i] = std::max(0.0, up ? hi - z[i] : z[i] - lo);
    weight[i] = std::abs(w[i]);
    reachable += weight[i] * room[i];
    order.push_back(i);
  }
  const double need = std::abs(r);
  const auto direction = [&](std::size_t i) { return (r > 0) == (w[i] > 0) ? 1.0 : -1.0; };
  if (reachable < need) {  // the hyperplane misses the box: go to the closest corner
    for (const std::size_t i : order) delta[i] = direction(i) * room[i];
    return delta;
  }
  // g(t) = sum_i |w_i| min(t, u_i): with the u_i sorted, on [u_(k-1), u_(k)]
  // g(t) = (sum_{j<k} |w_j| u_j) + t * (sum_{j>=k} |w_j|). The first k where
  // g(u_(k)) >= |r| holds the solution of g(t) = |r| on its segment.
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t c) { return room[a] < room[c]; });
  double fixed = 0, slope = 0;
  for (const std::size_t i : order) slope += weight[i];
  double t = 0;
  for (const std::size_t i : order) {
    if (fixed + slope * room[i] >= need) {
      t = (need - fixed) / slope;
      break;
    }
    fixed += weight[i] * room[i], slope -= weight[i];
    t = room[i];
  }
  for (const std::size_t i : order) delta[i] = direction(i) * std::min(t, room[i]);
  return delta;
}

AttackResult fab(nn::Module& model, const Tensor& x_in, const Tensor& y, const FabOptions& fo, Generator& gen) {
  AttackOptions o;
  o.eps = fo.eps, o.lo = fo.lo, o.hi = fo.hi, o.steps = fo.steps;
  check_attack_inputs(x_in, y, o, "fab");
  ADVGRAD_CHECK(fo.target_classes >= 0, "fab: target_classes must be >= 0 (0: untargeted FAB), got ",
                fo.target_classes);
  ADVGRAD_CHECK(fo.restarts >= 1, "fab: restarts must be >= 1, got ", fo.restarts);
  ADVGRAD_CHECK(fo.alpha_max >= 0 && fo.alpha_max <= 1, "fab: alpha_max must be in [0, 1], got ", fo.alpha_max);
  ADVGRAD_CHECK(fo.eta >= 1, "fab: eta (the overshoot) must be >= 1, got ", fo.eta);
  ADVGRAD_CHECK(fo.beta > 0 && fo.beta < 1, "fab: beta must be in (0, 1), got ", fo.beta);
  EvalModeGuard eval_mode(model);
  const Tensor x = x_in.detach().contiguous();
  const TensorOptions options = x.options();
  const std::int64_t n = x.size(0), size = x.numel() / std::max<std::int64_t>(n, 1);
  Tensor clean_logits;
  {
    NoGradGuard no_grad;
    clean_logits = model(x).detach();
  }
  ADVGRAD_CHECK(clean_logits.dim() == 2 && clean_logits.size(1) >= 2,
                "fab: the model must return logits [N, C >= 2], got ", shape_str(clean_logits.shape()));
  ADVGRAD_CHECK(fo.target_classes < clean_logits.size(1), "fab: target_classes must be < the ", clean_logits.size(1),
                " classes, got ", fo.target_classes);
  const std::vector<double> xs = x.to_double_vector();
  const std::vector<std::int64_t> labels = y.to_int_vector(), pred = argmax(clean_logits, 1).to_int_vector();
  // Targets: the classes of rank 1 .. k of the clean logits (AutoAttack's choice:
  // for a correctly classified example, the k most likely wrong classes).
  std::vector<std::vector<std::int64_t>> targets;
  for (int k = 1; k <= fo.target_classes; ++k) targets.push_back(ranked_classes(clean_logits, k).to_int_vector());
  if (targets.empty()) targets.emplace_back(static_cast<std::size_t>(n), -1);  // untargeted
  std::vector<double> best = xs, best_norm(static_cast<std::size_t>(n), kInf);
  for (std::size_t i = 0; i < pred.size(); ++i)
    if (pred[i] != labels[i]) best_norm[i] = 0;  // misclassified already: x itself
  for (const std::vector<std::int64_t>& target : targets)
    for (int restart = 0; restart < fo.restarts; ++restart) {
      // The examples no earlier run broke within eps.
      std::vector<std::int64_t> open;
      for (std::int64_t i = 0; i < n; ++i)
        if (!(best_norm[static_cast<std::size_t>(i)] <= fo.eps)) open.push_back(i);
      if (open.empty()) break;
      Rows rows;
      rows.count = static_cast<std::int64_t>(open.size()), rows.size = size;
      for (const std::int64_t i : open) {
        const std::size_t iu = static_cast<std::size_t>(i);
        rows.x.insert(rows.x.end(), xs.begin() + i * size, xs.begin() + (i + 1) * size);
        rows.labels.push_back(labels[iu]), rows.targets.push_back(target[iu]);
      }
      std::vector<double> part_best = rows.x, part_norm(open.size(), kInf);
      for (std::size_t k = 0; k < open.size(); ++k) part_norm[k] = best_norm[static_cast<std::size_t>(open[k])];
      Shape shape = x.shape();
      shape[0] = rows.count;
      fab_run(model, rows, shape, fo, restart > 0, gen, options, part_best, part_norm);
      for (std::size_t k = 0; k < open.size(); ++k) {
        const std::size_t i = static_cast<std::size_t>(open[k]);
        if (!(part_norm[k] < best_norm[i])) continue;
        best_norm[i] = part_norm[k];
        std::copy(part_best.begin() + static_cast<std::ptrdiff_t>(k) * size,
                  part_best.begin() + static_cast<std::ptrdiff_t>(k + 1) * size,
                  best.begin() + static_cast<std::ptrdiff_t>(i) * size);
      }
    }
  // The final check: only points within eps count; the others get x back.
  std::vector<double> loss(static_cast<std::size_t>(n), -kInf);
  for (std::int64_t i = 0; i < n; ++i) {
    const std::size_t iu = static_cast<std::size_t>(i);
    if (best_norm[iu] <= fo.eps) {
      loss[iu] = -best_norm[iu];
      continue;
    }
    std::copy(xs.begin() + i * size, xs.begin() + (i + 1) * size, best.begin() + i * size);
  }
  NoGradGuard no_grad;
  AttackResult r;
  // Through double and back: put every point inside the ball and the box exactly.
  r.x_adv = project(from_vector(best, x.shape(), TensorOptions{x.dtype()}).to(x.device()), x, fo.eps, Norm::Linf, fo.lo,
                    fo.hi)
                .detach();
  r.success = ne(argmax(model(r.x_adv), 1), y).to(DType::Float32);
  r.loss = from_vector(loss, {n}).to(DType::Float32).to(x.device());
  r.eligible = ones({n}, TensorOptions{DType::Float32, x.device()});
  return r;
}

}  // namespace advgrad::attacks
