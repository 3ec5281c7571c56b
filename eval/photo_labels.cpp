#include "advgrad/eval/photo_labels.h"

#include <algorithm>
#include <set>
#include <sstream>

#include "advgrad/core/error.h"

namespace advgrad::eval {
namespace {

// The judgement behind each line is in the comment; docs/natural-robustness.md
// repeats it with the class names. The rule: a class is acceptable when what
// it names is plainly in the 224 x 224 centre crop the network sees (the
// evaluation crop, data/imagenet.h), or when it is ImageNet's only class for
// the main subject (sorrel is ImageNet's one horse class; moped and motor
// scooter its only motorbikes). A breed that cannot be told from the photo
// admits every dog class (151-268).
const char* const kBuiltin = R"(# photo            classes                 why
astronaut.png        812                     # Eileen Collins in a spacesuit: no astronaut class; the space shuttle model beside her (space shuttle)
chelsea.png          281,282,285             # a striped tabby cat's face: tabby, tiger cat, Egyptian cat (the three are told apart by coat pattern only)
coffee.png           967,968                 # a cup of espresso on a saucer: espresso, cup
dog.jpg              151-268,671,717         # a dog of no certain breed (any dog class), a bicycle (mountain bike, ImageNet's only single-rider bike) and a pickup
eagle.jpg            22                      # a juvenile bald eagle on a shore: bald eagle
giraffe.jpg          340                     # a giraffe and a zebra: no giraffe class; zebra
grace_hopper.jpg     652                     # Grace Hopper in US Navy uniform: military uniform
horse.png            339                     # a black horse silhouette: sorrel, ImageNet's only horse class
horses.jpg           339                     # horses on a pasture: sorrel, ImageNet's only horse class
kite.jpg             975,977,978             # a beach with people flying kites (ImageNet's kite is the bird): lakeside, sandbar, seashore
motorcycle_left.png  665,670                 # a motorcycle: no motorcycle class; moped and motor scooter, ImageNet's only motorbikes
person.jpg           151-268,339             # a person with a dog (breed uncertain: any dog class) and a white horse (sorrel)
rocket.jpg           744,657                 # a rocket on its launch pad at night: projectile, missile (ImageNet's rocket classes)
scream.jpg           -                       # Munch's painting The Scream: no ImageNet class fits
)";

std::string trim(const std::string& s) {
  const auto a = s.find_first_not_of(" \t\r"), b = s.find_last_not_of(" \t\r");
  return a == std::string::npos ? "" : s.substr(a, b - a + 1);
}

std::int64_t parse_class(const std::string& text, const std::string& what, std::size_t line) {
  std::size_t used = 0;
  std::int64_t v = -1;
  try {
    v = std::stoll(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  ADVGRAD_CHECK(used == text.size() && !text.empty() && v >= 0 && v < 1000, "parse_photo_labels: ", what, " line ",
                line, ": '", text, "' is not an ImageNet class index in [0, 1000)");
  return v;
}

}  // namespace

std::vector<PhotoLabel> parse_photo_labels(const std::string& text, const std::string& what) {
  std::vector<PhotoLabel> out;
  std::set<std::string> seen;
  std::istringstream in(text);
  std::string raw;
  for (std::size_t line = 1; std::getline(in, raw); ++line) {
    const std::size_t hash = raw.find('#');
    const std::string body = trim(raw.substr(0, hash));
    if (body.empty()) continue;
    std::istringstream fields(body);
    PhotoLabel label;
    std::string classes, extra;
    fields >> label.photo >> classes;
    ADVGRAD_CHECK(!classes.empty() && !(fields >> extra), "parse_photo_labels: ", what, " line ", line,
                  ": expected '<file name> <classes> [# why]', got '", body, "'");
    ADVGRAD_CHECK(seen.insert(label.photo).second, "parse_photo_labels: ", what, " line ", line, ": '", label.photo,
                  "' is listed twice");
    if (classes != "-") {
      std::set<std::int64_t> set;
      std::istringstream items(classes);
      for (std::string item; std::getline(items, item, ',');) {
        const std::size_t dash = item.find('-', 1);
        const std::int64_t lo = parse_class(item.substr(0, dash), what, line);
        const std::int64_t hi = dash == std::string::npos ? lo : parse_class(item.substr(dash + 1), what, line);
        ADVGRAD_CHECK(lo <= hi, "parse_photo_labels: ", what, " line ", line, ": range '", item, "' runs backwards");
        for (std::int64_t c = lo; c <= hi; ++c) set.insert(c);
      }
      label.classes.assign(set.begin(), set.end());
    }
    if (hash != std::string::npos) label.why = trim(raw.substr(hash + 1));
    out.push_back(std::move(label));
  }
  return out;
}

const std::string& builtin_photo_labels_text() {
  static const std::string text = kBuiltin;
  return text;
}

const std::vector<PhotoLabel>& builtin_photo_labels() {
  static const std::vector<PhotoLabel> labels = parse_photo_labels(kBuiltin, "the built-in photo labels");
  return labels;
}

const PhotoLabel* find_photo_label(const std::vector<PhotoLabel>& labels, const std::string& file_name) {
  const auto it =
      std::find_if(labels.begin(), labels.end(), [&](const PhotoLabel& l) { return l.photo == file_name; });
  return it == labels.end() ? nullptr : &*it;
}

std::vector<std::size_t> confidently_wrong(const std::vector<Prediction>& top1,
                                           const std::vector<std::vector<std::int64_t>>& acceptable,
                                           double min_confidence) {
  ADVGRAD_CHECK(top1.size() == acceptable.size(), "confidently_wrong: ", top1.size(), " predictions and ",
                acceptable.size(), " label sets");
  ADVGRAD_CHECK(min_confidence > 0 && min_confidence <= 1, "confidently_wrong: min_confidence must be in (0, 1], got ",
                min_confidence);
  std::vector<std::size_t> out;
  for (std::size_t i = 0; i < top1.size(); ++i) {
    const auto& ok = acceptable[i];
    if (!ok.empty() && top1[i].probability >= min_confidence &&
        std::find(ok.begin(), ok.end(), top1[i].index) == ok.end())
      out.push_back(i);
  }
  std::stable_sort(out.begin(), out.end(),
                   [&](std::size_t a, std::size_t b) { return top1[a].probability > top1[b].probability; });
  return out;
}

}  // namespace advgrad::eval
