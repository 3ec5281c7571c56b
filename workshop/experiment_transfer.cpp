// The transfer-learning experiment (experiment_transfer.h): the slides' two
// ways of reusing a pretrained network (a frozen feature extractor with a new
// head, and fine-tuning) against a small CNN from scratch, as the number of
// labelled images grows. The point of transfer learning is less data: the
// pretrained features should win when there are few images.
#include "advgrad/workshop/experiment_transfer.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <iomanip>
#include <memory>
#include <nlohmann/json.hpp>
#include <ostream>
#include <sstream>

#include "advgrad/core/error.h"
#include "advgrad/core/grad_mode.h"
#include "advgrad/core/ops/ops.h"
#include "advgrad/data/image_transforms.h"
#include "advgrad/eval/interval.h"
#include "advgrad/eval/mcnemar.h"
#include "advgrad/io/atomic_file.h"
#include "advgrad/nn/linear.h"
#include "advgrad/nn/lite0_taps.h"
#include "advgrad/nn/optimizer.h"
#include "advgrad/nn/pretrained.h"
#include "advgrad/nn/transfer.h"
#include "advgrad/training/adversarial_training.h"
#include "advgrad/workshop/report_text.h"

namespace advgrad::workshop {

std::string lite0_weights_path(const TransferBudget& b) {
  return b.weights.empty() ? nn::pretrained_path("efficientnet-lite0") : b.weights;
}

namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

// Lite0 (the fine-tuned rows) or Lite0 read at blocks 7, 10 and 15 (the frozen row, nn/lite0_taps.h).
nn::ModelConfig lite0_config(std::int64_t image_size, std::int64_t classes, std::uint64_t seed,
                             const std::string& arch = "efficientnet-lite0") {
  nn::ModelConfig c;
  c.arch = arch;
  c.channels = 3;
  c.height = c.width = image_size;
  c.classes = classes;
  c.seed = seed;
  return c;
}

// The `_fc.weight` and `_fc.bias` tensors of an EfficientNet.
std::pair<Tensor, Tensor> classifier_of(nn::Module& model) {
  Tensor w, bias;
  for (auto& [name, p] : model.named_parameters()) {
    if (name == "_fc.weight") w = p;
    if (name == "_fc.bias") bias = p;
  }
  ADVGRAD_CHECK(w.defined() && bias.defined(), "experiment transfer: the model has no _fc classifier");
  return {w, bias};
}

std::vector<std::int64_t> range(std::int64_t from, std::int64_t to) {
  std::vector<std::int64_t> v;
  for (std::int64_t i = from; i < to; ++i) v.push_back(i);
  return v;
}

// The images mirrored left-right (a label-preserving change for clothing).
data::Dataset mirrored(const data::Dataset& images) {
  data::Dataset m = images;
  const std::int64_t w = images.width, rows = images.size() * images.channels * images.height;
  for (std::int64_t r = 0; r < rows; ++r)
    for (std::int64_t x = 0; x < w; ++x)
      m.pixels[static_cast<std::size_t>(r * w + x)] = images.pixels[static_cast<std::size_t>(r * w + (w - 1 - x))];
  return m;
}

// Accuracy and mean cross-entropy of `head` on cached features.
std::pair<double, double> head_scores(nn::Module& head, const Tensor& features, const Tensor& labels) {
  NoGradGuard no_grad;
  const Tensor logits = head(features);
  const double loss = cross_entropy(logits, labels).item();
  const auto predicted = argmax(logits, 1).to_vector<std::int64_t>();
  const auto truth = labels.to_vector<std::int64_t>();
  std::int64_t right = 0;
  for (std::size_t i = 0; i < truth.size(); ++i) right += predicted[i] == truth[i];
  return {right / static_cast<double>(std::max<std::size_t>(1, truth.size())), loss};
}

// One linear head on (standardised) cached features: Adam at head_lr with an
// L2 penalty wd * |W|^2 (the weights only, not the bias), head_epochs epochs
// of shuffled batches. The loss is convex in the head, so many cheap epochs
// bring it close to its minimum. Curves every 10% of the epochs (and the
// last): train and validation accuracy.
struct HeadFit {
  std::shared_ptr<nn::Linear> head;
  training::FitResult fit;
  double validation_accuracy = 0;
};
HeadFit fit_head(const Tensor& features, const Tensor& labels, const Tensor& validation_features,
                 const Tensor& validation_labels, double wd, std::int64_t classes, const TransferBudget& b) {
  Generator gen(b.base.seed * 7919 + 17);
  HeadFit h;
  h.head = std::make_shared<nn::Linear>(features.shape()[1], classes, gen);
  auto optimizer = nn::make_optimizer("adam", h.head->parameters(), b.head_lr, 0);
  const std::int64_t n = features.shape()[0], batch = std::min(b.head_batch, n);
  for (std::int64_t epoch = 1; epoch <= b.head_epochs; ++epoch) {
    const Tensor order = randperm(n, gen);
    for (std::int64_t at = 0; at < n; at += batch) {
      const Tensor idx = order.narrow(0, at, std::min(batch, n - at));
      Tensor loss = cross_entropy((*h.head)(index_select(features, 0, idx)), index_select(labels, 0, idx));
      if (wd > 0) loss = add(loss, mul(full({}, wd), sum(mul(h.head->weight, h.head->weight))));
      optimizer->zero_grad();
      loss.backward();
      optimizer->step();
    }
    if (epoch == b.head_epochs || epoch % std::max<std::int64_t>(1, b.head_epochs / 10) == 0) {
      const auto [train_accuracy, train_loss] = head_scores(*h.head, features, labels);
      const auto [val_accuracy, val_loss] = head_scores(*h.head, validation_features, validation_labels);
      training::EpochStats s;
      s.epoch = epoch;
      s.lr = b.head_lr;
      s.train_loss = train_loss;
      s.train_accuracy = train_accuracy;
      s.test_loss = val_loss;
      s.test_accuracy = val_accuracy;
      h.fit.history.push_back(s);
    }
  }
  h.validation_accuracy = h.fit.history.back().test_accuracy;
  return h;
}

// The frozen row: pooled features of the training images computed once,
// standardised with the training images' per-feature mean and std, a linear
// head trained on them (fit_head); the L2 weight and whether mirrored copies
// of the training images join the fit are chosen on the validation slice
// (never the test split): first the weight decay among head_weight_decays
// on the plain features, then, at that decay, with and without the mirrored
// copies (the simpler setting wins ties). The standardisation is folded into
// the head, which goes into the pretrained network, whose forward is then
// exactly backbone + standardisation + head.
TrainedModel frozen_model(const data::Dataset& train, const Tensor& raw_validation_features,
                          const Tensor& validation_labels, const TransferBudget& b, std::ostream& log) {
  ADVGRAD_CHECK(!b.head_weight_decays.empty(), "experiment transfer: no head weight decays to choose from");
  const auto start = Clock::now();
  nn::ModulePtr extractor = lite0_feature_extractor(b.image_size, lite0_weights_path(b));
  const Tensor raw = pooled_features(*extractor, train);
  const FeatureScaling scaling = feature_scaling(raw);
  const Tensor features = standardise(raw, scaling),
               validation_features = standardise(raw_validation_features, scaling);
  double feature_seconds = seconds_since(start);
  log << "  features of " << train.size() << " images in " << std::fixed << std::setprecision(1) << feature_seconds
      << " s\n"
      << std::defaultfloat;
  const Tensor labels = train.labels_tensor(range(0, train.size()));

  std::ostringstream choice;  // every candidate's validation accuracy, for the log and the record
  HeadFit best;
  double best_wd = 0;
  for (double wd : b.head_weight_decays) {
    HeadFit h = fit_head(features, labels, validation_features, validation_labels, wd, train.classes, b);
    choice << "wd " << wd << ": " << report::format_percent(h.validation_accuracy) << "; ";
    if (!best.head || h.validation_accuracy > best.validation_accuracy) {
      best = std::move(h);
      best_wd = wd;
    }
  }
  bool flips = false;
  if (b.try_flips) {
    const auto flip_start = Clock::now();
    const Tensor mirrored_features = standardise(pooled_features(*extractor, mirrored(train)), scaling);
    feature_seconds += seconds_since(flip_start);
    HeadFit h = fit_head(cat({features, mirrored_features}, 0), cat({labels, labels}, 0), validation_features,
                         validation_labels, best_wd, train.classes, b);
    choice << "wd " << best_wd << " + mirrored copies: " << report::format_percent(h.validation_accuracy);
    if (h.validation_accuracy > best.validation_accuracy) {
      best = std::move(h);
      flips = true;
    }
  }
  log << "  validation (" << validation_labels.numel() << " images): " << choice.str() << "\n  chosen: wd " << best_wd
      << (flips ? ", with mirrored copies" : ", no mirrored copies") << "\n";

  const nn::ModelConfig config = lite0_config(b.image_size, train.classes, b.base.seed, "efficientnet-lite0-taps");
  // The whole network: pretrained backbone, the standardisation folded into the trained head as its classifier.
  nn::ModulePtr model = nn::pretrained_lite0_taps(config, lite0_weights_path(b));
  {
    NoGradGuard no_grad;
    auto [w, bias] = classifier_of(*model);
    const auto [folded_w, folded_b] = fold_scaling(best.head->weight, best.head->bias, scaling);
    w.copy_(folded_w);
    bias.copy_(folded_b);
  }
  model->train(false);
  training::FitResult fit = std::move(best.fit);
  fit.seconds = seconds_since(start);
  const training::EpochStats& last = fit.history.back();
  fit.best_test_accuracy = last.test_accuracy;
  fit.best_epoch = last.epoch;
  log << "  head: " << b.head_epochs << " epochs on cached features, train acc "
      << report::format_percent(last.train_accuracy) << ", validation acc "
      << report::format_percent(last.test_accuracy) << "\n";
  const json extra{{"feature_seconds", feature_seconds}, {"head_epochs", b.head_epochs}, {"head_lr", b.head_lr},
                   {"head_weight_decay", best_wd},       {"mirrored_copies", flips},     {"standardised", true},
                   {"validation_choice", choice.str()},  {"image_size", b.image_size}};
  return {model, config, std::move(fit), extra.dump()};
}

// small-cnn from scratch on the 28 px grey images, Adam lr 0.001, the size's epochs and batch.
TrainedModel small_cnn_model(const data::Dataset& train, const data::Dataset& validation, const TransferBudget& b,
                             std::ostream& log) {
  ExperimentBudget base = b.base;
  base.arch = "small-cnn";
  training::TrainerOptions o = trainer_options(base, "adam", 0.001);
  o.epochs = b.epochs_for(train.size());
  o.batch_size = b.batch_for(train.size());
  o.progress = 0;
  return train_model(model_config_for(train, base), o, {train, validation}, {}, log);
}

std::string method_detail(const std::string& method, const TransferBudget& b) {
  const std::string px = std::to_string(b.image_size) + " px";
  std::ostringstream s;
  if (method == "frozen")
    s << "Lite0 frozen, " << px << ", blocks 7+10+15 pooled (512), standardised, linear head: " << b.head_epochs
      << " epochs on cached features, wd" << (b.try_flips ? " and mirrored copies" : "") << " chosen on validation";
  else if (method == "small-cnn")
    s << "from scratch, 28 px grey";
  else
    s << "Lite0 " << px << ", freeze " << b.fine_tune_freeze << ", backbone lr x" << b.backbone_lr_scale
      << (method == "adv-fine-tuned" ? ", PGD-" + std::to_string(b.base.at_steps) + " AT" : "");
  return s.str();
}

bool runs_at(const std::string& method, std::int64_t n, const TransferBudget& b) {
  if (method == "fine-tuned") return n <= b.fine_tune_max;
  if (method == "adv-fine-tuned") return n <= b.adv_max;
  return true;
}

void interval_cells(std::ostream& out, double accuracy, std::int64_t n) {
  const eval::Interval ci = eval::accuracy_interval(accuracy, std::max<std::int64_t>(1, n));
  out << ',' << accuracy << ',' << ci.lo << ',' << ci.hi;
}

std::string thousands(std::int64_t n) {
  const std::string digits = std::to_string(n);
  std::string s;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) s += ',';
    s += digits[i];
  }
  return s;
}

const TransferRow* find_row(const std::vector<TransferRow>& rows, const std::string& method, std::int64_t n) {
  for (const auto& r : rows)
    if (r.method == method && r.train_images == n) return &r;
  return nullptr;
}

const TransferPaired* find_paired(const std::vector<TransferPaired>& paired, std::int64_t n) {
  for (const auto& p : paired)
    if (p.train_images == n) return &p;
  return nullptr;
}

std::string paired_sentence(const eval::McNemar& m) {
  std::ostringstream s;
  s << "on the same test images frozen alone right on " << m.only_first << ", small-cnn alone on " << m.only_second
    << ", McNemar exact p = " << std::setprecision(2) << m.p_value << std::defaultfloat << ": "
    << (m.p_value >= 0.05              ? "no significant difference"
        : m.only_first > m.only_second ? "frozen features win"
                                       : "small-cnn wins")
    << " at the 5% level";
  return s.str();
}

// One sentence per size with both rows: does the frozen row beat small-cnn
// by McNemar's paired test (p < 0.05), and do the 95% intervals separate?
// Then the frozen rows' validation choices.
std::string verdict_text(const std::vector<TransferRow>& rows, const std::vector<TransferPaired>& paired,
                         const TransferBudget& b) {
  std::ostringstream s;
  for (std::int64_t n : b.sizes) {
    const TransferRow* f = find_row(rows, "frozen", n);
    const TransferRow* c = find_row(rows, "small-cnn", n);
    const TransferPaired* p = find_paired(paired, n);
    if (!f || !c) continue;
    const eval::Interval fi = eval::accuracy_interval(f->row.clean, std::max<std::int64_t>(1, f->row.clean_count));
    const eval::Interval ci = eval::accuracy_interval(c->row.clean, std::max<std::int64_t>(1, c->row.clean_count));
    s << "- " << thousands(n) << " images: frozen Lite0 " << report::format_percent(f->row.clean) << " vs small-cnn "
      << report::format_percent(c->row.clean);
    if (p) s << "; " << paired_sentence(p->test);
    s << "; the 95% intervals " << (eval::separated(fi, ci) ? "do not overlap" : "overlap") << "\n";
  }
  for (const auto& r : rows) {
    if (r.method != "frozen" || r.row.extra_json.empty()) continue;
    const json e = json::parse(r.row.extra_json);
    if (!e.contains("validation_choice")) continue;
    s << "- frozen at " << thousands(r.train_images)
      << " images, validation accuracy: " << e["validation_choice"].get<std::string>() << " -> wd "
      << e["head_weight_decay"].get<double>()
      << (e["mirrored_copies"].get<bool>() ? " with mirrored copies" : " without mirrored copies") << "\n";
  }
  return s.str();
}

// Whether each test image is classified correctly, in order, in batches.
std::vector<bool> correct_per_image(nn::Module& model, const data::Dataset& test, std::int64_t batch = 200) {
  NoGradGuard no_grad;
  model.train(false);
  std::vector<bool> right;
  for (std::int64_t at = 0; at < test.size(); at += batch) {
    const auto idx = range(at, std::min(test.size(), at + batch));
    const auto predicted = argmax(model(test.images_tensor(idx)), 1).to_vector<std::int64_t>();
    for (std::size_t i = 0; i < idx.size(); ++i)
      right.push_back(predicted[i] == test.labels[static_cast<std::size_t>(idx[i])]);
  }
  return right;
}

}  // namespace

TrainedModel lite0_fine_tuned(const data::Dataset& train, const data::Dataset& validation, const TransferBudget& b,
                              bool adversarial, std::int64_t epochs, std::int64_t batch_size, std::ostream& log) {
  const nn::ModelConfig config = lite0_config(b.image_size, train.classes, b.base.seed);
  training::TrainerOptions o = trainer_options(b.base, "adam", b.fine_tune_lr);
  o.epochs = epochs;
  o.batch_size = batch_size;
  o.backbone_lr_scale = b.backbone_lr_scale;
  o.progress = 0;
  training::Trainer trainer(
      nn::freeze(nn::pretrained_with_new_head(config, lite0_weights_path(b)), nn::parse_freeze(b.fine_tune_freeze)),
      config, o);
  if (adversarial) {
    training::OnlineAdversarialOptions a;
    a.attack = "pgd";
    a.mix = "adversarial";
    a.eps = b.base.eps;
    a.steps = b.base.at_steps;
    a.seed = b.base.seed;
    trainer.set_step_loss(training::online_adversarial_loss(a));
  }
  training::FitResult fit = trainer.fit(train, validation, log);
  ADVGRAD_CHECK(!fit.interrupted, "training interrupted (Ctrl-C)");
  nn::ModulePtr model = nn::build_model(config);
  model->load_state_dict(trainer.model().state_dict());
  model->train(false);
  const json extra{{"freeze", b.fine_tune_freeze},
                   {"lr", b.fine_tune_lr},
                   {"backbone_lr_scale", b.backbone_lr_scale},
                   {"image_size", b.image_size},
                   {"adversarial_steps", adversarial ? b.base.at_steps : 0}};
  return {model, config, std::move(fit), extra.dump()};
}

std::int64_t TransferBudget::epochs_for(std::int64_t n) const {
  const std::int64_t e = n <= 100 ? 20 : n <= 1000 ? 8 : 3;
  return base.level == "quick" ? std::min<std::int64_t>(e, 2) : e;
}

std::int64_t TransferBudget::batch_for(std::int64_t n) const { return n <= 100 ? 20 : n <= 1000 ? 50 : 128; }

TransferBudget transfer_budget(const ExperimentBudget& budget) {
  TransferBudget b;
  b.base = budget;
  b.base.eps_values = {};  // no eps sweeps in evaluate_row: the headline FGSM and PGD only
  b.head_lr = 0.01;
  // L2 weights a decade apart from the earlier fixed 1e-3 (the yardstick of
  // docs/transfer-learning.md preferred 1e-2 at 1,000 images); the validation slice picks one.
  b.head_weight_decays = {1e-3, 1e-2, 1e-1};
  b.head_batch = 100;
  // Per level: sizes, validation, test images (0: all), attacked images, PGD steps, PGD-AT steps,
  // image size, head epochs, the largest fine-tuned and adversarially fine-tuned size.
  struct Level {
    std::vector<std::int64_t> sizes;
    std::int64_t validation, test, attacked;
    int pgd_steps, at_steps;
    std::int64_t image_size, head_epochs, fine_tune_max, adv_max;
  };
  static const Level quick{{40, 100}, 40, 60, 20, 3, 2, 32, 20, 40, 40};
  static const Level standard{{100, 1000, 10000}, 500, 1000, 200, 10, 3, 64, 200, 1000, 100};
  static const Level full{{100, 1000, 10000}, 1000, 0, 1000, 20, 3, 64, 300, 10000, 1000};
  ADVGRAD_CHECK(budget.level == "quick" || budget.level == "default" || budget.level == "full",
                "experiment transfer: unknown budget '", budget.level, "'");
  const Level& l = budget.level == "quick" ? quick : budget.level == "full" ? full : standard;
  b.sizes = l.sizes;
  b.validation = l.validation;
  b.base.test_size = l.test;
  b.base.attack_examples = l.attacked;
  b.base.pgd_steps = b.base.sweep_steps = l.pgd_steps;
  b.base.at_steps = l.at_steps;
  b.image_size = l.image_size;
  b.head_epochs = l.head_epochs;
  b.fine_tune_max = l.fine_tune_max;
  b.adv_max = l.adv_max;
  b.fine_tune_lr = 0.001;
  b.base.train_size = transfer_train_images(b);
  return b;
}

std::int64_t transfer_train_images(const TransferBudget& b) {
  return (b.sizes.empty() ? 0 : *std::max_element(b.sizes.begin(), b.sizes.end())) + b.validation;
}

const std::vector<std::string>& transfer_methods() {
  static const std::vector<std::string> names{"frozen", "fine-tuned", "adv-fine-tuned", "small-cnn"};
  return names;
}

FeatureScaling feature_scaling(const Tensor& features) {
  ADVGRAD_CHECK(features.dim() == 2 && features.shape()[0] >= 1,
                "feature_scaling: expects features [n, d] with n >= 1");
  const std::int64_t n = features.shape()[0], d = features.shape()[1];
  const auto v = features.contiguous().to_vector<float>();
  std::vector<double> sum(static_cast<std::size_t>(d), 0.0), sum_sq(static_cast<std::size_t>(d), 0.0);
  for (std::int64_t i = 0; i < n; ++i)
    for (std::int64_t j = 0; j < d; ++j) sum[static_cast<std::size_t>(j)] += v[static_cast<std::size_t>(i * d + j)];
  FeatureScaling s;
  s.mean.resize(static_cast<std::size_t>(d));
  s.inv_std.resize(static_cast<std::size_t>(d));
  for (std::int64_t j = 0; j < d; ++j)
    s.mean[static_cast<std::size_t>(j)] = static_cast<float>(sum[static_cast<std::size_t>(j)] / n);
  // The variance about the mean (two passes: no cancellation of large squares).
  for (std::int64_t i = 0; i < n; ++i)
    for (std::int64_t j = 0; j < d; ++j) {
      const double x = v[static_cast<std::size_t>(i * d + j)] - s.mean[static_cast<std::size_t>(j)];
      sum_sq[static_cast<std::size_t>(j)] += x * x;
    }
  for (std::int64_t j = 0; j < d; ++j)
    s.inv_std[static_cast<std::size_t>(j)] =
        static_cast<float>(1.0 / std::sqrt(sum_sq[static_cast<std::size_t>(j)] / n + 1e-5));
  return s;
}

Tensor standardise(const Tensor& features, const FeatureScaling& scaling) {
  const std::int64_t d = static_cast<std::int64_t>(scaling.mean.size());
  ADVGRAD_CHECK(features.dim() == 2 && features.shape()[1] == d, "standardise: expects features [n, ", d, "], got ",
                shape_str(features.shape()));
  const Tensor mean = from_vector(scaling.mean, {1, d}).to(features.dtype());
  const Tensor inv_std = from_vector(scaling.inv_std, {1, d}).to(features.dtype());
  return mul(sub(features, mean), inv_std);
}

std::pair<Tensor, Tensor> fold_scaling(const Tensor& weight, const Tensor& bias, const FeatureScaling& scaling) {
  const std::int64_t d = static_cast<std::int64_t>(scaling.mean.size());
  ADVGRAD_CHECK(weight.dim() == 2 && weight.shape()[1] == d && bias.dim() == 1 && bias.shape()[0] == weight.shape()[0],
                "fold_scaling: expects weight [k, ", d, "] and bias [k], got ", shape_str(weight.shape()), " and ",
                shape_str(bias.shape()));
  const Tensor w = mul(weight, from_vector(scaling.inv_std, {1, d}).to(weight.dtype()));
  const Tensor shift = matmul(w, from_vector(scaling.mean, {d, 1}).to(weight.dtype())).reshape({weight.shape()[0]});
  return {w, sub(bias, shift)};
}

nn::ModulePtr lite0_feature_extractor(std::int64_t image_size, const std::string& weights) {
  const std::int64_t kFeatures = nn::lite0_tap_features();
  nn::ModulePtr model =
      nn::pretrained_lite0_taps(lite0_config(image_size, kFeatures, 0, "efficientnet-lite0-taps"), weights);
  {
    NoGradGuard no_grad;
    auto [w, bias] = classifier_of(*model);
    ADVGRAD_CHECK(w.shape() == Shape({kFeatures, kFeatures}), "lite0_feature_extractor: unexpected _fc shape");
    std::vector<float> eye(static_cast<std::size_t>(kFeatures * kFeatures), 0.0f);
    for (std::int64_t i = 0; i < kFeatures; ++i) eye[static_cast<std::size_t>(i * kFeatures + i)] = 1.0f;
    w.copy_(from_vector(eye, {kFeatures, kFeatures}));
    bias.copy_(zeros({kFeatures}));
  }
  model->train(false);
  return model;
}

Tensor pooled_features(nn::Module& extractor, const data::Dataset& images, std::int64_t batch) {
  ADVGRAD_CHECK(batch > 0, "pooled_features: batch must be positive");
  ADVGRAD_CHECK(images.size() > 0, "pooled_features: no images in ", images.name);
  NoGradGuard no_grad;
  std::vector<Tensor> parts;
  for (std::int64_t at = 0; at < images.size(); at += batch)
    parts.push_back(extractor(images.images_tensor(range(at, std::min(images.size(), at + batch)))).contiguous());
  return cat(parts, 0);
}

std::vector<TransferRow> transfer_experiment(StageRunner& runner, const data::Split& data, const TransferBudget& b,
                                             const std::vector<std::string>& only,
                                             std::vector<TransferPaired>* paired_out) {
  const std::int64_t need = transfer_train_images(b);
  ADVGRAD_CHECK(data.train.size() >= need, "experiment transfer: needs ", need, " training images (the largest size ",
                need - b.validation, " + ", b.validation, " held out), got ", data.train.size());
  const std::vector<std::string> methods = chosen_rows(transfer_methods(), only, "transfer");
  const std::int64_t largest = need - b.validation;
  const data::Dataset validation = data.train.select(range(largest, need));
  // Lite0's view of the images: RGB at image_size, converted once (lazily: small-cnn alone needs none).
  std::shared_ptr<data::Dataset> big_validation, big_test;
  std::shared_ptr<std::pair<Tensor, Tensor>> validation_features;
  auto lite0_data = [&] {
    if (!big_test) {
      big_test = std::make_shared<data::Dataset>(data::convert_dataset(data.test, 3, b.image_size, b.image_size));
      big_validation =
          std::make_shared<data::Dataset>(data::convert_dataset(validation, 3, b.image_size, b.image_size));
    }
  };
  std::vector<TransferRow> rows;
  std::vector<TransferPaired> paired;
  for (std::int64_t n : b.sizes) {
    const data::Dataset train = data.train.head(n);
    std::vector<bool> frozen_right, small_cnn_right;  // per test image, for McNemar's test
    for (const std::string& method : methods) {
      if (!runs_at(method, n, b)) continue;
      const std::string stage = method + "-" + std::to_string(n);
      TransferRow t;
      t.train_images = n;
      t.method = method;
      t.epochs = method == "frozen" ? b.head_epochs : b.epochs_for(n);
      if (method == "small-cnn") {
        nn::ModulePtr model;
        t.row = model_stage(
            runner, stage, stage, method_detail(method, b), {train, data.test}, b.base,
            [&](std::ostream& log) { return small_cnn_model(train, validation, b, log); }, &model);
        small_cnn_right = correct_per_image(*model, data.test);
      } else {
        lite0_data();
        const data::Dataset big_train = data::convert_dataset(train, 3, b.image_size, b.image_size);
        nn::ModulePtr model;
        t.row = model_stage(
            runner, stage, stage, method_detail(method, b), {big_train, *big_test}, b.base,
            [&](std::ostream& log) {
              if (method != "frozen")
                return lite0_fine_tuned(big_train, *big_validation, b, method == "adv-fine-tuned", b.epochs_for(n),
                                        b.batch_for(n), log);
              if (!validation_features) {
                nn::ModulePtr extractor = lite0_feature_extractor(b.image_size, lite0_weights_path(b));
                validation_features = std::make_shared<std::pair<Tensor, Tensor>>(
                    pooled_features(*extractor, *big_validation),
                    big_validation->labels_tensor(range(0, big_validation->size())));
              }
              return frozen_model(big_train, validation_features->first, validation_features->second, b, log);
            },
            method == "frozen" ? &model : nullptr);
        if (method == "frozen") frozen_right = correct_per_image(*model, *big_test);
      }
      rows.push_back(std::move(t));
    }
    if (!frozen_right.empty() && !small_cnn_right.empty()) {
      paired.push_back({n, eval::mcnemar_test(frozen_right, small_cnn_right)});
      const eval::McNemar& m = paired.back().test;
      runner.log() << "  " << n << " images, frozen vs small-cnn on the same " << frozen_right.size()
                   << " test images: frozen alone right " << m.only_first << ", small-cnn alone " << m.only_second
                   << ", McNemar exact p = " << m.p_value << "\n";
    }
  }
  runner.run("transfer", [&](StageFiles& files) {
    io::write_file_atomically(files.file("transfer.csv"), transfer_csv(rows, b));
    io::write_file_atomically(files.file("transfer_paired.csv"), transfer_paired_csv(paired, rows));
    json j{{"experiment", "transfer"},   {"budget", json::parse(budget_to_json(b.base))},
           {"image_size", b.image_size}, {"validation_images", b.validation},
           {"rows", json::array()},      {"paired", json::array()}};
    for (const auto& p : paired)
      j["paired"].push_back({{"train_images", p.train_images},
                             {"first", "frozen"},
                             {"second", "small-cnn"},
                             {"both_right", p.test.both_right},
                             {"only_frozen", p.test.only_first},
                             {"only_small_cnn", p.test.only_second},
                             {"both_wrong", p.test.both_wrong},
                             {"mcnemar_exact_p", p.test.p_value}});
    for (const auto& r : rows)
      j["rows"].push_back({{"train_images", r.train_images},
                           {"method", r.method},
                           {"epochs", r.epochs},
                           {"row", json::parse(row_to_json(r.row))}});
    io::write_file_atomically(files.file("transfer.json"), j.dump(1) + "\n");
    std::string md = "## Transfer learning: accuracy against the number of training images\n\n" +
                     report::table_markdown(transfer_table(rows, b)) + "\n" + verdict_text(rows, paired, b);
    io::write_file_atomically(files.file("transfer.md"), md);
    write_stage_figure(files, transfer_chart(rows, b, false), "transfer");
    write_stage_figure(files, transfer_chart(rows, b, true), "transfer_pgd");
    return j["rows"].dump();
  });
  if (paired_out) *paired_out = paired;
  return rows;
}

TransferBudget workshop_transfer_budget(const ExperimentBudget& budget) {
  TransferBudget b = transfer_budget(budget);
  if (budget.level != "default") return b;
  b.sizes = {100, 1000};
  b.base.attack_examples = 50;
  b.base.train_size = transfer_train_images(b);
  return b;
}

std::string transfer_csv(const std::vector<TransferRow>& rows, const TransferBudget& b) {
  std::ostringstream s;
  s << "train_images,method,detail,epochs,train_seconds";
  for (const std::string& m : {std::string("clean"), std::string("fgsm"), "pgd" + std::to_string(b.base.pgd_steps)})
    s << ',' << m << ',' << m << "_lo95," << m << "_hi95";
  s << ",test_images,attacked_images\n";
  for (const auto& t : rows) {
    const RobustRow& r = t.row;
    s << t.train_images << ',' << t.method << ",\"" << r.detail << "\"," << t.epochs << ',' << r.train_seconds;
    interval_cells(s, r.clean, r.clean_count);
    interval_cells(s, r.fgsm, r.attack_count);
    interval_cells(s, r.pgd, r.attack_count);
    s << ',' << r.clean_count << ',' << r.attack_count << '\n';
  }
  return s.str();
}

std::string paired_verdicts(const std::vector<TransferRow>& rows, const std::vector<TransferPaired>& paired) {
  std::ostringstream s;
  for (const auto& p : paired) {
    const TransferRow* f = find_row(rows, "frozen", p.train_images);
    const TransferRow* c = find_row(rows, "small-cnn", p.train_images);
    if (!f || !c) continue;
    s << (s.tellp() > 0 ? " " : "") << thousands(p.train_images) << " images: frozen "
      << report::format_percent(f->row.clean) << " vs small-cnn " << report::format_percent(c->row.clean) << "; "
      << paired_sentence(p.test) << ".";
  }
  return s.str();
}

std::string transfer_paired_csv(const std::vector<TransferPaired>& paired, const std::vector<TransferRow>& rows) {
  std::ostringstream s;
  s << "train_images,frozen_clean,small_cnn_clean,both_right,only_frozen,only_small_cnn,both_wrong,mcnemar_p\n";
  for (const auto& p : paired) {
    const TransferRow* f = find_row(rows, "frozen", p.train_images);
    const TransferRow* c = find_row(rows, "small-cnn", p.train_images);
    const eval::McNemar& m = p.test;
    const std::int64_t n = m.both_right + m.both_wrong + m.only_first + m.only_second;
    // The accuracies from the counts (the same images as the rows' clean accuracy, when those rows exist).
    s << p.train_images << ',' << (f ? f->row.clean : double(m.both_right + m.only_first) / double(n)) << ','
      << (c ? c->row.clean : double(m.both_right + m.only_second) / double(n)) << ',' << m.both_right << ','
      << m.only_first << ',' << m.only_second << ',' << m.both_wrong << ',' << m.p_value << '\n';
  }
  return s.str();
}

report::ReportTable transfer_table(const std::vector<TransferRow>& rows, const TransferBudget& b) {
  report::ReportTable t;
  t.caption = "Fashion-MNIST, transfer from EfficientNet-Lite0 (" + std::to_string(b.image_size) +
              " px) vs small-cnn from scratch; accuracies with 95% intervals";
  t.header = {"train images",
              "method",
              "epochs",
              "train s",
              "clean",
              "FGSM eps " + report::format_fixed(b.base.eps, 2),
              "PGD-" + std::to_string(b.base.pgd_steps)};
  for (const auto& r : rows)
    t.rows.push_back({thousands(r.train_images), r.method, std::to_string(r.epochs),
                      report::format_fixed(r.row.train_seconds, 1),
                      r.row.failed ? "failed training: " + report::format_percent(r.row.clean)
                                   : accuracy_text(r.row.clean, r.row.clean_count),
                      accuracy_text(r.row.fgsm, r.row.attack_count), accuracy_text(r.row.pgd, r.row.attack_count)});
  return t;
}

report::Figure transfer_chart(const std::vector<TransferRow>& rows, const TransferBudget& b, bool pgd) {
  std::vector<report::ChartSeries> series;
  for (const std::string& method : transfer_methods()) {
    report::ChartSeries s;
    s.name = method;
    for (const auto& r : rows) {
      if (r.method != method || r.row.failed) continue;
      const double accuracy = pgd ? r.row.pgd : r.row.clean;
      const std::int64_t count = std::max<std::int64_t>(1, pgd ? r.row.attack_count : r.row.clean_count);
      const eval::Interval ci = eval::accuracy_interval(accuracy, count);
      s.x.push_back(std::log10(static_cast<double>(r.train_images)));
      s.y.push_back(accuracy);
      s.y_lo.push_back(std::min(ci.lo, accuracy));
      s.y_hi.push_back(std::max(ci.hi, accuracy));
    }
    if (!s.x.empty()) series.push_back(std::move(s));
  }
  ADVGRAD_CHECK(!series.empty(), "experiment transfer: no rows to draw");
  report::ChartOptions o;
  o.title = pgd ? "PGD-" + std::to_string(b.base.pgd_steps) + " accuracy (eps " + report::format_fixed(b.base.eps, 2) +
                      ") against training images"
                : "Clean accuracy against training images";
  o.x_label = "training images, log10 (2 = 100, 3 = 1,000, 4 = 10,000)";
  o.y_label = "accuracy (95% intervals)";
  o.intervals = report::IntervalStyle::Whiskers;
  return report::line_chart(series, o);
}

}  // namespace advgrad::workshop
