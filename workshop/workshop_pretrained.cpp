// The workshop's pretrained part: the same input gradients on a real
// ImageNet network. EfficientNet-Lite0 with its published weights classifies
// the photos of scripts/fetch-photos.sh, and PGD turns one photo's answer
// with a change of 1/255 per pixel and pushes another into a class of our
// choosing; its features, frozen, beat a small CNN trained from scratch when
// labelled images are few (the transfer table). Both files come from
// scripts (fetch-pretrained.sh, fetch-photos.sh); without them this part
// says how to get them and runs nothing, so a machine without a network
// connection still gets the rest of the report.
#include <filesystem>
#include <nlohmann/json.hpp>

#include "advgrad/data/imagenet.h"
#include "advgrad/eval/classify.h"
#include "advgrad/eval/image_attack.h"
#include "advgrad/eval/photo_corruptions.h"
#include "advgrad/eval/photo_labels.h"
#include "advgrad/eval/photo_robustness.h"
#include "advgrad/imageio/imagenet_photo.h"
#include "advgrad/imageio/jpeg_encoder.h"
#include "advgrad/io/cache_dir.h"
#include "advgrad/nn/pretrained.h"
#include "advgrad/report/photo_attack_figure.h"
#include "advgrad/report/photo_figures.h"
#include "advgrad/workshop/experiment_transfer.h"
#include "advgrad/workshop/workshop_parts.h"

namespace advgrad::workshop {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr const char* kArch = "efficientnet-lite0";
// The targeted attack's class: the adversarial patch of Brown et al. (2017,
// "Adversarial Patch") made everything a toaster; here a 4/255 perturbation does.
constexpr const char* kTarget = "toaster";

// The photos this part uses, or why it cannot run (a sentence for the report).
struct PhotoSet {
  std::vector<std::string> photos;
  std::string missing;
};

PhotoSet find_inputs(std::int64_t max_photos) {
  PhotoSet s;
  std::error_code ec;
  const std::string weights = (fs::path(io::cache_path("pretrained")) / (std::string(kArch) + ".pth")).string();
  const std::string dir = io::cache_path("photos");
  if (!fs::is_regular_file(weights, ec))
    s.missing = "the pretrained weights (" + weights + ") are not there: run scripts/fetch-pretrained.sh";
  else if (!fs::is_directory(dir, ec) || imageio::list_photos(dir).empty())
    s.missing = "the photos (" + dir + ") are not there: run scripts/fetch-photos.sh";
  else
    s.photos = imageio::list_photos(dir);
  if (max_photos > 0 && static_cast<std::int64_t>(s.photos.size()) > max_photos)
    s.photos.resize(static_cast<std::size_t>(max_photos));
  return s;
}

json prediction_json(const eval::Prediction& p) { return {{"index", p.index}, {"name", p.name}, {"p", p.probability}}; }

json attack_json(const std::string& photo, const eval::ImageAttack& a) {
  return {{"photo", photo},        {"clean", prediction_json(a.clean)},
          {"adversarial", prediction_json(a.adversarial)},
          {"success", a.success},  {"linf_255", a.linf * 255},
          {"target", a.target},    {"target_p", a.target_probability},
          {"seconds", a.seconds}};
}

attacks::AttackOptions photo_pgd(double eps_255) {
  attacks::AttackOptions o;
  o.eps = eps_255 / 255, o.step_size = o.eps / 4, o.steps = 10;
  return o;
}

// Classifies every photo (top 5) and runs the two attacks; their figures go
// to pretrained_untargeted.* and pretrained_targeted.*.
json run_photos(const std::vector<std::string>& photos, Device device, std::uint64_t seed, StageFiles& files) {
  nn::ModulePtr model = nn::pretrained_model(kArch);
  model->to(device);
  const std::vector<std::string> names = data::imagenet_class_names();
  std::vector<Tensor> images;
  for (const auto& p : photos) images.push_back(imageio::read_imagenet_photo(p).to(device));
  json top5 = json::array();
  for (std::size_t i = 0; i < photos.size(); ++i) {
    json row{{"photo", fs::path(photos[i]).filename().string()}, {"top5", json::array()}};
    const auto top = eval::classify(*model, images[i], names, 5);  // kept: a range-for over .front() of a temporary dangles
    for (const auto& p : top.front()) row["top5"].push_back(prediction_json(p));
    top5.push_back(row);
  }
  Generator gen(seed);
  const attacks::AttackOptions untargeted = photo_pgd(1);
  attacks::AttackOptions targeted = photo_pgd(4);
  targeted.targeted = true, targeted.target_mode = attacks::TargetMode::Fixed;
  targeted.target_class = eval::class_index(names, kTarget);
  targeted.objective = attacks::TargetedObjective::MinimiseTarget;
  // The first photo untargeted; the targeted attack on the next one whose answer is not already the target.
  const std::size_t first = 0;
  std::size_t second = photos.size() > 1 ? 1 : 0;
  while (second + 1 < photos.size() && top5[second]["top5"][0]["index"] == targeted.target_class) ++second;
  const eval::ImageAttack u = eval::attack_image(*model, images[first], untargeted, names, gen);
  const eval::ImageAttack t = eval::attack_image(*model, images[second], targeted, names, gen);
  write_stage_figure(files,
                     report::photo_attack_figure({u}, names, untargeted,
                                                 "Untargeted PGD, 10 steps in the L-inf ball of 1/255"),
                     "pretrained_untargeted");
  write_stage_figure(files,
                     report::photo_attack_figure({t}, names, targeted,
                                                 std::string("Targeted PGD toward \"") + kTarget +
                                                     "\", 10 steps in the L-inf ball of 4/255"),
                     "pretrained_targeted");
  return {{"model", kArch},
          {"top5", top5},
          {"untargeted", attack_json(top5[first]["photo"], u)},
          {"targeted", attack_json(top5[second]["photo"], t)}};
}

// ImageNet-C's corruptions on the photos (eval/photo_robustness.h): every
// corruption at every severity (--quick: three of them at severities 1 and 5);
// the heat map of the photos whose top-1 survives goes to pretrained_corruptions.*.
json run_corruptions(const std::vector<std::string>& photos, bool quick, Device device, std::uint64_t seed,
                     StageFiles& files) {
  nn::ModulePtr model = nn::pretrained_model(kArch);
  model->to(device);
  std::vector<Tensor> x;
  std::vector<std::vector<std::int64_t>> acceptable;
  for (const auto& p : photos) {
    x.push_back(imageio::read_imagenet_photo(p).select(0, 0).to(device));
    const eval::PhotoLabel* l = eval::find_photo_label(eval::builtin_photo_labels(), fs::path(p).filename().string());
    acceptable.push_back(l ? l->classes : std::vector<std::int64_t>{});
  }
  const std::vector<std::string> corruptions =
      quick ? std::vector<std::string>{"gaussian_noise", "motion_blur", "jpeg_compression"}
            : eval::photo_corruption_names();
  const std::vector<int> severities = quick ? std::vector<int>{1, 5} : std::vector<int>{1, 2, 3, 4, 5};
  const auto rows =
      eval::photo_corruption_stability(*model, x, acceptable, corruptions, severities, seed, imageio::jpeg_round_trip);
  write_stage_figure(files,
                     report::stability_heat_map(rows, report::StabilityMeasure::Unchanged,
                                                "Top-1 unchanged, " + std::to_string(photos.size()) + " photos"),
                     "pretrained_corruptions");
  json out = json::array();
  for (const auto& r : rows)
    out.push_back({{"corruption", r.corruption},
                   {"severity", r.severity},
                   {"unchanged", r.unchanged},
                   {"clean_class_prob", r.clean_class_prob},
                   {"labelled", r.labelled},
                   {"acceptable", r.acceptable}});
  return {{"rows", out}, {"photos", photos.size()}};
}

// The corruption and severity that left the fewest photos unchanged, and the mean over all.
std::string corruption_sentence(const json& j) {
  const json* worst = nullptr;
  double sum = 0;
  int n = 0;
  for (const auto& r : j["rows"]) {
    if (r["severity"].get<int>() == 0) continue;
    sum += r["unchanged"].get<double>(), ++n;
    const double u = r["unchanged"].get<double>(), w = worst ? (*worst)["unchanged"].get<double>() : 2.0;
    if (u < w || (u == w && r["severity"].get<int>() > (*worst)["severity"].get<int>())) worst = &r;  // ties: the harsher
  }
  if (!worst) return "";
  return "Averaged over every corruption and severity, the top-1 of " + report::format_percent(sum / n, 0) +
         " of the photos survives; the worst, " + (*worst)["corruption"].get<std::string>() + " at severity " +
         std::to_string((*worst)["severity"].get<int>()) + ", leaves " +
         report::format_percent((*worst)["unchanged"].get<double>(), 0) + ". No attacker chose these changes.";
}

report::ReportTable top5_table(const json& j) {
  report::ReportTable t{"EfficientNet-Lite0's five most likely classes per photo", {"photo"}, {}};
  for (int k = 1; k <= 5; ++k) t.header.push_back(std::to_string(k));
  for (const auto& row : j["top5"]) {
    std::vector<std::string> cells{row["photo"].get<std::string>()};
    for (const auto& p : row["top5"])
      cells.push_back(p["name"].get<std::string>() + " " + report::format_percent(p["p"].get<double>(), 0));
    t.rows.push_back(cells);
  }
  return t;
}

std::string attack_sentence(const json& a, const std::string& what) {
  std::string s = what + " on " + a["photo"].get<std::string>() + ": \"" +
                  a["clean"]["name"].get<std::string>() + "\" (" +
                  report::format_percent(a["clean"]["p"].get<double>(), 0) + ") became \"" +
                  a["adversarial"]["name"].get<std::string>() + "\" (" +
                  report::format_percent(a["adversarial"]["p"].get<double>(), 0) + ") with no pixel moved by more than " +
                  report::format_fixed(a["linf_255"].get<double>(), 2) + "/255";
  return s + (a["success"].get<bool>() ? "." : "; the attack did not reach its goal.");
}

// Transfer learning on the workshop's own data: the frozen Lite0 features
// (blocks 7, 10 and 15, a linear head on cached features) against small-cnn
// from scratch with few labelled images, compared on the same test images
// by McNemar's test (experiment_transfer.h; --full runs the experiment's
// full budget).
void transfer_section(WorkshopContext& ctx) {
  const TransferBudget b = workshop_transfer_budget(ctx.budget);
  if (ctx.data.train.size() < transfer_train_images(b)) {
    ctx.report.warning("The transfer table did not run: it needs " + std::to_string(transfer_train_images(b)) +
                       " training images, the budget has " + std::to_string(ctx.data.train.size()) + ".");
    return;
  }
  std::vector<TransferPaired> paired;
  const std::vector<TransferRow> rows = transfer_experiment(ctx.runner, ctx.data, b, {"frozen", "small-cnn"}, &paired);
  ctx.report.paragraph(
      "The same network as a feature extractor for our own images (docs/transfer-learning.md): frozen, read at "
      "three depths (blocks 7, 10 and 15, pooled), with only a new linear head trained on its features, against "
      "small-cnn trained from scratch, when only a few labelled images exist. Both classify the same test images, "
      "so McNemar's test compares them on the images where they disagree. `advgrad experiment transfer` adds "
      "fine-tuning and 10,000 images.");
  ctx.report.table(transfer_table(rows, b));
  ctx.report.figure("transfer", "Clean accuracy against the number of training images (95% intervals)");
  ctx.report.takeaway(paired_verdicts(rows, paired));
}

}  // namespace

void pretrained_part(WorkshopContext& ctx) {
  ctx.report.heading("15. A real pretrained network: EfficientNet-Lite0 on photos");
  const PhotoSet inputs = find_inputs(ctx.budget.level == "quick" ? 3 : 0);
  if (!inputs.missing.empty()) {
    ctx.runner.log() << "pretrained part skipped: " << inputs.missing << "\n";
    ctx.report.warning("This part did not run: " + inputs.missing + ". Then run the workshop again with --resume.");
    return;
  }
  const Device device = ctx.baseline ? ctx.baseline->device() : Device::cpu();
  const json j = json::parse(ctx.runner.run("pretrained-photos", {}, [&](StageFiles& files) {
    return run_photos(inputs.photos, device, ctx.budget.seed, files).dump();
  }));
  ctx.report.paragraph(
      "Everything above, on a network nobody here trained: EfficientNet-Lite0 (Tan & Le 2019) with the published "
      "ImageNet weights, read from the PyTorch checkpoint without running it (docs/pretrained.md). Each photo is "
      "resized to 256 on its shorter side and its centre 224 x 224 cropped; the network normalises inside, so the "
      "attacks' eps is in pixel units (1/255 is one grey level).");
  ctx.report.table(top5_table(j));
  ctx.report.figure("pretrained_untargeted", "Untargeted PGD at 1/255; the label is the network's own clean answer");
  ctx.report.figure("pretrained_targeted", std::string("Targeted PGD toward \"") + kTarget + "\" at 4/255");
  ctx.report.takeaway(attack_sentence(j["untargeted"], "Untargeted") + " " +
                      attack_sentence(j["targeted"], "Targeted toward \"" + std::string(kTarget) + "\""));
  const bool quick = ctx.budget.level == "quick";
  const json c = json::parse(ctx.runner.run("pretrained-corruptions", {}, [&](StageFiles& files) {
    return run_corruptions(inputs.photos, quick, device, ctx.budget.seed, files).dump();
  }));
  ctx.report.paragraph(
      "No attacker is needed either: ImageNet-C's corruptions (Hendrycks & Dietterich 2019; noise, blur, weather, "
      "digital; docs/natural-robustness.md) at severities 1 to 5 change many of the same answers. Each cell is the "
      "share of the photos whose top-1 class is still the clean top-1. `advgrad photos --corruptions all` prints "
      "the whole table, the confidence that is left, and the ImageNet-A protocol.");
  ctx.report.figure("pretrained_corruptions", "Top-1 stability of EfficientNet-Lite0 under each corruption and severity");
  ctx.report.takeaway(corruption_sentence(c));
  transfer_section(ctx);
}

}  // namespace advgrad::workshop
