// A whole data set in memory, as every loader (IDX, CSV, .npy, safetensors) returns it: the
// inputs and the targets as float32 rows, ready to upload once. Loaders read all of a file or
// throw: nothing is ever half-loaded. They know nothing of the network: the caller checks the
// widths against it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "io/error.hpp"

namespace gt::data {

// What is wrong with a data file: the message names the file and the line and column (CSV) or
// the tensor, its shape and dtype (.npy, safetensors, IDX).
struct Error : io::Error {
  using io::Error::Error;
};

struct Dataset {
  std::string source;         // what it was read from, for messages ("/path/train.csv")
  uint32_t rows = 0;          // samples
  uint32_t features = 0;      // inputs per sample
  uint32_t outputs = 0;       // targets per sample: the classes (one-hot) or regression columns
  uint32_t classes = 0;       // > 0: classification, each target row one-hot over `classes`
  std::vector<float> input;   // [rows][features], row-major
  std::vector<float> target;  // [rows][outputs], row-major

  // The class of sample `row` (classification only): the index of the 1 in its target row.
  uint32_t label(uint32_t row) const;
};

// One-hot rows from class labels, each < classes (checked by the caller).
std::vector<float> one_hot(const std::vector<uint32_t>& labels, uint32_t classes);

// Rows above this are refused by every loader (the GPU indexes samples with 32-bit integers and
// a permutation domain of twice the rows).
inline constexpr uint64_t kMaxRows = 1ull << 30;

}  // namespace gt::data
