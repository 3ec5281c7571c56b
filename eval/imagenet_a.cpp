#include "advgrad/eval/imagenet_a.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "advgrad/core/error.h"
#include "advgrad/core/grad_mode.h"
#include "advgrad/io/cache_dir.h"

namespace advgrad::eval {
namespace {

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    while (!line.empty() && std::isspace(static_cast<unsigned char>(line.back()))) line.pop_back();
    out.push_back(line);
  }
  return out;
}

bool is_wnid(const std::string& s) {
  return s.size() == 9 && s[0] == 'n' &&
         std::all_of(s.begin() + 1, s.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); });
}

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  ADVGRAD_CHECK(in, "imagenet_a_subset: cannot read '", path,
                "' (scripts/fetch-imagenet-a-classes.sh fetches the ImageNet-A class list)");
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

bool is_image_name(const std::filesystem::path& p) {
  std::string ext = p.extension().string();
  for (char& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return ext == ".jpg" || ext == ".jpeg" || ext == ".png";
}

}  // namespace

std::int64_t ImageNetASubset::position_of(std::int64_t index) const {
  const auto it = std::find(indices.begin(), indices.end(), index);
  return it == indices.end() ? -1 : static_cast<std::int64_t>(it - indices.begin());
}

ImageNetASubset parse_imagenet_a_subset(const std::string& synsets, const std::string& indices,
                                        const std::string& what) {
  ImageNetASubset out;
  const std::vector<std::string> w = lines_of(synsets), k = lines_of(indices);
  for (std::size_t i = 0; i < w.size(); ++i) {
    if (w[i].empty()) continue;
    ADVGRAD_CHECK(is_wnid(w[i]), "imagenet_a_subset: ", what, " synsets line ", i + 1, ": '", w[i],
                  "' is not a WordNet id (n and 8 digits)");
    out.wnids.push_back(w[i]);
  }
  std::set<std::int64_t> seen;
  for (std::size_t i = 0; i < k.size(); ++i) {
    if (k[i].empty()) continue;
    std::size_t used = 0;
    std::int64_t v = -1;
    try {
      v = std::stoll(k[i], &used);
    } catch (const std::exception&) {
      used = 0;
    }
    ADVGRAD_CHECK(used == k[i].size() && v >= 0 && v < 1000, "imagenet_a_subset: ", what, " indices line ", i + 1,
                  ": '", k[i], "' is not a class index in [0, 1000)");
    ADVGRAD_CHECK(seen.insert(v).second, "imagenet_a_subset: ", what, " indices line ", i + 1, ": class ", v,
                  " appears twice");
    out.indices.push_back(v);
  }
  ADVGRAD_CHECK(!out.wnids.empty() && out.wnids.size() == out.indices.size(), "imagenet_a_subset: ", what, " has ",
                out.wnids.size(), " synsets and ", out.indices.size(), " indices; need the same number, at least one");
  return out;
}

ImageNetASubset imagenet_a_subset() { return imagenet_a_subset(io::cache_path("imagenet-a")); }

ImageNetASubset imagenet_a_subset(const std::string& dir) {
  const auto file = [&](const char* name) { return (std::filesystem::path(dir) / name).string(); };
  return parse_imagenet_a_subset(read_text(file("imagenet_a_synsets.txt")), read_text(file("imagenet_a_indices.txt")),
                                 dir);
}

std::vector<RestrictedPrediction> restricted_top1(const Tensor& logits, const std::vector<std::int64_t>& indices) {
  ADVGRAD_CHECK(logits.dim() == 2 && !indices.empty(), "restricted_top1: expected logits [N, classes] and at least ",
                "one class, got ", shape_str(logits.shape()), " and ", indices.size(), " classes");
  const std::int64_t n = logits.size(0), k = logits.size(1);
  for (std::int64_t i : indices)
    ADVGRAD_CHECK(i >= 0 && i < k, "restricted_top1: class ", i, " is outside the ", k, " logits");
  const std::vector<double> z = logits.detach().to(Device::cpu()).to(DType::Float64).contiguous().to_double_vector();
  std::vector<RestrictedPrediction> out;
  for (std::int64_t r = 0; r < n; ++r) {
    const double* row = z.data() + r * k;
    std::size_t best = 0;
    for (std::size_t j = 1; j < indices.size(); ++j)
      if (row[indices[j]] > row[indices[best]]) best = j;
    // softmax among the subset: 1 / sum_j exp(z_j - z_best)
    double total = 0;
    for (std::int64_t i : indices) total += std::exp(row[i] - row[indices[best]]);
    out.push_back({static_cast<std::int64_t>(best), indices[best], 1.0 / total});
  }
  return out;
}

std::vector<FolderImage> list_image_folder(const std::string& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  ADVGRAD_CHECK(fs::is_directory(dir, ec), "list_image_folder: '", dir, "' is not a directory");
  std::vector<FolderImage> out;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.is_regular_file() && is_image_name(entry.path())) {
      out.push_back({entry.path().string(), ""});
    } else if (entry.is_directory()) {
      for (const auto& inner : fs::directory_iterator(entry.path()))
        if (inner.is_regular_file() && is_image_name(inner.path()))
          out.push_back({inner.path().string(), entry.path().filename().string()});
    }
  }
  std::sort(out.begin(), out.end(), [](const FolderImage& a, const FolderImage& b) { return a.path < b.path; });
  return out;
}

RestrictedEvaluation evaluate_restricted(nn::Module& model, std::int64_t count,
                                         const std::function<Tensor(std::int64_t)>& load,
                                         const std::vector<std::int64_t>& labels, const ImageNetASubset& subset) {
  const char* who = "evaluate_restricted";
  ADVGRAD_CHECK(count >= 1 && static_cast<std::int64_t>(labels.size()) == count, who, ": need at least one image ",
                "and a label (or -1) per image, got ", count, " images and ", labels.size(), " labels");
  for (std::int64_t label : labels)
    ADVGRAD_CHECK(label == -1 || subset.position_of(label) >= 0, who, ": class ", label,
                  " is not one of the subset's ", subset.indices.size(), " classes");
  const bool was_training = model.is_training();
  model.eval();
  RestrictedEvaluation out;
  for (std::int64_t i = 0; i < count; ++i) {
    Tensor x = load(i);
    if (x.dim() == 3) x = x.unsqueeze(0);
    Tensor logits;
    {
      NoGradGuard no_grad;
      logits = model(x.to(model.device()));
    }
    const RestrictedPrediction r = restricted_top1(logits, subset.indices).front();
    const std::vector<RestrictedPrediction> all = restricted_top1(logits, [&] {
      std::vector<std::int64_t> every(static_cast<std::size_t>(logits.size(1)));
      for (std::size_t j = 0; j < every.size(); ++j) every[j] = static_cast<std::int64_t>(j);
      return every;
    }());
    out.restricted.push_back(r);
    out.unrestricted.push_back(all.front().index);
    if (labels[i] >= 0) {
      ++out.labelled;
      out.correct += r.index == labels[i];
      out.correct_unrestricted += all.front().index == labels[i];
    }
  }
  model.train(was_training);
  return out;
}

}  // namespace advgrad::eval
