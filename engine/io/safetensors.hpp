// safetensors files (https://github.com/huggingface/safetensors): an 8-byte little-endian header
// length, a JSON header, then the raw tensor bytes. We write F32; we read F32, F64, F16 and BF16.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace gt::io {

// The message names the file and what is wrong with it.
struct Error : std::runtime_error {
  using runtime_error::runtime_error;
};

struct Tensor {
  std::string name;
  std::vector<int64_t> shape;  // row-major; {} is a scalar
  std::vector<float> data;     // product(shape) values
};

// Writes the tensors in the given order, atomically: a temporary file renamed into place, so a
// failure leaves neither a partial file nor the temporary.
void write_safetensors(const std::filesystem::path& file, const std::vector<Tensor>& tensors);

// A tensor as its file's header describes it, before its data is read.
struct TensorInfo {
  std::string_view name;
  const std::vector<int64_t>& shape;
};
// Which tensors to read: the others' data is skipped (never allocated).
using TensorFilter = std::function<bool(const TensorInfo&)>;

// Reads and validates the whole file (a regular file only: FIFOs and devices are refused), and
// the data of the tensors `keep` accepts (all, without one); tensors come back in the order of
// their data in the file. Memory is bounded by the file's size, and by what `keep` accepts.
std::vector<Tensor> read_safetensors(const std::filesystem::path& file,
                                     const TensorFilter& keep = {});

// nullptr if there is no tensor with that name.
const Tensor* find(const std::vector<Tensor>& tensors, std::string_view name);

}  // namespace gt::io
