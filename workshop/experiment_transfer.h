#pragma once
// `advgrad experiment transfer` (docs/transfer-learning.md): transfer
// learning from the pretrained EfficientNet-Lite0 against the number of
// training images. For each size (100, 1,000, 10,000 Fashion-MNIST images;
// grey repeated to RGB, resized to image_size px for Lite0) the methods:
//
//   frozen          the ImageNet backbone frozen (eval mode), a new linear
//                   head on 512 pooled features of blocks 7, 10 and 15
//                   (nn/lite0_taps.h; chosen over the head conv's 1280 on
//                   the validation slice), standardised with the
//                   training images' mean and std. The backbone is a fixed
//                   function of the image, so its features are computed once
//                   per image and the head trains on that tensor for many
//                   epochs (a cheap, convex fit); its L2 weight and whether
//                   mirrored copies of the training images join the fit are
//                   chosen on the validation slice. The row's model is the
//                   whole network (backbone + head with the standardisation
//                   folded in), which the attacks see.
//   fine-tuned      pretrained_with_new_head, trained end to end under
//                   --freeze fine_tune_freeze with the backbone at 0.1x the rate
//   adv-fine-tuned  the same, with PGD adversarial training (Madry et al. 2018)
//   small-cnn       from scratch on the 28 px grey images
//
// Every row: clean accuracy on the test split, FGSM and PGD accuracy at eps
// on the first attack_examples test images (all with 95% Wilson intervals),
// training seconds (the frozen row's include computing its features), and
// at each size McNemar's exact test between frozen and small-cnn on the
// same test images (eval/mcnemar.h). The
// training curves are on a held-out validation slice of the training images
// (the images after the largest size), never on the test split.
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "advgrad/core/tensor.h"
#include "advgrad/data/dataset.h"
#include "advgrad/eval/mcnemar.h"
#include "advgrad/nn/module.h"
#include "advgrad/report/figure.h"
#include "advgrad/report/report.h"
#include "advgrad/workshop/experiment.h"
#include "advgrad/workshop/workshop_stages.h"

namespace advgrad::workshop {

struct TransferBudget {
  ExperimentBudget base;                         // attacks, eps, seed, level
  std::vector<std::int64_t> sizes;               // training images per run, ascending
  std::int64_t validation = 0;                   // held-out training images after the largest size
  std::int64_t image_size = 64;                  // Lite0's input (px)
  std::int64_t head_epochs = 0, head_batch = 0;  // the frozen row's head on cached features
  double head_lr = 0;                            // Adam
  std::vector<double> head_weight_decays;        // L2 penalty wd * |W|^2 candidates, chosen on validation
  bool try_flips = true;                         // also try mirrored copies of the training images (validation decides)
  std::string fine_tune_freeze = "none";         // nn::parse_freeze for the fine-tuned rows
  double fine_tune_lr = 0, backbone_lr_scale = 0.1;
  std::int64_t fine_tune_max = 0, adv_max = 0;  // the largest size each Lite0 training row runs at
  std::string weights;                          // the pretrained weights (empty: nn::pretrained_path)
  // Epochs and batch size at `n` images: a few hundred optimizer steps at every size.
  std::int64_t epochs_for(std::int64_t n) const;
  std::int64_t batch_for(std::int64_t n) const;
};
// quick: 40 and 100 images at 32 px, 60 test images, 20 attacked with PGD-3
// (seconds per row; a smoke test of the plumbing); default: 100, 1,000 and
// 10,000 at 64 px on 1,000 test images, 200 attacked with PGD-10
// (fine-tuning up to 1,000, adversarial fine-tuning at 100); full: the whole
// test split, 1,000 attacked with PGD-20, fine-tuning at every size and
// adversarial fine-tuning up to 1,000.
TransferBudget transfer_budget(const ExperimentBudget& budget);
// The training images the experiment needs: the largest size plus the validation slice.
std::int64_t transfer_train_images(const TransferBudget& budget);

const std::vector<std::string>& transfer_methods();  // frozen, fine-tuned, adv-fine-tuned, small-cnn

// Lite0 read at blocks 7, 10 and 15 (nn/lite0_taps.h) with its pretrained
// weights and an identity classifier (512 -> 512, W = I, b = 0), in eval
// mode: its output is the 512 pooled features that the frozen row's
// classifier reads, computed by the network's own forward.
nn::ModulePtr lite0_feature_extractor(std::int64_t image_size, const std::string& weights);
// The extractor's outputs for every image of `images` ([n, 512], no graph),
// in batches of `batch`.
Tensor pooled_features(nn::Module& extractor, const data::Dataset& images, std::int64_t batch = 100);

// Per-feature standardisation: (f - mean) * inv_std, with the mean and
// 1 / sqrt(var + 1e-5) of each column of the training images' features (the
// 1e-5, as in BatchNorm, keeps a feature that is constant on the training
// images from being blown up on others).
struct FeatureScaling {
  std::vector<float> mean, inv_std;
};
FeatureScaling feature_scaling(const Tensor& features);  // features [n, d], n >= 1
Tensor standardise(const Tensor& features, const FeatureScaling& scaling);
// The head W, b on standardised features as a head on raw ones:
// W ((f - m) * s) + b = (W diag(s)) f + (b - W diag(s) m). Returns {W', b'}.
std::pair<Tensor, Tensor> fold_scaling(const Tensor& weight, const Tensor& bias, const FeatureScaling& scaling);

// Frozen against small-cnn at one size: McNemar's exact test on the same test images.
struct TransferPaired {
  std::int64_t train_images = 0;
  eval::McNemar test;  // first: frozen, second: small-cnn
};

struct TransferRow {
  std::int64_t train_images = 0;
  std::string method;
  std::int64_t epochs = 0;
  RobustRow row;  // row.name: "<method>@<n>"
};
// Fine-tuning (PGD adversarial fine-tuning when `adversarial`): the
// pretrained Lite0 with a new head under fine_tune_freeze, the backbone at
// backbone_lr_scale times the head's rate, Adam at fine_tune_lr, on images
// already converted to 3 x image_size x image_size (data::convert_dataset);
// `validation` is the curves' test set. The transfer experiment's fine-tuned
// rows, and the EfficientNet experiment's lite0-fine-tuned row.
TrainedModel lite0_fine_tuned(const data::Dataset& train, const data::Dataset& validation, const TransferBudget& b,
                              bool adversarial, std::int64_t epochs, std::int64_t batch_size, std::ostream& log);
// The pretrained weights the experiment reads (b.weights, else nn::pretrained_path("efficientnet-lite0")).
std::string lite0_weights_path(const TransferBudget& b);
// `paired`, when not null, receives the McNemar tests (frozen vs small-cnn) per size.
std::vector<TransferRow> transfer_experiment(StageRunner& runner, const data::Split& data, const TransferBudget& budget,
                                             const std::vector<std::string>& only = {},
                                             std::vector<TransferPaired>* paired = nullptr);
// The workshop's transfer table (workshop_pretrained.cpp): frozen vs small-cnn
// at 100 and 1,000 images, 50 images attacked (quick: the quick budget; full:
// the experiment's full budget).
TransferBudget workshop_transfer_budget(const ExperimentBudget& budget);
// One sentence per size: frozen vs small-cnn, McNemar's counts and p-value, the verdict at 5%.
std::string paired_verdicts(const std::vector<TransferRow>& rows, const std::vector<TransferPaired>& paired);

std::string transfer_csv(const std::vector<TransferRow>& rows, const TransferBudget& budget);
// train_images,frozen_clean,small_cnn_clean,both_right,only_frozen,only_small_cnn,both_wrong,mcnemar_p
std::string transfer_paired_csv(const std::vector<TransferPaired>& paired, const std::vector<TransferRow>& rows);
report::ReportTable transfer_table(const std::vector<TransferRow>& rows, const TransferBudget& budget);
// Clean (and, second figure, PGD) accuracy against log10(training images), a
// series per method with 95% bands.
report::Figure transfer_chart(const std::vector<TransferRow>& rows, const TransferBudget& budget, bool pgd);

}  // namespace advgrad::workshop
