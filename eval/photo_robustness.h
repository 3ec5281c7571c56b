#pragma once
// How a network's answers on photos hold up under ImageNet-C's corruptions
// (eval/photo_corruptions.h). Photos have no ground truth in general, so the
// first measure compares the network with itself, as ImageNet-P's flip rate
// does (Hendrycks & Dietterich 2019): the share of photos whose top-1 under
// the corruption is still the clean top-1. Beside it the mean softmax
// probability the corrupted photo gives the clean top-1 class (how much
// confidence is left) and the mean top-1 probability (how confident the
// network stays, right or wrong); and where photos carry acceptable classes
// (eval/photo_labels.h), the share of those whose top-1 is acceptable.
#include <cstdint>
#include <string>
#include <vector>

#include "advgrad/eval/photo_corruptions.h"
#include "advgrad/nn/module.h"

namespace advgrad::eval {

struct PhotoStability {
  std::string corruption;  // "clean" for the uncorrupted row (severity 0)
  int severity = 0;
  std::int64_t photos = 0;
  double unchanged = 0;          // top-1 == the clean top-1
  double clean_class_prob = 0;   // mean p(clean top-1 class)
  double top1_prob = 0;          // mean max_k p_k
  std::int64_t labelled = 0;     // photos with acceptable classes
  double acceptable = 0;         // share of those whose top-1 is acceptable (0 when none)
};

// photos: each [C, H, W] as the network takes it; acceptable: empty or one
// (possibly empty) class list per photo. Returns the clean row first, then
// every (corruption, severity), corruptions outer. The model runs in eval
// mode without a graph on one batch of all photos per row; its mode is
// restored. jpeg: see corrupt_photo. Errors name photo_corruption_stability.
std::vector<PhotoStability> photo_corruption_stability(nn::Module& model, const std::vector<Tensor>& photos,
                                                       const std::vector<std::vector<std::int64_t>>& acceptable,
                                                       const std::vector<std::string>& corruptions,
                                                       const std::vector<int>& severities, std::uint64_t seed,
                                                       const JpegRoundTrip& jpeg = {});

// "corruption,severity,photos,unchanged,clean_class_prob,top1_prob,labelled,acceptable" lines.
std::string photo_stability_to_csv(const std::vector<PhotoStability>& rows);

}  // namespace advgrad::eval
