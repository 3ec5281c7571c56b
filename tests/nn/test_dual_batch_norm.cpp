// DualBatchNorm: two sets of statistics routed per forward pass; models built
// with dual_batch_norm; the flag saved and loaded in model files.
#include <filesystem>

#include "advgrad/nn/dual_batch_norm.h"
#include "advgrad/nn/model_io.h"
#include "advgrad/nn/models.h"
#include "expect_error.h"
#include "testing.h"

namespace advgrad::nn {
namespace {

TEST(DualBatchNorm, EachRouteUpdatesOnlyItsOwnStatistics) {
  DualBatchNorm bn(3, 2);
  Generator gen(1);
  const Tensor x = rand({4, 3, 2, 2}, gen) * 5.0;
  bn.train();
  const auto aux_before = bn.auxiliary().running_mean.to_double_vector();
  bn(x);  // route Main by default
  EXPECT_NE(bn.main().running_mean.to_double_vector(), std::vector<double>(3, 0.0));
  EXPECT_EQ(bn.auxiliary().running_mean.to_double_vector(), aux_before);
  const auto main_after = bn.main().running_mean.to_double_vector();
  bn.set_route(BatchNormRoute::Auxiliary);
  bn(x);
  EXPECT_EQ(bn.main().running_mean.to_double_vector(), main_after);
  EXPECT_EQ(bn.auxiliary().running_mean.to_double_vector(), main_after) << "same batch, same momentum";
  // Eval follows the route: different statistics, different outputs.
  bn.eval();
  bn.auxiliary().running_var.fill_(4.0);
  const auto aux_out = bn(x).to_double_vector();
  bn.set_route(BatchNormRoute::Main);
  EXPECT_NE(bn(x).to_double_vector(), aux_out);
  EXPECT_EQ(bn.named_parameters().size(), 4u);  // main.weight, main.bias, aux.weight, aux.bias
}

ModelConfig small(const std::string& arch, bool dual) {
  ModelConfig c;
  c.arch = arch;
  c.height = c.width = 8;
  c.seed = 2;
  c.dual_batch_norm = dual;
  return c;
}

TEST(DualBatchNorm, ModelsSwapEveryBatchNormAndKeepTheOtherWeights) {
  for (const std::string arch : {"small-cnn-bn", "cnn-bn", "resnet-20"}) {
    ModulePtr plain = build_model(small(arch, false)), dual = build_model(small(arch, true));
    const StateDict p = plain->state_dict(), d = dual->state_dict();
    std::int64_t plain_bn = 0, dual_bn = 0;
    for (auto& [name, t] : p) {
      if (name.find("running_mean") != std::string::npos) ++plain_bn;
      if (name.find("weight") != std::string::npos && d.count(name)) {
        EXPECT_EQ(t.to_double_vector(), d.at(name).to_double_vector()) << arch << " " << name;
      }
    }
    for (auto& [name, t] : d) dual_bn += name.find(".aux.running_mean") != std::string::npos;
    EXPECT_EQ(dual_bn, plain_bn) << arch;
    EXPECT_EQ(set_batch_norm_route(*dual, BatchNormRoute::Main), plain_bn) << arch;
    EXPECT_EQ(set_batch_norm_route(*plain, BatchNormRoute::Main), 0) << arch;
  }
  testing::expect_error([] { build_model(small("mlp", true)); },
                        {"dual BatchNorm", "small-cnn-bn, cnn-bn, resnet-20", "efficientnet-b0-small"});
  testing::expect_error([] { build_model(small("small-cnn", true)); }, {"model small-cnn", "dual BatchNorm"});
}

TEST(DualBatchNorm, SavedInModelFilesAndOldFilesStillLoad) {
  const std::string path = ::testing::TempDir() + "advgrad_dual_bn.safetensors";
  ModelConfig c = small("cnn-bn", true);
  ModulePtr m = build_model(c);
  save_model(path, *m, c);
  LoadedModel back = load_model(path);
  EXPECT_TRUE(back.config.dual_batch_norm);
  EXPECT_EQ(back.model->state_dict().size(), m->state_dict().size());
  std::filesystem::remove(path);
  EXPECT_EQ(config_to_json(small("cnn-bn", false)).find("dual_batch_norm"), std::string::npos)
      << "plain configs are written as before";
  const ModelConfig old = config_from_json(
      R"({"arch":"cnn-bn","channels":1,"height":28,"width":28,"classes":10,"activation":"relu"})", "old");
  EXPECT_FALSE(old.dual_batch_norm);
}

}  // namespace
}  // namespace advgrad::nn
