#pragma once
// Subcommands of the advgrad CLI. Each registers its flags on the app and
// returns the function that runs it (after parsing). Thin wrappers: the work
// lives in the library.
#include <CLI/CLI.hpp>

#include <functional>
#include <string>
#include <vector>

#include "advgrad/attacks/attack.h"
#include "advgrad/core/device.h"
#include "advgrad/data/dataset.h"
#include "advgrad/nn/model_io.h"
#include "advgrad/nn/models.h"

namespace advgrad::cli {

using Runner = std::function<int()>;
struct Command {
  CLI::App* app;
  Runner run;
};

struct Common {
  std::string command_line;  // "advgrad <the arguments as given>", shell-quoted where needed
  bool json = false;
  int threads = 0;
  std::string device_name = "cpu";  // --device
  Device device = Device::cpu();    // parsed and checked by resolve_device()
  // Parses --device; a CUDA device on a machine without one is a clear error.
  void resolve_device();
};

// Adds --data, --data-dir, --limit, --test-limit to a subcommand. The data set
// is real Fashion-MNIST unless --data says otherwise; where its files are
// found: data/dataset_finder.h.
struct DataFlags {
  std::string name = "fashion-mnist";
  std::string dir;
  std::int64_t limit = 0;
  std::int64_t test_limit = 0;
  std::int64_t image_size = 0;  // --image-size: resize to S x S (0: as stored; image-folder: 64)
  std::int64_t channels = 0;    // --channels 1|3 (0: as stored; image-folder: 3)
  void add_to(CLI::App* cmd);
  // Loads the named set and applies the limits.
  data::Split load(std::uint64_t seed) const;
};

// CLI11's own range validators print the whole double range in their message;
// these say "must be >= 0" / "must be > 0" instead.
CLI::Validator non_negative();
CLI::Validator positive();

// Throws advgrad::Error when the loaded model cannot read `data` (input shape,
// classes), and warns in one line on stderr when the file records
// (advgrad.data) another data set than `data`: the sizes may fit (MNIST and
// Fashion-MNIST) while the figures mean nothing.
void check_model_fits(const nn::LoadedModel& model, const data::Dataset& data, const char* command);

// The attack flags shared by `attack` and `robustness`: --method picks the
// family and its defaults (see attack_flags.cpp), the other flags override.
struct AttackFlags {
  std::string method = "pgd";  // attack_methods()
  double eps = 0.1;
  int steps = 0;         // 0: the method's default
  double step_size = 0;  // 0: the method's default
  bool random_start = false;
  int restarts = 1;
  bool early_stop = false;
  std::string normalizer;   // sign, max, l2; empty: the method's
  std::string loss = "ce";  // ce, margin, dlr
  bool targeted = false;
  std::string target = "random";                // a class index, random, least-likely
  std::string objective = "true-minus-target";  // or minimise-target
  double momentum = 1.0;                        // mifgsm only
  double lo = 0, hi = 1;
  int queries = 5000;      // square, autoattack
  int target_classes = 9;  // apgd-t, autoattack
  double overshoot = 0.02;     // deepfool
  int candidates = 10;         // deepfool
  double kappa = 0;            // cw
  double initial_c = 1e-3;     // cw
  int search_steps = 9;        // cw
  double learning_rate = 0.01; // cw
  void add_to(CLI::App* cmd);
  // deepfool, deepfool-linf or cw: minimal-norm attacks (no eps to attack in).
  bool is_min_norm() const;
  // apgd-ce, apgd-dlr, apgd-t, square or autoattack: no step size to choose.
  bool is_parameter_free() const;
  // The library's options for this eps, method defaults applied, validated.
  attacks::AttackOptions options(double eps) const;
  // A short human name ("PGD-40 L-inf", "FGSM targeted -> 3").
  std::string describe(const attacks::AttackOptions& o) const;
};

// Every --method name, in the order --help lists them.
const std::vector<std::string>& attack_methods();

// eps as a person writes it for pixels in [0, 1]: a fraction "1/255", "2/255"
// or a decimal "0.01". Anything else (or a negative, infinite or zero-denominator
// value) is an error naming --eps.
double parse_eps(const std::string& text);

// `advgrad attack --image FILE ...`: photos under a pretrained ImageNet network
// (cmd_attack_photo.cpp). `flags` are the shared attack flags; --target may
// also be a class name there.
struct PhotoAttackFlags {
  std::vector<std::string> images;
  std::string model = "efficientnet-lite0";
  std::string weights;  // default: <cache>/pretrained/<model>.pth
  std::string out;
  std::uint64_t seed = 0;
};
int run_photo_attack(const PhotoAttackFlags& f, const AttackFlags& flags, double eps, const Common& common);

// The whole command line (apps/main.cpp): parses argv and, when `execute`,
// runs the command; returns the exit code. execute = false parses only (the
// CLI fuzz harness). Usage errors print one line and return 1.
int command_line(int argc, char** argv, bool execute);

Command add_demo(CLI::App& app, Common& common);
Command add_train(CLI::App& app, Common& common);
Command add_eval(CLI::App& app, Common& common);
Command add_attack(CLI::App& app, Common& common);
Command add_robustness(CLI::App& app, Common& common);
Command add_saliency(CLI::App& app, Common& common);
Command add_workshop(CLI::App& app, Common& common);
Command add_experiment(CLI::App& app, Common& common);
Command add_convert(CLI::App& app, Common& common);
Command add_classify(CLI::App& app, Common& common);
Command add_photos(CLI::App& app, Common& common);  // cmd_photos.cpp

}  // namespace advgrad::cli
