#include "advgrad/nn/models.h"

#include <algorithm>

#include "advgrad/nn/activation.h"
#include "advgrad/nn/batch_norm.h"
#include "advgrad/nn/containers.h"
#include "advgrad/nn/conv2d.h"
#include "advgrad/nn/dropout.h"
#include "advgrad/nn/dual_batch_norm.h"
#include "advgrad/nn/efficientnet.h"
#include "advgrad/nn/lite0_taps.h"
#include "advgrad/nn/linear.h"
#include "advgrad/nn/mobilenet_v2.h"
#include "advgrad/nn/pooling.h"
#include "advgrad/nn/resnet_imagenet.h"

namespace advgrad::nn {
namespace {

ModulePtr act(const ModelConfig& c) { return std::make_shared<Activation>(c.activation); }

// BatchNorm over `width` channels (spatial_dims 2: [N, C, H, W], 0: [N, C]),
// dual (main + auxiliary, for AdvProp) when the config asks for it.
ModulePtr bn(const ModelConfig& c, std::int64_t width, int spatial_dims = 2) {
  if (c.dual_batch_norm) return std::make_shared<DualBatchNorm>(width, spatial_dims);
  return std::make_shared<BatchNorm>(width, spatial_dims);
}

Conv2dOptions padding(std::int64_t p, std::int64_t stride = 1) {
  Conv2dOptions o;
  o.pad_h = o.pad_w = p;
  o.stride_h = o.stride_w = stride;
  return o;
}

// Spatial size after a conv or pool: floor((n + 2p - k) / s) + 1.
std::int64_t out_size(std::int64_t n, std::int64_t k, std::int64_t p, std::int64_t s) { return (n + 2 * p - k) / s + 1; }

void check_size(const ModelConfig& c, std::int64_t h, std::int64_t w) {
  ADVGRAD_CHECK(h >= 1 && w >= 1, "model ", c.arch, ": input ", c.height, "x", c.width, " is too small");
}

ModulePtr mlp(const ModelConfig& c, Generator& gen) {
  auto m = std::make_shared<Sequential>();
  m->add(std::make_shared<Flatten>());
  m->add(std::make_shared<Linear>(c.channels * c.height * c.width, 256, gen)).add(act(c));
  m->add(std::make_shared<Linear>(256, 128, gen)).add(act(c));
  m->add(std::make_shared<Linear>(128, c.classes, gen));
  return m;
}

ModulePtr small_cnn(const ModelConfig& c, Generator& gen) {
  const std::int64_t h = c.height / 4, w = c.width / 4;
  check_size(c, h, w);
  auto m = std::make_shared<Sequential>();
  m->add(std::make_shared<Conv2d>(c.channels, 32, 3, gen, padding(1))).add(act(c)).add(std::make_shared<MaxPool2d>(2));
  m->add(std::make_shared<Conv2d>(32, 64, 3, gen, padding(1))).add(act(c)).add(std::make_shared<MaxPool2d>(2));
  m->add(std::make_shared<Flatten>());
  m->add(std::make_shared<Linear>(64 * h * w, 128, gen)).add(act(c));
  m->add(std::make_shared<Linear>(128, c.classes, gen));
  return m;
}

// small-cnn with a BatchNorm after each conv and after the hidden linear (those
// layers drop their bias: BN's shift replaces it). The smallest change that
// gives AdvProp normalisation to split on the same network as the other recipes.
ModulePtr small_cnn_bn(const ModelConfig& c, Generator& gen) {
  const std::int64_t h = c.height / 4, w = c.width / 4;
  check_size(c, h, w);
  auto m = std::make_shared<Sequential>();
  std::int64_t in = c.channels;
  for (std::int64_t width : {32, 64}) {
    m->add(std::make_shared<Conv2d>(in, width, 3, gen, padding(1), false)).add(bn(c, width)).add(act(c));
    m->add(std::make_shared<MaxPool2d>(2));
    in = width;
  }
  m->add(std::make_shared<Flatten>());
  m->add(std::make_shared<Linear>(64 * h * w, 128, gen, false)).add(bn(c, 128, 0)).add(act(c));
  m->add(std::make_shared<Linear>(128, c.classes, gen));
  return m;
}

ModulePtr lenet5(const ModelConfig& c, Generator& gen) {
  const std::int64_t h = out_size(out_size(c.height, 5, 2, 1) / 2, 5, 0, 1) / 2;
  const std::int64_t w = out_size(out_size(c.width, 5, 2, 1) / 2, 5, 0, 1) / 2;
  check_size(c, h, w);
  auto m = std::make_shared<Sequential>();
  m->add(std::make_shared<Conv2d>(c.channels, 6, 5, gen, padding(2))).add(act(c)).add(std::make_shared<MaxPool2d>(2));
  m->add(std::make_shared<Conv2d>(6, 16, 5, gen)).add(act(c)).add(std::make_shared<MaxPool2d>(2));
  m->add(std::make_shared<Flatten>());
  m->add(std::make_shared<Linear>(16 * h * w, 120, gen)).add(act(c));
  m->add(std::make_shared<Linear>(120, 84, gen)).add(act(c));
  m->add(std::make_shared<Linear>(84, c.classes, gen));
  return m;
}

ModulePtr cnn_bn(const ModelConfig& c, Generator& gen) {
  const std::int64_t h = c.height / 4, w = c.width / 4;
  check_size(c, h, w);
  auto m = std::make_shared<Sequential>();
  std::int64_t in = c.channels;
  for (std::int64_t width : {32, 64}) {
    for (int i = 0; i < 2; ++i) {
      m->add(std::make_shared<Conv2d>(in, width, 3, gen, padding(1), false)).add(bn(c, width)).add(act(c));
      in = width;
    }
    m->add(std::make_shared<MaxPool2d>(2));
  }
  m->add(std::make_shared<Flatten>());
  m->add(std::make_shared<Linear>(64 * h * w, 128, gen, false)).add(bn(c, 128, 0)).add(act(c));
  m->add(std::make_shared<Dropout>(0.5, gen.next_u32()));
  m->add(std::make_shared<Linear>(128, c.classes, gen));
  return m;
}

// Basic block: conv3x3(stride) BN act conv3x3 BN, plus shortcut (1x1 conv + BN
// when the shape changes), then act.
ModulePtr basic_block(const ModelConfig& c, std::int64_t in, std::int64_t out, std::int64_t stride, Generator& gen) {
  auto body = std::make_shared<Sequential>();
  body->add(std::make_shared<Conv2d>(in, out, 3, gen, padding(1, stride), false)).add(bn(c, out)).add(act(c));
  body->add(std::make_shared<Conv2d>(out, out, 3, gen, padding(1), false)).add(bn(c, out));
  ModulePtr shortcut;
  if (stride != 1 || in != out) {
    auto s = std::make_shared<Sequential>();
    s->add(std::make_shared<Conv2d>(in, out, 1, gen, padding(0, stride), false)).add(bn(c, out));
    shortcut = s;
  }
  return std::make_shared<Residual>(body, shortcut, act(c));
}

ModulePtr resnet20(const ModelConfig& c, Generator& gen) {
  auto m = std::make_shared<Sequential>();
  m->add(std::make_shared<Conv2d>(c.channels, 16, 3, gen, padding(1), false)).add(bn(c, 16)).add(act(c));
  std::int64_t in = 16;
  for (std::int64_t stage = 0; stage < 3; ++stage) {
    const std::int64_t width = 16 << stage;
    for (int block = 0; block < 3; ++block) {
      m->add(basic_block(c, in, width, stage > 0 && block == 0 ? 2 : 1, gen));
      in = width;
    }
  }
  m->add(std::make_shared<AdaptiveAvgPool2d>(1, 1)).add(std::make_shared<Flatten>());
  m->add(std::make_shared<Linear>(64, c.classes, gen));
  return m;
}

// The EfficientNets: the pretrained Lite0 and B0 at their own scaling, and
// B0 scaled down for 28-px grey images (plain, or with Noisy Student's noise).
ModulePtr efficientnet_model(const ModelConfig& c, Generator& gen) {
  EfficientNetScaling s;  // efficientnet-b0 and -lite0: the pretrained networks' own
  EfficientNetVariant variant = EfficientNetVariant::B0;
  if (c.arch == "efficientnet-lite0") variant = EfficientNetVariant::Lite0;
  else if (c.arch == "efficientnet-b0-small") s = efficientnet_b0_small(false);
  else if (c.arch == "efficientnet-b0-small-noisy") s = efficientnet_b0_small(true);
  s.dual_batch_norm = c.dual_batch_norm;
  return efficientnet(variant, c.channels, c.classes, gen, s);
}

}  // namespace

const std::vector<std::string>& model_names() {
  static const std::vector<std::string> names{"mlp",          "small-cnn", "small-cnn-bn", "lenet5",
                                              "cnn-bn",       "resnet-20", "resnet-18",    "resnet-50",
                                              "mobilenet-v2", "efficientnet-lite0", "efficientnet-b0",
                                              "efficientnet-b0-small", "efficientnet-b0-small-noisy"};
  return names;
}

const std::vector<std::string>& dual_batch_norm_models() {
  static const std::vector<std::string> names{"small-cnn-bn",       "cnn-bn",          "resnet-20",
                                              "efficientnet-lite0", "efficientnet-b0", "efficientnet-b0-small",
                                              "efficientnet-b0-small-noisy"};
  return names;
}

std::string dual_batch_norm_model_list() {
  std::string all;
  for (const auto& n : dual_batch_norm_models()) all += (all.empty() ? "" : ", ") + n;
  return all;
}

bool has_batch_norm(const std::string& arch) {
  const auto& names = dual_batch_norm_models();
  return std::find(names.begin(), names.end(), arch) != names.end();
}

std::string with_batch_norm(const std::string& arch) {
  if (has_batch_norm(arch)) return arch;
  return arch == "small-cnn" ? "small-cnn-bn" : "cnn-bn";
}

ModulePtr build_model(const ModelConfig& c) {
  ADVGRAD_CHECK(c.channels > 0 && c.height > 0 && c.width > 0 && c.classes > 1, "model ", c.arch,
                ": need positive input shape and at least 2 classes, got ", c.channels, "x", c.height, "x", c.width,
                " with ", c.classes, " classes");
  ADVGRAD_CHECK(!c.dual_batch_norm || has_batch_norm(c.arch), "model ", c.arch,
                ": dual BatchNorm (AdvProp) needs a model with BatchNorm layers (", dual_batch_norm_model_list(), ")");
  Generator gen(c.seed);
  ModulePtr body;
  if (c.arch == "mlp") body = mlp(c, gen);
  else if (c.arch == "small-cnn") body = small_cnn(c, gen);
  else if (c.arch == "small-cnn-bn") body = small_cnn_bn(c, gen);
  else if (c.arch == "lenet5") body = lenet5(c, gen);
  else if (c.arch == "cnn-bn") body = cnn_bn(c, gen);
  else if (c.arch == "resnet-20") body = resnet20(c, gen);
  else if (c.arch == "resnet-18") body = resnet18(c.channels, c.classes, c.activation, gen);
  else if (c.arch == "resnet-50") body = resnet50(c.channels, c.classes, c.activation, gen);
  else if (c.arch == "mobilenet-v2") body = mobilenet_v2(c.channels, c.classes, gen);
  else if (c.arch == "efficientnet-lite0" || c.arch == "efficientnet-b0" || c.arch == "efficientnet-b0-small" ||
           c.arch == "efficientnet-b0-small-noisy")
    body = efficientnet_model(c, gen);
  else if (c.arch == "efficientnet-lite0-taps")  // not in model_names(): nn/lite0_taps.h
    body = lite0_taps(c.channels, c.classes, gen);
  else {
    std::string all;
    for (const auto& n : model_names()) all += (all.empty() ? "" : ", ") + n;
    detail::fail("build_model: unknown architecture '", c.arch, "' (expected one of ", all, ")");
  }
  if (c.normalize_mean.empty()) return body;
  auto m = std::make_shared<Sequential>();
  m->add(std::make_shared<Normalize>(c.normalize_mean, c.normalize_std));
  m->add(body);
  return m;
}

}  // namespace advgrad::nn
