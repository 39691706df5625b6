#include "data/tensor_file.hpp"

#include <cmath>
#include <string>
#include <utility>
#include <vector>

#include "io/safetensors.hpp"

namespace gt::data {
namespace {

constexpr uint64_t kMaxWidth = 1ull << 20;  // features or outputs per row

std::string shape_text(const std::vector<int64_t>& shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i)
    s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + "]";
}

class Checker {
 public:
  explicit Checker(const std::filesystem::path& file) : name_(file.string()) {}

  [[noreturn]] void fail(const std::string& what) const { throw Error(name_ + ": " + what); }
  [[noreturn]] void fail(const io::Tensor& t, const std::string& what) const {
    fail("tensor \"" + t.name + "\" of shape " + shape_text(t.shape) + ": " + what);
  }

  // The tensor's width, when it is a [N, width] matrix within the limits.
  uint32_t width(const io::Tensor& t, const char* what) const {
    if (t.shape.size() != 2) fail(t, std::string("must be [N, ") + what + "]");
    const auto rows = static_cast<uint64_t>(t.shape[0]);
    const auto w = static_cast<uint64_t>(t.shape[1]);
    if (rows > kMaxRows) {
      fail(t, std::to_string(rows) + " rows, over the limit of " + std::to_string(kMaxRows));
    }
    if (w > kMaxWidth) {
      fail(t, std::to_string(w) + " " + what + ", over the limit of " + std::to_string(kMaxWidth));
    }
    if (rows == 0) fail(t, "no rows");
    if (w == 0) fail(t, std::string("no ") + what);
    return static_cast<uint32_t>(w);
  }

  void finite(const io::Tensor& t, uint32_t w) const {
    for (size_t i = 0; i < t.data.size(); ++i) {
      const float v = t.data[i];
      if (std::isfinite(v)) continue;
      fail(t, "row " + std::to_string(i / w) + ", column " + std::to_string(i % w) + " is " +
                  (std::isnan(v) ? "NaN"
                   : v > 0       ? "inf"
                                 : "-inf"));
    }
  }

 private:
  std::string name_;
};

}  // namespace

Dataset read_tensor_file(const std::filesystem::path& file, uint32_t classes) {
  const Checker check(file);
  std::vector<std::string> names;
  // io::Error from the format passes through as it is: it names the file already.
  std::vector<io::Tensor> tensors = io::read_safetensors(file, [&](const io::TensorInfo& info) {
    names.emplace_back(info.name);
    return info.name == "input" || info.name == "target";
  });
  io::Tensor* input = nullptr;
  io::Tensor* target = nullptr;
  for (io::Tensor& t : tensors)
    (t.name == "input" ? input : target) = &t;
  if (!input || !target) {
    std::string has;
    for (const std::string& n : names)
      has += (has.empty() ? "" : ", ") + ("\"" + n + "\"");
    check.fail(std::string("no tensor \"") + (input ? "target" : "input") + "\" (" +
               (has.empty() ? "the file has no tensors" : "the file has " + has) +
               "; a data set needs \"input\" [N, features] and \"target\" [N, outputs])");
  }
  const uint32_t features = check.width(*input, "features");
  const uint32_t outputs = check.width(*target, "outputs");
  if (input->shape[0] != target->shape[0]) {
    check.fail("tensor \"input\" has " + std::to_string(input->shape[0]) +
               " rows but tensor \"target\" has " + std::to_string(target->shape[0]));
  }
  if (classes > 0 && outputs != classes) {
    check.fail(*target, std::to_string(outputs) + " outputs, but classes is " +
                            std::to_string(classes) + " (one-hot rows over the classes expected)");
  }
  check.finite(*input, features);
  check.finite(*target, outputs);
  if (classes > 0) {
    for (size_t r = 0; r < static_cast<size_t>(target->shape[0]); ++r) {
      uint32_t ones = 0, zeros = 0;
      for (size_t c = 0; c < outputs; ++c) {
        const float v = target->data[r * outputs + c];
        ones += v == 1.0f;
        zeros += v == 0.0f;
      }
      if (ones != 1 || zeros != outputs - 1) {
        check.fail(*target, "row " + std::to_string(r) +
                                " is not one-hot (exactly one 1 and zeros over " +
                                std::to_string(classes) + " classes expected)");
      }
    }
  }

  Dataset d;
  d.source = file.string();
  d.rows = static_cast<uint32_t>(input->shape[0]);
  d.features = features;
  d.outputs = outputs;
  d.classes = classes;
  d.input = std::move(input->data);
  d.target = std::move(target->data);
  return d;
}

}  // namespace gt::data
