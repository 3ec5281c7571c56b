// safetensors: round trips, a file assembled byte by byte from the spec (an
// independent writer), and corrupt / truncated / hostile files.
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>

#include "advgrad/nn/safetensors.h"
#include "testing.h"

namespace advgrad::nn {
namespace {

std::string temp_path(const std::string& name) {
  return (std::filesystem::temp_directory_path() / ("advgrad_test_" + std::to_string(::getpid()) + "_" + name)).string();
}

std::string le64(std::uint64_t n) {
  std::string s(8, '\0');
  for (int i = 0; i < 8; ++i) s[i] = static_cast<char>((n >> (8 * i)) & 0xff);
  return s;
}

std::string file_from(const std::string& header, const std::string& data) { return le64(header.size()) + header + data; }

TEST(Safetensors, RoundTripKeepsValuesDtypesShapesAndMetadata) {
  std::map<std::string, Tensor> tensors{
      {"w", testing::random_tensor({3, 5}, 1, DType::Float32)},
      {"d", testing::random_tensor({2, 1, 3}, 2, DType::Float64)},
      {"i", from_vector(std::vector<std::int64_t>{-3, 0, 7}, {3})},
      {"scalar", scalar_tensor(2.5)},
      {"strided", testing::random_tensor({4, 6}, 3, DType::Float32).t()},  // non-contiguous input
  };
  const std::string path = temp_path("roundtrip.safetensors");
  save_safetensors(path, tensors, {{"k", "v"}});
  SafetensorsFile f = load_safetensors(path);
  std::filesystem::remove(path);
  ASSERT_EQ(f.tensors.size(), tensors.size());
  EXPECT_EQ(f.metadata.at("k"), "v");
  for (const auto& [name, t] : tensors) {
    SCOPED_TRACE(name);
    const Tensor& u = f.tensors.at(name);
    EXPECT_EQ(u.dtype(), t.dtype());
    EXPECT_EQ(u.shape(), t.shape());
    EXPECT_EQ(u.to_double_vector(), t.to_double_vector());
  }
}

TEST(Safetensors, ReadsAFileAssembledFromTheSpec) {
  // Two F32 tensors, hand-written header (keys in arbitrary order, padding spaces).
  float a[2] = {1.5f, -2.0f};
  float b[3] = {0.25f, 4.0f, 8.0f};
  std::string data(reinterpret_cast<const char*>(b), sizeof b);
  data.append(reinterpret_cast<const char*>(a), sizeof a);
  const std::string header =
      R"({"b":{"shape":[3],"dtype":"F32","data_offsets":[0,12]},"__metadata__":{"format":"pt"},)"
      R"("a":{"dtype":"F32","shape":[1,2],"data_offsets":[12,20]}}    )";
  SafetensorsFile f = parse_safetensors(file_from(header, data), "hand-made");
  EXPECT_EQ(f.tensors.at("a").shape(), (Shape{1, 2}));
  EXPECT_EQ(f.tensors.at("a").to_double_vector(), (std::vector<double>{1.5, -2.0}));
  EXPECT_EQ(f.tensors.at("b").to_double_vector(), (std::vector<double>{0.25, 4.0, 8.0}));
  EXPECT_EQ(f.metadata.at("format"), "pt");
}

TEST(Safetensors, WrittenBytesFollowTheSpec) {
  const std::string path = temp_path("layout.safetensors");
  save_safetensors(path, {{"x", from_vector(std::vector<float>{1, 2}, {2})}});
  std::ifstream in(path, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::filesystem::remove(path);
  std::uint64_t n = 0;
  for (int i = 7; i >= 0; --i) n = (n << 8) | static_cast<unsigned char>(bytes[i]);
  EXPECT_EQ(n % 8, 0u) << "data section aligned to 8 bytes";
  const std::string header = bytes.substr(8, n);
  EXPECT_NE(header.find(R"("x":{"dtype":"F32","shape":[2],"data_offsets":[0,8]})"), std::string::npos) << header;
  EXPECT_EQ(bytes.size(), 8 + n + 8);
  float v[2];
  std::memcpy(v, bytes.data() + 8 + n, 8);
  EXPECT_EQ(v[0], 1.0f);
  EXPECT_EQ(v[1], 2.0f);
}

void expect_rejected(const std::string& bytes, const std::string& fragment) {
  try {
    parse_safetensors(bytes, "bad.safetensors");
    ADD_FAILURE() << "accepted a bad file; expected: " << fragment;
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("bad.safetensors"), std::string::npos) << e.what();
  }
}

TEST(Safetensors, RejectsCorruptTruncatedAndHostileFiles) {
  const std::string good_header = R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})";
  const std::string data(8, '\1');
  expect_rejected("abc", "too short");
  expect_rejected(le64(1ull << 40) + "{}", "exceeds the 100 MB limit");
  expect_rejected(le64(500) + good_header + data, "runs past the end");
  expect_rejected(file_from("{not json", ""), "not valid JSON");
  expect_rejected(file_from("[1,2]", ""), "not a JSON object");
  expect_rejected(file_from(good_header, data.substr(0, 4)), "outside the 4-byte data section");  // truncated data
  expect_rejected(file_from(R"({"a":{"dtype":"F16","shape":[2],"data_offsets":[0,4]}})", data.substr(0, 4)), "dtype F16");
  expect_rejected(file_from(R"({"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}})", data), "8 bytes of data for shape [3]");
  expect_rejected(file_from(R"({"a":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}})", data), "non-negative");
  expect_rejected(file_from(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
                            R"("b":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})",
                            data),
                  "overlap or gap");
  expect_rejected(file_from(good_header, data + "xx"), "trailing bytes");
  expect_rejected(file_from(R"({"a":{"dtype":"F32"}})", ""), "needs dtype, shape and data_offsets");
  expect_rejected(file_from(R"({"a":{"dtype":"F32","shape":[4294967296,4294967296,4294967296],"data_offsets":[0,8]}})", data),
                  "overflows");
}

TEST(Safetensors, MissingFileAndAtomicWrite) {
  EXPECT_THROW(load_safetensors("/nonexistent/dir/model.safetensors"), Error);
  EXPECT_THROW(save_safetensors("/nonexistent/dir/model.safetensors", {{"a", ones({1})}}), Error);
  // A failed write leaves no temporary file behind and never replaces the target.
  const std::string path = temp_path("atomic.safetensors");
  save_safetensors(path, {{"a", ones({2})}});
  EXPECT_THROW(save_safetensors(path, {{"a", Tensor()}}), Error);
  EXPECT_EQ(load_safetensors(path).tensors.at("a").to_double_vector(), (std::vector<double>{1, 1}));
  std::filesystem::remove(path);
}

TEST(Safetensors, NamesFilesThatAreSomethingElse) {
  expect_rejected("", "the file is empty");
  expect_rejected(std::string("\x1f\x8b\x08\x00", 4) + std::string(40, '\0'), "gzip-compressed");
  expect_rejected(std::string("PK\x03\x04", 4) + std::string(40, '\0'), "zip archive");
  expect_rejected(std::string("\x80\x02}q\x00.", 6) + std::string(40, '\0'), "Python pickle");
  expect_rejected(le64(6) + "[1,2]x", "header is not a JSON object");
  expect_rejected(std::string(64, '\0'), "header is not a JSON object");  // /dev/zero's bytes
}

TEST(Safetensors, LoadChecksTheHeaderBeforeReadingTheFile) {
  // A 3 GiB sparse file whose header length is absurd: refused from its first
  // 9 bytes (reading it all would take seconds and gigabytes).
  const std::string path = temp_path("sparse.safetensors");
  {
    std::ofstream(path, std::ios::binary) << le64(2338328219631577204ull) << "{";
  }
  std::filesystem::resize_file(path, std::uint64_t{3} << 30);
  try {
    load_safetensors(path);
    ADD_FAILURE() << "accepted a sparse giant";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("exceeds the 100 MB limit"), std::string::npos) << e.what();
  }
  std::filesystem::remove(path);
  EXPECT_THROW(load_safetensors("/dev/zero"), Error);
  EXPECT_THROW(load_safetensors(std::filesystem::temp_directory_path().string()), Error);
}

}  // namespace
}  // namespace advgrad::nn
