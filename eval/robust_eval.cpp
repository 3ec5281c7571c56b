#include "advgrad/eval/robust_eval.h"

#include <chrono>
#include <cmath>
#include <iomanip>
#include <nlohmann/json.hpp>
#include <sstream>

#include "advgrad/core/grad_mode.h"
#include "advgrad/core/ops/ops.h"

namespace advgrad::eval {
namespace {

void tally(RobustResult& r, std::int64_t classes, const std::vector<std::int64_t>& y,
           const std::vector<std::int64_t>& pred, const std::vector<double>& success,
           const std::vector<double>& eligible) {
  const auto k = static_cast<std::size_t>(classes);
  if (r.confusion.empty()) {
    r.confusion.assign(k, std::vector<std::int64_t>(k, 0));
    r.class_success.assign(k, 0);
    r.class_eligible.assign(k, 0);
  }
  for (std::size_t i = 0; i < y.size(); ++i) {
    const auto t = static_cast<std::size_t>(y[i]), p = static_cast<std::size_t>(pred[i]);
    if (t >= k || p >= k) continue;  // a label the model has no logit for: counted nowhere
    r.confusion[t][p]++;
    r.class_success[t] += success[i] * eligible[i] > 0.5;
    r.class_eligible[t] += eligible[i] > 0.5;
  }
}

}  // namespace

RobustResult robust_accuracy(nn::Module& model, const data::Dataset& data, const attacks::AttackOptions& o,
                             std::uint64_t seed, std::int64_t batch_size, std::int64_t limit,
                             const RobustProgressCallback& progress) {
  attacks::validate(o, "robust_accuracy");
  ADVGRAD_CHECK(batch_size >= 1, "robust_accuracy: batch size must be >= 1");
  const auto start = std::chrono::steady_clock::now();
  const std::int64_t n = limit > 0 ? std::min(limit, data.size()) : data.size();
  Generator gen(seed);
  RobustResult r;
  r.eps = o.eps;
  double clean = 0, robust = 0, success = 0, eligible = 0, loss = 0;
  const Device device = model.device();  // host data, attacked where the model is
  for (std::int64_t s = 0; s < n; s += batch_size) {
    std::vector<std::int64_t> idx;
    for (std::int64_t i = s; i < std::min(n, s + batch_size); ++i) idx.push_back(i);
    Tensor x = data.images_tensor(idx).to(device), y = data.labels_tensor(idx).to(device);
    attacks::AttackProgress stage;
    if (progress)
      stage = [&](const std::string& attack, std::int64_t attacking) { progress({o.eps, s, n, attack, attacking}); };
    attacks::AttackResult a = attacks::run_attack(model, x, y, o, gen, stage);
    attacks::EvalModeGuard eval_mode(model);
    NoGradGuard no_grad;
    clean += sum(eq(argmax(model(x), 1), y).to(DType::Float64)).item();
    Tensor logits = model(a.x_adv), pred = argmax(logits, 1);
    // Targeted: "robust" = not fooled into the target; untargeted: still correct.
    robust += sum((o.targeted ? ne(pred, a.targets) : eq(pred, y)).to(DType::Float64)).item();
    success += sum(mul(a.success, a.eligible)).item();
    eligible += sum(a.eligible).item();
    loss += sum(a.loss).item();
    tally(r, logits.size(1), y.to_int_vector(), pred.to_int_vector(), a.success.to_double_vector(),
          a.eligible.to_double_vector());
  }
  r.count = n;
  r.clean_accuracy = n ? clean / static_cast<double>(n) : 0;
  r.robust_accuracy = n ? robust / static_cast<double>(n) : 0;
  r.success_rate = eligible > 0 ? success / eligible : 0;
  r.mean_loss = n ? loss / static_cast<double>(n) : 0;
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return r;
}

std::vector<double> parse_eps_sweep(const std::string& text) {
  std::vector<double> parts;
  std::stringstream ss(text);
  std::string item;
  while (std::getline(ss, item, ':')) {
    try {
      std::size_t used = 0;
      parts.push_back(std::stod(item, &used));
      ADVGRAD_CHECK(used == item.size(), "");
    } catch (...) {
      detail::fail("eps sweep: cannot parse '", text, "' (expected START:STOP:STEP, e.g. 0:0.3:0.05)");
    }
  }
  ADVGRAD_CHECK(parts.size() == 3, "eps sweep: expected START:STOP:STEP, got '", text, "'");
  const double a = parts[0], b = parts[1], step = parts[2];
  ADVGRAD_CHECK(a >= 0 && b >= a && step > 0 && (b - a) / step <= 1000, "eps sweep: need 0 <= START <= STOP and STEP > 0 "
                "(at most 1000 points), got '", text, "'");
  std::vector<double> out;
  for (int i = 0; a + i * step <= b + 1e-9; ++i) out.push_back(std::round((a + i * step) * 1e9) / 1e9);
  return out;
}

std::vector<RobustResult> eps_sweep(nn::Module& model, const data::Dataset& data, const attacks::AttackOptions& options,
                                    const std::vector<double>& eps_values, double step_fraction, std::uint64_t seed,
                                    std::int64_t limit, const RobustProgressCallback& progress) {
  std::vector<RobustResult> out;
  for (double eps : eps_values) {
    attacks::AttackOptions o = options;
    o.eps = eps;
    o.step_size = o.steps == 1 ? std::max(eps, 1e-12) : std::max(eps * step_fraction, 1e-12);
    out.push_back(robust_accuracy(model, data, o, seed, 250, limit, progress));
  }
  return out;
}

std::string sweep_to_csv(const std::vector<RobustResult>& sweep) {
  std::ostringstream os;
  os << "eps,clean_accuracy,robust_accuracy,success_rate,mean_loss,count,seconds\n";
  for (const auto& r : sweep)
    os << r.eps << ',' << r.clean_accuracy << ',' << r.robust_accuracy << ',' << r.success_rate << ',' << r.mean_loss
       << ',' << r.count << ',' << r.seconds << '\n';
  return os.str();
}

std::string sweep_to_json(const std::vector<RobustResult>& sweep, const std::string& attack_name) {
  nlohmann::json points = nlohmann::json::array();
  for (const auto& r : sweep)
    points.push_back({{"eps", r.eps}, {"clean_accuracy", r.clean_accuracy}, {"robust_accuracy", r.robust_accuracy},
                      {"success_rate", r.success_rate}, {"mean_loss", r.mean_loss}, {"count", r.count},
                      {"seconds", r.seconds}});
  return nlohmann::json{{"attack", attack_name}, {"points", points}}.dump(2);
}

MaskingReport masking_diagnostics(nn::Module& model, const data::Dataset& data, double eps, std::uint64_t seed,
                                  std::int64_t limit) {
  ADVGRAD_CHECK(eps > 0, "masking diagnostics: eps must be > 0");
  MaskingReport rep;
  attacks::AttackOptions fgsm;
  fgsm.eps = fgsm.step_size = eps;
  fgsm.steps = 1;
  rep.fgsm_accuracy = robust_accuracy(model, data, fgsm, seed, 250, limit).robust_accuracy;
  attacks::AttackOptions pgd;
  pgd.eps = eps;
  pgd.step_size = eps / 4;
  pgd.steps = 20;
  pgd.random_start = true;
  rep.pgd_accuracy = robust_accuracy(model, data, pgd, seed, 250, limit).robust_accuracy;
  // Random noise: a random-start "attack" with a vanishing step is uniform noise in the ball.
  attacks::AttackOptions noise = pgd;
  noise.steps = 1;
  noise.step_size = 1e-12;
  rep.noise_accuracy = robust_accuracy(model, data, noise, seed, 250, limit).robust_accuracy;
  rep.sweep = eps_sweep(model, data, pgd, {0, eps / 4, eps / 2, eps, 2 * eps}, 0.25, seed, limit);

  auto pct = [](double v) {
    std::ostringstream s;
    s << std::fixed << std::setprecision(1) << 100 * v << "%";
    return s.str();
  };
  if (rep.pgd_accuracy > rep.fgsm_accuracy + 0.02)
    rep.warnings.push_back("PGD-20 (" + pct(rep.pgd_accuracy) + ") is weaker than one FGSM step (" +
                           pct(rep.fgsm_accuracy) + "): gradients may be masked or obfuscated");
  if (rep.noise_accuracy + 0.02 < std::min(rep.fgsm_accuracy, rep.pgd_accuracy))
    rep.warnings.push_back("random noise (" + pct(rep.noise_accuracy) + ") beats the gradient attacks: the gradient "
                           "does not point uphill");
  for (std::size_t i = 1; i < rep.sweep.size(); ++i)
    if (rep.sweep[i].robust_accuracy > rep.sweep[i - 1].robust_accuracy + 0.02)
      rep.warnings.push_back("accuracy rises from eps " + std::to_string(rep.sweep[i - 1].eps) + " to " +
                             std::to_string(rep.sweep[i].eps) + ": a stronger attack should never do worse");
  if (!rep.sweep.empty() && rep.sweep.back().robust_accuracy > 0.5 && rep.sweep.back().eps >= 0.3)
    rep.warnings.push_back("accuracy stays above 50% at eps " + std::to_string(rep.sweep.back().eps) +
                           ": unusually robust; check the attack");
  return rep;
}

}  // namespace advgrad::eval
