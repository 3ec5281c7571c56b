// The pretrained EfficientNet-Lite0 on real photos (needs
// scripts/fetch-pretrained.sh and scripts/fetch-photos.sh; skipped, visibly,
// without them): the classes it names, the fast kernels against the
// reference kernels on the whole network, dLoss/dImage against finite
// differences, and PGD on every photo. Logits against PyTorch's:
// bench/torch_efficientnet_lite0.py.
#include <cmath>
#include <filesystem>
#include <iomanip>

#include "advgrad/core/backend/cpu_settings.h"
#include "advgrad/imageio/image_file.h"
#include "advgrad/io/cache_dir.h"
#include "testing.h"

namespace advgrad::nn {
namespace {

std::string weights_path() { return io::cache_path("pretrained") + "/efficientnet-lite0.pth"; }
std::string photo_path(const std::string& name) { return io::cache_path("photos") + "/" + name; }

// A skip message when the weights or the photo are not fetched, else empty.
std::string missing(const std::string& photo) {
  if (!std::filesystem::exists(weights_path()))
    return "no " + weights_path() + ": run scripts/fetch-pretrained.sh to fetch the EfficientNet-Lite0 weights";
  if (!std::filesystem::exists(photo_path(photo)))
    return "no " + photo_path(photo) + ": run scripts/fetch-photos.sh to fetch the test photos";
  return "";
}

// The pretrained network in eval mode, in `dtype` (loaded once per dtype).
Module& lite0(DType dtype) {
  static std::map<DType, ModulePtr> models;
  ModulePtr& m = models[dtype];
  if (!m) {
    m = build_model(imagenet_config("efficientnet-lite0"));
    m->to(dtype);
    load_pretrained(*m, weights_path());
    m->eval();
  }
  return *m;
}

// [1, 3, 224, 224] pixels in [0, 1].
Tensor photo(const std::string& name, DType dtype = DType::Float32) {
  return data::imagenet_eval_transform(imageio::to_tensor(imageio::read_image(photo_path(name))))
      .unsqueeze(0)
      .to(dtype);
}

TEST(PretrainedLite0, NamesTheEspressoAndTheCat) {
  for (const char* name : {"coffee.png", "chelsea.png"})
    if (const std::string why = missing(name); !why.empty()) GTEST_SKIP() << why;
  const std::vector<std::string> names = data::imagenet_class_names();
  const auto coffee = eval::classify(lite0(DType::Float32), photo("coffee.png"), names, 5).front();
  EXPECT_EQ(coffee[0].name, "espresso");
  EXPECT_GE(coffee[0].probability, 0.9);
  const auto cat = eval::classify(lite0(DType::Float32), photo("chelsea.png"), names, 5).front();
  EXPECT_GE(cat[0].index, 281);  // 281-285: tabby, tiger cat, Persian, Siamese, Egyptian cat
  EXPECT_LE(cat[0].index, 285);
  std::cout << "coffee.png: " << coffee[0].name << " " << coffee[0].probability << "; chelsea.png: " << cat[0].name
            << " " << cat[0].probability << "\n";
}

// The whole network in float64, fast kernels against the reference loops:
// the logits agree to 1e-4 of the largest logit (float64 makes the test about
// the kernels' math, not float32 rounding in a 50-layer chain).
TEST(PretrainedLite0, FastKernelsEqualReferenceKernels) {
  if (const std::string why = missing("coffee.png"); !why.empty()) GTEST_SKIP() << why;
  NoGradGuard no_grad;
  const Tensor x = photo("coffee.png", DType::Float64);
  const Tensor fast = lite0(DType::Float64)(x);
  Tensor reference;
  {
    ReferenceKernelsGuard guard;
    reference = lite0(DType::Float64)(x);
  }
  const double scale = amax(abs(reference)).item();
  const double diff = amax(abs(sub(fast, reference))).item();
  std::cout << "fast vs reference (float64): max |diff| " << diff << ", max |logit| " << scale << "\n";
  EXPECT_LE(diff, 1e-4 * scale);
}

// dL/dx for L = cross_entropy(logits, espresso) on a real photo, float64,
// against central differences (L(x + h e) - L(x - h e)) / 2h at four pixels.
TEST(PretrainedLite0, InputGradientMatchesFiniteDifferences) {
  if (const std::string why = missing("coffee.png"); !why.empty()) GTEST_SKIP() << why;
  Module& model = lite0(DType::Float64);
  const Tensor x = photo("coffee.png", DType::Float64);
  const Tensor label = from_vector(std::vector<std::int64_t>{967}, {1});  // espresso
  auto loss = [&](const Tensor& input) { return cross_entropy(model(input), label); };
  Tensor xg = x.clone().requires_grad_(true);
  const std::vector<double> grad = autograd::grad({loss(xg)}, {xg})[0].to_double_vector();
  const double h = 1e-5;
  for (std::int64_t flat : {0 * 50176 + 112 * 224 + 112, 1 * 50176 + 60 * 224 + 150, 2 * 50176 + 200 * 224 + 30,
                            1 * 50176 + 100 * 224 + 101}) {
    NoGradGuard no_grad;
    std::vector<double> v = x.to_double_vector();
    v[flat] += h;
    const double up = loss(from_vector(v, x.shape(), {.dtype = DType::Float64})).item();
    v[flat] -= 2 * h;
    const double down = loss(from_vector(v, x.shape(), {.dtype = DType::Float64})).item();
    const double numeric = (up - down) / (2 * h);
    std::cout << std::setprecision(10) << "pixel " << flat << ": autograd " << grad[flat] << ", finite difference "
              << numeric << "\n";
    EXPECT_NEAR(grad[flat], numeric, 1e-6 + 1e-4 * std::abs(numeric)) << "pixel " << flat;
  }
}


// Every photo of scripts/fetch-photos.sh.
const std::vector<std::string> kPhotos = {
    "astronaut.png", "chelsea.png", "coffee.png", "dog.jpg",   "eagle.jpg",  "giraffe.jpg",  "grace_hopper.jpg",
    "horse.png",     "horses.jpg",  "kite.jpg",   "motorcycle_left.png", "person.jpg", "rocket.jpg", "scream.jpg"};

// The fraction of the photos on which `o` succeeds (label: the clean top-1).
double success_rate(const attacks::AttackOptions& o, const char* what) {
  const std::vector<std::string> names = data::imagenet_class_names();
  Generator gen(5);
  int successes = 0;
  for (const std::string& p : kPhotos) {
    const eval::ImageAttack a = eval::attack_image(lite0(DType::Float32), photo(p), o, names, gen);
    EXPECT_LE(a.linf, o.eps + 1e-6) << p;
    successes += a.success ? 1 : 0;
    std::cout << what << " " << p << ": " << a.clean.name << " -> " << a.adversarial.name << "\n";
  }
  return static_cast<double>(successes) / static_cast<double>(kPhotos.size());
}

// The claims on the 14 photos: untargeted PGD at eps 1/255 changes
// the top-1 of at least 90% (the label is the clean top-1, so every photo is
// "correctly classified"); targeted PGD at 4/255 reaches a random other class
// on at least 90%. Both 10 steps of eps / 4.
TEST(PretrainedLite0, PgdFlipsThePhotos) {
  for (const std::string& p : kPhotos)
    if (const std::string why = missing(p); !why.empty()) GTEST_SKIP() << why;
  attacks::AttackOptions o;
  o.eps = 1.0 / 255, o.steps = 10, o.step_size = o.eps / 4;
  const double untargeted = success_rate(o, "untargeted 1/255");
  o.eps = 4.0 / 255, o.step_size = o.eps / 4;
  o.targeted = true, o.target_mode = attacks::TargetMode::Random;
  o.objective = attacks::TargetedObjective::MinimiseTarget;
  const double targeted = success_rate(o, "targeted 4/255");
  std::cout << "untargeted success " << untargeted << ", targeted " << targeted << "\n";
  EXPECT_GE(untargeted, 0.9);
  EXPECT_GE(targeted, 0.9);
}

}  // namespace
}  // namespace advgrad::nn
