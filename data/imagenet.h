#pragma once
// ImageNet (ILSVRC-2012) class names and the preprocessing of an ImageNet
// network's input.
//
// Class names come from two text files that scripts/fetch-pretrained.sh puts
// in <cache>/pretrained (taken from timm's data files):
//   imagenet_synsets.txt          1000 WordNet ids, one a line, in class-index order
//   imagenet_synset_to_lemma.txt  "<wnid>\t<lemma>, <lemma>, ..." for (at least) those ids
// A class's name is its FIRST lemma: "espresso", "tabby" (of "tabby, tabby
// cat"), "Egyptian cat". It is short and reads well in a table; it is not
// unique (two classes are "crane", two "maillot"), so the class index stays
// the identity and the name is for people.
#include <cstdint>
#include <string>
#include <vector>

#include "advgrad/core/tensor.h"

namespace advgrad::data {

// The 1000 names in class-index order from the two files in `dir` (default:
// <cache>/pretrained). A missing file is an error naming it and
// scripts/fetch-pretrained.sh; a synset without a lemma line names the synset.
std::vector<std::string> imagenet_class_names();
std::vector<std::string> imagenet_class_names(const std::string& dir);

// The first lemma of a lemma list: "tabby, tabby cat" -> "tabby".
std::string first_lemma(const std::string& lemmas);

// The evaluation crop of an ImageNet network: the shorter side resized to
// `resize` (bicubic, antialiased as PIL and torchvision do), the centre
// `crop` x `crop` window, clamped to [0, 1] (bicubic overshoots a little at
// sharp edges). [C, H, W] or [N, C, H, W] in [0, 1] in, the same range out.
// EfficientNet's own evaluation (TensorFlow's preprocessing.py) crops the
// centre 224 / (224 + 32) of the shorter side and then resizes it bicubically
// to 224; resizing to 256 and then cropping 224 is the same window in the
// torchvision order, which is what the issue asks for and what
// examples/prepare_photo.cpp does. The model does its own normalisation
// (nn::ScaleShift), so the result stays pixels.
Tensor imagenet_eval_transform(const Tensor& image, std::int64_t resize = 256, std::int64_t crop = 224);

}  // namespace advgrad::data
