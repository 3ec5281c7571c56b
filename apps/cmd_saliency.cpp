// advgrad saliency: where does the model look? Saliency maps of chosen test
// images as a figure (PNG and SVG), and (--probe) the numbers behind dLoss/dImage: its norms,
// the fraction of exact zeros, the gradient reaching each layer, and autograd
// next to finite differences at a few pixels.
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <nlohmann/json.hpp>

#include "advgrad/attacks/gradient_probe.h"
#include "advgrad/attacks/saliency.h"
#include "advgrad/core/grad_mode.h"
#include "advgrad/core/ops/ops.h"
#include "advgrad/nn/model_io.h"
#include "advgrad/report/figure.h"
#include "advgrad/report/figures.h"
#include "commands.h"

namespace advgrad::cli {
namespace {

const std::vector<std::string> kMethods{"gradient", "gradient-x-input", "smoothgrad", "integrated-gradients"};

std::string percent(double v) {
  std::ostringstream s;
  s << std::fixed << std::setprecision(0) << 100 * v << "%";
  return s.str();
}

nlohmann::json probe_to_json(const attacks::InputGradientReport& r) {
  nlohmann::json layers = nlohmann::json::array(), fd = nlohmann::json::array();
  for (const auto& l : r.probe.layers)
    layers.push_back({{"name", l.name}, {"type", l.type}, {"l2", l.l2}, {"zero_fraction", l.zero_fraction}});
  for (const auto& p : r.pixels)
    fd.push_back({{"pixel", p.index}, {"autograd_float32", p.autograd_model_dtype}, {"autograd", p.autograd},
                  {"finite_difference", p.finite_difference}});
  return {{"l1", r.probe.l1}, {"l2", r.probe.l2}, {"linf", r.probe.linf}, {"zero_fraction", r.probe.zero_fraction},
          {"layers", layers}, {"finite_difference", fd}};
}

void print_probe(const nlohmann::json& p, const std::vector<std::int64_t>& indices) {
  std::cout << std::scientific << std::setprecision(3) << "dLoss/dImage (cross-entropy of the true label):\n";
  for (std::size_t i = 0; i < indices.size(); ++i)
    std::cout << "  #" << indices[i] << "  L1 " << p["l1"][i].get<double>() << "  L2 " << p["l2"][i].get<double>()
              << "  Linf " << p["linf"][i].get<double>() << "\n";
  std::cout << std::fixed << std::setprecision(1) << "  exact zeros: " << 100 * p["zero_fraction"].get<double>()
            << "% of pixels (dead ReLUs and max-pool routing)\n"
            << "gradient reaching each layer's output (mean per-example L2, zeros):\n";
  for (const auto& l : p["layers"])
    std::cout << "  " << std::left << std::setw(10) << l["name"].get<std::string>() << std::setw(18)
              << l["type"].get<std::string>() << std::right << std::scientific << std::setprecision(3)
              << l["l2"].get<double>() << std::fixed << std::setprecision(1) << std::setw(7)
              << 100 * l["zero_fraction"].get<double>() << "%\n";
  std::cout << "dLoss/dImage by autograd vs a central finite difference (float64, h = 1e-5), image #" << indices[0]
            << ":\n  pixel   autograd f32   autograd f64    finite diff\n";
  for (const auto& pt : p["finite_difference"])
    std::cout << "  " << std::setw(5) << pt["pixel"].get<std::int64_t>() << std::scientific << std::setprecision(6)
              << std::setw(15) << pt["autograd_float32"].get<double>() << std::setw(15) << pt["autograd"].get<double>()
              << std::setw(15) << pt["finite_difference"].get<double>() << std::fixed << "\n";
}


struct SaliencyFlags {
  DataFlags data;
  std::string model, method = "smoothgrad", out = "saliency.png";
  std::vector<std::int64_t> indices{0};
  std::int64_t explain_class = -1;
  attacks::SaliencyOptions options;
  std::uint64_t seed = 0;
  bool probe = false;
};

int run_saliency(const SaliencyFlags& f, Common& common) {
  // The figure's two files: FILE.png as asked, and FILE.svg beside it.
  const std::filesystem::path out(f.out);
  ADVGRAD_CHECK(out.extension() == ".png" && !out.stem().empty(), "saliency: --out '", f.out,
                "' must name a .png file (the figure's .svg is written beside it)");
  const std::string svg = (out.parent_path() / (out.stem().string() + ".svg")).string();
  nn::LoadedModel m = nn::load_model(f.model);
  const data::Dataset test = f.data.load(f.seed).test;
  check_model_fits(m, test, "saliency");
  for (auto i : f.indices)
    ADVGRAD_CHECK(i < test.size(), "saliency: --index ", i, " is out of range for ", test.name, "'s ", test.size(),
                  " test images");
  ADVGRAD_CHECK(f.explain_class < test.classes, "saliency: --class ", f.explain_class, " is not a class of ",
                test.name, " (0..", test.classes - 1, ")");
  Tensor x = test.images_tensor(f.indices), y = test.labels_tensor(f.indices);
  Tensor target = f.explain_class >= 0
                      ? full({y.numel()}, static_cast<double>(f.explain_class), TensorOptions{DType::Int64})
                      : y;
  Tensor probs;
  {
    attacks::EvalModeGuard eval_mode(*m.model);
    NoGradGuard no_grad;
    probs = softmax(m.model->forward(x), 1);
  }
  const auto pred = argmax(probs, 1).to_int_vector(), labels = y.to_int_vector(), tgt = target.to_int_vector();
  const auto name_of = [&](std::int64_t c) {
    return c < static_cast<std::int64_t>(test.class_names.size()) ? test.class_names[c] : std::to_string(c);
  };

  const std::vector<std::string> methods = f.method == "all" ? kMethods : std::vector<std::string>{f.method};
  std::vector<Tensor> images, maps;
  std::vector<std::string> row_labels;
  for (std::size_t i = 0; i < f.indices.size(); ++i) {
    for (const auto& method : methods) {
      attacks::SaliencyOptions so = f.options;
      so.method = attacks::parse_saliency_method(method);
      Generator gen(f.seed);
      Tensor xi = x.slice(0, i, i + 1), ti = target.slice(0, i, i + 1);
      images.push_back(xi);
      maps.push_back(attacks::saliency(*m.model, xi, ti, so, gen));
      row_labels.push_back("#" + std::to_string(f.indices[i]) + " true " + name_of(labels[i]) + ", pred " +
                           name_of(pred[i]) + " (" +
                           percent(probs.at({static_cast<std::int64_t>(i), pred[i]})) + "): " + method +
                           " of class " + name_of(tgt[i]));
    }
  }
  report::SaliencyFigureOptions fo;
  fo.title = "saliency on " + test.name;
  report::write_figure(report::saliency_figure(cat(images, 0), cat(maps, 0), row_labels, fo),
                       out.has_parent_path() ? out.parent_path().string() : ".", out.stem().string());

  nlohmann::json j{{"model", f.model}, {"data", test.name}, {"indices", f.indices}, {"methods", methods},
                   {"rows", row_labels}, {"out", f.out}, {"svg", svg}};
  if (f.probe) {
    // A float64 copy of the model for the finite differences (gradient_probe.h).
    nn::LoadedModel m64 = nn::load_model(f.model);
    m64.model->to(DType::Float64);
    j["probe"] = probe_to_json(attacks::probe_input_gradient(*m.model, *m64.model, x, y));
  }
  if (common.json) {
    std::cout << j.dump(2) << "\n";
    return 0;
  }
  for (const auto& r : row_labels) std::cout << r << "\n";
  std::cout << "wrote " << f.out << " and " << svg << "\n";
  if (!f.probe) return 0;
  print_probe(j["probe"], f.indices);
  return 0;
}

}  // namespace

Command add_saliency(CLI::App& app, Common& common) {
  auto* cmd = app.add_subcommand("saliency", "saliency maps of test images (and, with --probe, dLoss/dImage in numbers)");
  auto f = std::make_shared<SaliencyFlags>();
  cmd->add_option("--model", f->model, "model file (safetensors written by advgrad train)")->required();
  f->data.add_to(cmd);
  cmd->add_option("--index", f->indices, "test image index; repeat for several")->check(non_negative());
  std::vector<std::string> choices = kMethods;
  choices.push_back("all");
  cmd->add_option("--method", f->method, "gradient, gradient-x-input, smoothgrad, integrated-gradients or all")
      ->check(CLI::IsMember(choices));
  cmd->add_option("--class", f->explain_class, "class whose logit is explained (default: the true label)")
      ->check(CLI::Range(0, 99999));  // a model has at most 100 000 classes (nn/model_io)
  cmd->add_option("--samples", f->options.samples, "SmoothGrad samples / integrated-gradient steps")
      ->check(CLI::Range(1, 10000));
  cmd->add_option("--sigma", f->options.sigma, "SmoothGrad noise (pixel units)")->check(non_negative());
  cmd->add_option("--seed", f->seed, "seed of SmoothGrad's noise (and of the synthetic data set)")->check(non_negative());
  cmd->add_option("--out", f->out, "PNG file to write (FILE.png; FILE.svg is written beside it)");
  cmd->add_flag("--probe", f->probe, "print gradient norms, zeros, per-layer gradients and a finite-difference check");
  cmd->add_flag("--json", common.json, "print the results as JSON");
  return {cmd, [f, &common] { return run_saliency(*f, common); }};
}

}  // namespace advgrad::cli
