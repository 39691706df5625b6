// NumPy .npy files (format versions 1.0, 2.0 and 3.0: the magic "\x93NUMPY", the version, the
// header's length, a Python dict literal {'descr': '<f4', 'fortran_order': False, 'shape': (N, F)}
// padded with spaces and '\n', then the raw C-order data). Little-endian numeric dtypes only:
// f2 f4 f8, i1 i2 i4 i8, u1 u2 u4 u8 and b1.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "data/dataset.hpp"

namespace gt::data {

struct NpyArray {
  std::vector<int64_t> shape;  // C order; {} is a scalar
  std::string dtype;           // as the header gives it: "<f4", "|u1"
  std::vector<double> values;  // product(shape) values (i8/u8 beyond 2^53 rounded)
  bool integral = false;       // an integer or bool dtype
};

// The whole array, or throws Error naming the file (and the shape and dtype where they matter).
NpyArray read_npy(const std::filesystem::path& file);

// The user's data as a pair of files: `inputs` [N, features] of any supported dtype, and
// `targets` either [N] of an integer dtype (class labels, each in [0, classes), made one-hot;
// classes must be > 0), [N] of a float dtype (one regression output; classes must be 0), or
// [N, outputs] (regression when classes is 0; else one-hot rows over `classes`, checked). Both
// headers are checked before any data is read; all values must be finite in float32.
Dataset read_npy_pair(const std::filesystem::path& inputs, const std::filesystem::path& targets,
                      uint32_t classes);

}  // namespace gt::data
