// advgrad photos [FILE|DIR ...]: a pretrained ImageNet network on real
// photos, three ways (docs/natural-robustness.md, "Photos"):
//
//   1. the top-5 of every photo, judged against its acceptable classes
//      (eval/photo_labels.h: the built-in table for the photos of
//      scripts/fetch-photos.sh, --labels FILE, or the wnid of an
//      ImageNet-style folder DIR/<wnid>/x.jpg), and the confidently wrong ones;
//   2. with --corruptions, ImageNet-C's corruptions at severities 1-5
//      (eval/photo_corruptions.h): top-1 unchanged, mean p(clean top-1) and
//      top-1 acceptable per corruption and severity (eval/photo_robustness.h);
//   3. with --imagenet-a, the ImageNet-A protocol (eval/imagenet_a.h): the
//      argmax over the 200 ImageNet-A classes' logits only.
//
// Without arguments it reads <cache>/photos. --out DIR writes the figures
// (SVG + PNG), CSV tables and photos.json, each file atomically.
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "advgrad/core/ops/ops.h"
#include "advgrad/data/imagenet.h"
#include "advgrad/eval/classify.h"
#include "advgrad/eval/imagenet_a.h"
#include "advgrad/eval/photo_labels.h"
#include "advgrad/eval/photo_robustness.h"
#include "advgrad/imageio/imagenet_photo.h"
#include "advgrad/imageio/jpeg_encoder.h"
#include "advgrad/io/atomic_file.h"
#include "advgrad/io/cache_dir.h"
#include "advgrad/nn/pretrained.h"
#include "advgrad/report/photo_figures.h"
#include "commands.h"

namespace advgrad::cli {
namespace {

namespace fs = std::filesystem;

struct PhotosFlags {
  std::vector<std::string> inputs;
  std::string labels;
  std::string model = "efficientnet-lite0";
  std::string weights;
  double confident = 0.5;
  std::string corruptions;  // empty: none; "all"; or a comma list
  std::string severities = "1,2,3,4,5";
  bool imagenet_a = false;
  std::string imagenet_a_dir;
  std::uint64_t seed = 0;
  std::string out;
};

struct Photo {
  std::string path, name;
  std::vector<std::int64_t> acceptable{};  // empty: no label
  std::string source{};                    // where the label came from: "folder", "table", ""
  std::vector<eval::Prediction> top{};     // the clean top-5
};

std::vector<std::string> split_commas(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string item; std::getline(in, item, ',');)
    if (!item.empty()) out.push_back(item);
  return out;
}

std::vector<int> parse_severities(const std::string& text) {
  std::vector<int> out;
  for (const std::string& s : split_commas(text)) {
    ADVGRAD_CHECK(s.size() == 1 && s[0] >= '1' && s[0] <= '5', "photos: --severities takes numbers 1-5 separated ",
                  "by commas, got '", text, "'");
    out.push_back(s[0] - '0');
  }
  ADVGRAD_CHECK(!out.empty(), "photos: --severities is empty");
  return out;
}

// The 1000 ImageNet WordNet ids in class order (scripts/fetch-pretrained.sh).
std::map<std::string, std::int64_t> imagenet_wnid_index() {
  const std::string path = io::cache_path("pretrained") + "/imagenet_synsets.txt";
  std::ifstream in(path);
  ADVGRAD_CHECK(in, "photos: cannot read '", path, "' (scripts/fetch-pretrained.sh fetches it)");
  std::map<std::string, std::int64_t> index;
  std::int64_t k = 0;
  for (std::string w; in >> w;) index[w] = k++;
  ADVGRAD_CHECK(k == 1000, "photos: '", path, "' holds ", k, " synsets, expected 1000");
  return index;
}

bool same_dir(const fs::path& a, const fs::path& b) {
  std::error_code ec;
  return fs::equivalent(a, b, ec);
}

// Every photo with its acceptable classes. A folder's subfolders are
// ImageNet-style labels (wnids); other photos are looked up by file name in
// --labels, or else in the built-in table when they are the fetched photos.
std::vector<Photo> collect(const PhotosFlags& f) {
  const std::vector<std::string> inputs = f.inputs.empty() ? std::vector{io::cache_path("photos")} : f.inputs;
  const std::vector<eval::PhotoLabel> table =
      f.labels.empty() ? eval::builtin_photo_labels() : [&] {
        std::ifstream in(f.labels);
        ADVGRAD_CHECK(in, "photos: cannot read --labels '", f.labels, "'");
        std::ostringstream s;
        s << in.rdbuf();
        return eval::parse_photo_labels(s.str(), f.labels);
      }();
  const fs::path fetched = io::cache_path("photos");
  std::map<std::string, std::int64_t> wnids;
  std::vector<Photo> out;
  for (const std::string& input : inputs) {
    std::vector<eval::FolderImage> found;
    if (fs::is_directory(input)) {
      found = eval::list_image_folder(input);
      ADVGRAD_CHECK(!found.empty(), "photos: no .jpg, .jpeg or .png files in '", input, "' or its subfolders",
                    input == fetched.string() ? " (scripts/fetch-photos.sh fetches the test photos)" : "");
    } else {
      ADVGRAD_CHECK(fs::is_regular_file(input), "photos: '", input, "' is neither a file nor a directory");
      found.push_back({input, ""});
    }
    for (const auto& img : found) {
      Photo p{img.path, fs::path(img.path).filename().string()};
      if (!img.label.empty()) {
        if (wnids.empty()) wnids = imagenet_wnid_index();
        const auto it = wnids.find(img.label);
        ADVGRAD_CHECK(it != wnids.end(), "photos: folder '", img.label, "' of '", input,
                      "' is not an ImageNet-1k WordNet id (a labelled folder is DIR/<wnid>/*.jpg)");
        p.acceptable = {it->second}, p.source = "folder";
      } else if (f.labels.empty() && !same_dir(fs::path(img.path).parent_path(), fetched)) {
        // the built-in table describes the fetched photos only
      } else if (const eval::PhotoLabel* l = eval::find_photo_label(table, p.name)) {
        p.acceptable = l->classes, p.source = l->classes.empty() ? "" : "table";
      }
      out.push_back(std::move(p));
    }
  }
  return out;
}

bool acceptable(const Photo& p, std::int64_t k) {
  return std::find(p.acceptable.begin(), p.acceptable.end(), k) != p.acceptable.end();
}

std::string verdict(const Photo& p, double confident) {
  if (p.acceptable.empty()) return "no label";
  if (acceptable(p, p.top[0].index)) return "right";
  return p.top[0].probability >= confident ? "CONFIDENTLY WRONG" : "wrong";
}

// "lakeside, sandbar, seashore", or for long lists the first two and a count.
std::string class_list(const std::vector<std::int64_t>& classes, const std::vector<std::string>& names) {
  std::string s;
  for (std::size_t i = 0; i < classes.size() && i < 3; ++i) {
    if (i == 2 && classes.size() > 3) return s + " and " + std::to_string(classes.size() - 2) + " more";
    s += (i ? ", " : "") + names[static_cast<std::size_t>(classes[i])];
  }
  return s;
}

std::string fixed(double v, int digits) {
  std::ostringstream s;
  s << std::fixed << std::setprecision(digits) << v;
  return s.str();
}

void print_top5(const std::vector<Photo>& photos, double confident) {
  std::cout << "top-5 of the pretrained network (softmax probability); verdict against the acceptable classes\n";
  for (const Photo& p : photos) {
    std::cout << "  " << std::left << std::setw(22) << p.name << std::setw(18) << verdict(p, confident);
    for (std::size_t i = 0; i < p.top.size(); ++i) std::cout << (i ? ", " : "") << p.top[i].name << " " << fixed(p.top[i].probability, 3);
    std::cout << "\n";
  }
  std::int64_t labelled = 0, top1 = 0, top5 = 0;
  for (const Photo& p : photos) {
    if (p.acceptable.empty()) continue;
    ++labelled;
    top1 += acceptable(p, p.top[0].index);
    top5 += std::any_of(p.top.begin(), p.top.end(), [&](const eval::Prediction& q) { return acceptable(p, q.index); });
  }
  std::cout << "  " << photos.size() << " photos, " << labelled << " with acceptable classes: top-1 acceptable " << top1
            << ", top-5 acceptable " << top5 << "\n";
}

// One table of a measure over corruption x severity.
void print_stability(const std::vector<eval::PhotoStability>& rows, const std::vector<int>& severities,
                     const std::string& title, double eval::PhotoStability::*measure, bool percent) {
  std::cout << title << "\n  " << std::left << std::setw(18) << "corruption";
  for (int s : severities) std::cout << std::right << std::setw(7) << s;
  std::cout << "\n";
  const auto cell = [&](double v) { return percent ? fixed(100 * v, 0) + "%" : fixed(v, 3); };
  std::cout << "  " << std::left << std::setw(18) << "clean" << std::right << std::setw(7) << cell(rows[0].*measure)
            << "\n";
  for (std::size_t i = 1; i < rows.size(); i += severities.size()) {
    std::cout << "  " << std::left << std::setw(18) << rows[i].corruption << std::right;
    for (std::size_t j = 0; j < severities.size(); ++j) std::cout << std::setw(7) << cell(rows[i + j].*measure);
    std::cout << "\n";
  }
}

struct MaskedRow {
  std::string name;
  eval::Prediction full;
  eval::RestrictedPrediction masked;
  std::string verdict;  // against the folder label or the acceptable classes inside the mask; "" without one
};

int run_photos(const PhotosFlags& f, const Common& common) {
  ADVGRAD_CHECK(f.confident > 0 && f.confident <= 1, "photos: --confident must be in (0, 1], got ", f.confident);
  const std::vector<std::string> corruptions =
      f.corruptions == "all" ? eval::photo_corruption_names() : split_commas(f.corruptions);
  const std::vector<int> severities = parse_severities(f.severities);
  for (const auto& c : corruptions) eval::photo_corruption_setting(c, 1, "photos: --corruptions");
  const eval::ImageNetASubset subset =
      f.imagenet_a ? (f.imagenet_a_dir.empty() ? eval::imagenet_a_subset() : eval::imagenet_a_subset(f.imagenet_a_dir))
                   : eval::ImageNetASubset{};
  if (f.imagenet_a) {  // the two class lists must agree: the subset's wnid i is ImageNet-1k class indices[i]
    const std::map<std::string, std::int64_t> wnids = imagenet_wnid_index();
    for (std::size_t i = 0; i < subset.wnids.size(); ++i) {
      const auto it = wnids.find(subset.wnids[i]);
      ADVGRAD_CHECK(it != wnids.end() && it->second == subset.indices[i], "photos: the ImageNet-A class list says ",
                    subset.wnids[i], " is class ", subset.indices[i], ", the ImageNet-1k synsets disagree");
    }
  }
  std::vector<Photo> photos = collect(f);
  const std::vector<std::string> names = data::imagenet_class_names();
  nn::ModulePtr model = nn::pretrained_model(f.model, f.weights);
  model->to(common.device);

  nlohmann::json j{{"model", f.model}, {"confident", f.confident}, {"photos", nlohmann::json::array()}};
  std::string top5_csv = "photo,label_source,acceptable,verdict,rank,class,name,probability\n";
  for (Photo& p : photos) {
    p.top = eval::classify(*model, imageio::read_imagenet_photo(p.path), names, 5).front();
    nlohmann::json top = nlohmann::json::array();
    for (std::size_t r = 0; r < p.top.size(); ++r) {
      top.push_back({{"index", p.top[r].index}, {"name", p.top[r].name}, {"probability", p.top[r].probability}});
      top5_csv += p.name + "," + p.source + "," + std::to_string(p.acceptable.size()) + "," + verdict(p, f.confident) +
                  "," + std::to_string(r + 1) + "," + std::to_string(p.top[r].index) + ",\"" + p.top[r].name +
                  "\"," + fixed(p.top[r].probability, 6) + "\n";
    }
    j["photos"].push_back({{"photo", p.path},
                           {"acceptable", p.acceptable},
                           {"label_source", p.source},
                           {"verdict", verdict(p, f.confident)},
                           {"top", top}});
  }
  std::vector<eval::Prediction> top1;
  std::vector<std::vector<std::int64_t>> sets;
  for (const Photo& p : photos) top1.push_back(p.top[0]), sets.push_back(p.acceptable);
  const std::vector<std::size_t> wrong = eval::confidently_wrong(top1, sets, f.confident);
  if (!common.json) {
    print_top5(photos, f.confident);
    std::cout << "\nconfidently wrong (top-1 not acceptable, p >= " << f.confident << "): " << wrong.size() << "\n";
    for (std::size_t i : wrong)
      std::cout << "  " << photos[i].name << ": " << top1[i].name << " " << fixed(top1[i].probability, 3)
                << "; acceptable: " << class_list(photos[i].acceptable, names) << "\n";
  }
  j["confidently_wrong"] = nlohmann::json::array();
  for (std::size_t i : wrong) j["confidently_wrong"].push_back(photos[i].path);

  std::vector<eval::PhotoStability> stability;
  if (!corruptions.empty()) {
    std::vector<Tensor> x;
    for (const Photo& p : photos) x.push_back(imageio::read_imagenet_photo(p.path).select(0, 0));
    stability = eval::photo_corruption_stability(*model, x, sets, corruptions, severities, f.seed,
                                                 imageio::jpeg_round_trip);
    if (!common.json) {
      const std::string n = std::to_string(photos.size()) + " photos, seed " + std::to_string(f.seed);
      std::cout << "\n";
      print_stability(stability, severities, "ImageNet-C corruptions: top-1 unchanged (" + n + ")",
                      &eval::PhotoStability::unchanged, true);
      print_stability(stability, severities, "mean p(clean top-1 class)", &eval::PhotoStability::clean_class_prob,
                      false);
      if (stability[0].labelled > 0)
        print_stability(stability, severities,
                        "top-1 acceptable (" + std::to_string(stability[0].labelled) + " labelled photos)",
                        &eval::PhotoStability::acceptable, true);
    }
    j["corruptions"] = nlohmann::json::array();
    for (const auto& r : stability)
      j["corruptions"].push_back({{"corruption", r.corruption},
                                  {"severity", r.severity},
                                  {"setting", r.severity ? eval::photo_corruption_setting(r.corruption, r.severity) : ""},
                                  {"unchanged", r.unchanged},
                                  {"clean_class_prob", r.clean_class_prob},
                                  {"top1_prob", r.top1_prob},
                                  {"labelled", r.labelled},
                                  {"acceptable", r.acceptable}});
  }

  std::vector<MaskedRow> masked;
  std::string masked_csv;
  if (f.imagenet_a) {
    std::vector<std::int64_t> labels;
    for (const Photo& p : photos) labels.push_back(p.source == "folder" ? p.acceptable[0] : -1);
    const eval::RestrictedEvaluation r = eval::evaluate_restricted(
        *model, static_cast<std::int64_t>(photos.size()),
        [&](std::int64_t i) { return imageio::read_imagenet_photo(photos[i].path); }, labels, subset);
    std::int64_t judged = 0, right = 0;
    masked_csv = "photo,top1,top1_name,top1_probability,masked,masked_name,masked_probability,verdict\n";
    for (std::size_t i = 0; i < photos.size(); ++i) {
      const Photo& p = photos[i];
      MaskedRow row{p.name, p.top[0], r.restricted[i], ""};
      // Judged where some acceptable class survives the mask.
      if (std::any_of(p.acceptable.begin(), p.acceptable.end(), [&](std::int64_t k) { return subset.position_of(k) >= 0; })) {
        ++judged;
        right += acceptable(p, row.masked.index);
        row.verdict = acceptable(p, row.masked.index) ? "right" : "wrong";
      }
      masked_csv += p.name + "," + std::to_string(row.full.index) + ",\"" + row.full.name + "\"," +
                    fixed(row.full.probability, 6) + "," + std::to_string(row.masked.index) + ",\"" +
                    names[static_cast<std::size_t>(row.masked.index)] + "\"," + fixed(row.masked.probability, 6) + "," +
                    row.verdict + "\n";
      masked.push_back(row);
    }
    if (!common.json) {
      std::cout << "\nImageNet-A protocol: argmax over the " << subset.indices.size()
                << " ImageNet-A classes' logits only (Hendrycks et al. 2021)\n";
      std::cout << "  " << std::left << std::setw(22) << "photo" << std::setw(34) << "top-1 of 1000" << std::setw(36)
                << "top-1 within the mask (p in mask)" << "verdict\n";
      for (const MaskedRow& m : masked)
        std::cout << "  " << std::left << std::setw(22) << m.name << std::setw(34)
                  << m.full.name + " " + fixed(m.full.probability, 3) + (subset.position_of(m.full.index) >= 0 ? " *" : "")
                  << std::setw(36)
                  << names[static_cast<std::size_t>(m.masked.index)] + " " + fixed(m.masked.probability, 3)
                  << (m.verdict.empty() ? "-" : m.verdict) << "\n";
      std::cout << "  (* the full top-1 is itself one of the " << subset.indices.size() << " classes)\n";
      std::cout << "  " << judged << " of " << photos.size()
                << " photos have an acceptable class inside the mask; masked top-1 acceptable: " << right << "\n";
      if (r.labelled == 0)
        std::cout << "  (the ImageNet-A photos are not available offline: give a folder DIR/<wnid>/*.jpg to score "
                     "them by folder label)\n";
      if (r.labelled > 0)
        std::cout << "  folder labels: " << r.labelled << " images, masked accuracy " << fixed(100 * r.accuracy(), 1)
                  << "%, unmasked " << fixed(100.0 * static_cast<double>(r.correct_unrestricted) / static_cast<double>(r.labelled), 1)
                  << "%\n";
    }
    j["imagenet_a"] = {{"classes", subset.indices.size()},
                       {"judged", judged},
                       {"masked_acceptable", right},
                       {"folder_labelled", r.labelled},
                       {"folder_correct", r.correct},
                       {"folder_correct_unmasked", r.correct_unrestricted},
                       {"images", nlohmann::json::array()}};
    for (const MaskedRow& m : masked)
      j["imagenet_a"]["images"].push_back({{"photo", m.name},
                                           {"top1", m.full.index},
                                           {"masked", m.masked.index},
                                           {"masked_name", names[static_cast<std::size_t>(m.masked.index)]},
                                           {"masked_probability", m.masked.probability},
                                           {"verdict", m.verdict}});
  }

  if (!f.out.empty()) {
    fs::create_directories(f.out);
    const auto file = [&](const std::string& n) { return (fs::path(f.out) / n).string(); };
    std::vector<std::string> written;
    const auto figure = [&](const report::Figure& fig, const std::string& stem) {
      report::write_figure(fig, f.out, stem);
      written.push_back(file(stem + ".svg")), written.push_back(file(stem + ".png"));
    };
    const auto text = [&](const std::string& name, const std::string& body) {
      io::write_file_atomically(file(name), body);
      written.push_back(file(name));
    };
    // Every wrong labelled photo, most confident first; red where confidently wrong.
    std::vector<report::CaptionedPhoto> tiles;
    for (std::size_t i : eval::confidently_wrong(top1, sets, std::numeric_limits<double>::min())) {
      const bool confident = top1[i].probability >= f.confident;
      tiles.push_back({imageio::read_imagenet_photo(photos[i].path).select(0, 0),
                       {{photos[i].name + ": " + top1[i].name + " " + fixed(100 * top1[i].probability, 0) + "%",
                         confident ? report::kWrong : report::kInk},
                        {"acceptable: " + class_list(photos[i].acceptable, names), report::kMuted}}});
    }
    figure(report::photo_grid(tiles,
                              "wrong top-1 on the photos, most confident first; red: confidently wrong (p >= " +
                                  fixed(f.confident, 2) + "), " + f.model,
                              4, 0.75),
           "photos_confidently_wrong");
    text("photos_top5.csv", top5_csv);
    if (!stability.empty()) {
      const std::string n = " (" + std::to_string(photos.size()) + " photos)";
      figure(report::stability_heat_map(stability, report::StabilityMeasure::Unchanged,
                                        "ImageNet-C corruptions: top-1 unchanged" + n),
             "photos_corruption_unchanged");
      figure(report::stability_heat_map(stability, report::StabilityMeasure::CleanClassProb,
                                        "ImageNet-C corruptions: mean p(clean top-1)" + n),
             "photos_corruption_confidence");
      if (stability[0].labelled > 0)
        figure(report::stability_heat_map(stability, report::StabilityMeasure::Acceptable,
                                          "ImageNet-C corruptions: top-1 acceptable (" +
                                              std::to_string(stability[0].labelled) + " labelled photos)"),
               "photos_corruption_acceptable");
      // The example: the most confident photo whose top-1 is acceptable (else the first).
      std::size_t ex = 0;
      for (std::size_t i = 0; i < photos.size(); ++i)
        if (verdict(photos[i], f.confident) == "right" &&
            (verdict(photos[ex], f.confident) != "right" || top1[i].probability > top1[ex].probability))
          ex = i;
      figure(report::corruption_examples(imageio::read_imagenet_photo(photos[ex].path).select(0, 0), corruptions,
                                         severities, f.seed, static_cast<std::int64_t>(ex),
                                         photos[ex].name + " under the ImageNet-C corruptions (parameters per tile)"),
             "photos_corruption_examples");
      text("photos_corruptions.csv", eval::photo_stability_to_csv(stability));
    }
    if (f.imagenet_a) text("photos_imagenet_a.csv", masked_csv);
    written.push_back(file("photos.json"));
    j["files"] = written;
    io::write_file_atomically(file("photos.json"), j.dump(2) + "\n");
    if (!common.json) {
      std::cout << "\nwrote";
      for (const auto& w : written) std::cout << " " << fs::path(w).filename().string();
      std::cout << " to " << f.out << "\n";
    }
  }
  if (common.json) std::cout << j.dump(2) << "\n";
  return 0;
}

}  // namespace

Command add_photos(CLI::App& app, Common& common) {
  auto* cmd = app.add_subcommand(
      "photos", "a pretrained ImageNet network on real photos: top-5, confidently wrong, corruptions, ImageNet-A");
  auto f = std::make_shared<PhotosFlags>();
  cmd->add_option("inputs", f->inputs,
                  "photos, or folders of them (DIR/*.jpg unlabelled, DIR/<wnid>/*.jpg labelled); "
                  "default: the cache of scripts/fetch-photos.sh");
  cmd->add_option("--labels", f->labels,
                  "acceptable classes per photo file name ('<file> <classes> [# why]'); "
                  "default: the built-in table of the fetched photos");
  cmd->add_option("--model", f->model, "pretrained architecture")->check(CLI::IsMember({"efficientnet-lite0"}));
  cmd->add_option("--weights", f->weights,
                  "weights file (.pth or .safetensors); default: the cache of scripts/fetch-pretrained.sh");
  cmd->add_option("--confident", f->confident, "a wrong top-1 at or above this probability is confidently wrong");
  cmd->add_option("--corruptions", f->corruptions, "ImageNet-C corruptions to run: all, or names separated by commas");
  cmd->add_option("--severities", f->severities, "severities for --corruptions, e.g. 1,3,5 (default 1,2,3,4,5)");
  cmd->add_option("--seed", f->seed, "seed of the random corruptions")->check(non_negative());
  cmd->add_flag("--imagenet-a", f->imagenet_a, "also run the ImageNet-A protocol (logits of its 200 classes only)");
  cmd->add_option("--imagenet-a-dir", f->imagenet_a_dir,
                  "where the ImageNet-A class list is; default: the cache of scripts/fetch-imagenet-a-classes.sh");
  cmd->add_option("--out", f->out, "directory for the figures (SVG, PNG), CSV tables and photos.json");
  cmd->add_flag("--json", common.json, "print the results as JSON");
  return {cmd, [f, &common] { return run_photos(*f, common); }};
}

}  // namespace advgrad::cli
