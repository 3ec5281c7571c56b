// Attack flags shared by `advgrad attack` and `advgrad robustness`.
//
// Method defaults (each overridable by the flags):
//   fgsm     1 step of size eps, no random start (Goodfellow et al. 2015)
//   bim      10 steps of eps / 10 from x: the last step can reach the ball's
//            surface (Kurakin et al. 2017, "I-FGSM")
//   pgd      10 steps of 2.5 eps / steps, L-inf ball (Madry et al. 2018 use
//            2.5 eps / steps so that the walk can cross the ball and back)
//   pgd-l2   as pgd in the L2 ball, gradient scaled to unit L2 norm
//   mifgsm   10 steps of eps / 10 with momentum 1.0 on the L1-normalised
//            gradient (Dong et al. 2018)
// The parameter-free attacks (docs/robust-evaluation.md), untargeted, --steps
// 100 by default, APGD and Square from a random start:
//   apgd-ce / apgd-dlr  APGD on cross-entropy / the DLR loss (Croce & Hein 2020)
//   apgd-t              APGD-T over --target-classes (9) wrong classes
//   fab-t / fab         FAB-T over --target-classes (9) wrong classes / untargeted
//                       FAB, L-inf, minimal norm: a point counts within eps only
//   square              the Square attack, --queries (5000) per example, L-inf
//   autoattack          APGD-CE -> APGD-T -> FAB-T -> Square, the worst case per example
// The minimal-norm attacks (no ball: the smallest perturbation per example;
// with an eps, run_attack keeps only the points inside it):
//   deepfool / deepfool-linf  DeepFool in L2 / L-inf, --steps 50, --overshoot
//                             0.02, --candidates 10 (Moosavi-Dezfooli et al. 2016)
//   cw                  Carlini-Wagner L2, --search-steps 9 over c from
//                       --initial-c 1e-3, --steps 100 Adam steps of --lr 0.01
//                       each, --kappa 0 (Carlini & Wagner 2017)
#include <cmath>
#include <sstream>

#include "commands.h"

namespace advgrad::cli {

void AttackFlags::add_to(CLI::App* cmd) {
  cmd->add_option("--method", method,
                  "attack: fgsm, bim, pgd, pgd-l2, mifgsm, apgd-ce, apgd-dlr, apgd-t, fab-t, fab, square, autoattack, "
                  "deepfool, deepfool-linf, cw")
      ->check(CLI::IsMember(attack_methods()));
  cmd->add_option("--steps", steps,
                  "iterations (default: 1 for fgsm, 100 for the apgd methods and cw (per search step), 50 for "
                  "deepfool, else 10)")
      ->check(CLI::Range(1, 100000));
  cmd->add_option("--queries", queries, "square and autoattack: queries per example (default 5000)")
      ->check(CLI::Range(1, 10000000));
  cmd->add_option("--target-classes", target_classes, "apgd-t, fab-t and autoattack: wrong classes to aim at (default 9)")
      ->check(CLI::Range(1, 1000));
  cmd->add_option("--overshoot", overshoot, "deepfool: overshoot past the boundary (default 0.02)")
      ->check(non_negative());
  cmd->add_option("--candidates", candidates, "deepfool: top classes searched for the closest boundary (default 10)")
      ->check(CLI::Range(2, 100000));
  cmd->add_option("--kappa", kappa, "cw: confidence margin of the f6 loss (default 0)")->check(non_negative());
  cmd->add_option("--initial-c", initial_c, "cw: first trade-off constant of the binary search (default 1e-3)")
      ->check(positive());
  cmd->add_option("--search-steps", search_steps, "cw: binary-search steps over c (default 9)")
      ->check(CLI::Range(1, 1000));
  cmd->add_option("--lr", learning_rate, "cw: Adam's learning rate (default 0.01)")->check(positive());
  cmd->add_option("--step-size", step_size, "step in pixel units (default: eps for fgsm, 2.5 eps / steps for pgd and pgd-l2, eps / steps for bim and mifgsm)")
      ->check(positive());
  cmd->add_flag("--random-start", random_start, "start from a uniform random point of the ball (default: from x)");
  cmd->add_option("--restarts", restarts, "restarts; the worst case per example is kept")->check(CLI::Range(1, 1000));
  cmd->add_flag("--early-stop", early_stop, "freeze an example once the attack succeeds on it");
  cmd->add_option("--norm", normalizer, "gradient normaliser: sign (L-inf), max (max |g| = step), l2 (unit L2 norm)")
      ->check(CLI::IsMember({"sign", "max", "l2"}));
  cmd->add_option("--loss", loss,
                  "attack loss: ce (cross-entropy), margin (best wrong logit - true logit) or dlr (Croce & Hein's "
                  "difference of logits ratio)")
      ->check(CLI::IsMember({"ce", "margin", "dlr"}));
  // --target and --objective without --targeted would be ignored: CLI11 refuses them.
  CLI::Option* targeted_flag = cmd->add_flag("--targeted", targeted, "targeted attack (see --target)");
  cmd->add_option("--target", target, "with --targeted: the target class, an index, random (another class) or "
                  "least-likely; with --image also an ImageNet class name (exact, or the one name containing it)")
      ->needs(targeted_flag);
  cmd->add_option("--objective", objective,
                  "with --targeted: true-minus-target (maximise loss(y) - loss(target)) or minimise-target")
      ->check(CLI::IsMember({"true-minus-target", "minimise-target"}))
      ->needs(targeted_flag);
  cmd->add_option("--momentum", momentum, "MI-FGSM momentum")->check(non_negative());
  cmd->add_option("--lo", lo, "smallest valid pixel value");
  cmd->add_option("--hi", hi, "largest valid pixel value");
}

attacks::AttackOptions AttackFlags::options(double eps_value) const {
  using attacks::Norm;
  using attacks::Normalizer;
  ADVGRAD_CHECK(eps_value >= 0, "attack: --eps must be >= 0, got ", eps_value);
  attacks::AttackOptions o;
  o.eps = eps_value;
  o.lo = lo;
  o.hi = hi;
  o.restarts = restarts;
  o.early_stop = early_stop;
  o.random_start = random_start;
  o.loss = loss == "margin" ? attacks::AttackLoss::Margin
           : loss == "dlr"  ? attacks::AttackLoss::Dlr
                            : attacks::AttackLoss::CrossEntropy;
  o.queries = queries;
  o.target_classes = target_classes;
  double step_fraction = 0;  // default step = eps * step_fraction
  if (is_min_norm()) {
    ADVGRAD_CHECK(!targeted, "attack: --method ", method, " is untargeted");
    o.algorithm = method == "cw" ? attacks::AttackAlgorithm::CarliniWagner : attacks::AttackAlgorithm::DeepFool;
    o.norm = method == "deepfool-linf" ? Norm::Linf : Norm::L2;
    o.steps = steps > 0 ? steps : method == "cw" ? 100 : 50;
    o.overshoot = overshoot, o.candidates = candidates;
    o.kappa = kappa, o.initial_c = initial_c, o.search_steps = search_steps, o.learning_rate = learning_rate;
    step_fraction = 1.0;  // unused: no step size to choose
  } else if (is_parameter_free()) {
    ADVGRAD_CHECK(!targeted, "attack: --method ", method, " is untargeted (apgd-t picks its own target classes); "
                  "use --method pgd with --targeted");
    o.algorithm = method == "apgd-t"       ? attacks::AttackAlgorithm::ApgdTargeted
                  : method == "fab-t" || method == "fab" ? attacks::AttackAlgorithm::Fab
                  : method == "square"     ? attacks::AttackAlgorithm::Square
                  : method == "autoattack" ? attacks::AttackAlgorithm::AutoAttack
                                           : attacks::AttackAlgorithm::Apgd;
    if (method == "apgd-dlr") o.loss = attacks::AttackLoss::Dlr;
    if (method == "fab") o.target_classes = 0;  // untargeted FAB: the closest boundary of all classes
    o.steps = steps > 0 ? steps : 100;
    o.random_start = method != "fab-t" && method != "fab";  // FAB's first run starts at x (fab.h)
    step_fraction = 2.0;  // unused: APGD sets its own step, starting at 2 eps
  } else if (method == "fgsm") {
    ADVGRAD_CHECK(steps <= 1, "attack: fgsm takes exactly one step (use --method bim or pgd for more), got --steps ",
                  steps);
    ADVGRAD_CHECK(!random_start, "attack: fgsm starts at x; use --method pgd --steps 1 --random-start for FGSM-RS");
    o.steps = 1;
    step_fraction = 1.0;
  } else {
    o.steps = steps > 0 ? steps : 10;
    step_fraction = (method == "pgd" || method == "pgd-l2") ? 2.5 / o.steps : 1.0 / o.steps;
  }
  if (method == "pgd-l2") {
    o.norm = Norm::L2;
    o.normalizer = Normalizer::L2;
  }
  if (method == "mifgsm") o.momentum = momentum;
  if (normalizer == "sign") o.normalizer = Normalizer::Sign;
  if (normalizer == "max") o.normalizer = Normalizer::Max;
  if (normalizer == "l2") o.normalizer = Normalizer::L2;
  // eps 0 is a valid (clean) point of a sweep; the step must stay positive.
  o.step_size = step_size > 0 ? step_size : std::max(eps_value * step_fraction, 1e-12);
  if (targeted) {
    o.targeted = true;
    o.objective = objective == "minimise-target" ? attacks::TargetedObjective::MinimiseTarget
                                                 : attacks::TargetedObjective::TrueMinusTarget;
    if (target == "random") {
      o.target_mode = attacks::TargetMode::Random;
    } else if (target == "least-likely") {
      o.target_mode = attacks::TargetMode::LeastLikely;
    } else {
      o.target_mode = attacks::TargetMode::Fixed;
      std::size_t used = 0;
      try {
        o.target_class = std::stoll(target, &used);
      } catch (...) {
        used = 0;
      }
      ADVGRAD_CHECK(used == target.size() && o.target_class >= 0, "attack: --target must be a class index, random "
                    "or least-likely, got '", target, "'");
    }
  }
  attacks::validate(o, "attack");
  return o;
}

namespace {

// The whole of `text` as a number, or NaN.
double number(const std::string& text) {
  std::size_t used = 0;
  double v = std::nan("");
  try {
    v = std::stod(text, &used);
  } catch (...) {
    return std::nan("");
  }
  return used == text.size() ? v : std::nan("");
}

}  // namespace

double parse_eps(const std::string& text) {
  const std::size_t slash = text.find('/');
  const double value =
      slash == std::string::npos ? number(text) : number(text.substr(0, slash)) / number(text.substr(slash + 1));
  ADVGRAD_CHECK(!text.empty() && std::isfinite(value) && value >= 0,
                "attack: --eps must be a number >= 0 or a fraction such as 1/255, got '", text, "'");
  return value;
}

const std::vector<std::string>& attack_methods() {
  static const std::vector<std::string> names{"fgsm",    "bim",      "pgd",    "pgd-l2", "mifgsm",
                                              "apgd-ce", "apgd-dlr", "apgd-t", "fab-t", "fab", "square", "autoattack",
                                              "deepfool", "deepfool-linf", "cw"};
  return names;
}

bool AttackFlags::is_parameter_free() const {
  return method == "apgd-ce" || method == "apgd-dlr" || method == "apgd-t" || method == "fab-t" || method == "fab" || method == "square" ||
         method == "autoattack";
}

bool AttackFlags::is_min_norm() const { return method == "deepfool" || method == "deepfool-linf" || method == "cw"; }

std::string AttackFlags::describe(const attacks::AttackOptions& o) const {
  std::ostringstream s;
  if (is_min_norm()) {
    if (method == "cw")
      s << "CW-L2 " << o.search_steps << "x" << o.steps << " kappa " << o.kappa;
    else
      s << "DeepFool-" << o.steps << (o.norm == attacks::Norm::L2 ? " L2" : " L-inf") << " overshoot " << o.overshoot;
    return s.str();
  }
  if (is_parameter_free()) {
    s << (method == "apgd-ce"    ? "APGD-CE-" + std::to_string(o.steps)
          : method == "apgd-dlr" ? "APGD-DLR-" + std::to_string(o.steps)
          : method == "apgd-t"   ? "APGD-T-" + std::to_string(o.steps) + " x" + std::to_string(o.target_classes)
          : method == "fab-t"    ? "FAB-T-" + std::to_string(o.steps) + " x" + std::to_string(o.target_classes)
          : method == "fab"      ? "FAB-" + std::to_string(o.steps)
          : method == "square"   ? "Square-" + std::to_string(o.queries)
                                 : std::string("AutoAttack"))
      << " L-inf eps " << o.eps;
    return s.str();
  }
  if (method == "fgsm") s << "FGSM";
  else if (method == "mifgsm") s << "MI-FGSM-" << o.steps;
  else if (method == "bim") s << "BIM-" << o.steps;
  else s << "PGD-" << o.steps;
  s << (o.norm == attacks::Norm::L2 ? " L2" : " L-inf") << " eps " << o.eps;
  if (o.steps > 1) s << " step " << o.step_size;
  if (o.random_start) s << " random start";
  if (o.restarts > 1) s << " x" << o.restarts << " restarts";
  if (o.targeted) s << " targeted -> " << target;
  return s.str();
}

}  // namespace advgrad::cli
