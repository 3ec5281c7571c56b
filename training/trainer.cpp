#include "advgrad/training/trainer.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <cmath>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <iomanip>
#include <iostream>
#include <nlohmann/json.hpp>

#include "advgrad/core/grad_mode.h"
#include "advgrad/core/ops/ops.h"
#include "advgrad/nn/dropout.h"
#include "advgrad/nn/freeze.h"
#include "advgrad/nn/model_io.h"
#include "advgrad/nn/safetensors.h"

namespace advgrad::training {
namespace {

std::atomic<bool> interrupt_requested{false};
extern "C" void on_sigint(int) { interrupt_requested = true; }

// Installs the SIGINT handler for the duration of fit().
class InterruptGuard {
 public:
  InterruptGuard() {
    interrupt_requested = false;
    struct sigaction sa {};
    sa.sa_handler = on_sigint;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, &previous_);
  }
  ~InterruptGuard() { sigaction(SIGINT, &previous_, nullptr); }

 private:
  struct sigaction previous_ {};
};

using Clock = std::chrono::steady_clock;
double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

std::vector<nn::Dropout*> dropouts(nn::Module& m) {
  std::vector<nn::Dropout*> out;
  for (auto& [name, mod] : m.named_modules())
    if (auto* d = dynamic_cast<nn::Dropout*>(mod)) out.push_back(d);
  return out;
}

std::string format_duration(double s) {
  const long t = static_cast<long>(s + 0.5);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%ld:%02ld", t / 60, t % 60);
  return buf;
}

void draw_progress(std::int64_t epoch, std::int64_t epochs, std::int64_t done, std::int64_t total, double rate,
                   double loss) {
  constexpr int kWidth = 24;
  const int filled = static_cast<int>(kWidth * done / std::max<std::int64_t>(total, 1));
  const double eta = rate > 0 ? static_cast<double>(total - done) / rate : 0;
  std::fprintf(stderr, "\r  epoch %lld/%lld [%s%s] %lld/%lld  %.0f batch/s  ETA %s  loss %.4f ", (long long)epoch,
               (long long)epochs, std::string(filled, '=').c_str(), std::string(kWidth - filled, ' ').c_str(),
               (long long)done, (long long)total, rate, format_duration(eta).c_str(), loss);
  std::fflush(stderr);
}

// The shortest decimal that reads back as `v` ("0.05", "1e+30").
std::string shortest(double v) {
  char buf[64];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, r.ptr);
}

using Record = std::vector<std::pair<std::string, std::string>>;

nlohmann::json record_to_json(const Record& record) {
  nlohmann::json j = nlohmann::json::array();
  for (const auto& [flag, value] : record) j.push_back({flag, value});
  return j;
}

}  // namespace

Trainer::Trainer(nn::ModulePtr model, nn::ModelConfig config, TrainerOptions options)
    : model_(std::move(model)), config_(std::move(config)), options_(std::move(options)) {
  ADVGRAD_CHECK(model_ != nullptr, "Trainer: no model");
  ADVGRAD_CHECK(options_.epochs >= 1, "Trainer: epochs must be >= 1, got ", options_.epochs);
  ADVGRAD_CHECK(options_.batch_size >= 1 && options_.eval_batch_size >= 1, "Trainer: batch sizes must be >= 1");
  ADVGRAD_CHECK(options_.grad_clip >= 0, "Trainer: grad_clip must be >= 0");
  model_->to(options_.device);  // before the optimizer takes the parameters
  // One group of every parameter; for a partly frozen model (nn/freeze.h) the head, and the
  // trainable rest at backbone_lr_scale times the rate, without the frozen parameters.
  const double lr = options_.lr > 0 ? options_.lr : nn::default_lr(options_.optimizer);
  optimizer_ = nn::make_optimizer(options_.optimizer, nn::trainable_groups(*model_, lr, options_.backbone_lr_scale),
                                  lr, options_.weight_decay);
  options_.lr = optimizer_->lr();  // resolved default
  step_loss_ = [](nn::Module& m, const data::Batch& b, Tensor& logits) {
    logits = m(b.images);
    return cross_entropy(logits, b.labels);
  };
}

void Trainer::save_checkpoint(const std::string& path, std::int64_t epoch, std::int64_t batch) const {
  std::map<std::string, Tensor> tensors;
  for (auto& [name, t] : model_->state_dict()) tensors["model." + name] = t;
  for (auto& [name, t] : optimizer_->state_dict()) tensors["optim." + name] = t;
  nlohmann::json progress{{"epoch", epoch}, {"batch", batch}, {"optimizer", optimizer_->name()},
                          {"best_test_accuracy", result_.best_test_accuracy}, {"best_epoch", result_.best_epoch}};
  nlohmann::json history = nlohmann::json::array();
  for (const auto& h : result_.history)
    history.push_back({h.epoch, h.lr, h.train_loss, h.train_accuracy, h.test_loss, h.test_accuracy, h.seconds,
                       h.images_per_second});
  progress["history"] = history;
  nlohmann::json rng = nlohmann::json::array();
  for (auto* d : dropouts(*model_)) rng.push_back({d->generator().state().seed, d->generator().state().offset});
  progress["dropout_rng"] = rng;
  progress["run"] = record_to_json(run_record());
  nn::save_safetensors(path, tensors,
                       {{"advgrad.model", nn::config_to_json(config_)}, {"advgrad.checkpoint", progress.dump()}});
}

std::vector<std::pair<std::string, std::string>> Trainer::run_record() const {
  Record r{{"--optimizer", options_.optimizer},
           {"--lr", shortest(options_.lr)},
           {"--weight-decay", shortest(options_.weight_decay)},
           {"--schedule", options_.schedule},
           {"--batch-size", std::to_string(options_.batch_size)},
           {"--seed", std::to_string(options_.seed)},
           {"--epochs", std::to_string(options_.epochs)},
           {"--grad-clip", shortest(options_.grad_clip)},
           {"--backbone-lr-scale", shortest(options_.backbone_lr_scale)}};
  r.insert(r.end(), options_.run_record.begin(), options_.run_record.end());
  return r;
}

namespace {

// The checkpoint's run record against this run's: every flag whose value
// differs is a refusal (all of them named in one line) unless accept_changes.
// A flag only one side records (a newer or older advgrad) is not compared.
std::vector<std::string> compare_run_records(const nlohmann::json& saved, const Record& now, const std::string& path,
                                             const std::string& schedule, bool accept_changes) {
  std::vector<std::string> notes, changed;
  for (const auto& entry : saved) {
    const auto flag = entry.at(0).get<std::string>(), then = entry.at(1).get<std::string>();
    const auto it = std::find_if(now.begin(), now.end(), [&](const auto& e) { return e.first == flag; });
    if (it == now.end() || it->second == then) continue;
    if (flag == "--epochs" && schedule == "constant") {
      notes.push_back("resume: training to " + it->second + " epochs (checkpoint '" + path + "' was made by a run of " +
                      then + ")");
      continue;
    }
    if (accept_changes)
      notes.push_back("resume: " + flag + " changed from " + then + " to " + it->second + " (--resume-force)");
    else
      changed.push_back(flag + " is " + it->second + " but the checkpoint was trained with " + then);
  }
  if (!changed.empty()) {
    std::string list;
    for (const auto& c : changed) list += (list.empty() ? "" : "; ") + c;
    const bool epochs = changed.size() == 1 && changed[0].rfind("--epochs", 0) == 0;
    detail::fail("resume: ", list, " (checkpoint '", path, "'); pass the same value",
                 changed.size() > 1 ? "s" : "", epochs ? " (the " + schedule + " schedule depends on the length)" : "",
                 " or --resume-force to accept the change");
  }
  return notes;
}

}  // namespace

std::vector<std::string> Trainer::resume(const std::string& path, bool accept_changes) {
  nn::SafetensorsFile file = nn::load_safetensors(path);
  auto it = file.metadata.find("advgrad.checkpoint");
  ADVGRAD_CHECK(it != file.metadata.end(), "resume: '", path, "' is not an advgrad checkpoint (no progress metadata)");
  std::vector<std::string> notes;
  nn::StateDict model_state;
  nn::OptimizerState optim_state;
  for (auto& [name, t] : file.tensors) {
    if (name.rfind("model.", 0) == 0) model_state[name.substr(6)] = t;
    else if (name.rfind("optim.", 0) == 0) optim_state[name.substr(6)] = t;
  }
  try {
    const auto p = nlohmann::json::parse(it->second);
    ADVGRAD_CHECK(p.at("optimizer").get<std::string>() == optimizer_->name(), "resume: checkpoint '", path,
                  "' was made with optimizer ", p.at("optimizer").get<std::string>(), ", this run uses ",
                  optimizer_->name());
    if (p.contains("run"))
      notes = compare_run_records(p.at("run"), run_record(), path, options_.schedule, accept_changes);
    else
      notes.push_back("resume: checkpoint '" + path + "' predates run records; its flags are not compared with "
                      "this run's (pass the same ones)");
    model_->load_state_dict(model_state);
    optimizer_->load_state_dict(optim_state);
    start_epoch_ = p.at("epoch").get<std::int64_t>();
    start_batch_ = p.at("batch").get<std::int64_t>();
    result_ = FitResult{};
    result_.best_test_accuracy = p.at("best_test_accuracy").get<double>();
    result_.best_epoch = p.at("best_epoch").get<std::int64_t>();
    for (const auto& h : p.at("history"))
      result_.history.push_back({h[0].get<std::int64_t>(), h[1], h[2], h[3], h[4], h[5], h[6], h[7]});
    auto drops = dropouts(*model_);
    const auto& rng = p.at("dropout_rng");
    ADVGRAD_CHECK(rng.size() == drops.size(), "resume: checkpoint has ", rng.size(), " dropout generators, model has ",
                  drops.size());
    for (std::size_t i = 0; i < drops.size(); ++i)
      drops[i]->generator().set_state({rng[i][0].get<std::uint64_t>(), rng[i][1].get<std::uint64_t>()});
  } catch (const nlohmann::json::exception& e) {
    detail::fail("resume: checkpoint '", path, "' has corrupt progress metadata (", e.what(), ")");
  }
  have_checkpoint_ = true;
  return notes;
}

// The running sums of one epoch's training batches.
struct Trainer::EpochRun {
  Clock::time_point start = Clock::now();
  double loss_sum = 0;
  std::int64_t batches = 0;                         // done this epoch (a resumed one counts its skipped ones)
  std::int64_t per_epoch = 0;                       // batches in a whole epoch
  std::int64_t seen = 0, correct = 0, logits_seen = 0;  // examples; correct of those with clean logits
  bool interrupted = false;
};

FitResult Trainer::fit(const data::Dataset& train, const data::Dataset& test, std::ostream& log) {
  InterruptGuard interrupt_guard;
  data::LoaderOptions lo;
  lo.batch_size = options_.batch_size;
  lo.seed = options_.seed;
  lo.crop_padding = options_.crop_padding;
  lo.horizontal_flip = options_.horizontal_flip;
  data::DataLoader loader(train, lo);
  nn::LrScheduleConfig sc;
  sc.kind = options_.schedule;
  sc.lr = options_.lr;
  const nn::LrSchedule schedule(sc, options_.epochs * loader.batches_per_epoch());
  const auto fit_start = Clock::now();
  std::int64_t stale_epochs = 0;
  for (std::int64_t epoch = start_epoch_; epoch < options_.epochs; ++epoch) {
    EpochRun run = train_epoch(loader, schedule, epoch);
    if (run.interrupted) {
      save_interrupted(epoch, run, log);
      result_.seconds += seconds_since(fit_start);
      return result_;
    }
    const EpochStats stats = evaluate_epoch(epoch, run, test, log);
    if (!end_epoch(stats, stale_epochs, log)) break;
  }
  start_epoch_ = options_.epochs;
  result_.seconds += seconds_since(fit_start);
  return result_;
}

// Phase 1: one pass over the loader's batches (the rest of it, for an epoch
// resumed mid-way), with a progress bar on a terminal; stops early on Ctrl-C.
Trainer::EpochRun Trainer::train_epoch(data::DataLoader& loader, const nn::LrSchedule& schedule, std::int64_t epoch) {
  const bool bar = options_.progress == 1 || (options_.progress == -1 && ::isatty(STDERR_FILENO));
  const std::int64_t per_epoch = loader.batches_per_epoch();
  const Device device = model_->device();  // the loader builds batches on the host
  model_->train();
  loader.start_epoch(epoch);
  EpochRun run;
  run.per_epoch = per_epoch;
  if (epoch == start_epoch_ && start_batch_ > 0) {
    loader.skip(start_batch_);
    run.batches = start_batch_;
  }
  data::Batch batch;
  while (loader.next(batch)) {
    optimizer_->set_lr(schedule.at(epoch * per_epoch + run.batches));
    batch.images = batch.images.to(device);
    batch.labels = batch.labels.to(device);
    train_step(batch, epoch, per_epoch, run);
    if (bar)
      draw_progress(epoch + 1, options_.epochs, run.batches, per_epoch,
                    static_cast<double>(run.batches) / std::max(1e-9, seconds_since(run.start)),
                    run.loss_sum / static_cast<double>(run.seen));
    if (interrupt_requested) {
      if (bar) std::fputs("\n", stderr);
      check_weights_finite(epoch, run);
      run.interrupted = true;
      return run;
    }
  }
  if (bar) std::fputs("\r\033[K", stderr);
  check_weights_finite(epoch, run);
  return run;
}

// "training diverged at epoch E, step S of N: <cause>", the rate and what is
// (not) kept. The same steps with a lower rate usually stay finite.
std::string Trainer::diverged(std::int64_t epoch, std::int64_t step, std::int64_t per_epoch,
                              const std::string& cause) const {
  return "training diverged at epoch " + std::to_string(epoch + 1) + ", step " + std::to_string(step) + " of " +
         std::to_string(per_epoch) + ": " + cause + " (--lr " + shortest(options_.lr) +
         "; try a lower --lr); nothing from this run was saved" +
         (have_checkpoint_ ? ", the last checkpoint '" + options_.checkpoint_path + "' is kept as it was" : "");
}

// The last step of an epoch (or before Ctrl-C) may leave non-finite weights
// whose loss no step computed: nothing is saved from them. Once per epoch: the
// weights are copied to the host to be checked.
void Trainer::check_weights_finite(std::int64_t epoch, const EpochRun& run) const {
  const std::string bad = nn::describe_non_finite(model_->state_dict());
  if (!bad.empty()) detail::fail(diverged(epoch, run.batches, run.per_epoch, "the weights are not finite, first " + bad));
}

// One optimizer step on one batch (on the model's device): zero_grad, loss,
// backward, optional clipping, step.
void Trainer::train_step(const data::Batch& batch, std::int64_t epoch, std::int64_t per_epoch, EpochRun& run) {
  optimizer_->zero_grad();
  Tensor logits;
  Tensor loss = step_loss_(*model_, batch, logits);
  const double value = loss.item();
  if (!std::isfinite(value)) detail::fail(diverged(epoch, run.batches + 1, per_epoch, "the loss is " + shortest(value)));
  loss.backward();
  if (options_.grad_clip > 0) nn::clip_grad_norm(model_->parameters(), options_.grad_clip);
  optimizer_->step();
  const std::int64_t b = batch.labels.numel();
  run.loss_sum += value * static_cast<double>(b);
  run.seen += b;
  if (logits.defined()) {
    NoGradGuard no_grad;
    run.correct += static_cast<std::int64_t>(sum(eq(argmax(logits, 1), batch.labels).to(DType::Float64)).item());
    run.logits_seen += b;
  }
  ++run.batches;
}

// Ctrl-C: a checkpoint at the batch reached, so resume() continues from there.
void Trainer::save_interrupted(std::int64_t epoch, const EpochRun& run, std::ostream& log) {
  if (!options_.checkpoint_path.empty()) {
    save_checkpoint(options_.checkpoint_path, epoch, run.batches);
    have_checkpoint_ = true;
  }
  log << "interrupted at epoch " << epoch + 1 << ", batch " << run.batches
      << (options_.checkpoint_path.empty() ? "" : "; checkpoint written to " + options_.checkpoint_path) << "\n";
  result_.interrupted = true;
}

// Phase 2: the epoch's statistics (training sums + a test-set evaluation),
// recorded in the history and printed as one line.
EpochStats Trainer::evaluate_epoch(std::int64_t epoch, const EpochRun& run, const data::Dataset& test,
                                   std::ostream& log) {
  const double train_seconds = seconds_since(run.start);
  const eval::EvalResult ev = eval::evaluate(*model_, test, options_.eval_batch_size);
  EpochStats s;
  s.epoch = epoch + 1;
  s.lr = optimizer_->lr();
  s.train_loss = run.seen ? run.loss_sum / static_cast<double>(run.seen) : 0;
  s.train_accuracy = run.logits_seen ? static_cast<double>(run.correct) / static_cast<double>(run.logits_seen) : 0;
  s.test_loss = ev.loss;
  s.test_accuracy = ev.accuracy;
  s.seconds = seconds_since(run.start);
  s.images_per_second = train_seconds > 0 ? static_cast<double>(run.seen) / train_seconds : 0;
  result_.history.push_back(s);
  log << "epoch " << std::setw(3) << s.epoch << "/" << options_.epochs << std::fixed << std::setprecision(4)
      << "  train loss " << s.train_loss << "  acc " << std::setprecision(2) << 100 * s.train_accuracy
      << "%  test loss " << std::setprecision(4) << s.test_loss << "  acc " << std::setprecision(2)
      << 100 * s.test_accuracy << "%  " << std::setprecision(1) << s.seconds << " s  " << std::setprecision(0)
      << s.images_per_second << " img/s" << std::defaultfloat << std::setprecision(6)
      << std::endl;  // visible in logs as it happens
  return s;
}

// Phase 3: keep the best model, write the checkpoint, ask the epoch hook, and
// apply early stopping. Returns false to stop training.
bool Trainer::end_epoch(const EpochStats& s, std::int64_t& stale_epochs, std::ostream& log) {
  if (s.test_accuracy > result_.best_test_accuracy || result_.best_epoch == 0) {
    result_.best_test_accuracy = s.test_accuracy;
    result_.best_epoch = s.epoch;
    stale_epochs = 0;
    if (!options_.best_model_path.empty()) nn::save_model(options_.best_model_path, *model_, config_);
  } else {
    ++stale_epochs;
  }
  start_batch_ = 0;
  if (!options_.checkpoint_path.empty()) {
    save_checkpoint(options_.checkpoint_path, s.epoch, 0);
    have_checkpoint_ = true;
  }
  if (epoch_hook_ && !epoch_hook_(s, log)) return false;
  if (options_.early_stop_patience > 0 && stale_epochs >= options_.early_stop_patience) {
    log << "early stop: no test-accuracy improvement for " << stale_epochs << " epochs\n";
    result_.early_stopped = true;
    return false;
  }
  return true;
}

}  // namespace advgrad::training
