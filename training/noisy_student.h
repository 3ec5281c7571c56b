#pragma once
// Noisy Student training (Xie et al. 2020, "Self-training with Noisy Student
// improves ImageNet classification") at small scale:
//
//   1. train a teacher on the labelled set L with cross-entropy;
//   2. the teacher, clean (eval mode: no dropout, no noise), labels the
//      unlabelled set U: soft pseudo-labels q = softmax(teacher(x)), or hard
//      ones (one-hot argmax); examples whose confidence max_k q_k is below
//      `confidence_threshold` are dropped (the paper filters low-confidence ones);
//   3. train a fresh student, equal or larger than the teacher, on L (one-hot
//      targets) and the kept part of U (pseudo-labels) with soft-target
//      cross-entropy (nn/soft_cross_entropy.h) under noise: Gaussian
//      input noise N(0, s^2) and a random shift of up to `max_shift` pixels per
//      image (input noise), plus dropout when the student's architecture has it
//      (cnn-bn: model noise);
//   4. the student becomes the teacher; repeat from 2 for `iterations` rounds.
//
// The noise is what makes the student more than a copy: it must match the
// clean teacher's predictions on perturbed inputs, which asks for invariance
// to the perturbation. Each round reports the teacher's and the student's
// clean accuracy and robustness: FGSM accuracy at `fgsm_eps` (through
// training::robust_accuracy) and the mean accuracy over the common corruptions
// (eval/corruptions.h) at the given severities.
#include <cstdint>
#include <iosfwd>
#include <string>
#include <vector>

#include "advgrad/data/dataset.h"
#include "advgrad/eval/corruptions.h"
#include "advgrad/nn/models.h"
#include "advgrad/nn/module.h"
#include "advgrad/training/trainer.h"

namespace advgrad::training {

// An MLP config: the default teacher and student (fast on 28x28 synthetic digits).
inline nn::ModelConfig noisy_student_mlp() {
  nn::ModelConfig c;
  c.arch = "mlp";
  return c;
}

struct NoisyStudentOptions {
  nn::ModelConfig teacher = noisy_student_mlp();  // the first teacher; input shape and classes come from the data
  nn::ModelConfig student = noisy_student_mlp();  // every student (seed + round gives each its own initial weights)
  std::int64_t iterations = 1;             // rounds of (pseudo-label, train student)
  std::int64_t teacher_epochs = 3, student_epochs = 3;
  std::int64_t batch_size = 32;
  std::string optimizer = "adam";
  double lr = 0;                     // 0: the optimizer's default
  bool soft_labels = true;           // false: one-hot argmax pseudo-labels
  double confidence_threshold = 0;   // keep unlabelled examples with teacher confidence >= this
  double input_noise_std = 0.1;      // std of the Gaussian input noise (pixels in [0, 1]); 0 = none
  std::int64_t max_shift = 2;        // random shift in [-max_shift, max_shift] per axis; 0 = none
  double fgsm_eps = 0.1;             // robustness report: FGSM accuracy at this eps
  std::vector<std::string> corruptions{};  // empty: all of corruption_names()
  std::vector<int> severities{3};
  std::int64_t eval_limit = 0;       // > 0: robustness measured on the first eval_limit test examples
  std::uint64_t seed = 0;
};

// Pseudo-labels of a data set by a teacher (eval mode, no graph).
struct PseudoLabels {
  Tensor targets;                      // [n, classes] float32: soft probabilities or one-hot
  std::vector<std::int64_t> labels;    // [n] argmax class
  std::vector<double> confidence;      // [n] max_k softmax(teacher(x))_k
};
PseudoLabels pseudo_label(nn::Module& teacher, const data::Dataset& unlabelled, bool soft,
                          std::int64_t batch_size = 500);

// The noise the student trains under, applied to a batch [B, C, H, W] in
// [0, 1]: a random shift by (dx, dy), each uniform in [-max_shift, max_shift],
// zero fill, then + N(0, std^2), clamped to [0, 1]. Deterministic given `gen`.
Tensor noisy_student_noise(const Tensor& images, double noise_std, std::int64_t max_shift, Generator& gen);

struct ModelReport {
  double clean_accuracy = 0;
  double fgsm_accuracy = 0;              // at options.fgsm_eps
  double mean_corruption_accuracy = 0;   // over options.corruptions x options.severities
};

struct NoisyStudentRound {
  std::int64_t iteration = 0;            // 1-based
  ModelReport teacher, student;
  std::int64_t pseudo_labelled = 0;      // unlabelled examples kept after the confidence filter
  double pseudo_label_accuracy = 0;      // kept pseudo-labels that agree with the hidden true labels
  FitResult student_fit;                 // the student's training: curves and seconds
};

struct NoisyStudentResult {
  std::vector<NoisyStudentRound> rounds;
  nn::ModulePtr final_student;           // the last student (in eval mode)
  nn::ModelConfig final_config;
};

// Runs the recipe. `unlabelled`'s labels are never used for training (only for
// the pseudo_label_accuracy diagnostic). Progress lines go to `log`. Throws
// advgrad::Error naming noisy_student for empty sets, mismatched image shapes,
// iterations < 1, a threshold outside [0, 1) or negative noise.
// `teacher`, when given, is the first teacher already trained on `labelled`
// (a model of options.teacher's config, e.g. a plain run kept from an
// experiment): step 1 is skipped and the model is not changed.
NoisyStudentResult noisy_student(const data::Dataset& labelled, const data::Dataset& unlabelled,
                                 const data::Dataset& test, const NoisyStudentOptions& options, std::ostream& log,
                                 nn::ModulePtr teacher = nullptr);

}  // namespace advgrad::training
