// advgrad attack --image FILE ...: the attack on photos under a pretrained
// ImageNet network. Each photo is preprocessed as for classify (shorter side
// 256, centre crop 224, pixels in [0, 1]) and attacked in pixel space (the
// model normalises inside), taking the model's clean top-1 as the label.
// Prints "clean top-1 -> adversarial top-1" per photo and the perturbation's
// L-inf in 1/255 units; --out writes attack_photo.svg/.png (clean |
// perturbation | adversarial, one row per photo) and attack_photo.json.
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "advgrad/core/ops/ops.h"
#include "advgrad/data/imagenet.h"
#include "advgrad/eval/image_attack.h"
#include "advgrad/imageio/imagenet_photo.h"
#include "advgrad/io/atomic_file.h"
#include "advgrad/nn/pretrained.h"
#include "advgrad/report/figure.h"
#include "advgrad/report/photo_attack_figure.h"
#include "commands.h"

namespace advgrad::cli {
namespace {

// The attack flags with --target resolved from a class name to its index.
attacks::AttackOptions photo_options(AttackFlags flags, double eps, const std::vector<std::string>& names) {
  if (flags.targeted && flags.target != "random" && flags.target != "least-likely")
    flags.target = std::to_string(eval::class_index(names, flags.target));
  return flags.options(eps);
}

nlohmann::json prediction_json(const eval::Prediction& p) {
  return {{"index", p.index}, {"name", p.name}, {"probability", p.probability}};
}

nlohmann::json to_json(const std::string& image, const eval::ImageAttack& a) {
  nlohmann::json j{{"image", image},
                   {"clean", prediction_json(a.clean)},
                   {"adversarial", prediction_json(a.adversarial)},
                   {"success", a.success},
                   {"linf", a.linf},
                   {"linf_255", a.linf * 255},
                   {"seconds", a.seconds}};
  if (a.target >= 0) j["target"] = {{"index", a.target}, {"probability", a.target_probability}};
  return j;
}

void print_line(const std::string& image, const eval::ImageAttack& a, const std::vector<std::string>& names) {
  std::cout << std::fixed << image << ": " << a.clean.name << " " << std::setprecision(3) << a.clean.probability
            << " -> " << a.adversarial.name << " " << a.adversarial.probability;
  if (a.target >= 0)
    std::cout << " (target " << names[static_cast<std::size_t>(a.target)] << " " << a.target_probability << ")";
  std::cout << (a.success ? "" : "  [attack failed]") << "; L-inf " << std::setprecision(2) << a.linf * 255 << "/255, "
            << a.seconds << " s\n";
}

// "PGD, 10 steps of 0.25/255 in the L-inf ball of 1/255 (untargeted); ..."
std::string figure_title(const attacks::AttackOptions& o, const AttackFlags& flags,
                         const std::vector<std::string>& names) {
  std::ostringstream s;
  s << std::setprecision(3) << (flags.method == "fgsm" ? "FGSM" : "PGD") << ", " << o.steps << " step"
    << (o.steps > 1 ? "s" : "") << " of " << o.step_size * 255 << "/255 in the "
    << (o.norm == attacks::Norm::Linf ? "L-inf" : "L2") << " ball of " << o.eps * 255 << "/255 ("
    << (o.targeted && o.target_mode == attacks::TargetMode::Fixed
            ? "target " + names[static_cast<std::size_t>(o.target_class)]
        : o.targeted ? "targeted"
                     : "untargeted")
    << "); label = the model's clean top-1";
  if (o.norm == attacks::Norm::Linf)
    s << "; perturbation colours span ±eps (amplified " << std::fixed << std::setprecision(0) << 0.5 / o.eps << "x)";
  return s.str();
}

}  // namespace

int run_photo_attack(const PhotoAttackFlags& f, const AttackFlags& flags, double eps, const Common& common) {
  ADVGRAD_CHECK(f.model == "efficientnet-lite0",
                "attack: --image needs a pretrained architecture "
                "(efficientnet-lite0), got --model '",
                f.model, "'");
  const std::vector<std::string> names = data::imagenet_class_names();
  const attacks::AttackOptions o = photo_options(flags, eps, names);
  const std::vector<Tensor> photos = [&] {
    std::vector<Tensor> p;
    for (const std::string& image : f.images)
      p.push_back(imageio::read_imagenet_photo(image));  // every file checked before any work
    return p;
  }();
  nn::ModulePtr model = nn::pretrained_model(f.model, f.weights);
  model->to(common.device);
  const std::string name = flags.describe(o);
  Generator gen(f.seed);
  std::vector<eval::ImageAttack> all;
  nlohmann::json j{{"model", f.model},
                   {"attack", name},
                   {"eps", o.eps},
                   {"eps_255", o.eps * 255},
                   {"steps", o.steps},
                   {"step_size", o.step_size},
                   {"images", nlohmann::json::array()}};
  for (std::size_t i = 0; i < photos.size(); ++i) {
    all.push_back(eval::attack_image(*model, photos[i].to(common.device), o, names, gen));
    j["images"].push_back(to_json(f.images[i], all.back()));
    if (!common.json) print_line(f.images[i], all.back(), names);
  }
  if (!f.out.empty()) {
    std::filesystem::create_directories(f.out);
    report::write_figure(report::photo_attack_figure(all, names, o, figure_title(o, flags, names)), f.out, "attack_photo");
    const auto file = [&](const char* n) { return (std::filesystem::path(f.out) / n).string(); };
    j["files"] = {file("attack_photo.svg"), file("attack_photo.png"), file("attack_photo.json")};
    io::write_file_atomically(file("attack_photo.json"), j.dump(2) + "\n");
    if (!common.json) std::cout << "wrote " << f.out << "/attack_photo.svg, attack_photo.png and attack_photo.json\n";
  }
  if (common.json) std::cout << j.dump(2) << "\n";
  return 0;
}

}  // namespace advgrad::cli
