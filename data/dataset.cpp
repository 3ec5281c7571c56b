#include "advgrad/data/dataset.h"

#include <zlib.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "advgrad/data/dataset_finder.h"
#include "advgrad/io/read_file.h"

namespace advgrad::data {

Dataset Dataset::head(std::int64_t n) const {
  std::vector<std::int64_t> idx;
  for (std::int64_t i = 0; i < std::min(n, size()); ++i) idx.push_back(i);
  return select(idx);
}

Dataset Dataset::select(const std::vector<std::int64_t>& indices) const {
  Dataset out = *this;
  out.pixels.resize(indices.size() * static_cast<std::size_t>(image_numel()));
  out.labels.resize(indices.size());
  const std::size_t m = static_cast<std::size_t>(image_numel());
  for (std::size_t k = 0; k < indices.size(); ++k) {
    const std::int64_t i = indices[k];
    ADVGRAD_CHECK(i >= 0 && i < size(), name, ": index ", i, " out of range for ", size(), " examples");
    std::memcpy(out.pixels.data() + k * m, pixels.data() + static_cast<std::size_t>(i) * m, m);
    out.labels[k] = labels[i];
  }
  return out;
}

Tensor Dataset::images_tensor(const std::vector<std::int64_t>& indices) const {
  const std::int64_t n = static_cast<std::int64_t>(indices.size()), m = image_numel();
  Tensor out = Tensor::empty({n, channels, height, width});
  float* dst = out.data<float>();
  for (std::int64_t k = 0; k < n; ++k) {
    const std::uint8_t* src = pixels.data() + indices[k] * m;
    for (std::int64_t j = 0; j < m; ++j) dst[k * m + j] = static_cast<float>(src[j]) * (1.0f / 255.0f);
  }
  return out;
}

Tensor Dataset::labels_tensor(const std::vector<std::int64_t>& indices) const {
  std::vector<std::int64_t> v;
  v.reserve(indices.size());
  for (auto i : indices) v.push_back(labels[i]);
  return from_vector(v, {static_cast<std::int64_t>(v.size())});
}

void Dataset::validate() const {
  ADVGRAD_CHECK(pixels.size() == labels.size() * static_cast<std::size_t>(image_numel()), name, ": ", pixels.size(),
                " pixel bytes for ", labels.size(), " images of ", channels, "x", height, "x", width);
  for (std::size_t i = 0; i < labels.size(); ++i)
    ADVGRAD_CHECK(labels[i] >= 0 && labels[i] < classes, name, ": label ", labels[i], " of example ", i,
                  " is outside [0, ", classes, ")");
}

// ---- files ----
std::string gunzip_if_gzip(const std::string& bytes, const std::string& what, std::uint64_t max_bytes) {
  const auto is_gzip = [&](std::size_t at) {
    return bytes.size() - at >= 2 && static_cast<unsigned char>(bytes[at]) == 0x1f &&
           static_cast<unsigned char>(bytes[at + 1]) == 0x8b;
  };
  if (!is_gzip(0)) return bytes;
  auto fail = [&](const auto&... msg) { detail::fail("cannot read '", what, "': ", msg...); };
  std::string out;
  std::size_t at = 0;  // where the current gzip member starts
  // Members back to back (RFC 1952 section 2.2) until the input ends.
  while (at < bytes.size()) {
    if (!is_gzip(at)) fail(bytes.size() - at, " bytes of trailing data after the gzip stream (corrupt?)");
    z_stream z{};
    if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK) fail("zlib cannot start (out of memory?)");
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data() + at));
    z.avail_in = static_cast<uInt>(std::min<std::size_t>(bytes.size() - at, 1u << 30));
    int rc = Z_OK;
    char buf[1 << 16];
    while (rc != Z_STREAM_END) {
      z.next_out = reinterpret_cast<Bytef*>(buf);
      z.avail_out = sizeof buf;
      rc = inflate(&z, Z_NO_FLUSH);
      if (rc != Z_OK && rc != Z_STREAM_END) {
        const std::string msg = z.msg != nullptr ? z.msg : rc == Z_BUF_ERROR ? "unexpected end of file" : "inflate failed";
        inflateEnd(&z);
        fail("corrupt or truncated gzip data (", msg, ")");
      }
      const std::size_t got = sizeof buf - z.avail_out;
      if (out.size() + got > max_bytes) {
        inflateEnd(&z);
        fail("it decompresses to more than ", max_bytes, " bytes, the limit for a data file (a corrupt file or a gzip bomb?)");
      }
      out.append(buf, got);
    }
    at += static_cast<std::size_t>(z.total_in);
    inflateEnd(&z);
  }
  return out;
}

std::string read_maybe_gzip(const std::string& path) {
  return gunzip_if_gzip(io::read_file(path, "data file", kMaxDataFileBytes), path, kMaxDataFileBytes);
}

namespace {
std::uint32_t be32(const std::string& b, std::size_t at) {
  return (static_cast<std::uint32_t>(static_cast<unsigned char>(b[at])) << 24) |
         (static_cast<std::uint32_t>(static_cast<unsigned char>(b[at + 1])) << 16) |
         (static_cast<std::uint32_t>(static_cast<unsigned char>(b[at + 2])) << 8) |
         static_cast<std::uint32_t>(static_cast<unsigned char>(b[at + 3]));
}
}  // namespace

IdxImages parse_idx_images(const std::string& b, const std::string& what) {
  ADVGRAD_CHECK(b.size() >= 16, "IDX images '", what, "': ", b.size(), " bytes is too short for the 16-byte header");
  ADVGRAD_CHECK(be32(b, 0) == 2051, "IDX images '", what, "': magic number ", be32(b, 0), ", expected 2051");
  IdxImages out;
  out.count = be32(b, 4);
  out.rows = be32(b, 8);
  out.cols = be32(b, 12);
  ADVGRAD_CHECK(out.rows > 0 && out.cols > 0 && out.rows <= 4096 && out.cols <= 4096, "IDX images '", what,
                "': implausible image size ", out.rows, "x", out.cols);
  const std::uint64_t need = static_cast<std::uint64_t>(out.count) * out.rows * out.cols;
  ADVGRAD_CHECK(b.size() - 16 == need, "IDX images '", what, "': header promises ", out.count, " images of ", out.rows, "x",
                out.cols, " (", need, " bytes) but the file has ", b.size() - 16, " (truncated or corrupt)");
  out.pixels.assign(b.begin() + 16, b.end());
  return out;
}

std::vector<std::int64_t> parse_idx_labels(const std::string& b, const std::string& what) {
  ADVGRAD_CHECK(b.size() >= 8, "IDX labels '", what, "': ", b.size(), " bytes is too short for the 8-byte header");
  ADVGRAD_CHECK(be32(b, 0) == 2049, "IDX labels '", what, "': magic number ", be32(b, 0), ", expected 2049");
  const std::uint64_t count = be32(b, 4);
  ADVGRAD_CHECK(b.size() - 8 == count, "IDX labels '", what, "': header promises ", count, " labels but the file has ",
                b.size() - 8, " (truncated or corrupt)");
  std::vector<std::int64_t> out(count);
  for (std::uint64_t i = 0; i < count; ++i) out[i] = static_cast<unsigned char>(b[8 + i]);
  return out;
}

IdxImages read_idx_images(const std::string& path) { return parse_idx_images(read_maybe_gzip(path), path); }
std::vector<std::int64_t> read_idx_labels(const std::string& path) { return parse_idx_labels(read_maybe_gzip(path), path); }

namespace {

std::string find_file(const std::string& dir, const std::string& stem) {
  // The official names, and the "train-images.idx3-ubyte" spelling some copies use.
  std::string dotted = stem;
  dotted[dotted.find("-idx")] = '.';
  for (const std::string& candidate : {stem + ".gz", stem, dotted + ".gz", dotted}) {
    const auto p = std::filesystem::path(dir) / candidate;
    if (std::filesystem::is_regular_file(p)) return p.string();
  }
  detail::fail("data dir '", dir, "' has no ", stem, "[.gz]");
}

Dataset idx_split(const std::string& dir, const std::string& prefix, const std::string& name) {
  IdxImages images = read_idx_images(find_file(dir, prefix + "-images-idx3-ubyte"));
  std::vector<std::int64_t> labels = read_idx_labels(find_file(dir, prefix + "-labels-idx1-ubyte"));
  ADVGRAD_CHECK(static_cast<std::int64_t>(labels.size()) == images.count, name, " (", prefix, "): ", images.count,
                " images but ", labels.size(), " labels");
  Dataset d;
  d.name = name;
  d.height = images.rows;
  d.width = images.cols;
  d.pixels = std::move(images.pixels);
  d.labels = std::move(labels);
  d.validate();
  return d;
}

}  // namespace

Split load_mnist(const std::string& dir, const std::string& name) {
  ADVGRAD_CHECK(std::filesystem::is_directory(dir), name, ": data dir '", dir, "' does not exist");
  Split s{idx_split(dir, "train", name), idx_split(dir, "t10k", name)};
  const std::vector<std::string> digits{"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"};
  s.train.class_names = s.test.class_names = digits;
  return s;
}

Split load_fashion_mnist(const std::string& dir) {
  Split s = load_mnist(dir, "fashion-mnist");
  const std::vector<std::string> names{"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                                       "Sandal",      "Shirt",   "Sneaker",  "Bag",   "Ankle boot"};
  s.train.class_names = s.test.class_names = names;
  return s;
}

Dataset parse_cifar10_batches(const std::vector<std::string>& files, const std::vector<std::string>& names,
                              const std::string& set_name) {
  constexpr std::size_t kRecord = 1 + 3 * 32 * 32;
  Dataset d;
  d.name = set_name;
  d.channels = 3;
  d.height = d.width = 32;
  d.class_names = {"airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"};
  for (std::size_t f = 0; f < files.size(); ++f) {
    const std::string& b = files[f];
    ADVGRAD_CHECK(!b.empty() && b.size() % kRecord == 0, "CIFAR-10 batch '", names[f], "': ", b.size(),
                  " bytes is not a whole number of 3073-byte records (truncated or corrupt)");
    for (std::size_t r = 0; r < b.size() / kRecord; ++r) {
      const unsigned char label = static_cast<unsigned char>(b[r * kRecord]);
      ADVGRAD_CHECK(label < 10, "CIFAR-10 batch '", names[f], "': record ", r, " has label ", int(label));
      d.labels.push_back(label);
      d.pixels.insert(d.pixels.end(), b.begin() + static_cast<std::ptrdiff_t>(r * kRecord + 1),
                      b.begin() + static_cast<std::ptrdiff_t>((r + 1) * kRecord));
    }
  }
  d.validate();
  return d;
}

Split load_cifar10(const std::string& dir) {
  ADVGRAD_CHECK(std::filesystem::is_directory(dir), "cifar10: data dir '", dir, "' does not exist");
  auto load = [&](const std::vector<std::string>& names) {
    std::vector<std::string> bytes, paths;
    for (const auto& n : names) {
      auto p = std::filesystem::path(dir) / n;
      if (!std::filesystem::is_regular_file(p)) p = std::filesystem::path(dir) / "cifar-10-batches-bin" / n;
      ADVGRAD_CHECK(std::filesystem::is_regular_file(p), "cifar10: data dir '", dir, "' has no ", n);
      bytes.push_back(read_maybe_gzip(p.string()));
      paths.push_back(p.string());
    }
    return parse_cifar10_batches(bytes, paths, "cifar10");
  };
  return {load({"data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin"}),
          load({"test_batch.bin"})};
}

const std::vector<std::string>& dataset_names() {
  static const std::vector<std::string> names{"synthetic", "mnist", "fashion-mnist", "cifar10"};
  return names;
}

Split load_dataset(const std::string& name, const std::string& dir, std::uint64_t seed) {
  if (name == "synthetic") return make_synthetic_digits(6000, 1000, seed);
  if (name == "mnist") return load_mnist(find_dataset_dir(name, dir));
  if (name == "fashion-mnist") return load_fashion_mnist(find_dataset_dir(name, dir));
  if (name == "cifar10") return load_cifar10(find_dataset_dir(name, dir));
  detail::fail("unknown data set '", name, "' (expected synthetic, mnist, fashion-mnist or cifar10)");
}

}  // namespace advgrad::data
