// Fashion-MNIST (Xiao, Rasul & Vollgraf 2017) from Debian's package dataset-fashion-mnist: 60,000
// training and 10,000 test images of 28 x 28 grey pixels in 10 classes, as four gzip'd IDX files.
// Any folder holding the four files (gzip'd or not) in the same layout works: MNIST's too.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "data/dataset.hpp"

namespace gt::data {

enum class Split : uint32_t { train = 0, test = 1 };

inline constexpr std::string_view kFashionMnistFolder = "/usr/share/datasets/fashion-mnist";
inline constexpr std::string_view kFashionMnistPackage = "dataset-fashion-mnist";
inline constexpr uint32_t kFashionMnistClasses = 10;

// Mean and standard deviation (population) of the training images' pixels scaled to [0, 1].
struct PixelNorm {
  double mean = 0;
  double std = 1;
};

struct FashionMnist {
  Dataset set;     // input: (pixel / 255 - norm.mean) / norm.std; target: one-hot over 10
  PixelNorm norm;  // always the training split's, whichever split was loaded
};

// Reads `split` from `folder` (its files: {train,t10k}-{images-idx3,labels-idx1}-ubyte, with
// or without .gz). limit > 0 keeps the first `limit` samples (the normalization is still the
// whole training split's). Throws data::Error: a missing folder names the Debian package, a
// missing file the names looked for, bad files what is wrong (magic, dimensions, counts, a label
// out of range with its index).
FashionMnist load_fashion_mnist(const std::filesystem::path& folder, Split split,
                                uint32_t limit = 0);

std::string_view to_string(Split s);

// The message for a folder that does not exist: for Debian's folder it names the package.
std::string missing_folder_error(const std::filesystem::path& folder);

}  // namespace gt::data
