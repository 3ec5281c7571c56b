#pragma once
// Common corruptions: how a model's accuracy degrades under everyday changes
// of its inputs, not under a worst-case adversary. In the spirit of the
// benchmarks of Hendrycks & Dietterich (2019, ImageNet-C / CIFAR-10-C) and Mu &
// Gilmer (2019, MNIST-C): each corruption has five severities, 1 (mild) to 5
// (severe); the parameters are this project's own, chosen for 28x28 and 32x32
// images:
//
//   corruption       parameter                     severity 1     2     3     4     5
//   gaussian_noise   std of N(0, s^2) per pixel             0.08  0.12  0.18  0.26  0.38
//   gaussian_blur    sigma of the kernel, pixels            0.5   0.75  1.0   1.5   2.0
//   contrast         factor c in m + c (x - m)              0.4   0.3   0.2   0.1   0.05
//   rotation         degrees, counter-clockwise             10    20    30    40    50
//   shift            pixels along x and along y             1     2     3     4     6
//
// Pixels are in [0, 1]; every result is clamped to [0, 1] and rounded back to
// uint8, so a corrupted Dataset is an ordinary Dataset. Noise and the shift's
// direction (each axis +s or -s, i.e. a diagonal move) are random per image,
// drawn from a Generator seeded by (seed, corruption, severity, image index):
// the same seed gives the same bytes, and corrupting a prefix of a data set
// gives the prefix of the corrupted set. Blur, contrast and rotation are
// deterministic. The image operations are in data/image_ops.h.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "advgrad/data/dataset.h"
#include "advgrad/nn/module.h"

namespace advgrad::eval {

// gaussian_noise, gaussian_blur, contrast, rotation, shift.
const std::vector<std::string>& corruption_names();
// The parameter of the table above; throws advgrad::Error (naming `who`) for an
// unknown corruption or a severity outside 1..5.
double corruption_parameter(const std::string& corruption, int severity, const char* who = "corruption_parameter");

// A copy of `data` with every image corrupted. Throws advgrad::Error naming
// "corrupt" for an unknown corruption, a severity outside 1..5 or an empty data set.
data::Dataset corrupt(const data::Dataset& data, const std::string& corruption, int severity, std::uint64_t seed);

struct CorruptionResult {
  std::string corruption;
  int severity = 0;
  double accuracy = 0;
};

// How a model sees a data set, when it wants other images than the data
// set's (e.g. data::convert_dataset to 3 x 64 x 64 for the pretrained Lite0).
using DatasetView = std::function<data::Dataset(const data::Dataset&)>;
// Accuracy of `model` (eval mode, no graph) on `data` (its first `limit`
// examples if limit > 0) under every (corruption, severity) pair, in that
// order: corruptions outer, severities inner. The corruptions act on the
// data set's own images (the parameters above are for their size); `view`,
// when set, converts each corrupted set for the model afterwards.
std::vector<CorruptionResult> corruption_accuracy(nn::Module& model, const data::Dataset& data,
                                                  const std::vector<std::string>& corruptions,
                                                  const std::vector<int>& severities, std::uint64_t seed,
                                                  std::int64_t limit = 0, const DatasetView& view = {});
// Mean accuracy over the results (0 when there are none).
double mean_corruption_accuracy(const std::vector<CorruptionResult>& results);

// "corruption,severity,accuracy" lines, and a JSON array of objects with those keys.
std::string corruption_results_to_csv(const std::vector<CorruptionResult>& results);
std::string corruption_results_to_json(const std::vector<CorruptionResult>& results);

}  // namespace advgrad::eval
