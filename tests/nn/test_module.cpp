// Module plumbing, layers and the model zoo.
#include <cmath>

#include "advgrad/nn/activation.h"
#include "advgrad/nn/batch_norm.h"
#include "advgrad/nn/containers.h"
#include "advgrad/nn/conv2d.h"
#include "advgrad/nn/init.h"
#include "advgrad/nn/linear.h"
#include "advgrad/nn/model_io.h"
#include "advgrad/nn/models.h"
#include "advgrad/nn/pooling.h"
#include "testing.h"

namespace advgrad::nn {
namespace {

TEST(Module, NamesParametersBuffersAndChildren) {
  Generator gen(1);
  auto m = std::make_shared<Sequential>(std::vector<ModulePtr>{
      std::make_shared<Conv2d>(1, 4, 3, gen), BatchNorm2d(4), std::make_shared<Activation>("relu"),
      std::make_shared<Flatten>(), std::make_shared<Linear>(4 * 6 * 6, 3, gen)});
  std::vector<std::string> names;
  for (auto& [n, t] : m->named_parameters()) names.push_back(n);
  EXPECT_EQ(names, (std::vector<std::string>{"0.weight", "0.bias", "1.weight", "1.bias", "4.weight", "4.bias"}));
  EXPECT_EQ(m->named_buffers().size(), 2u);
  EXPECT_EQ(m->state_dict().size(), 8u);
  EXPECT_EQ(m->num_parameters(), 4 * 9 + 4 + 4 + 4 + 3 * 144 + 3);
  for (auto& p : m->parameters()) EXPECT_TRUE(p.requires_grad() && p.is_leaf());
  m->eval();
  for (auto& [n, mod] : m->named_modules()) EXPECT_FALSE(mod->is_training()) << n;
  EXPECT_NE(m->repr().find("Conv2d(1, 4, kernel=3)"), std::string::npos) << m->repr();
  Tensor y = (*m)(testing::random_tensor({2, 1, 8, 8}, 3, DType::Float32));
  EXPECT_EQ(y.shape(), (Shape{2, 3}));
}

TEST(Module, LoadStateDictChecksNamesShapesAndDtypes) {
  Generator g1(1), g2(2);
  Linear a(3, 2, g1), b(3, 2, g2);
  b.load_state_dict(a.state_dict());
  EXPECT_EQ(a.weight.to_double_vector(), b.weight.to_double_vector());
  EXPECT_TRUE(b.weight.requires_grad()) << "loading keeps the parameter a trainable leaf";
  StateDict wrong = a.state_dict();
  wrong["weight"] = zeros({2, 4});
  try {
    b.load_state_dict(wrong);
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("'weight' has shape [2, 4], the model expects [2, 3]"), std::string::npos)
        << e.what();
  }
  StateDict missing = a.state_dict();
  missing.erase("bias");
  EXPECT_THROW(b.load_state_dict(missing), Error);
  b.load_state_dict(missing, /*strict=*/false);
  StateDict extra = a.state_dict();
  extra["junk"] = ones({1});
  EXPECT_THROW(b.load_state_dict(extra), Error);
  StateDict f64 = a.state_dict();
  f64["weight"] = f64["weight"].to(DType::Float64);
  EXPECT_THROW(b.load_state_dict(f64), Error);
}

TEST(Module, LayerGradientsInFloat64) {
  // Modules converted to float64 pass the gradient checks w.r.t. their input.
  Generator gen(5);
  auto lin = std::make_shared<Linear>(5, 3, gen);
  lin->to(DType::Float64);
  EXPECT_EQ(lin->weight.dtype(), DType::Float64);
  EXPECT_TRUE(lin->weight.requires_grad());
  testing::TensorFn f = [lin](const std::vector<Tensor>& x) { return (*lin)(x[0]); };
  Tensor x = testing::random_tensor({4, 5}, 1).requires_grad_(true);
  EXPECT_TRUE(testing::gradcheck(f, {x}));
  auto norm = std::make_shared<Normalize>(std::vector<double>{0.5, 0.2}, std::vector<double>{0.25, 2.0});
  norm->to(DType::Float64);
  testing::TensorFn g = [norm](const std::vector<Tensor>& v) { return (*norm)(v[0]); };
  EXPECT_TRUE(testing::gradcheck(g, {testing::random_tensor({2, 2, 3, 3}, 2).requires_grad_(true)}));
}

TEST(Module, ActivationByNameMatchesTheOp) {
  Tensor x = testing::random_tensor({7}, 9, DType::Float32, -2, 2);
  for (const auto& name : activation_names()) {
    Activation a(name);
    EXPECT_EQ(a(x).shape(), x.shape()) << name;
  }
  EXPECT_EQ(Activation("gelu")(x).to_double_vector(), gelu(x).to_double_vector());
  EXPECT_EQ(Activation("swish")(x).to_double_vector(), silu(x).to_double_vector());
  EXPECT_THROW(Activation("reluu"), Error);
}

TEST(Module, InitStatistics) {
  Generator gen(3);
  Tensor w = zeros({256, 512});
  init::kaiming_normal_(w, gen);
  const double expected_std = std::sqrt(2.0 / 512);
  const double std = std::sqrt(var(w).item());
  EXPECT_NEAR(std, expected_std, 0.03 * expected_std);
  init::xavier_uniform_(w, gen);
  const double bound = std::sqrt(6.0 / (512 + 256));
  EXPECT_LE(amax(abs(w)).item(), bound);
  EXPECT_GT(amax(abs(w)).item(), 0.95 * bound);
}

TEST(Models, EveryArchitectureBuildsAndRuns) {
  for (const auto& arch : model_names()) {
    SCOPED_TRACE(arch);
    ModelConfig c;
    c.arch = arch;
    c.activation = "silu";
    if (arch == "resnet-20") c.channels = 3, c.height = c.width = 16;
    if (arch == "resnet-18" || arch == "resnet-50" || arch == "mobilenet-v2" || arch == "efficientnet-b0")
      c.channels = 3, c.height = c.width = 32;
    ModulePtr m = build_model(c);
    Tensor y = (*m)(testing::random_tensor({2, c.channels, c.height, c.width}, 1, DType::Float32, 0, 1));
    EXPECT_EQ(y.shape(), (Shape{2, 10}));
    // Same seed, same weights.
    EXPECT_EQ(build_model(c)->parameters()[0].to_double_vector(), m->parameters()[0].to_double_vector());
  }
  ModelConfig small;
  EXPECT_EQ(build_model(small)->num_parameters(), 320 + 18496 + 3136 * 128 + 128 + 1290);  // SmallCNN
  // SmallCNN with BN: each BN's scale and shift replace the layer's bias.
  small.arch = "small-cnn-bn";
  EXPECT_EQ(build_model(small)->num_parameters(), 288 + 2 * 32 + 18432 + 2 * 64 + 3136 * 128 + 2 * 128 + 1290);
  ModelConfig bad;
  bad.arch = "vgg";
  EXPECT_THROW(build_model(bad), Error);
}

TEST(Models, SaveAndLoadRebuildsTheModel) {
  ModelConfig c;
  c.arch = "cnn-bn";
  c.seed = 4;
  ModulePtr m = build_model(c);
  const std::string path = ::testing::TempDir() + "advgrad_model_io.safetensors";
  save_model(path, *m, c, {{"note", "x"}});
  LoadedModel loaded = load_model(path);
  EXPECT_EQ(loaded.config.arch, "cnn-bn");
  EXPECT_EQ(loaded.metadata.at("note"), "x");
  m->eval();
  loaded.model->eval();
  Tensor x = testing::random_tensor({3, 1, 28, 28}, 2, DType::Float32, 0, 1);
  EXPECT_EQ((*m)(x).to_double_vector(), (*loaded.model)(x).to_double_vector());
  std::remove(path.c_str());
}

}  // namespace
}  // namespace advgrad::nn
