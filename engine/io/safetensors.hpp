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

#include "io/error.hpp"
#include "io/output_file.hpp"

namespace gt::io {

struct Tensor {
  std::string name;
  std::vector<int64_t> shape;  // row-major; {} is a scalar
  std::vector<float> data;     // product(shape) values
};

// Writes the tensors in the given order through an OutputFile (io/output_file.hpp): a failure
// leaves neither a partial file nor the temporary. The first form opens the file itself.
void write_safetensors(const std::filesystem::path& file, const std::vector<Tensor>& tensors);
// Writes and commits `out` (opened up front by the caller, so a bad place fails before work).
void write_safetensors(OutputFile& out, const std::vector<Tensor>& tensors);

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
