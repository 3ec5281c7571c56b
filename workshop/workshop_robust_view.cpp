// The same PGD attack on the baseline and on the PGD-trained model, side by
// side, with the saliency maps of both: the robust model's prediction
// survives, and its input gradient looks like the object.
#include <filesystem>
#include <nlohmann/json.hpp>

#include "advgrad/attacks/saliency.h"
#include "advgrad/core/grad_mode.h"
#include "advgrad/core/ops/ops.h"
#include "advgrad/nn/model_io.h"
#include "advgrad/report/image_grid.h"
#include "advgrad/report/raster.h"
#include "advgrad/workshop/gradient_focus.h"
#include "advgrad/workshop/report_text.h"
#include "advgrad/workshop/workshop_parts.h"

namespace advgrad::workshop {
namespace {

using nlohmann::json;

// |saliency| summed over channels, scaled to its own 99th percentile, as a
// heat-map tile (the same normalisation as report::saliency_figure).
report::Image heat_tile(const Tensor& map_chw) {
  Tensor m = sum(abs(map_chw.to(Device::cpu()).to(DType::Float64)), {0});
  std::vector<double> v = m.to_double_vector();
  std::vector<double> sorted = v;
  const std::size_t k = static_cast<std::size_t>(0.99 * static_cast<double>(sorted.size() - 1));
  std::nth_element(sorted.begin(), sorted.begin() + static_cast<std::ptrdiff_t>(k), sorted.end());
  const double top = sorted[k] > 0 ? sorted[k] : 1;
  report::Image out(static_cast<int>(m.size(1)), static_cast<int>(m.size(0)));
  for (int y = 0; y < out.height(); ++y)
    for (int x = 0; x < out.width(); ++x)
      out.set(x, y, report::map_color(report::ColorMap::Heat, std::min(1.0, v[y * out.width() + x] / top)));
  return out;
}

struct Attacked {
  Tensor x_adv;
  std::vector<std::int64_t> pred;
  Tensor probs;
};

Attacked attack(nn::Module& model, const Tensor& x, const Tensor& y, const attacks::AttackOptions& o,
                std::uint64_t seed) {
  Generator gen(seed);
  Attacked a;
  a.x_adv = attacks::pgd(model, x, y, o, gen).x_adv;
  attacks::EvalModeGuard eval_mode(model);
  NoGradGuard no_grad;
  a.probs = softmax(model(a.x_adv), 1).to(Device::cpu());
  a.pred = argmax(a.probs, 1).to_int_vector();
  return a;
}

report::GridTile prediction_tile(const Tensor& image, const data::Dataset& test, std::int64_t label,
                                 std::int64_t pred, double confidence) {
  const bool right = pred == label;
  return {report::tensor_to_image(image.to(Device::cpu())),
          {{right ? "still right" : "fooled", right ? report::kRight : report::kWrong},
           {test.class_names.at(pred) + " " + report::format_percent(confidence, 0),
            right ? report::kRight : report::kWrong}}};
}

// Both models attacked and their gradients drawn, and the share of each
// model's input gradient on the object over the attacked images.
std::string run_robust_view(WorkshopContext& ctx) {
  const auto& b = ctx.budget;
  const std::string pgd_stage = recipe_stage_name("pgd-at");
  return ctx.runner.run("robust-view", {recipe_stage_name("none"), pgd_stage},
                                             [&](StageFiles& files) {
    nn::ModulePtr robust = nn::load_model(ctx.runner.path(pgd_stage + ".safetensors")).model;
    const std::int64_t n = std::min<std::int64_t>(5, ctx.data.test.size());
    std::vector<std::int64_t> idx;
    for (std::int64_t i = 0; i < n; ++i) idx.push_back(i);
    const Tensor x = ctx.data.test.images_tensor(idx), y = ctx.data.test.labels_tensor(idx);
    const attacks::AttackOptions o = pgd_options(b.eps, b.pgd_steps);
    const Attacked on_base = attack(*ctx.baseline, x, y, o, b.seed), on_robust = attack(*robust, x, y, o, b.seed);
    attacks::SaliencyOptions so;  // the raw gradient: what the attack follows
    Generator gen(b.seed);
    const Tensor s_base = attacks::saliency(*ctx.baseline, x, y, so, gen);
    const Tensor s_robust = attacks::saliency(*robust, x, y, so, gen);
    const auto labels = y.to_int_vector();
    std::vector<std::vector<report::GridTile>> rows;
    for (std::int64_t i = 0; i < n; ++i) {
      const auto u = static_cast<std::size_t>(i);
      rows.push_back({{report::tensor_to_image(x.select(0, i)), {{ctx.data.test.class_names.at(labels[u]),
                                                                   report::kInk}}},
                      prediction_tile(on_base.x_adv.select(0, i), ctx.data.test, labels[u], on_base.pred[u],
                                      on_base.probs.at({i, on_base.pred[u]})),
                      prediction_tile(on_robust.x_adv.select(0, i), ctx.data.test, labels[u], on_robust.pred[u],
                                      on_robust.probs.at({i, on_robust.pred[u]})),
                      {heat_tile(s_base.select(0, i)), {}},
                      {heat_tile(s_robust.select(0, i)), {}}});
    }
    report::ImageGridOptions go;
    go.title = "PGD-" + std::to_string(b.pgd_steps) + " at eps " + report::format_fixed(b.eps, 2) +
               " on both models, and where each one's gradient points";
    go.column_headers = {"clean", "attacked: baseline", "attacked: PGD-AT", "gradient: baseline", "gradient: PGD-AT"};
    go.color_bars = {{report::ColorMap::Heat, 0, 1, "|dL/dx| / its 99th pct.", false}};
    go.scale = 3;
    write_stage_figure(files, report::image_grid(rows, go), "robust_view");
    const GradientFocus fb = gradient_focus(*ctx.baseline, ctx.data.test, b.attack_examples);
    const GradientFocus fr = gradient_focus(*robust, ctx.data.test, b.attack_examples);
    return json{{"baseline_on_object", fb.on_object}, {"robust_on_object", fr.on_object},
                {"object_area", fb.object_area}, {"images", fb.images}}
        .dump();
  });
}

void report_robust_view(WorkshopContext& ctx, const json& j) {
  const auto& b = ctx.budget;
  ctx.report.heading("7. The same attack on a standard and a robust model");
  ctx.report.paragraph("The first test images, attacked by the same PGD-" + std::to_string(b.pgd_steps) +
                       " against each model's own gradients: the baseline and the PGD-trained model of section 6. "
                       "The last two columns are the input gradients the attacks follow.");
  ctx.report.figure("robust_view", "Left: predictions after the attack (red: fooled). Right: |dLoss/dx| of each "
                                   "model, scaled to its 99th percentile");
  const double robust_on = j["robust_on_object"].get<double>(), base_on = j["baseline_on_object"].get<double>();
  ctx.report.takeaway("On the first " + std::to_string(j["images"].get<std::int64_t>()) +
                      " test images the PGD-trained model puts " + report::format_percent(robust_on, 0) +
                      " of its input gradient's magnitude on the object (which covers " +
                      report::format_percent(j["object_area"].get<double>(), 0) + " of the image), the baseline " +
                      report::format_percent(base_on, 0) +
                      (robust_on > base_on + 0.05
                           ? ": robust training makes the gradient, and so the attack, follow the object."
                           : ": at this budget robust training has not concentrated the gradient on the object."));
}

}  // namespace

void robust_view_part(WorkshopContext& ctx) { report_robust_view(ctx, json::parse(run_robust_view(ctx))); }

}  // namespace advgrad::workshop
