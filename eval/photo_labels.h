#pragma once
// Which ImageNet classes are right for a photo. The test photos of
// scripts/fetch-photos.sh come without labels, and many show several things
// (a dog, a bicycle and a pickup in dog.jpg) or things ImageNet-1k has no
// class for (a giraffe, an astronaut, a painting). So each photo gets a SET of
// acceptable classes -- the multi-label view of ImageNet-ReaL (Beyer et al.
// 2020, "Are we done with ImageNet?") -- or none, meaning "no class fits": a
// photo without one is left out of every right/wrong count. With that, a
// "confidently wrong" photo has a meaning: its top-1 is outside the set with
// probability >= a threshold (natural adversarial examples, Hendrycks et al.
// 2021, on real photos).
//
// The file format (the built-in table below is one such text; `advgrad photos
// --labels FILE` reads another), one photo a line:
//
//   <file name>  <classes>  [# why]
//
// <classes>: ImageNet-1k indices separated by commas, a range a-b for every
// class from a to b, or "-" for none. Blank lines and lines starting with #
// are ignored. A photo is matched by its file name (no directory).
#include <cstdint>
#include <string>
#include <vector>

#include "advgrad/eval/classify.h"

namespace advgrad::eval {

struct PhotoLabel {
  std::string photo;                  // file name
  std::vector<std::int64_t> classes;  // sorted, distinct; empty: no ImageNet class fits
  std::string why;                    // the comment, without '#'
};

// Parses the format above; errors name `what` and the line. A class outside
// [0, 1000), a backwards range or a photo listed twice is an error.
std::vector<PhotoLabel> parse_photo_labels(const std::string& text, const std::string& what);

// The built-in table for the 14 photos of scripts/fetch-photos.sh, and its text.
const std::string& builtin_photo_labels_text();
const std::vector<PhotoLabel>& builtin_photo_labels();

// The entry for `file_name` (a bare name), or nullptr.
const PhotoLabel* find_photo_label(const std::vector<PhotoLabel>& labels, const std::string& file_name);

// The positions i of the labelled photos (acceptable[i] not empty) whose
// top1[i] is outside acceptable[i] with probability >= min_confidence, most
// confident first (ties: lower position). Throws advgrad::Error for sizes
// that differ or min_confidence outside (0, 1].
std::vector<std::size_t> confidently_wrong(const std::vector<Prediction>& top1,
                                           const std::vector<std::vector<std::int64_t>>& acceptable,
                                           double min_confidence);

}  // namespace advgrad::eval
