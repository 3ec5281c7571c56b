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
#include "advgrad/io/atomic_file.h"
#include "advgrad/nn/linear.h"
#include "advgrad/nn/optimizer.h"
#include "advgrad/nn/pretrained.h"
#include "advgrad/nn/transfer.h"
#include "advgrad/training/adversarial_training.h"
#include "advgrad/workshop/report_text.h"

namespace advgrad::workshop {
namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

constexpr std::int64_t kFeatures = 1280;  // Lite0's pooled features (the head conv's channels)

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

nn::ModelConfig lite0_config(std::int64_t image_size, std::int64_t classes, std::uint64_t seed) {
  nn::ModelConfig c;
  c.arch = "efficientnet-lite0";
  c.channels = 3;
  c.height = c.width = image_size;
  c.classes = classes;
  c.seed = seed;
  return c;
}

std::string weights_path(const TransferBudget& b) {
  return b.weights.empty() ? nn::pretrained_path("efficientnet-lite0") : b.weights;
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

// The frozen row: pooled features of the training images computed once,
// then a linear head trained on them with Adam and an L2 penalty for
// head_epochs epochs (the loss is convex in the head, so many cheap epochs
// bring it close to its minimum); the head goes into the pretrained network,
// whose forward is then exactly backbone + head.
TrainedModel frozen_model(const data::Dataset& train, const Tensor& validation_features,
                          const Tensor& validation_labels, const TransferBudget& b, std::ostream& log) {
  const auto start = Clock::now();
  nn::ModulePtr extractor = lite0_feature_extractor(b.image_size, weights_path(b));
  const Tensor features = pooled_features(*extractor, train);
  const double feature_seconds = seconds_since(start);
  log << "  features of " << train.size() << " images in " << std::fixed << std::setprecision(1) << feature_seconds
      << " s\n"
      << std::defaultfloat;
  const Tensor labels = train.labels_tensor([&] {
    std::vector<std::int64_t> all(static_cast<std::size_t>(train.size()));
    for (std::size_t i = 0; i < all.size(); ++i) all[i] = static_cast<std::int64_t>(i);
    return all;
  }());

  const nn::ModelConfig config = lite0_config(b.image_size, train.classes, b.base.seed);
  Generator gen(b.base.seed * 7919 + 17);
  auto head = std::make_shared<nn::Linear>(kFeatures, train.classes, gen);
  auto optimizer = nn::make_optimizer("adam", head->parameters(), b.head_lr, 0);
  training::FitResult fit;
  const std::int64_t n = train.size(), batch = std::min(b.head_batch, n);
  for (std::int64_t epoch = 1; epoch <= b.head_epochs; ++epoch) {
    const Tensor order = randperm(n, gen);
    for (std::int64_t at = 0; at < n; at += batch) {
      const Tensor idx = order.narrow(0, at, std::min(batch, n - at));
      const Tensor logits = (*head)(index_select(features, 0, idx));
      // L2 on the weights only (not the bias): wd * sum(W^2).
      Tensor loss = cross_entropy(logits, index_select(labels, 0, idx));
      if (b.head_weight_decay > 0)
        loss = add(loss, mul(full({}, b.head_weight_decay), sum(mul(head->weight, head->weight))));
      optimizer->zero_grad();
      loss.backward();
      optimizer->step();
    }
    // Curves every 10% of the epochs (and the last): train and validation accuracy.
    if (epoch == b.head_epochs || epoch % std::max<std::int64_t>(1, b.head_epochs / 10) == 0) {
      const auto [train_accuracy, train_loss] = head_scores(*head, features, labels);
      const auto [val_accuracy, val_loss] = head_scores(*head, validation_features, validation_labels);
      training::EpochStats s;
      s.epoch = epoch;
      s.lr = b.head_lr;
      s.train_loss = train_loss;
      s.train_accuracy = train_accuracy;
      s.test_loss = val_loss;
      s.test_accuracy = val_accuracy;
      fit.history.push_back(s);
    }
  }
  // The whole network: pretrained backbone, the trained head as its classifier.
  nn::ModulePtr model = nn::pretrained_with_new_head(config, weights_path(b));
  {
    NoGradGuard no_grad;
    auto [w, bias] = classifier_of(*model);
    w.copy_(head->weight);
    bias.copy_(head->bias);
  }
  model->train(false);
  fit.seconds = seconds_since(start);
  const training::EpochStats& last = fit.history.back();
  fit.best_test_accuracy = last.test_accuracy;
  fit.best_epoch = last.epoch;
  log << "  head: " << b.head_epochs << " epochs on cached features, train acc " << report::format_percent(last.train_accuracy)
      << ", validation acc " << report::format_percent(last.test_accuracy) << "\n";
  const json extra{{"feature_seconds", feature_seconds},
                   {"head_epochs", b.head_epochs},
                   {"head_lr", b.head_lr},
                   {"head_weight_decay", b.head_weight_decay},
                   {"image_size", b.image_size}};
  return {model, config, std::move(fit), extra.dump()};
}

// Fine-tuning (PGD adversarial fine-tuning when `adversarial`): the
// pretrained network with a new head under fine_tune_freeze, the backbone at
// backbone_lr_scale times the head's rate; validation images as the curves' test set.
TrainedModel fine_tuned_model(const data::Dataset& train, const data::Dataset& validation, const TransferBudget& b,
                              bool adversarial, std::ostream& log) {
  const nn::ModelConfig config = lite0_config(b.image_size, train.classes, b.base.seed);
  training::TrainerOptions o = trainer_options(b.base, "adam", b.fine_tune_lr);
  o.epochs = b.epochs_for(train.size());
  o.batch_size = b.batch_for(train.size());
  o.backbone_lr_scale = b.backbone_lr_scale;
  o.progress = 0;
  training::Trainer trainer(
      nn::freeze(nn::pretrained_with_new_head(config, weights_path(b)), nn::parse_freeze(b.fine_tune_freeze)), config,
      o);
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
    s << "Lite0 frozen, " << px << ", linear head: " << b.head_epochs << " epochs on cached features, wd "
      << b.head_weight_decay;
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

std::vector<std::int64_t> range(std::int64_t from, std::int64_t to) {
  std::vector<std::int64_t> v;
  for (std::int64_t i = from; i < to; ++i) v.push_back(i);
  return v;
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

// One sentence per size with both rows: does the frozen row beat small-cnn,
// and do the 95% intervals of their clean accuracies separate?
std::string verdict_text(const std::vector<TransferRow>& rows, const TransferBudget& b) {
  std::ostringstream s;
  for (std::int64_t n : b.sizes) {
    const TransferRow* f = find_row(rows, "frozen", n);
    const TransferRow* c = find_row(rows, "small-cnn", n);
    if (!f || !c) continue;
    const eval::Interval fi = eval::accuracy_interval(f->row.clean, std::max<std::int64_t>(1, f->row.clean_count));
    const eval::Interval ci = eval::accuracy_interval(c->row.clean, std::max<std::int64_t>(1, c->row.clean_count));
    s << "- " << thousands(n) << " images: frozen Lite0 " << report::format_percent(f->row.clean) << " vs small-cnn "
      << report::format_percent(c->row.clean) << ": "
      << (fi.lo > ci.hi   ? "frozen features win (the 95% intervals do not overlap)"
          : ci.lo > fi.hi ? "small-cnn wins (the 95% intervals do not overlap)"
                          : "not separated (the 95% intervals overlap)")
      << "\n";
  }
  return s.str();
}

}  // namespace

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
  b.head_weight_decay = 1e-3;
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

nn::ModulePtr lite0_feature_extractor(std::int64_t image_size, const std::string& weights) {
  nn::ModulePtr model = nn::pretrained_with_new_head(lite0_config(image_size, kFeatures, 0), weights);
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
                                             const std::vector<std::string>& only) {
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
  for (std::int64_t n : b.sizes) {
    const data::Dataset train = data.train.head(n);
    for (const std::string& method : methods) {
      if (!runs_at(method, n, b)) continue;
      const std::string stage = method + "-" + std::to_string(n);
      TransferRow t;
      t.train_images = n;
      t.method = method;
      t.epochs = method == "frozen" ? b.head_epochs : b.epochs_for(n);
      if (method == "small-cnn") {
        t.row = model_stage(runner, stage, stage, method_detail(method, b), {train, data.test}, b.base,
                            [&](std::ostream& log) { return small_cnn_model(train, validation, b, log); });
      } else {
        lite0_data();
        const data::Dataset big_train = data::convert_dataset(train, 3, b.image_size, b.image_size);
        t.row = model_stage(runner, stage, stage, method_detail(method, b), {big_train, *big_test}, b.base,
                            [&](std::ostream& log) {
                              if (method != "frozen")
                                return fine_tuned_model(big_train, *big_validation, b, method == "adv-fine-tuned", log);
                              if (!validation_features) {
                                nn::ModulePtr extractor = lite0_feature_extractor(b.image_size, weights_path(b));
                                validation_features = std::make_shared<std::pair<Tensor, Tensor>>(
                                    pooled_features(*extractor, *big_validation),
                                    big_validation->labels_tensor(range(0, big_validation->size())));
                              }
                              return frozen_model(big_train, validation_features->first, validation_features->second,
                                                  b, log);
                            });
      }
      rows.push_back(std::move(t));
    }
  }
  runner.run("transfer", [&](StageFiles& files) {
    io::write_file_atomically(files.file("transfer.csv"), transfer_csv(rows, b));
    json j{{"experiment", "transfer"},
           {"budget", json::parse(budget_to_json(b.base))},
           {"image_size", b.image_size},
           {"validation_images", b.validation},
           {"rows", json::array()}};
    for (const auto& r : rows)
      j["rows"].push_back({{"train_images", r.train_images},
                           {"method", r.method},
                           {"epochs", r.epochs},
                           {"row", json::parse(row_to_json(r.row))}});
    io::write_file_atomically(files.file("transfer.json"), j.dump(1) + "\n");
    std::string md = "## Transfer learning: accuracy against the number of training images\n\n" +
                     report::table_markdown(transfer_table(rows, b)) + "\n" + verdict_text(rows, b);
    io::write_file_atomically(files.file("transfer.md"), md);
    write_stage_figure(files, transfer_chart(rows, b, false), "transfer");
    write_stage_figure(files, transfer_chart(rows, b, true), "transfer_pgd");
    return j["rows"].dump();
  });
  return rows;
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

report::ReportTable transfer_table(const std::vector<TransferRow>& rows, const TransferBudget& b) {
  report::ReportTable t;
  t.caption = "Fashion-MNIST, transfer from EfficientNet-Lite0 (" + std::to_string(b.image_size) +
              " px) vs small-cnn from scratch; accuracies with 95% intervals";
  t.header = {"train images", "method", "epochs", "train s", "clean",
              "FGSM eps " + report::format_fixed(b.base.eps, 2), "PGD-" + std::to_string(b.base.pgd_steps)};
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
