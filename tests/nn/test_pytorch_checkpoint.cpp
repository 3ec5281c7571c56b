// PyTorch checkpoints: small files in both formats written from C++
// (tests/nn/torch_checkpoint_writer.h), hostile and broken ones refused, and
// the real EfficientNet-Lite0 weights when they have been fetched.
#include "advgrad/nn/pytorch_checkpoint.h"

#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>
#include <random>

#include "advgrad/io/cache_dir.h"
#include "advgrad/nn/pytorch_storage.h"
#include "expect_error.h"
#include "nn/torch_checkpoint_writer.h"
#include "testing.h"

namespace advgrad::nn {
namespace {

using testing::expect_error;
using testing::FakeCheckpoint;
using testing::PickleWriter;
using testing::raw_bytes;

// One storage shared by a transpose and a row slice, one of each other type,
// a Parameter, a scalar and an empty tensor.
FakeCheckpoint mixed_checkpoint() {
  FakeCheckpoint c;
  std::vector<float> m(12);
  for (int i = 0; i < 12; ++i) m[i] = static_cast<float>(i);  // a 3x4 matrix, row-major
  // float16 bits: 1.5, -2, 2^-14 (smallest normal), 2^-24 (smallest subnormal), 65504 (largest)
  const std::vector<std::uint16_t> half{0x3e00, 0xc000, 0x0400, 0x0001, 0x7bff};
  c.storages["0"] = {"FloatStorage", raw_bytes(m), 12};
  c.storages["1"] = {"HalfStorage", raw_bytes(half), 5};
  c.storages["2"] = {"DoubleStorage", raw_bytes(std::vector<double>{0.25, -1e300, 3}), 3};
  c.storages["3"] = {"LongStorage", raw_bytes(std::vector<std::int64_t>{7, -9}), 2};
  c.storages["4"] = {"FloatStorage", raw_bytes(std::vector<float>{1, 2}), 2};
  c.storages["5"] = {"FloatStorage", "", 0};
  c.tensors = {{"w.t", "0", 0, {4, 3}, {1, 4}},  {"rows", "0", 4, {2, 4}, {4, 1}}, {"half", "1", 0, {5}, {1}},
               {"double", "2", 1, {2}, {1}},     {"count", "3", 1, {}, {}},        {"param", "4", 0, {2}, {1}, true},
               {"empty", "5", 0, {0, 3}, {3, 1}}};
  return c;
}

void expect_mixed(const std::map<std::string, Tensor>& sd) {
  ASSERT_EQ(sd.size(), 7u);
  EXPECT_EQ(sd.at("w.t").shape(), (Shape{4, 3}));
  EXPECT_EQ(sd.at("w.t").to_double_vector(), (std::vector<double>{0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11}));
  EXPECT_EQ(sd.at("rows").to_double_vector(), (std::vector<double>{4, 5, 6, 7, 8, 9, 10, 11}));
  EXPECT_EQ(sd.at("half").dtype(), DType::Float32);
  EXPECT_EQ(sd.at("half").to_double_vector(),
            (std::vector<double>{1.5, -2, 6.103515625e-05, 5.960464477539063e-08, 65504}));
  EXPECT_EQ(sd.at("double").dtype(), DType::Float64);
  EXPECT_EQ(sd.at("double").to_double_vector(), (std::vector<double>{-1e300, 3}));
  EXPECT_EQ(sd.at("count").dtype(), DType::Int64);
  EXPECT_EQ(sd.at("count").shape(), Shape{});
  EXPECT_EQ(sd.at("count").item(), -9);
  EXPECT_EQ(sd.at("param").to_double_vector(), (std::vector<double>{1, 2}));
  EXPECT_EQ(sd.at("empty").shape(), (Shape{0, 3}));
  for (const auto& [name, t] : sd) EXPECT_TRUE(t.is_contiguous()) << name;
}

TEST(PytorchCheckpoint, ReadsLegacyFormatWithStridesOffsetsAndDtypes) {
  expect_mixed(parse_pytorch_checkpoint(testing::legacy_checkpoint(mixed_checkpoint()), "legacy.pth"));
}

TEST(PytorchCheckpoint, ReadsZipFormatWithStridesOffsetsAndDtypes) {
  expect_mixed(parse_pytorch_checkpoint(testing::zip_checkpoint(mixed_checkpoint()), "zip.pt"));
}

TEST(PytorchCheckpoint, LoadsFromAFile) {
  const auto dir = testing::temp_dir("pytorch_checkpoint");
  const std::string path = (dir / "m.pth").string();
  {
    std::ofstream out(path, std::ios::binary);
    out << testing::zip_checkpoint(mixed_checkpoint());
  }
  expect_mixed(load_pytorch_checkpoint(path));
  std::filesystem::remove_all(dir);
  expect_error([&] { load_pytorch_checkpoint(path); }, {"cannot open PyTorch checkpoint", "m.pth"});
}

TEST(PytorchCheckpoint, UnwrapsOneStateDictOrModelEntry) {
  for (const char* key : {"state_dict", "model"}) {
    FakeCheckpoint c = mixed_checkpoint();
    c.wrapper_key = key;
    expect_mixed(parse_pytorch_checkpoint(testing::legacy_checkpoint(c), "wrapped.pth"));
    expect_mixed(parse_pytorch_checkpoint(testing::zip_checkpoint(c), "wrapped.pt"));
  }
  FakeCheckpoint c = mixed_checkpoint();
  c.wrapper_key = "weights";
  expect_error([&] { parse_pytorch_checkpoint(testing::zip_checkpoint(c), "w.pt"); },
               {"w.pt", "tensors under str 'weights'"});
}

using Edit = std::function<void(FakeCheckpoint&)>;

void expect_both_refused(const Edit& edit, std::initializer_list<const char*> pieces,
                         std::source_location where = std::source_location::current()) {
  FakeCheckpoint c = mixed_checkpoint();
  edit(c);
  expect_error([&] { parse_pytorch_checkpoint(testing::legacy_checkpoint(c), "bad.pth"); }, pieces, where);
  expect_error([&] { parse_pytorch_checkpoint(testing::zip_checkpoint(c), "bad.pth"); }, pieces, where);
}

TEST(PytorchCheckpoint, RefusesViewsOutsideTheirStorage) {
  expect_both_refused([](FakeCheckpoint& c) { c.tensors[1].offset = 5; }, {"bad.pth", "'rows'", "reach past the end"});
  expect_both_refused([](FakeCheckpoint& c) { c.tensors[0].stride = {1, 5}; }, {"'w.t'", "reach past the end"});
  expect_both_refused([](FakeCheckpoint& c) { c.tensors[0].stride = {-1, 4}; }, {"negative stride"});
  expect_both_refused([](FakeCheckpoint& c) { c.tensors[1].offset = -1; }, {"negative storage offset"});
  expect_both_refused([](FakeCheckpoint& c) { c.tensors[2].size = {-5}; }, {"'half'", "negative or overflows"});
  expect_both_refused(
      [](FakeCheckpoint& c) {
        c.tensors[2].size = {1ll << 40, 1ll << 40}, c.tensors[2].stride = {0, 0};
      },
      {"negative or overflows"});
  expect_both_refused([](FakeCheckpoint& c) { c.tensors[3].size = {13}, c.tensors[3].stride = {0}; },
                      {"13 elements view a 3-element storage"});
  expect_both_refused([](FakeCheckpoint& c) { c.tensors[0].stride = {1}; }, {"2 sizes but 1 strides"});
}

TEST(PytorchCheckpoint, RefusesGlobalsOutsideTheList) {
  expect_both_refused([](FakeCheckpoint& c) { c.storages["3"].type = "IntStorage"; },
                      {"bad.pth", "global 'torch.IntStorage' is not allowed"});
  // A pickle that would run a shell command in Python, and one that would eval.
  PickleWriter sys;
  sys.proto(2).global("os", "system").unicode("touch /tmp/owned").op(PickleWriter::kTuple1).op(PickleWriter::kReduce);
  sys.op(PickleWriter::kStop);
  expect_error([&] { parse_pytorch_checkpoint(testing::legacy_header() + sys.bytes(), "evil.pth"); },
               {"evil.pth", "global 'os.system' is not allowed"});
  PickleWriter eval;
  eval.proto(2).global("builtins", "eval").unicode("1+1").op(PickleWriter::kTuple1).op(PickleWriter::kReduce);
  eval.op(PickleWriter::kStop);
  expect_error(
      [&] {
        parse_pytorch_checkpoint(testing::zip_file({{"a/data.pkl", eval.bytes()}}), "evil.pt");
      },
      {"evil.pt", "global 'builtins.eval' is not allowed"});
}

TEST(PytorchCheckpoint, RefusesUnknownOpcodesAndNonTensorEntries) {
  const std::string bad_opcode = PickleWriter().proto(2).op('\xfe').bytes();
  expect_error([&] { parse_pytorch_checkpoint(testing::legacy_header() + bad_opcode, "op.pth"); },
               {"op.pth", "unknown opcode 0xfe"});
  const std::string not_tensor =
      PickleWriter().proto(2).op(PickleWriter::kEmptyDict).unicode("lr").integer(5).op(PickleWriter::kSetItem).bytes();
  expect_error(
      [&] {
        parse_pytorch_checkpoint(testing::zip_file({{"a/data.pkl", not_tensor + "."}}), "nt.pt");
      },
      {"nt.pt", "no tensors in the top-level dict"});
  const std::string a_list = PickleWriter().proto(2).op(PickleWriter::kEmptyList).op(PickleWriter::kStop).bytes();
  expect_error(
      [&] {
        parse_pytorch_checkpoint(testing::zip_file({{"a/data.pkl", a_list}}), "l.pt");
      },
      {"l.pt", "holds list of 0, not a dict of tensors"});
}

TEST(PytorchCheckpoint, RefusesBadMagicWrongCountsAndTrailingBytes) {
  std::string legacy = testing::legacy_checkpoint(mixed_checkpoint());
  std::string bad = legacy;
  bad[4] ^= 1;  // inside the magic number
  expect_error([&] { parse_pytorch_checkpoint(bad, "magic.pth"); }, {"magic.pth", "not a PyTorch checkpoint"});
  expect_error([&] { parse_pytorch_checkpoint("just text", "text.pth"); }, {"not a PyTorch checkpoint"});
  expect_error([&] { parse_pytorch_checkpoint(legacy + "x", "tail.pth"); }, {"1 trailing bytes"});
  FakeCheckpoint c = mixed_checkpoint();
  c.storages["0"].numel_in_file = 11;
  expect_error([&] { parse_pytorch_checkpoint(testing::legacy_checkpoint(c), "count.pth"); },
               {"count.pth", "storage '0' holds 11 elements; its tensors say 12"});
  c = mixed_checkpoint();
  c.storages["0"].bytes.resize(44);  // the zip entry is one float short
  expect_error([&] { parse_pytorch_checkpoint(testing::zip_checkpoint(c), "short.pt"); },
               {"short.pt", "storage '0' has 44 bytes for 12 elements"});
  c = mixed_checkpoint();
  c.storages["1"].numel = 6;  // the persistent id claims more than the file holds
  expect_error([&] { parse_pytorch_checkpoint(testing::legacy_checkpoint(c), "lie.pth"); }, {"lie.pth"});
}

TEST(PytorchCheckpoint, EveryTruncationIsAnError) {
  FakeCheckpoint c = mixed_checkpoint();
  c.wrapper_key = "state_dict";
  for (const std::string& file : {testing::legacy_checkpoint(c), testing::zip_checkpoint(c)}) {
    ASSERT_NO_THROW(parse_pytorch_checkpoint(file, "whole"));
    for (std::size_t n = 0; n < file.size(); ++n) {
      SCOPED_TRACE(n);
      EXPECT_THROW(parse_pytorch_checkpoint(file.substr(0, n), "cut.pth"), Error);
    }
  }
}

TEST(PytorchCheckpoint, RandomCorruptionNeverCrashes) {
  // Flip a few random bytes of each format many times: every result is
  // either a state dict or an advgrad::Error (ASan builds catch any bad read).
  FakeCheckpoint c = mixed_checkpoint();
  std::mt19937 rng(14);
  for (const std::string& file : {testing::legacy_checkpoint(c), testing::zip_checkpoint(c)}) {
    for (int trial = 0; trial < 2000; ++trial) {
      std::string bad = file;
      for (int k = 0; k < 3; ++k) bad[rng() % bad.size()] = static_cast<char>(rng());
      try {
        parse_pytorch_checkpoint(bad, "flipped.pth");
      } catch (const Error&) {
      }
    }
  }
}

TEST(PytorchCheckpoint, HalfToFloatIsExact) {
  using pytorch::half_to_float;
  EXPECT_EQ(half_to_float(0x0000), 0.0f);
  EXPECT_TRUE(std::signbit(half_to_float(0x8000)));
  EXPECT_EQ(half_to_float(0x3c00), 1.0f);
  EXPECT_EQ(half_to_float(0x3555), 0.333251953125f);
  EXPECT_EQ(half_to_float(0x03ff), 6.097555160522461e-05f);  // largest subnormal
  EXPECT_EQ(half_to_float(0x7c00), std::numeric_limits<float>::infinity());
  EXPECT_EQ(half_to_float(0xfc00), -std::numeric_limits<float>::infinity());
  EXPECT_TRUE(std::isnan(half_to_float(0x7e00)));
}

// ---- the real weights (scripts/fetch-pretrained.sh) ----

struct Expected {
  const char* name;
  Shape shape;
  double sum, weighted_sum;  // sum of x[i], and of x[i] * (i % 7 + 1), over the row-major elements
  double first, second, last;
};

// From torch.load (PyTorch 2.15, /work/shared/tools/torch-reference's
// environment) of efficientnet-lite0.pth with sha256
// 579344248a93e23026e6b78f1f6faf0bc1d282386f6c881cdbaacd49cabf77db: the
// tensor made contiguous, as float64. The conv weights are stored with
// TensorFlow-layout strides, e.g. _conv_stem.weight (1, 32, 288, 96).
const Expected kExpected[] = {
    {"_conv_stem.weight",
     {32, 3, 3, 3},
     -26.811376610887237,
     -108.16233640880091,
     -1.1103360652923584,
     -1.3087704181671143,
     2.2351741790771484e-08},
    {"_blocks.0._depthwise_conv.weight",
     {32, 1, 3, 3},
     5.221442859619856,
     40.171540550887585,
     -0.16969285905361176,
     0.2102574110031128,
     0.0},
    {"_blocks.15._project_conv.weight",
     {320, 1152, 1, 1},
     39.96609939538757,
     124.12893240978883,
     0.03738270327448845,
     0.029342927038669586,
     -0.04374096170067787},
    {"_fc.weight",
     {1000, 1280},
     -470.63256730128705,
     -1848.465090003945,
     -0.04561043530702591,
     -0.09470871090888977,
     0.04085797071456909},
    {"_fc.bias",
     {1000},
     -0.04981697298353538,
     3.061945061046572,
     0.032053910195827484,
     -0.01598576083779335,
     0.03138429671525955},
    {"_bn1.running_var",
     {1280},
     13721.746045589447,
     54891.18589258194,
     9.722968101501465,
     10.58315372467041,
     11.04356861114502},
};

void expect_values(const Tensor& t, const Expected& e) {
  SCOPED_TRACE(e.name);
  EXPECT_EQ(t.shape(), e.shape);
  const std::vector<double> v = t.to_double_vector();
  double sum = 0, weighted = 0;
  for (std::size_t i = 0; i < v.size(); ++i) sum += v[i], weighted += v[i] * static_cast<double>(i % 7 + 1);
  EXPECT_NEAR(sum, e.sum, 1e-9 * std::max(1.0, std::abs(e.sum)));
  EXPECT_NEAR(weighted, e.weighted_sum, 1e-9 * std::max(1.0, std::abs(e.weighted_sum)));
  EXPECT_EQ(v[0], e.first);
  EXPECT_EQ(v[1], e.second);
  EXPECT_EQ(v.back(), e.last);
}

TEST(PytorchCheckpoint, RealEfficientNetLite0Weights) {
  const std::string path = io::cache_path("pretrained") + "/efficientnet-lite0.pth";
  if (!std::filesystem::exists(path))
    GTEST_SKIP() << "no " << path << ": run scripts/fetch-pretrained.sh to fetch the EfficientNet-Lite0 weights";
  const std::map<std::string, Tensor> sd = load_pytorch_checkpoint(path);
  ASSERT_EQ(sd.size(), 296u);
  std::int64_t elements = 0, int64_tensors = 0, variances = 0, zero_variances = 0;
  for (const auto& [name, t] : sd) {
    elements += t.numel();
    int64_tensors += t.dtype() == DType::Int64;
    if (!name.ends_with("running_var")) continue;
    for (double x : t.to_double_vector()) {
      EXPECT_TRUE(std::isfinite(x) && x >= 0) << name;
      ++variances, zero_variances += x == 0;
    }
  }
  EXPECT_EQ(elements, 4694073);
  EXPECT_EQ(int64_tensors, 49) << "num_batches_tracked";
  EXPECT_EQ(variances, 21008);
  // Not all are > 0: 130 channels (dead after the stem, e.g. _bn0 11, 16, 28,
  // 31) have a running variance of exactly 0, as torch.load shows too.
  EXPECT_EQ(zero_variances, 130);
  for (const Expected& e : kExpected) expect_values(sd.at(e.name), e);
  EXPECT_EQ(sd.at("_bn0.num_batches_tracked").shape(), Shape{});
  EXPECT_EQ(sd.at("_bn0.num_batches_tracked").item(), 0);
}

}  // namespace
}  // namespace advgrad::nn
