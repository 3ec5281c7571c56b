#include "advgrad/eval/corruptions.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <nlohmann/json.hpp>
#include <numbers>
#include <sstream>

#include "advgrad/core/generator.h"
#include "advgrad/data/image_ops.h"
#include "advgrad/eval/evaluate.h"

namespace advgrad::eval {
namespace {

struct Spec {
  const char* name;
  std::array<double, 5> parameter;  // by severity 1..5 (see the table in the header)
};

// The table of corruptions.h. Severity increases the change monotonically:
// larger noise std, blur sigma, rotation angle and shift; smaller contrast factor.
constexpr std::array<Spec, 5> kSpecs{{
    {"gaussian_noise", {0.08, 0.12, 0.18, 0.26, 0.38}},
    {"gaussian_blur", {0.5, 0.75, 1.0, 1.5, 2.0}},
    {"contrast", {0.4, 0.3, 0.2, 0.1, 0.05}},
    {"rotation", {10, 20, 30, 40, 50}},
    {"shift", {1, 2, 3, 4, 6}},
}};

std::size_t spec_index(const std::string& corruption, int severity, const char* who) {
  std::size_t i = 0;
  while (i < kSpecs.size() && corruption != kSpecs[i].name) ++i;
  if (i == kSpecs.size()) {
    std::string known;
    for (const Spec& s : kSpecs) known += (known.empty() ? "" : ", ") + std::string(s.name);
    detail::fail(who, ": unknown corruption '", corruption, "' (known: ", known, ")");
  }
  ADVGRAD_CHECK(severity >= 1 && severity <= 5, who, ": severity must be in 1..5, got ", severity);
  return i;
}

// splitmix64: a strong 64-bit mixer, so nearby (seed, index) pairs give
// unrelated generator seeds.
std::uint64_t mix(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

// One standard normal draw by Box-Muller: sqrt(-2 ln u1) cos(2 pi u2), with
// u1 = 1 - U[0, 1) in (0, 1] so that the log is finite.
double standard_normal(Generator& gen) {
  const double u1 = 1.0 - gen.next_double(), u2 = gen.next_double();
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(2 * std::numbers::pi * u2);
}

std::vector<float> corrupt_image(const float* img, const data::ImageShape& s, std::size_t which, double p,
                                 Generator& gen) {
  switch (which) {
    case 0: {  // gaussian_noise: x + N(0, p^2), independent per pixel and channel
      std::vector<float> out(img, img + s.numel());
      for (float& v : out) v += static_cast<float>(p * standard_normal(gen));
      return out;
    }
    case 1:
      return data::gaussian_blur_image(img, s, p);
    case 2:
      return data::contrast_image(img, s, p);
    case 3:
      return data::rotate_image(img, s, p);
    default: {  // shift: a diagonal move by p pixels, each axis' sign random
      const auto d = static_cast<std::int64_t>(p);
      const std::int64_t dx = gen.next_int(0, 2) ? d : -d, dy = gen.next_int(0, 2) ? d : -d;
      return data::shift_image(img, s, dx, dy);
    }
  }
}

}  // namespace

const std::vector<std::string>& corruption_names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> v;
    for (const Spec& s : kSpecs) v.emplace_back(s.name);
    return v;
  }();
  return names;
}

double corruption_parameter(const std::string& corruption, int severity, const char* who) {
  return kSpecs[spec_index(corruption, severity, who)].parameter[static_cast<std::size_t>(severity - 1)];
}

data::Dataset corrupt(const data::Dataset& data, const std::string& corruption, int severity, std::uint64_t seed) {
  const std::size_t which = spec_index(corruption, severity, "corrupt");
  ADVGRAD_CHECK(data.size() > 0, "corrupt: data set '", data.name, "' is empty");
  data.validate();
  const double p = kSpecs[which].parameter[static_cast<std::size_t>(severity - 1)];
  const data::ImageShape s{data.channels, data.height, data.width};
  data::Dataset out = data;
  out.name = data.name + "-" + corruption + "-" + std::to_string(severity);
  std::vector<float> img(static_cast<std::size_t>(s.numel()));
  for (std::int64_t i = 0; i < data.size(); ++i) {
    std::uint8_t* px = out.pixels.data() + i * s.numel();
    for (std::int64_t j = 0; j < s.numel(); ++j) img[j] = static_cast<float>(px[j]) / 255.0f;
    Generator gen(mix(mix(mix(seed) ^ which) ^ static_cast<std::uint64_t>(severity)) ^ static_cast<std::uint64_t>(i));
    const std::vector<float> c = corrupt_image(img.data(), s, which, p, gen);
    for (std::int64_t j = 0; j < s.numel(); ++j)
      px[j] = static_cast<std::uint8_t>(std::lround(std::clamp(static_cast<double>(c[j]), 0.0, 1.0) * 255.0));
  }
  return out;
}

std::vector<CorruptionResult> corruption_accuracy(nn::Module& model, const data::Dataset& data,
                                                  const std::vector<std::string>& corruptions,
                                                  const std::vector<int>& severities, std::uint64_t seed,
                                                  std::int64_t limit, const DatasetView& view) {
  const char* who = "corruption_accuracy";
  ADVGRAD_CHECK(data.size() > 0, who, ": data set '", data.name, "' is empty");
  ADVGRAD_CHECK(!corruptions.empty() && !severities.empty(), who, ": need at least one corruption and one severity");
  ADVGRAD_CHECK(limit >= 0, who, ": limit must be >= 0, got ", limit);
  for (const auto& c : corruptions)
    for (int s : severities) spec_index(c, s, who);  // fail before any work
  const data::Dataset subset = limit > 0 ? data.head(limit) : data;
  std::vector<CorruptionResult> out;
  for (const auto& c : corruptions)
    for (int s : severities) {
      const data::Dataset corrupted = corrupt(subset, c, s, seed);
      out.push_back({c, s, evaluate(model, view ? view(corrupted) : corrupted).accuracy});
    }
  return out;
}

double mean_corruption_accuracy(const std::vector<CorruptionResult>& results) {
  double total = 0;
  for (const auto& r : results) total += r.accuracy;
  return results.empty() ? 0 : total / static_cast<double>(results.size());
}

std::string corruption_results_to_csv(const std::vector<CorruptionResult>& results) {
  std::ostringstream os;
  os << "corruption,severity,accuracy\n";
  for (const auto& r : results) os << r.corruption << ',' << r.severity << ',' << r.accuracy << '\n';
  return os.str();
}

std::string corruption_results_to_json(const std::vector<CorruptionResult>& results) {
  nlohmann::json a = nlohmann::json::array();
  for (const auto& r : results)
    a.push_back({{"corruption", r.corruption}, {"severity", r.severity}, {"accuracy", r.accuracy}});
  return a.dump(2);
}

}  // namespace advgrad::eval
