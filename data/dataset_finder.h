#pragma once
// Where a data set's files are. The real data sets come from where a user
// already has them or from Debian's packages; nothing is downloaded.
//
//   1. `dir` (--data-dir): DIR itself, or DIR/<name>;
//   2. $ADVGRAD_DATA_DIR: the same two;
//   3. /usr/share/datasets/<name>: where Debian's dataset-fashion-mnist
//      installs the official Fashion-MNIST files.
//
// An explicit `dir` that holds neither is an error naming it: a user who said
// where the data is never gets other data silently.
#include <string>

namespace advgrad::data {

// Whether `dir` holds the files of data set `name` (mnist, fashion-mnist:
// train-images-idx3-ubyte[.gz]; cifar10: data_batch_1.bin, also under
// cifar-10-batches-bin/).
bool holds_dataset(const std::string& name, const std::string& dir);

// The directory to load `name` from, searched as above. Throws advgrad::Error
// in one sentence naming the places searched and how to get the data, e.g.
// "fashion-mnist: not found in /usr/share/datasets/fashion-mnist; install it
// with 'sudo apt-get install dataset-fashion-mnist', or pass --data-dir DIR
// (or set ADVGRAD_DATA_DIR)".
std::string find_dataset_dir(const std::string& name, const std::string& dir = "");

// The system directory of a data set: /usr/share/datasets/<name>, or under
// $ADVGRAD_SYSTEM_DATASETS when set (for tests).
std::string system_dataset_dir(const std::string& name);

}  // namespace advgrad::data
