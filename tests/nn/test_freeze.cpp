// Freezing for transfer learning: after a training step in train mode the
// frozen parameters and the frozen BatchNorm statistics are unchanged, the
// trainable ones moved; the optimizer gets only the trainable parameters, in
// the head / backbone groups; Module::to does not unfreeze.
#include <filesystem>
#include <map>
#include <set>

#include "advgrad/io/cache_dir.h"
#include "advgrad/nn/freeze.h"
#include "advgrad/nn/models.h"
#include "advgrad/nn/transfer.h"
#include "testing.h"

namespace advgrad::nn {
namespace {

// One Adam step of cross-entropy on a random batch, the model in train mode.
void train_one_step(Module& model, const Shape& input, std::int64_t classes, double backbone_lr_scale = 1) {
  model.train();
  auto opt = make_optimizer("adam", trainable_groups(model, 0.05, backbone_lr_scale), 0.05, 0);
  const Tensor x = testing::random_tensor(input, 17, DType::Float32, 0, 1);
  std::vector<std::int64_t> y;
  for (std::int64_t i = 0; i < input[0]; ++i) y.push_back((i * 7 + 3) % classes);
  const Tensor labels = from_vector(y, {input[0]}, {.dtype = DType::Int64});
  opt->zero_grad();
  cross_entropy(model(x), labels).backward();
  opt->step();
}

ModelConfig config(const std::string& arch, std::int64_t channels, std::int64_t size, std::uint64_t seed) {
  ModelConfig c;
  c.arch = arch;
  c.channels = channels;
  c.height = c.width = size;
  c.seed = seed;
  return c;
}

// The values of every tensor (state_dict() shares the model's storage, so copy them out).
using Snapshot = std::map<std::string, std::vector<double>>;
Snapshot snapshot(const Module& model) {
  Snapshot out;
  for (const auto& [name, t] : model.state_dict()) out[name] = t.to_double_vector();
  return out;
}

// Names of the tensors (parameters and buffers) whose values differ between two snapshots.
std::set<std::string> changed(const Snapshot& before, const Snapshot& after) {
  std::set<std::string> out;
  for (const auto& [name, v] : before)
    if (v != after.at(name)) out.insert(name);
  return out;
}

TEST(Freeze, FrozenBackboneOfABatchNormNetKeepsWeightsAndRunningStats) {
  ModelConfig c = config("small-cnn-bn", 2, 12, 3);
  c.classes = 5;
  ModulePtr plain = build_model(c);
  const std::string last = plain->named_parameters().back().first;  // "<i>.bias" of the classifier
  const std::string head = last.substr(0, last.find('.') + 1);
  auto net = std::make_shared<PartlyFrozen>(plain, std::vector<std::string>{head}, std::vector<std::string>{});
  const Snapshot before = snapshot(*net);
  EXPECT_EQ(before.size(), plain->state_dict().size());  // the same names as the plain model
  train_one_step(*net, {9, 2, 12, 12}, 5);
  const std::set<std::string> moved = changed(before, snapshot(*net));
  EXPECT_EQ(moved, (std::set<std::string>{head + "weight", head + "bias"}));
  for (auto& [name, m] : plain->named_modules())
    if (!name.empty() && !m->named_parameters().empty()) {
      EXPECT_EQ(m->is_training(), name + "." == head) << name;
    }

  // Without freezing the same step moves the BatchNorm statistics (the check above can fail).
  ModulePtr free_net = build_model(c);
  const Snapshot free_before = snapshot(*free_net);
  train_one_step(*free_net, {9, 2, 12, 12}, 5);
  const std::set<std::string> free_moved = changed(free_before, snapshot(*free_net));
  EXPECT_TRUE(free_moved.count("1.running_mean")) << "small-cnn-bn's first BN is not '1.'";
}

TEST(Freeze, LastBlocksOfEfficientNetLite0TrainAndNothingElse) {
  ModelConfig c = config("efficientnet-lite0", 3, 33, 5);
  c.classes = 3;
  ModulePtr net = freeze(build_model(c), parse_freeze("blocks:2"));
  const Snapshot before = snapshot(*net);
  train_one_step(*net, {3, 3, 33, 33}, 3, 0.5);
  for (const auto& name : changed(before, snapshot(*net))) {
    const bool allowed = name.rfind("_blocks.14.", 0) == 0 || name.rfind("_blocks.15.", 0) == 0 ||
                         name.rfind("_conv_head.", 0) == 0 || name.rfind("_bn1.", 0) == 0 || name.rfind("_fc.", 0) == 0;
    EXPECT_TRUE(allowed) << name << " changed";
  }
  const std::set<std::string> moved = changed(before, snapshot(*net));
  for (const char* name : {"_blocks.15._project_conv.weight", "_blocks.14._bn2.running_mean", "_conv_head.weight",
                           "_bn1.running_var", "_fc.weight"})
    EXPECT_TRUE(moved.count(name)) << name << " did not change";
  // Frozen blocks are in eval mode even though the model is in train mode.
  auto* frozen = dynamic_cast<PartlyFrozen*>(net.get());
  ASSERT_NE(frozen, nullptr);
  for (auto& [name, m] : frozen->inner()->named_modules()) {
    if (name == "_blocks.3" || name == "_blocks.13._bn1" || name == "_bn0") {
      EXPECT_FALSE(m->is_training()) << name;
    }
    if (name == "_blocks.14" || name == "_bn1" || name == "_fc" || name == "_dropout") {
      EXPECT_TRUE(m->is_training()) << name;
    }
  }
}

TEST(Freeze, GroupsLeaveFrozenParametersOutAndToDoesNotUnfreeze) {
  ModelConfig c = config("efficientnet-lite0", 3, 32, 9);
  c.classes = 4;
  ModulePtr net = freeze(build_model(c), parse_freeze("blocks:1"));
  auto groups = trainable_groups(*net, 0.01, 0.1);
  ASSERT_EQ(groups.size(), 2U);
  EXPECT_EQ(groups[0].params.size(), 2U);  // _fc weight and bias
  EXPECT_DOUBLE_EQ(groups[0].lr, 0.01);
  EXPECT_DOUBLE_EQ(groups[1].lr, 0.001);
  std::int64_t trainable = 0;
  for (const auto& [name, t] : net->named_parameters())
    if (name.rfind("_blocks.15.", 0) == 0 || name.rfind("_conv_head.", 0) == 0 || name.rfind("_bn1.", 0) == 0) ++trainable;
  EXPECT_EQ(static_cast<std::int64_t>(groups[1].params.size()), trainable);
  for (const auto& p : groups[1].params) EXPECT_TRUE(p.requires_grad());

  net->to(Device::cpu());  // makes every parameter require grad again
  (void)(*net)(testing::random_tensor({2, 3, 32, 32}, 4, DType::Float32, 0, 1));
  for (const auto& [name, t] : net->named_parameters())
    if (name.rfind("_blocks.0.", 0) == 0) {
      EXPECT_FALSE(t.requires_grad()) << name;
    }

  ModulePtr all = freeze(build_model(c), parse_freeze("backbone"));
  EXPECT_EQ(trainable_groups(*all, 0.01, 1).size(), 1U);
  EXPECT_EQ(trainable_groups(*build_model(c), 0.01, 1)[0].params.size(), build_model(c)->parameters().size());
  EXPECT_THROW(trainable_groups(*net, 0.01, 0), Error);
  EXPECT_THROW(PartlyFrozen(build_model(c), {"_nothing."}, {}), Error);
}

TEST(Freeze, ParseFreeze) {
  EXPECT_EQ(parse_freeze("backbone").mode, "backbone");
  EXPECT_EQ(parse_freeze("none").mode, "none");
  EXPECT_EQ(parse_freeze("blocks:7").blocks, 7);
  EXPECT_EQ(parse_freeze("blocks:7").to_string(), "blocks:7");
  for (const char* bad : {"", "all", "blocks:", "blocks:17", "blocks:-1", "blocks:3x"}) EXPECT_THROW(parse_freeze(bad), Error) << bad;
}

TEST(Freeze, PretrainedWithANewHead) {
  const std::string path = io::cache_path("pretrained") + "/efficientnet-lite0.pth";
  if (!std::filesystem::exists(path)) GTEST_SKIP() << "no " << path << ": run scripts/fetch-pretrained.sh";
  ModelConfig c = config("efficientnet-lite0", 3, 40, 2);
  c.classes = 7;
  ModulePtr net = pretrained_with_new_head(c, path);
  ModulePtr imagenet = build_model(imagenet_config("efficientnet-lite0"));
  const StateDict fresh = build_model(c)->state_dict(), got = net->state_dict();
  EXPECT_EQ(got.at("_fc.weight").shape(), (Shape{7, 1280}));
  EXPECT_EQ(got.at("_fc.weight").to_double_vector(), fresh.at("_fc.weight").to_double_vector());  // the seed's head
  EXPECT_NE(got.at("_conv_stem.weight").to_double_vector(), fresh.at("_conv_stem.weight").to_double_vector());
  c.channels = 1;
  EXPECT_THROW(pretrained_with_new_head(c, path), Error);
}

}  // namespace
}  // namespace advgrad::nn
