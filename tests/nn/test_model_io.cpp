// nn::config_from_json: a model file's metadata is checked for plausible
// sizes before the model is built from it (the MLP's first layer grows with
// channels x height x width: a corrupt height must not ask for petabytes).
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <random>

#include "advgrad/nn/model_io.h"
#include "advgrad/nn/safetensors.h"
#include "expect_error.h"

namespace advgrad::nn {
namespace {

using testing::expect_error;

std::string config(std::int64_t c, std::int64_t h, std::int64_t w, std::int64_t classes) {
  return R"({"arch":"mlp","channels":)" + std::to_string(c) + R"(,"height":)" + std::to_string(h) +
         R"(,"width":)" + std::to_string(w) + R"(,"classes":)" + std::to_string(classes) + R"(,"activation":"relu"})";
}

TEST(ModelIo, ConfigWithinTheBoundsRoundTrips) {
  std::mt19937 gen(std::random_device{}());
  const std::int64_t h = 1 + gen() % 300, w = 1 + gen() % 300, k = 2 + gen() % 2000;
  const ModelConfig c = config_from_json(config(3, h, w, k), "m.safetensors");
  EXPECT_EQ(c.height, h);
  EXPECT_EQ(c.width, w);
  EXPECT_EQ(c.classes, k);
  EXPECT_EQ(config_from_json(config_to_json(c), "again").height, h);
  config_from_json(config(3, 512, 512, 100000), "largest");  // the bounds themselves are allowed
}

TEST(ModelIo, ImplausibleConfigsAreRefusedInTheUsersTerms) {
  expect_error([] { config_from_json(config(1, 562949953421312, 28, 10), "m.safetensors"); },
               {"model file 'm.safetensors'", "1x562949953421312x28", "a corrupt file?"});
  expect_error([] { config_from_json(config(3, 513, 512, 10), "m"); }, {"3x513x512", "786432"});
  expect_error([] { config_from_json(config(1, 0, 28, 10), "m"); }, {"at least 1"});
  expect_error([] { config_from_json(config(1, 28, 28, 1), "m"); }, {"1 classes"});
  expect_error([] { config_from_json(config(1, 28, 28, 100001), "m"); }, {"100001 classes"});
  expect_error([] { config_from_json("{\"arch\": 3}", "m"); }, {"model config is not valid"});
}

// Found by fuzz/fuzz_model_config (UBSan: "2.88889e+25 is outside the range of
// representable values of type 'long'"): a JSON float where a size belongs was
// cast to int64. The input, verbatim, is also in fuzz/corpus/model_config/.
TEST(ModelIo, FuzzRegressionFloatWhereAnIntegerBelongs) {
  const std::string found =
      R"({"arch": "mlp", "channels": 1, "height": 4, "width": 3, "classes": 28888888888888888888888888, )"
      R"("activation": "rONOOOOOOOOOOOOOOOOOOelu", "ar25": 1, "normalize_mea*": [], "seedalize_std": []})"
      "\n";
  expect_error([&] { config_from_json(found, "crash.json"); }, {"classes is 2.88888", "not a whole number"});
  expect_error([] { config_from_json(config(1, 28, 28, 10).replace(0, 1, "{\"seed\": 1.5, "), "m"); },
               {"seed is 1.5"});
  expect_error([] { config_from_json(R"({"arch":"mlp","channels":1,"height":2.0,"width":3,"classes":2,"activation":"relu"})", "m"); },
               {"height is 2.0"});
}

std::string file_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

// A diverged run's weights: save_model refuses them (the old file stays as it
// was), and a file holding them anyway (written with the raw safetensors
// writer, as an older advgrad did) is refused by load_model, naming the tensor
// and the element.
TEST(ModelIo, NonFiniteWeightsAreNeitherSavedNorLoaded) {
  std::mt19937 gen(std::random_device{}());
  ModelConfig c;
  c.arch = "mlp";
  c.channels = 1;
  c.height = 3 + gen() % 5;
  c.width = 2 + gen() % 7;
  c.classes = 2 + gen() % 5;
  c.seed = gen();
  ModulePtr model = build_model(c);
  const std::string path = ::testing::TempDir() + "advgrad_nonfinite_" + std::to_string(gen()) + ".safetensors";
  save_model(path, *model, c);
  const std::string good = file_bytes(path);
  EXPECT_EQ(describe_non_finite(model->state_dict()), "");

  StateDict state = model->state_dict();
  auto it = state.begin();
  std::advance(it, gen() % state.size());
  const Tensor& victim = it->second;
  const std::size_t index = gen() % static_cast<std::size_t>(victim.numel());
  const bool nan = gen() % 2 == 0;
  victim.data<float>()[index] = nan ? std::numeric_limits<float>::quiet_NaN() : -std::numeric_limits<float>::infinity();
  const std::string where = "'" + it->first + "' (" + (nan ? "nan" : "-inf") + " at index " + std::to_string(index);
  EXPECT_NE(describe_non_finite(model->state_dict()).find(where), std::string::npos)
      << describe_non_finite(model->state_dict());

  expect_error([&] { save_model(path, *model, c); }, {"refusing to write", where.c_str(), "lower --lr"});
  EXPECT_EQ(file_bytes(path), good) << "the old model must stay as it was";

  std::map<std::string, std::string> metadata{{"format", "pt"}, {"advgrad.model", config_to_json(c)}};
  save_safetensors(path, model->state_dict(), metadata);
  expect_error([&] { load_model(path); }, {path.c_str(), "non-finite weights", where.c_str(), "lower --lr"});
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace advgrad::nn
