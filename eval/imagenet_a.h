#pragma once
// ImageNet-A (Hendrycks et al. 2021, "Natural Adversarial Examples"): 7,500
// unmodified photos of 200 ImageNet classes that ResNet-50s get wrong. Its
// protocol scores a 1000-class network on those 200 classes only: the
// prediction is the argmax over the 200 classes' logits (the other 800 are
// masked out), so a confusion with a class the set does not contain cannot
// happen.
//
// The 200 classes are data in PyPI's timm wheel (timm/data/_info/
// imagenet_a_synsets.txt: the WordNet ids in the set's order;
// imagenet_a_indices.txt: their ImageNet-1k class indices), which
// scripts/fetch-imagenet-a-classes.sh puts in <cache>/imagenet-a. The photos
// themselves are not available offline; the protocol runs on any folder:
// DIR/<wnid>/*.jpg as ImageNet-A ships (labelled by the folder's wnid), or
// image files directly in DIR (unlabelled: the restricted top-1 is reported).
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "advgrad/core/tensor.h"
#include "advgrad/nn/module.h"

namespace advgrad::eval {

struct ImageNetASubset {
  std::vector<std::string> wnids;     // in the subset's order
  std::vector<std::int64_t> indices;  // the same classes' ImageNet-1k indices
  // The position in the subset of ImageNet-1k class `index`, or -1.
  std::int64_t position_of(std::int64_t index) const;
};

// Parses the two files' texts (one entry a line; blank lines ignored):
// as many wnids ("n" and 8 digits) as indices, each index in [0, 1000) and
// none twice. Errors name `what` and the line.
ImageNetASubset parse_imagenet_a_subset(const std::string& synsets, const std::string& indices,
                                        const std::string& what);
// Reads DIR/imagenet_a_synsets.txt and DIR/imagenet_a_indices.txt (default
// DIR: <cache>/imagenet-a); a missing file is an error naming it and the
// fetch script.
ImageNetASubset imagenet_a_subset();
ImageNetASubset imagenet_a_subset(const std::string& dir);

// One image's answer under the mask.
struct RestrictedPrediction {
  std::int64_t position = 0;  // in the subset
  std::int64_t index = 0;     // its ImageNet-1k class
  double probability = 0;     // softmax over the subset's logits only
};
// logits [N, K] (K > every index) -> per row the argmax over logits[indices]
// (ties: the earlier position) with its softmax probability among them.
std::vector<RestrictedPrediction> restricted_top1(const Tensor& logits, const std::vector<std::int64_t>& indices);

// The images of a folder, sorted by path: files directly in `dir` (label "")
// and in its subfolders one level down (label: the subfolder's name). Only
// .jpg, .jpeg and .png (any case) count; the decoder checks the content.
struct FolderImage {
  std::string path;
  std::string label;
};
std::vector<FolderImage> list_image_folder(const std::string& dir);

// The protocol over `count` images, `load(i)` giving image i as the network
// wants it ([1, C, H, W] or [C, H, W]); labels: per image its ImageNet-1k
// class or -1 (unlabelled). A label outside the subset is an error (the mask
// could never predict it). Runs the model in eval mode without a graph, one
// image at a time (ImageNet-A is 7,500 photos); the model's mode is restored.
struct RestrictedEvaluation {
  std::vector<RestrictedPrediction> restricted;  // per image
  std::vector<std::int64_t> unrestricted;        // per image: the argmax over all classes
  std::int64_t labelled = 0;
  std::int64_t correct = 0;               // restricted top-1 == label
  std::int64_t correct_unrestricted = 0;  // plain top-1 == label
  double accuracy() const { return labelled > 0 ? static_cast<double>(correct) / static_cast<double>(labelled) : 0; }
};
RestrictedEvaluation evaluate_restricted(nn::Module& model, std::int64_t count,
                                         const std::function<Tensor(std::int64_t)>& load,
                                         const std::vector<std::int64_t>& labels, const ImageNetASubset& subset);

}  // namespace advgrad::eval
