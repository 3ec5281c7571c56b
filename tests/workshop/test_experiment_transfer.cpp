// The transfer experiment (workshop/experiment_transfer.h): its budgets, the
// feature extractor the frozen row caches (its features times a linear head
// are exactly the pretrained network with that head, and do not depend on
// the batch: the frozen backbone is in eval mode), the CSV / table / figure,
// and a run of its small-cnn rows on synthetic digits. The tests that need
// the pretrained weights skip, visibly, without them (scripts/fetch-pretrained.sh).
#include <cmath>
#include <random>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "advgrad/io/cache_dir.h"
#include "advgrad/nn/activation.h"
#include "advgrad/nn/containers.h"
#include "advgrad/nn/lite0_taps.h"
#include "advgrad/nn/pretrained.h"
#include "advgrad/nn/transfer.h"
#include "advgrad/workshop/experiment_transfer.h"
#include "testing.h"

namespace advgrad::workshop {
namespace {

namespace fs = std::filesystem;

bool have_weights() { return fs::exists(io::cache_path("pretrained") + "/efficientnet-lite0.pth"); }

ExperimentBudget base(const std::string& level) {
  const data::Split d = data::make_synthetic_digits(10, 10, 3);
  return make_budget(level, d.train);
}

TEST(TransferBudget, SizesAscendValidationFollowsTheLargestAndLevelsDiffer) {
  for (const std::string level : {"quick", "default", "full"}) {
    const TransferBudget b = transfer_budget(base(level));
    ASSERT_FALSE(b.sizes.empty()) << level;
    EXPECT_TRUE(std::is_sorted(b.sizes.begin(), b.sizes.end())) << level;
    EXPECT_GT(b.validation, 0) << level;
    EXPECT_EQ(b.base.train_size, b.sizes.back() + b.validation) << level;
    EXPECT_EQ(transfer_train_images(b), b.sizes.back() + b.validation) << level;
    EXPECT_TRUE(b.base.eps_values.empty()) << level;  // no sweeps: the headline attacks only
    // The same budget again (the CLI applies it before splitting the data) is unchanged.
    EXPECT_EQ(transfer_budget(b.base).sizes, b.sizes) << level;
  }
  EXPECT_EQ(transfer_budget(base("default")).sizes, (std::vector<std::int64_t>{100, 1000, 10000}));
  const TransferBudget d = transfer_budget(base("default"));
  EXPECT_GT(d.epochs_for(100), d.epochs_for(1000));
  EXPECT_GT(d.epochs_for(1000), d.epochs_for(10000));
  EXPECT_LE(transfer_budget(base("quick")).epochs_for(100), 2);
  ExperimentBudget odd = base("default");
  odd.level = "huge";
  EXPECT_THROW(transfer_budget(odd), Error);
}

TEST(TransferFeatures, CachedFeaturesThroughAHeadAreThePretrainedNetworkWithThatHead) {
  if (!have_weights()) GTEST_SKIP() << "run scripts/fetch-pretrained.sh to fetch the EfficientNet-Lite0 weights";
  const std::int64_t size = 33;  // odd: "same" padding with an odd remainder at every stride
  nn::ModulePtr extractor = lite0_feature_extractor(size, nn::pretrained_path("efficientnet-lite0"));
  data::Dataset images = data::convert_dataset(data::make_synthetic_digits(7, 1, 11).train, 3, size, size);
  const Tensor features = pooled_features(*extractor, images, 3);  // batches of 3, 3, 1
  ASSERT_EQ(features.shape(), Shape({7, nn::lite0_tap_features()}));
  // Eval mode: the same features whatever the batch.
  EXPECT_TRUE(testing::all_close(pooled_features(*extractor, images, 7), features, 1e-4, 1e-5));

  std::vector<std::int64_t> all{0, 1, 2, 3, 4, 5, 6};
  NoGradGuard no_grad;
  // The same features from the plain pretrained Lite0's own modules: its
  // input scaling, stem, BN and ReLU6, then blocks 0..15 with the outputs of
  // blocks 7, 10 and 15 pooled (80, 112 and 320 channels) and concatenated.
  nn::ModulePtr lite0 = nn::pretrained_model("efficientnet-lite0");
  std::map<std::string, nn::ModulePtr> parts;
  for (const auto& [name, child] : lite0->named_children()) parts[name] = child;
  nn::Activation relu6("relu6");
  Tensor h = relu6((*parts.at("_bn0"))((*parts.at("_conv_stem"))((*parts.at("_input"))(images.images_tensor(all)))));
  const auto& blocks = dynamic_cast<nn::Sequential&>(*parts.at("_blocks"));
  std::vector<Tensor> pooled;
  for (std::size_t k = 0; k < blocks.size(); ++k) {
    h = (*blocks[k])(h);
    if (k == 7 || k == 10 || k == 15) pooled.push_back(global_avg_pool2d(h));
  }
  ASSERT_EQ(pooled[0].shape()[1] + pooled[1].shape()[1] + pooled[2].shape()[1], nn::lite0_tap_features());
  EXPECT_TRUE(testing::all_close(cat(pooled, 1), features, 1e-4, 1e-4));

  // The pretrained taps network with a fresh (random) 5-class head: its
  // logits are the cached features through that head.
  nn::ModelConfig c;
  c.arch = "efficientnet-lite0-taps";
  c.channels = 3;
  c.height = c.width = size;
  c.classes = 5;
  c.seed = 29;
  nn::ModulePtr model = nn::pretrained_lite0_taps(c, nn::pretrained_path("efficientnet-lite0"));
  model->train(false);
  Tensor w, bias;
  for (auto& [name, p] : model->named_parameters()) {
    if (name == "_fc.weight") w = p;
    if (name == "_fc.bias") bias = p;
  }
  ASSERT_TRUE(w.defined() && bias.defined());
  const Tensor logits = (*model)(images.images_tensor(all));
  const Tensor through_head = add(matmul(features, w.transpose(0, 1)), bias);
  EXPECT_TRUE(testing::all_close(through_head, logits, 1e-4, 1e-4));
  // Built by name too (what a model file reloads), with Lite0's tensor names and no head conv.
  const nn::StateDict state = nn::build_model(c)->state_dict();
  EXPECT_TRUE(state.count("_blocks.15._project_conv.weight") && state.count("_fc.weight"));
  EXPECT_FALSE(state.count("_conv_head.weight"));
  c.channels = 1;
  EXPECT_THROW(nn::pretrained_lite0_taps(c, nn::pretrained_path("efficientnet-lite0")), Error);
}

std::vector<TransferRow> made_up_rows();

TEST(TransferFeatures, StandardisedFeaturesThroughAHeadEqualRawFeaturesThroughTheFoldedHead) {
  Generator gen(std::random_device{}());
  const std::int64_t n = 37, d = 13, k = 5;
  // Features with very different offsets and scales per column, one column constant.
  Tensor raw = add(mul(rand({n, d}, gen), mul(rand({1, d}, gen), full({1, d}, 9.0))), mul(rand({1, d}, gen), full({1, d}, 4.0)));
  {
    NoGradGuard no_grad;
    raw.narrow(1, 3, 1).copy_(full({n, 1}, 2.5));
  }
  const FeatureScaling s = feature_scaling(raw);
  const Tensor z = standardise(raw, s);
  // Each column: mean 0 and variance var / (var + 1e-5), var the raw column's
  // (about 1 for a spread column; 0 for the constant one).
  const auto v = z.to_vector<float>(), r = raw.to_vector<float>();
  for (std::int64_t j = 0; j < d; ++j) {
    double m = 0, sq = 0, rm = 0, rsq = 0;
    for (std::int64_t i = 0; i < n; ++i) {
      m += v[static_cast<std::size_t>(i * d + j)];
      rm += r[static_cast<std::size_t>(i * d + j)];
    }
    m /= n;
    rm /= n;
    for (std::int64_t i = 0; i < n; ++i) {
      sq += std::pow(v[static_cast<std::size_t>(i * d + j)] - m, 2);
      rsq += std::pow(r[static_cast<std::size_t>(i * d + j)] - rm, 2);
    }
    const double var = rsq / n;
    EXPECT_NEAR(m, 0, 1e-4) << j;
    EXPECT_NEAR(sq / n, var / (var + 1e-5), 1e-4) << j;
    if (j == 3) {
      EXPECT_NEAR(sq / n, 0, 1e-6);
    }
  }
  const Tensor w = randn({k, d}, gen), b = randn({k}, gen);
  const auto [fw, fb] = fold_scaling(w, b, s);
  const Tensor on_standardised = add(matmul(z, w.transpose(0, 1)), b);
  const Tensor on_raw = add(matmul(raw, fw.transpose(0, 1)), fb);
  EXPECT_TRUE(testing::all_close(on_raw, on_standardised, 1e-3, 1e-3));
  EXPECT_THROW(standardise(randn({4, d + 1}, gen), s), Error);
  EXPECT_THROW(fold_scaling(randn({k, d + 2}, gen), b, s), Error);
}

TEST(TransferOutputs, PairedCsvHasTheMcNemarCountsAndPValue) {
  const auto rows = made_up_rows();
  eval::McNemar m;
  m.both_right = 200;
  m.only_first = 10;
  m.only_second = 2;
  m.both_wrong = 121;
  m.p_value = eval::mcnemar_exact_p(10, 2);
  std::istringstream csv(transfer_paired_csv({{100, m}}, rows));
  std::string header, line, extra;
  std::getline(csv, header);
  EXPECT_EQ(header, "train_images,frozen_clean,small_cnn_clean,both_right,only_frozen,only_small_cnn,both_wrong,mcnemar_p");
  std::getline(csv, line);
  EXPECT_EQ(line.rfind("100,0.43,0.5,200,10,2,121,0.0385", 0), 0u) << line;
  EXPECT_FALSE(std::getline(csv, extra));
}

std::vector<TransferRow> made_up_rows() {
  std::vector<TransferRow> rows;
  const std::vector<std::pair<std::int64_t, std::string>> cells{
      {100, "frozen"}, {100, "small-cnn"}, {1000, "frozen"}, {1000, "small-cnn"}, {100, "fine-tuned"}};
  double acc = 0.43;
  for (const auto& [n, method] : cells) {
    TransferRow t;
    t.train_images = n;
    t.method = method;
    t.epochs = 7;
    t.row.name = method + "-" + std::to_string(n);
    t.row.detail = "d, with a comma";
    t.row.clean = acc;
    t.row.fgsm = acc / 2;
    t.row.pgd = acc / 5;
    t.row.clean_count = 333;
    t.row.attack_count = 77;
    t.row.train_seconds = 1.25;
    acc += 0.07;
    rows.push_back(t);
  }
  return rows;
}

TEST(TransferOutputs, CsvTableAndFiguresCarryEveryRowWithIntervals) {
  const TransferBudget b = transfer_budget(base("default"));
  const auto rows = made_up_rows();
  std::istringstream csv(transfer_csv(rows, b));
  std::string line;
  std::getline(csv, line);
  EXPECT_EQ(line.rfind("train_images,method,detail,epochs,train_seconds,clean,clean_lo95,clean_hi95,fgsm,", 0), 0u)
      << line;
  EXPECT_NE(line.find("pgd10,pgd10_lo95,pgd10_hi95"), std::string::npos) << line;
  int n = 0;
  while (std::getline(csv, line)) {
    ++n;
    EXPECT_NE(line.find("\"d, with a comma\""), std::string::npos) << line;
    EXPECT_NE(line.find(",333,77"), std::string::npos) << line;
  }
  EXPECT_EQ(n, 5);
  const report::ReportTable t = transfer_table(rows, b);
  ASSERT_EQ(t.rows.size(), 5u);
  EXPECT_EQ(t.rows[2][0], "1,000");
  EXPECT_EQ(t.rows[2][1], "frozen");
  for (const auto& r : t.rows) EXPECT_NE(r[4].find('%'), std::string::npos);
  const report::Figure clean = transfer_chart(rows, b, false), pgd = transfer_chart(rows, b, true);
  EXPECT_NE(clean.svg(), pgd.svg());  // different accuracies, different curves
  // A failed training is left out of the figure; with every row failed there is nothing to draw.
  auto failed = rows;
  failed[0].row.failed = true;
  EXPECT_NE(transfer_chart(failed, b, false).svg(), clean.svg());
  for (auto& r : failed) r.row.failed = true;
  EXPECT_THROW(transfer_chart(failed, b, false), Error);
}

TEST(TransferExperiment, SmallCnnRowsRunOnSyntheticDigitsAndTooFewImagesAreRefused) {
  const data::Split d = data::make_synthetic_digits(150, 31, 5);
  const TransferBudget b = transfer_budget(make_budget("quick", d.train));
  const fs::path out = testing::temp_dir("transfer-experiment");
  std::ostringstream log;
  StageRunner runner(out.string(), false, log);
  const auto rows = transfer_experiment(runner, d, b, {"small-cnn"});
  ASSERT_EQ(rows.size(), b.sizes.size());
  for (std::size_t i = 0; i < rows.size(); ++i) {
    EXPECT_EQ(rows[i].method, "small-cnn");
    EXPECT_EQ(rows[i].train_images, b.sizes[i]);
    EXPECT_EQ(rows[i].row.clean_count, 31);
    EXPECT_EQ(rows[i].row.attack_count, b.base.attack_examples);
    EXPECT_GT(rows[i].row.train_seconds, 0);
    EXPECT_FALSE(rows[i].row.history.empty());
  }
  for (const char* f : {"transfer.csv", "transfer.json", "transfer.md", "transfer.svg", "transfer_pgd.svg"})
    EXPECT_TRUE(fs::exists(out / f)) << f;
  std::ifstream md(out / "transfer.md");
  const std::string text((std::istreambuf_iterator<char>(md)), std::istreambuf_iterator<char>());
  EXPECT_NE(text.find("| small-cnn |"), std::string::npos) << text;

  StageRunner again(testing::temp_dir("transfer-experiment-small").string(), false, log);
  const data::Split few{d.train.head(b.sizes.back() + b.validation - 1), d.test};
  EXPECT_THROW(transfer_experiment(again, few, b, {"small-cnn"}), Error);
  EXPECT_THROW(transfer_experiment(again, d, b, {"resnet"}), Error);
}

}  // namespace
}  // namespace advgrad::workshop
