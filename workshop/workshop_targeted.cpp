// The assignment's targeted attack as it is asked: "make everything a 3".
// One test image of each class is pushed toward one fixed class, and the same
// attack on all attacked images gives the success rate per true class.
#include <nlohmann/json.hpp>

#include "advgrad/core/grad_mode.h"
#include "advgrad/core/ops/ops.h"
#include "advgrad/eval/interval.h"
#include "advgrad/eval/robust_eval.h"
#include "advgrad/report/bar_chart.h"
#include "advgrad/report/image_grid.h"
#include "advgrad/report/raster.h"
#include "advgrad/workshop/report_text.h"
#include "advgrad/workshop/workshop_parts.h"

namespace advgrad::workshop {
namespace {

using nlohmann::json;

// The first test image of each class (classes without one are skipped).
std::vector<std::int64_t> one_per_class(const data::Dataset& test) {
  std::vector<std::int64_t> first(static_cast<std::size_t>(test.classes), -1);
  for (std::int64_t i = 0; i < test.size(); ++i)
    if (first[test.labels[i]] < 0) first[test.labels[i]] = i;
  std::vector<std::int64_t> idx;
  for (auto i : first)
    if (i >= 0) idx.push_back(i);
  return idx;
}

// Two rows: the clean images (true class) and the attacked ones, each labelled
// "hit" (now predicted as the target) or "miss" (and what it is predicted as).
json make_everything(nn::Module& model, const data::Dataset& test, const attacks::AttackOptions& o,
                     std::uint64_t seed, StageFiles& files) {
  const std::vector<std::int64_t> idx = one_per_class(test);
  const Device device = model.device();
  const Tensor x = test.images_tensor(idx).to(device), y = test.labels_tensor(idx).to(device);
  Generator gen(seed);
  const attacks::AttackResult a = attacks::pgd(model, x, y, o, gen);
  Tensor probs;
  {
    attacks::EvalModeGuard eval_mode(model);
    NoGradGuard no_grad;
    probs = softmax(model(a.x_adv), 1).to(Device::cpu());
  }
  const auto pred = argmax(probs, 1).to_int_vector(), labels = y.to_int_vector();
  const std::string& target = test.class_names.at(o.target_class);
  std::vector<report::GridTile> clean, attacked;
  std::vector<std::string> headers;
  std::int64_t hits = 0, tried = 0;
  for (std::size_t i = 0; i < idx.size(); ++i) {
    const std::int64_t k = static_cast<std::int64_t>(i);
    headers.push_back(test.class_names.at(labels[i]));
    clean.push_back({report::tensor_to_image(x.select(0, k).to(Device::cpu())), {}});
    const std::string p = report::format_percent(probs.at({k, pred[i]}), 0);
    if (labels[i] == o.target_class) {
      attacked.push_back({report::tensor_to_image(a.x_adv.select(0, k).to(Device::cpu())),
                          {{"already a " + target, report::kMuted}}});
      continue;
    }
    ++tried;
    const bool hit = pred[i] == o.target_class;
    hits += hit;
    attacked.push_back({report::tensor_to_image(a.x_adv.select(0, k).to(Device::cpu())),
                        {{hit ? "hit" : "miss", hit ? report::kRight : report::kWrong},
                         {(hit ? target : test.class_names.at(pred[i])) + " " + p, hit ? report::kRight : report::kWrong}}});
  }
  report::ImageGridOptions go;
  go.title = "Make everything a \"" + target + "\": targeted PGD-" + std::to_string(o.steps) + ", eps " +
             report::format_fixed(o.eps, 2);
  go.column_headers = headers;
  go.row_labels = {"clean", "attacked"};
  go.row_label_width = 80;
  go.scale = 2;
  write_stage_figure(files, report::image_grid({clean, attacked}, go), "make_everything");
  return {{"target", target}, {"hits", hits}, {"tried", tried}};
}

// The same targeted attack on the attacked images: its success rate per true
// class (with Wilson whiskers) as a bar chart.
json success_by_class(WorkshopContext& ctx, const attacks::AttackOptions& o, const std::string& target,
                      StageFiles& files) {
  const eval::RobustResult r =
      eval::robust_accuracy(*ctx.baseline, ctx.data.test, o, ctx.budget.seed, 250, ctx.budget.attack_examples);
  std::vector<std::string> classes;
  report::BarSeries bars{"targeted success", {}, {}, {}};
  json per_class = json::array();
  for (std::size_t c = 0; c < r.class_eligible.size(); ++c) {
    if (r.class_eligible[c] == 0) continue;  // the target class itself, or a class not among the attacked images
    const eval::Interval ci = eval::wilson_interval(r.class_success[c], r.class_eligible[c]);
    classes.push_back(ctx.data.test.class_names.at(c));
    bars.values.push_back(static_cast<double>(r.class_success[c]) / static_cast<double>(r.class_eligible[c]));
    bars.lo.push_back(ci.lo);
    bars.hi.push_back(ci.hi);
    per_class.push_back({{"class", classes.back()}, {"success", r.class_success[c]}, {"eligible", r.class_eligible[c]}});
  }
  report::BarChartOptions bo;
  bo.title = "Turned into \"" + target + "\", by true class (whiskers: 95% intervals)";
  bo.x_label = "true class";
  bo.y_label = "targeted success";
  write_stage_figure(files, report::bar_chart(classes, {bars}, bo), "targeted_by_class");
  return {{"per_class", per_class}, {"success", r.success_rate}, {"count", r.count}};
}

// The takeaway: how many of the one-per-class images turned, the overall
// rate, and the easiest class against the hardest.
std::string targeted_takeaway(const json& j, const std::string& target) {
  std::string text = std::to_string(j["hits"].get<std::int64_t>()) + " of the " +
                     std::to_string(j["tried"].get<std::int64_t>()) + " images above became a \"" + target +
                     "\"; over all attacked images the targeted attack succeeded on " +
                     report::format_percent(j["success"].get<double>()) + ".";
  const json* easiest = nullptr;
  const json* hardest = nullptr;
  auto rate = [](const json& c) {
    return static_cast<double>(c["success"].get<std::int64_t>()) / static_cast<double>(c["eligible"].get<std::int64_t>());
  };
  for (const auto& c : j["per_class"]) {
    if (!easiest || rate(c) > rate(*easiest)) easiest = &c;
    if (!hardest || rate(c) < rate(*hardest)) hardest = &c;
  }
  if (!easiest || easiest == hardest) return text;
  auto measured = [&](const json& c) {
    std::string name = "\"";  // appended, not operator+: GCC 12 at -O3 misreports that chain as -Wrestrict
    name += c["class"].get<std::string>();
    name += '"';
    return Measured{name, rate(c), c["eligible"].get<std::int64_t>()};
  };
  return text + " " + compare_text(measured(*easiest), measured(*hardest)) + " (success " +
         std::to_string((*easiest)["success"].get<std::int64_t>()) + " of " +
         std::to_string((*easiest)["eligible"].get<std::int64_t>()) + " vs " +
         std::to_string((*hardest)["success"].get<std::int64_t>()) + " of " +
         std::to_string((*hardest)["eligible"].get<std::int64_t>()) + ").";
}

}  // namespace

void targeted_part(WorkshopContext& ctx) {
  const auto& b = ctx.budget;
  attacks::AttackOptions o = pgd_options(b.eps, b.pgd_steps);
  o.targeted = true;
  o.target_mode = attacks::TargetMode::Fixed;
  o.target_class = std::min<std::int64_t>(3, ctx.data.test.classes - 1);  // "a 3"
  const std::string target = ctx.data.test.class_names.at(o.target_class);
  const json j = json::parse(ctx.runner.run("targeted", [&](StageFiles& files) {
    json out = make_everything(*ctx.baseline, ctx.data.test, o, b.seed, files);
    out.update(success_by_class(ctx, o, target, files));
    return out.dump();
  }));
  ctx.report.heading("3. Targeted: make everything a " + std::to_string(o.target_class) + " (\"" + target + "\")");
  ctx.report.paragraph("A targeted attack chooses the wrong answer: here every image is pushed toward class \"" +
                       target + "\" by maximising loss(true) - loss(" + target + ") with " + std::to_string(o.steps) +
                       " PGD steps inside the same eps-ball. Above: one test image of each class; below: the same "
                       "attack on the first " + std::to_string(j["count"].get<std::int64_t>()) +
                       " test images, grouped by their true class.");
  ctx.report.figure("make_everything", "One image per class; green: turned into \"" + target + "\", red: not");
  ctx.report.figure("targeted_by_class", "Targeted success by true class");
  ctx.report.takeaway(targeted_takeaway(j, target));
}

}  // namespace advgrad::workshop
