#include "advgrad/data/imagenet.h"

#include <filesystem>
#include <map>
#include <sstream>

#include "advgrad/core/ops/ops.h"
#include "advgrad/data/image_transforms.h"
#include "advgrad/io/cache_dir.h"
#include "advgrad/io/read_file.h"

namespace advgrad::data {
namespace {

constexpr std::size_t kImagenetClasses = 1000;

std::string strip(const std::string& s) {
  const auto first = s.find_first_not_of(" \t\r");
  if (first == std::string::npos) return "";
  return s.substr(first, s.find_last_not_of(" \t\r") - first + 1);
}

// The text of `dir`/`name`, or an error that says where to get it.
std::string read_class_file(const std::string& dir, const std::string& name) {
  const std::string path = dir + "/" + name;
  ADVGRAD_CHECK(std::filesystem::exists(path), "ImageNet class names: ", path,
                " not found (run scripts/fetch-pretrained.sh to fetch it)");
  return io::read_file(path, "ImageNet class file");
}

std::vector<std::string> read_synsets(const std::string& dir) {
  std::istringstream in(read_class_file(dir, "imagenet_synsets.txt"));
  std::vector<std::string> ids;
  for (std::string line; std::getline(in, line);)
    if (!strip(line).empty()) ids.push_back(strip(line));
  ADVGRAD_CHECK(ids.size() == kImagenetClasses, "ImageNet class names: ", dir, "/imagenet_synsets.txt has ", ids.size(),
                " synsets, expected ", kImagenetClasses);
  return ids;
}

std::map<std::string, std::string> read_lemmas(const std::string& dir) {
  std::istringstream in(read_class_file(dir, "imagenet_synset_to_lemma.txt"));
  std::map<std::string, std::string> lemmas;
  for (std::string line; std::getline(in, line);) {
    const auto tab = line.find('\t');
    if (tab != std::string::npos) lemmas[strip(line.substr(0, tab))] = line.substr(tab + 1);
  }
  return lemmas;
}

}  // namespace

std::string first_lemma(const std::string& lemmas) { return strip(lemmas.substr(0, lemmas.find(','))); }

std::vector<std::string> imagenet_class_names(const std::string& dir) {
  const std::vector<std::string> ids = read_synsets(dir);
  const std::map<std::string, std::string> lemmas = read_lemmas(dir);
  std::vector<std::string> names;
  for (const std::string& id : ids) {
    auto it = lemmas.find(id);
    ADVGRAD_CHECK(it != lemmas.end(), "ImageNet class names: synset ", id, " has no line in ", dir,
                  "/imagenet_synset_to_lemma.txt");
    names.push_back(first_lemma(it->second));
  }
  return names;
}

std::vector<std::string> imagenet_class_names() { return imagenet_class_names(io::cache_path("pretrained")); }

Tensor imagenet_eval_transform(const Tensor& image, std::int64_t resize, std::int64_t crop) {
  ADVGRAD_CHECK(crop >= 1 && resize >= crop, "imagenet_eval_transform: need resize >= crop >= 1, got resize ", resize,
                ", crop ", crop);
  return clamp(center_crop(resize_shorter_side(image, resize, ResizeFilter::Bicubic), crop, crop), 0.0, 1.0);
}

}  // namespace advgrad::data
