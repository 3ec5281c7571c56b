// The gradient with respect to the input, on a real photo: PGD nudges every
// pixel of coffee.png by at most 1/255 (invisible) and EfficientNet-Lite0
// stops seeing an espresso; then a targeted PGD at 4/255 makes it see a
// class we pick.
//   example_attack_photo [PHOTO | --quick] [--target NAME]
// Without PHOTO it takes coffee.png from the photo cache; the default target
// is "goldfish". Needs scripts/fetch-pretrained.sh (and fetch-photos.sh); with
// --quick and those absent it says so and exits 0.
#include <cstdio>
#include <cstring>
#include <filesystem>

#include <advgrad/advgrad.h>
#include <advgrad/imageio/image_file.h>
#include <advgrad/io/cache_dir.h>

using namespace advgrad;

namespace {

void print(const char* what, const eval::ImageAttack& a) {
  std::printf("%-10s %s %.3f -> %s %.3f  (L-inf %.2f/255, %s)\n", what, a.clean.name.c_str(), a.clean.probability,
              a.adversarial.name.c_str(), a.adversarial.probability, a.linf * 255,
              a.success ? "success" : "failed");
}

int attack(const std::string& path, const std::string& target) {
  // [snippet:attack_photo]
  nn::ModulePtr model = nn::build_model(nn::imagenet_config("efficientnet-lite0"));
  nn::load_pretrained(*model, nn::pretrained_path("efficientnet-lite0"));
  const std::vector<std::string> names = data::imagenet_class_names();
  // Pixels in [0, 1]; the model normalises inside, so eps is in pixel units.
  const Tensor image = data::imagenet_eval_transform(imageio::to_tensor(imageio::read_image(path)));
  Generator gen(0);

  attacks::AttackOptions untargeted;  // PGD: 10 steps of eps / 4 in the L-inf ball
  untargeted.eps = 1.0 / 255, untargeted.steps = 10, untargeted.step_size = untargeted.eps / 4;
  print("untargeted", eval::attack_image(*model, image, untargeted, names, gen));

  attacks::AttackOptions targeted = untargeted;  // minimise the loss of the target class
  targeted.eps = 4.0 / 255, targeted.step_size = targeted.eps / 4;
  targeted.targeted = true, targeted.target_mode = attacks::TargetMode::Fixed;
  targeted.target_class = eval::class_index(names, target);
  targeted.objective = attacks::TargetedObjective::MinimiseTarget;
  print("targeted", eval::attack_image(*model, image, targeted, names, gen));
  // [/snippet]
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  bool quick = false;
  std::string photo = io::cache_path("photos") + "/coffee.png", target = "goldfish";
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--quick") == 0)
      quick = true;
    else if (std::strcmp(argv[i], "--target") == 0 && i + 1 < argc)
      target = argv[++i];
    else
      photo = argv[i];
  }
  const std::string weights = io::cache_path("pretrained") + "/efficientnet-lite0.pth";
  if (quick && !(std::filesystem::exists(weights) && std::filesystem::exists(photo))) {
    std::printf("example_attack_photo: skipped, run scripts/fetch-pretrained.sh and scripts/fetch-photos.sh\n");
    return 0;
  }
  try {
    return attack(photo, target);
  } catch (const Error& e) {  // missing weights, an unreadable photo, an unknown class name, ...
    std::fprintf(stderr, "example_attack_photo: %s\n", e.what());
    return 1;
  }
}
