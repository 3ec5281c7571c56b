// The workshop's first half: train the baseline, attack it, look at its gradients.
#include <nlohmann/json.hpp>
#include <ostream>
#include <sstream>

#include "advgrad/attacks/saliency.h"
#include "advgrad/core/grad_mode.h"
#include "advgrad/core/ops/ops.h"
#include "advgrad/eval/evaluate.h"
#include "advgrad/eval/interval.h"
#include "advgrad/eval/robust_eval.h"
#include "advgrad/io/atomic_file.h"
#include "advgrad/report/attack_grid.h"
#include "advgrad/report/figures.h"
#include "advgrad/report/heat_map.h"
#include "advgrad/report/image_grid.h"
#include "advgrad/report/line_chart.h"
#include "advgrad/report/raster.h"
#include "advgrad/workshop/gradient_focus.h"
#include "advgrad/workshop/report_text.h"
#include "advgrad/workshop/training_curves.h"
#include "advgrad/workshop/workshop_parts.h"

namespace advgrad::workshop {
namespace {

using nlohmann::json;

struct NamedAttack {
  std::string name, file, what;
  attacks::AttackOptions options;
};

// The three attacks of the workshop at the budget's eps.
std::vector<NamedAttack> workshop_attacks(const ExperimentBudget& b) {
  const attacks::AttackOptions pgd = pgd_options(b.eps, b.pgd_steps);
  attacks::AttackOptions targeted = pgd;
  targeted.targeted = true;
  targeted.target_mode = attacks::TargetMode::Random;  // a random wrong class per example
  const std::string k = std::to_string(b.pgd_steps);
  return {{"FGSM", "attack_fgsm", "one step of eps * sign(dLoss/dx)", fgsm_options(b.eps)},
          {"PGD-" + k, "attack_pgd", k + " projected sign steps from a random start", pgd},
          {"targeted PGD-" + k, "attack_targeted", "maximise loss(true) - loss(target) toward a random wrong class",
           targeted}};
}

// The FGSM tutorial's view (PyTorch's "Adversarial Example Generation"): the
// same first test images attacked at growing eps, one row per eps, each tile
// "true -> predicted (confidence)", red where the prediction is wrong.
report::Figure tutorial_rows(nn::Module& model, const data::Dataset& test, const std::vector<double>& eps_rows,
                             const std::vector<eval::RobustResult>& at, std::int64_t columns) {
  const std::int64_t n = std::min<std::int64_t>(columns, test.size());
  std::vector<std::int64_t> idx;
  for (std::int64_t i = 0; i < n; ++i) idx.push_back(i);
  const Tensor x = test.images_tensor(idx).to(model.device()), y = test.labels_tensor(idx).to(model.device());
  const auto labels = y.to_int_vector();
  std::vector<std::vector<report::GridTile>> rows;
  std::vector<std::string> row_labels;
  for (std::size_t r = 0; r < eps_rows.size(); ++r) {
    const Tensor adv = attacks::fgsm(model, x, y, eps_rows[r]).x_adv;
    Tensor probs;
    {
      attacks::EvalModeGuard eval_mode(model);
      NoGradGuard no_grad;
      probs = softmax(model(adv), 1).to(Device::cpu());
    }
    const auto pred = argmax(probs, 1).to_int_vector();
    std::vector<report::GridTile> tiles;
    for (std::int64_t i = 0; i < n; ++i) {
      const double confidence = probs.at({i, pred[i]});
      const report::Color color = pred[i] == labels[i] ? report::kRight : report::kWrong;
      tiles.push_back({report::tensor_to_image(adv.select(0, i).to(Device::cpu())),
                       {{test.class_names.at(labels[i]) + " ->", report::kInk},
                        {test.class_names.at(pred[i]) + " (" + report::format_percent(confidence, 0) + ")", color}}});
    }
    rows.push_back(std::move(tiles));
    // Each row's accuracy is the sweep's, measured on all the attacked images.
    row_labels.push_back("eps " + report::format_fixed(eps_rows[r], 2) + ": accuracy " +
                         accuracy_text(at[r].robust_accuracy, at[r].count));
  }
  report::ImageGridOptions o;
  o.title = "FGSM at growing eps: true -> predicted (confidence)";
  o.row_labels = row_labels;
  o.scale = 2.5;
  o.row_label_width = 150;
  return report::image_grid(rows, o);
}

report::Figure accuracy_vs_eps(const std::vector<double>& eps, const std::vector<eval::RobustResult>& fgsm,
                               const std::vector<eval::RobustResult>& pgd, int pgd_steps, const std::string& title) {
  std::vector<report::ChartSeries> series{{"FGSM", {}, {}, {}, {}},
                                          {"PGD-" + std::to_string(pgd_steps), {}, {}, {}, {}}};
  for (std::size_t i = 0; i < eps.size(); ++i)
    for (auto [s, r] : {std::pair{&series[0], &fgsm[i]}, std::pair{&series[1], &pgd[i]}}) {
      const eval::Interval ci = eval::accuracy_interval(r->robust_accuracy, r->count);
      s->x.push_back(eps[i]);
      s->y.push_back(r->robust_accuracy);
      s->y_lo.push_back(ci.lo);
      s->y_hi.push_back(ci.hi);
    }
  report::ChartOptions co;
  co.title = title;
  co.x_label = "eps (pixel units); bands: 95% intervals";
  co.y_label = "accuracy";
  return report::line_chart(series, co);
}

json result_json(const eval::RobustResult& r) {
  return {{"eps", r.eps}, {"clean", r.clean_accuracy}, {"robust", r.robust_accuracy}, {"success", r.success_rate},
          {"count", r.count}, {"seconds", r.seconds}};
}

// The three named attacks at the headline eps: accuracy, an example grid
// each, and the confusion matrix under PGD.
json run_named_attacks(WorkshopContext& ctx, const std::vector<NamedAttack>& named, StageFiles& files) {
  const auto& b = ctx.budget;
  json out = json::array();
  for (const auto& a : named) {
    const eval::RobustResult r =
        eval::robust_accuracy(*ctx.baseline, ctx.data.test, a.options, b.seed, 250, b.attack_examples);
    write_stage_figure(files,
                       report::attack_example_grid(*ctx.baseline, ctx.data.test, a.options, b.seed, 3,
                                                   a.name + " at eps " + report::format_fixed(b.eps, 2) +
                                                       " on the baseline"),
                       a.file);
    ctx.runner.log() << "  " << a.name << ": accuracy " << report::format_percent(r.clean_accuracy) << " -> "
                     << report::format_percent(r.robust_accuracy) << ", success "
                     << report::format_percent(r.success_rate) << "\n";
    json aj = result_json(r);
    aj.update({{"name", a.name}, {"what", a.what}, {"figure", a.file}});
    out.push_back(aj);
    if (a.name.rfind("PGD", 0) == 0)
      write_stage_figure(files,
                         report::confusion_matrix(r.confusion, ctx.data.test.class_names,
                                                  "Baseline under " + a.name + ": true (rows) vs predicted"),
                         "confusion_pgd");
  }
  return out;
}

// FGSM and PGD-<sweep_steps> over `eps`: the accuracy curve, its CSV, and the
// tutorial's rows of examples at `example_eps` (a subset of `eps`).
json run_eps_sweep(WorkshopContext& ctx, const attacks::AttackOptions& fgsm_options, const std::vector<double>& eps,
                   const std::vector<double>& example_eps, StageFiles& files) {
  const auto& b = ctx.budget;
  const auto fgsm = eval::eps_sweep(*ctx.baseline, ctx.data.test, fgsm_options, eps, 1.0, b.seed, b.attack_examples);
  const auto pgd = eval::eps_sweep(*ctx.baseline, ctx.data.test, pgd_options(b.eps, b.sweep_steps), eps,
                                   2.5 / b.sweep_steps, b.seed, b.attack_examples);
  write_stage_figure(
      files, accuracy_vs_eps(eps, fgsm, pgd, b.sweep_steps, "Baseline accuracy under attack, " + ctx.data.test.name),
      "eps_sweep");
  std::vector<eval::RobustResult> at_rows;
  for (double e : example_eps)
    for (std::size_t i = 0; i < eps.size(); ++i)
      if (std::abs(eps[i] - e) < 1e-12) at_rows.push_back(fgsm[i]);
  write_stage_figure(files, tutorial_rows(*ctx.baseline, ctx.data.test, example_eps, at_rows, 5), "fgsm_tutorial");
  std::string csv = "eps,fgsm_accuracy,pgd_accuracy,count\n";
  json sweep{{"eps", eps}, {"fgsm", json::array()}, {"pgd", json::array()}, {"pgd_steps", b.sweep_steps},
             {"count", fgsm.front().count}};
  for (std::size_t i = 0; i < eps.size(); ++i) {
    csv += std::to_string(eps[i]) + "," + std::to_string(fgsm[i].robust_accuracy) + "," +
           std::to_string(pgd[i].robust_accuracy) + "," + std::to_string(fgsm[i].count) + "\n";
    sweep["fgsm"].push_back(fgsm[i].robust_accuracy);
    sweep["pgd"].push_back(pgd[i].robust_accuracy);
  }
  io::write_file_atomically(files.file("eps_sweep.csv"), csv);
  return sweep;
}

void report_attacks(WorkshopContext& ctx, const json& j) {
  const auto& b = ctx.budget;
  ctx.report.heading("2. Attacks: dLoss/dImage turned against the model");
  ctx.report.paragraph("Each attack moves every pixel by at most eps (L-infinity ball, pixel range [0, 1]) in the "
                       "direction that increases the loss, computed by autograd with respect to the image, not the "
                       "weights. Attacked: the first " +
                       std::to_string(j["attacks"][0]["count"].get<std::int64_t>()) + " test images.");
  ctx.report.figure("fgsm_tutorial", "PyTorch's FGSM tutorial, on this model: the same five test images at each eps; "
                                     "the row label gives the accuracy over all attacked images at that eps");
  ctx.report.figure("eps_sweep", "Accuracy as eps grows, FGSM and PGD-" +
                                     std::to_string(j["sweep"]["pgd_steps"].get<int>()) + " (eps_sweep.csv)");
  report::ReportTable t{"Accuracy of the baseline under attack at eps " + report::format_fixed(b.eps, 2) +
                            ", with 95% intervals",
                        {"attack", "how", "clean", "attacked", "success"},
                        {}};
  for (const auto& a : j["attacks"]) {
    const std::int64_t n = a["count"].get<std::int64_t>();
    t.rows.push_back({a["name"].get<std::string>(), a["what"].get<std::string>(),
                      accuracy_text(a["clean"].get<double>(), n), accuracy_text(a["robust"].get<double>(), n),
                      report::format_percent(a["success"].get<double>())});
  }
  ctx.report.table(t);
  ctx.report.paragraph("For the targeted attack, \"attacked\" is the fraction not pushed into its target class and "
                       "\"success\" the fraction that was.");
  for (const auto& a : j["attacks"])
    if (a["name"].get<std::string>() != "FGSM")  // FGSM's tiles are the tutorial view above
      ctx.report.figure(a["figure"].get<std::string>(), a["name"].get<std::string>() +
                                                            ": clean | perturbation (blue -, red +) | adversarial, "
                                                            "with the model's predictions");
  ctx.report.figure("confusion_pgd", "Under PGD the errors are not spread evenly: where the attacked images land");
  const auto &fgsm = j["attacks"][0], &pgd = j["attacks"][1];
  const std::int64_t n = pgd["count"].get<std::int64_t>();
  ctx.report.takeaway("Moving every pixel by at most " + report::format_fixed(b.eps, 2) +
                      " of its range, one FGSM step takes the baseline from " +
                      accuracy_text(fgsm["clean"].get<double>(), n) + " to " +
                      accuracy_text(fgsm["robust"].get<double>(), n) + ", and " + pgd["name"].get<std::string>() +
                      " to " + accuracy_text(pgd["robust"].get<double>(), n) + ".");
}

}  // namespace

void baseline_part(WorkshopContext& ctx) {
  const auto& b = ctx.budget;
  const RobustRow row = recipe_stage(ctx.runner, "none", ctx.data, b, &ctx.baseline);
  ctx.comparison.push_back(row);
  ctx.runner.run("baseline-curves", {recipe_stage_name("none")}, [&](StageFiles& files) {
    if (!row.history.empty()) {
      write_stage_figure(files, accuracy_curves(row, "The baseline's accuracy per epoch"), "baseline_accuracy");
      write_stage_figure(files, loss_curves(row, "The baseline's loss per epoch"), "baseline_loss");
    }
    const eval::EvalResult ev = eval::evaluate(*ctx.baseline, ctx.data.test);
    write_stage_figure(files,
                       report::confusion_matrix(ev.confusion, ctx.data.test.class_names,
                                                "Baseline, clean test images: true (rows) vs predicted"),
                       "confusion_clean");
    return json{{"curves", !row.history.empty()}}.dump();
  });
  ctx.report.heading("1. Baseline: a CNN trained the standard way");
  ctx.report.paragraph(b.arch + " trained for " + std::to_string(b.epochs) + " epoch(s) with Adam on " +
                       std::to_string(ctx.data.train.size()) + " images of " + ctx.data.train.name + ".");
  ctx.report.table(rows_table({row}, b, "The baseline (model file " + row.model_file + ")"));
  for (const auto& note : failed_training_notes({row})) ctx.report.warning(note);
  if (!row.history.empty()) {
    ctx.report.figure("baseline_accuracy", "Accuracy per epoch: on the training batches as they are trained, and on "
                                           "the clean test images (bars: 95% intervals)");
    ctx.report.figure("baseline_loss", "Cross-entropy per epoch on the training batches and on the test images");
  }
  ctx.report.figure("confusion_clean", "Where the clean baseline errs: the confusion matrix of the test images");
  ctx.report.takeaway("Trained the standard way, the baseline classifies " + accuracy_text(row.clean, row.clean_count) +
                      " of the clean test images correctly; under " + "PGD-" + std::to_string(b.pgd_steps) +
                      " at eps " + report::format_fixed(b.eps, 2) + " it keeps " +
                      accuracy_text(row.pgd, row.attack_count) + ".");
}

void attacks_part(WorkshopContext& ctx) {
  const auto& b = ctx.budget;
  const auto named = workshop_attacks(b);
  // The tutorial's eps: 0, .05, .1, .15, .2, .25, .3 for grey images (multiples of the headline eps).
  std::vector<double> eps;
  for (double m : {0.0, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0}) eps.push_back(b.eps * m);
  const std::vector<double> example_eps{0, b.eps * 0.5, b.eps, b.eps * 1.5, b.eps * 2, b.eps * 3};
  const json j = json::parse(ctx.runner.run("attacks", [&](StageFiles& files) {
    return json{{"attacks", run_named_attacks(ctx, named, files)},
                {"sweep", run_eps_sweep(ctx, named[0].options, eps, example_eps, files)}}
        .dump();
  }));
  report_attacks(ctx, j);
}

void saliency_part(WorkshopContext& ctx) {
  const auto& b = ctx.budget;
  const std::vector<std::pair<std::string, attacks::SaliencyMethod>> methods{
      {"gradient", attacks::SaliencyMethod::Gradient},
      {"SmoothGrad", attacks::SaliencyMethod::SmoothGrad},
      {"integrated gradients", attacks::SaliencyMethod::IntegratedGradients}};
  const std::string results = ctx.runner.run("saliency", [&](StageFiles& files) {
    const std::int64_t n = std::min<std::int64_t>(3, ctx.data.test.size());
    std::vector<Tensor> images, maps;
    std::vector<std::string> labels;
    for (std::int64_t i = 0; i < n; ++i) {
      Tensor x = ctx.data.test.images_tensor({i}), y = ctx.data.test.labels_tensor({i});
      for (const auto& [name, method] : methods) {
        attacks::SaliencyOptions so;
        so.method = method;
        so.samples = b.level == "quick" ? 4 : 25;
        Generator gen(b.seed);
        images.push_back(x);
        maps.push_back(attacks::saliency(*ctx.baseline, x, y, so, gen));
        // (a stream, not operator+ chains: GCC 12 misreports those under -O3 as -Wrestrict)
        std::ostringstream label;
        label << "#" << i << " (" << ctx.data.test.class_names.at(y.to_int_vector()[0]) << "): " << name;
        labels.push_back(label.str());
      }
    }
    report::SaliencyFigureOptions fo;
    fo.title = "Where the baseline looks: d logit(true class) / d image";
    write_stage_figure(files, report::saliency_figure(cat(images, 0), cat(maps, 0), labels, fo), "saliency");
    const GradientFocus focus = gradient_focus(*ctx.baseline, ctx.data.test, b.attack_examples);
    return json{{"figure", "saliency"}, {"rows", labels}, {"on_object", focus.on_object},
                {"object_area", focus.object_area}, {"images", focus.images}}
        .dump();
  });
  const json j = json::parse(results);
  ctx.report.heading("4. Saliency: where the gradient looks");
  ctx.report.paragraph("The same input gradient that drives the attacks, read as an explanation: the raw gradient "
                       "of the true class's logit, SmoothGrad (the mean gradient over noisy copies) and integrated "
                       "gradients (along the path from a black image). Each row: image | heat map | overlay.");
  ctx.report.figure("saliency", "Saliency maps of the first test images");
  ctx.report.takeaway(
      report::format_percent(j["on_object"].get<double>(), 0) + " of the baseline's input gradient (|dLoss/dx|, over the "
      "first " + std::to_string(j["images"].get<std::int64_t>()) + " test images) falls on the object, which covers " +
      report::format_percent(j["object_area"].get<double>(), 0) + " of the image; the rest points into the "
      "background, where no change means anything to a person. Section 7 measures the same for a robust model.");
}

}  // namespace advgrad::workshop
