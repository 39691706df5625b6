#include "data/fashion_mnist.hpp"

#include <array>
#include <cmath>
#include <system_error>

#include "data/idx.hpp"

namespace gt::data {
namespace {

namespace fs = std::filesystem;

// The file of one part of a split: gzip'd as Debian ships it, else as decompressed by a user.
fs::path find_file(const fs::path& folder, Split split, bool images) {
  const std::string stem = std::string(split == Split::train ? "train" : "t10k") +
                           (images ? "-images-idx3-ubyte" : "-labels-idx1-ubyte");
  std::error_code ec;
  if (!fs::is_directory(folder, ec)) throw Error(missing_folder_error(folder));
  for (const fs::path& p : {folder / (stem + ".gz"), folder / stem})
    if (fs::exists(p, ec)) return p;
  throw Error(folder.string() + ": has neither " + stem + ".gz nor " + stem +
              " (the Fashion-MNIST " + std::string(to_string(split)) + " split)");
}

PixelNorm pixel_norm(const IdxArray& images) {
  std::array<uint64_t, 256> count{};
  for (const uint8_t v : images.data)
    ++count[v];
  const double n = static_cast<double>(images.data.size());
  double sum = 0;
  for (size_t v = 0; v < 256; ++v)
    sum += double(count[v]) * (double(v) / 255.0);
  const double mean = sum / n;
  double sq = 0;
  for (size_t v = 0; v < 256; ++v) {
    const double d = double(v) / 255.0 - mean;
    sq += double(count[v]) * d * d;
  }
  return PixelNorm{mean, std::sqrt(sq / n)};
}

}  // namespace

std::string_view to_string(Split s) {
  return s == Split::train ? "train" : "test";
}

std::string missing_folder_error(const fs::path& folder) {
  std::string msg = folder.string() + ": no such folder";
  if (folder == fs::path(kFashionMnistFolder)) {
    return msg + "; Fashion-MNIST comes from Debian's package " +
           std::string(kFashionMnistPackage) + " (apt-get install " +
           std::string(kFashionMnistPackage) + ")";
  }
  return msg + " (data.path: the folder of the four Fashion-MNIST IDX files)";
}

FashionMnist load_fashion_mnist(const fs::path& folder, Split split, uint32_t limit) {
  const fs::path image_file = find_file(folder, split, true);
  const fs::path label_file = find_file(folder, split, false);
  const IdxArray images = read_idx(image_file, 3);
  const IdxArray labels = read_idx(label_file, 1);
  if (images.dims[0] != labels.dims[0]) {
    throw Error(image_file.string() + " has " + std::to_string(images.dims[0]) + " images but " +
                label_file.string() + " has " + std::to_string(labels.dims[0]) + " labels");
  }
  FashionMnist out;
  out.norm = pixel_norm(split == Split::train ? images
                                              : read_idx(find_file(folder, Split::train, true), 3));
  if (out.norm.std <= 0) {
    throw Error(find_file(folder, Split::train, true).string() +
                ": every pixel has the same value; the images cannot be normalized");
  }
  Dataset& d = out.set;
  d.source = image_file.string();
  d.rows = limit > 0 && limit < images.dims[0] ? limit : images.dims[0];
  d.features = images.dims[1] * images.dims[2];
  d.outputs = d.classes = kFashionMnistClasses;
  // Every label is checked, also past `limit`: a corrupt file is refused whatever is used of it.
  for (size_t i = 0; i < labels.data.size(); ++i) {
    if (labels.data[i] >= kFashionMnistClasses) {
      throw Error(label_file.string() + ": label " + std::to_string(labels.data[i]) +
                  " of sample " + std::to_string(i) + " is out of range [0, " +
                  std::to_string(kFashionMnistClasses) + ")");
    }
  }
  const std::vector<uint32_t> classes(labels.data.begin(), labels.data.begin() + d.rows);
  // One value per byte, computed once in double: every pixel of a value maps to the same float.
  std::array<float, 256> value{};
  for (size_t v = 0; v < 256; ++v)
    value[v] = static_cast<float>((double(v) / 255.0 - out.norm.mean) / out.norm.std);
  const uint64_t n = uint64_t(d.rows) * d.features;
  d.input.resize(n);
  for (uint64_t i = 0; i < n; ++i)
    d.input[i] = value[images.data[i]];
  d.target = one_hot(classes, d.classes);
  return out;
}

}  // namespace gt::data
