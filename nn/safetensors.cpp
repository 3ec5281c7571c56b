#include "advgrad/nn/safetensors.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string_view>
#include <vector>

#include "advgrad/io/atomic_file.h"
#include "advgrad/io/read_file.h"

namespace advgrad::nn {
namespace {

constexpr std::uint64_t kMaxHeader = 100ull << 20;  // the reference implementation's limit

const char* dtype_code(DType t) {
  switch (t) {
    case DType::Float32: return "F32";
    case DType::Float64: return "F64";
    case DType::Int64: return "I64";
  }
  return "?";
}

std::uint64_t read_le64(const char* p) {
  std::uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(p[i]);
  return v;
}

// The checks that need only the first bytes of a file (`head`, up to 9 of
// them) and its size, so a file that is not safetensors at all is refused
// before the rest of it is read: the header length against the limit and the
// file's size, and the first byte of the JSON. Files that are something else
// a user might plausibly hand over are named.
template <typename Fail>
void check_start(std::string_view head, std::uint64_t file_size, Fail fail) {
  const auto starts = [&](std::string_view magic) { return head.substr(0, magic.size()) == magic; };
  if (file_size == 0) fail("the file is empty (0 bytes)");
  if (starts("\x1f\x8b")) fail("it is gzip-compressed; gunzip it first (model files are uncompressed safetensors)");
  if (starts("PK\x03\x04"))
    fail("it is a zip archive, not safetensors (a PyTorch .pth checkpoint? `advgrad convert` turns one into a model file)");
  if (starts("\x80\x02") || starts("\x80\x03") || starts("\x80\x04") || starts("\x80\x05"))
    fail("it is a Python pickle, not safetensors (a legacy PyTorch checkpoint? see `advgrad convert`)");
  if (file_size < 8) fail("file is ", file_size, " bytes, too short for a header");
  const std::uint64_t header_len = read_le64(head.data());
  if (header_len > kMaxHeader) fail("header length ", header_len, " exceeds the 100 MB limit (not a safetensors file?)");
  if (header_len > file_size - 8) fail("header length ", header_len, " runs past the end of the file (", file_size, " bytes)");
  if (header_len < 2 || (head.size() > 8 && head[8] != '{'))
    fail("not a safetensors file: its header is not a JSON object");
}

}  // namespace

void save_safetensors(const std::string& path, const std::map<std::string, Tensor>& tensors,
                      const std::map<std::string, std::string>& metadata) {
  nlohmann::ordered_json header = nlohmann::ordered_json::object();
  if (!metadata.empty()) header["__metadata__"] = metadata;
  std::string data;
  std::vector<Tensor> host;
  for (const auto& [name, t] : tensors) {
    ADVGRAD_CHECK(t.defined(), "save_safetensors: tensor '", name, "' is undefined");
    ADVGRAD_CHECK(name != "__metadata__", "save_safetensors: '__metadata__' is reserved");
    Tensor c = t.detach().to(Device::cpu()).contiguous();
    const std::size_t nbytes = static_cast<std::size_t>(c.numel()) * dtype_size(c.dtype());
    header[name] = {{"dtype", dtype_code(c.dtype())}, {"shape", c.shape()}, {"data_offsets", {data.size(), data.size() + nbytes}}};
    data.append(static_cast<const char*>(c.raw_data()), nbytes);  // x86-64 is little-endian
  }
  std::string json = header.dump();
  json.append((8 - json.size() % 8) % 8, ' ');  // align the data section to 8 bytes
  std::string bytes(8, '\0');
  std::uint64_t n = json.size();
  for (int i = 0; i < 8; ++i) bytes[i] = static_cast<char>((n >> (8 * i)) & 0xff);
  bytes += json;
  bytes += data;
  io::write_file_atomically(path, bytes);
}

SafetensorsFile parse_safetensors(const std::string& bytes, const std::string& what) {
  auto fail = [&](const auto&... msg) { detail::fail("safetensors '", what, "': ", msg...); };
  check_start(std::string_view(bytes).substr(0, 9), bytes.size(), fail);
  const std::uint64_t header_len = read_le64(bytes.data());
  const std::size_t data_start = 8 + static_cast<std::size_t>(header_len);
  const std::size_t data_size = bytes.size() - data_start;

  nlohmann::json header;
  try {
    header = nlohmann::json::parse(bytes.begin() + 8, bytes.begin() + static_cast<std::ptrdiff_t>(data_start));
  } catch (const nlohmann::json::exception& e) {
    fail("header is not valid JSON (", e.what(), ")");
  }
  if (!header.is_object()) fail("header is not a JSON object");

  SafetensorsFile out;
  struct Span {
    std::uint64_t begin, end;
    std::string name;
  };
  std::vector<Span> spans;
  for (auto it = header.begin(); it != header.end(); ++it) {
    const std::string& name = it.key();
    const auto& v = it.value();
    if (name == "__metadata__") {
      if (!v.is_object()) fail("__metadata__ is not an object");
      for (auto m = v.begin(); m != v.end(); ++m) {
        if (!m.value().is_string()) fail("metadata '", m.key(), "' is not a string");
        out.metadata[m.key()] = m.value().get<std::string>();
      }
      continue;
    }
    if (!v.is_object() || !v.contains("dtype") || !v.contains("shape") || !v.contains("data_offsets"))
      fail("tensor '", name, "' needs dtype, shape and data_offsets");
    if (!v["dtype"].is_string()) fail("tensor '", name, "': dtype is not a string");
    const std::string code = v["dtype"].get<std::string>();
    DType dtype;
    if (code == "F32") dtype = DType::Float32;
    else if (code == "F64") dtype = DType::Float64;
    else if (code == "I64") dtype = DType::Int64;
    else fail("tensor '", name, "' has dtype ", code, " (advgrad reads F32, F64 and I64)");
    if (!v["shape"].is_array() || v["shape"].size() > 8) fail("tensor '", name, "': shape must be an array of at most 8 dims");
    Shape shape;
    std::uint64_t numel = 1;
    for (const auto& d : v["shape"]) {
      if (!d.is_number_unsigned()) fail("tensor '", name, "': shape entries must be non-negative integers");
      const std::uint64_t s = d.get<std::uint64_t>();
      if (s != 0 && numel > std::numeric_limits<std::uint64_t>::max() / s / 8) fail("tensor '", name, "': shape overflows");
      numel *= s;
      shape.push_back(static_cast<std::int64_t>(s));
    }
    const auto& off = v["data_offsets"];
    if (!off.is_array() || off.size() != 2 || !off[0].is_number_unsigned() || !off[1].is_number_unsigned())
      fail("tensor '", name, "': data_offsets must be [begin, end]");
    const std::uint64_t begin = off[0].get<std::uint64_t>(), end = off[1].get<std::uint64_t>();
    if (begin > end || end > data_size) fail("tensor '", name, "': data_offsets [", begin, ", ", end, "] outside the ", data_size, "-byte data section");
    if (end - begin != numel * dtype_size(dtype))
      fail("tensor '", name, "': ", end - begin, " bytes of data for shape ", shape_str(shape), " ", code);
    spans.push_back({begin, end, name});
    out.tensors[name] = from_blob(bytes.data() + data_start + begin, shape, TensorOptions{dtype});
  }
  // The tensors must tile the data section exactly: no gaps, no overlaps.
  std::sort(spans.begin(), spans.end(), [](const Span& a, const Span& b) { return a.begin < b.begin; });
  std::uint64_t pos = 0;
  for (const auto& s : spans) {
    if (s.begin != pos) fail("tensor '", s.name, "' starts at ", s.begin, " but the previous data ends at ", pos, " (overlap or gap)");
    pos = s.end;
  }
  if (pos != data_size) fail("the data section has ", data_size - pos, " trailing bytes not owned by any tensor");
  return out;
}

SafetensorsFile load_safetensors(const std::string& path) {
  // Header first: a multi-gigabyte file that is not safetensors (or
  // /dev/zero, refused by InputFile) is refused before it is read.
  const io::InputFile file(path, "model file");
  check_start(file.read(0, std::min<std::uint64_t>(file.size(), 9)), file.size(),
              [&](const auto&... msg) { detail::fail("safetensors '", path, "': ", msg...); });
  return parse_safetensors(file.read_all(), path);
}

}  // namespace advgrad::nn
