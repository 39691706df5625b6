// Data sets in safetensors files: the `input` and `target` tensors that gradtower's own step
// dumps hold (io/checkpoint.hpp), or any file made the same way.
#pragma once

#include <cstdint>
#include <filesystem>

#include "data/dataset.hpp"

namespace gt::data {

// A safetensors file holding `input` [N, features] and `target` [N, outputs] of float dtypes
// (other tensors are skipped, never loaded). classes > 0: each target row one-hot over
// `classes` (outputs == classes); classes = 0: regression, used as given. All values finite.
// Throws Error naming the file, the tensor and its shape; io::Error from the file's format.
Dataset read_tensor_file(const std::filesystem::path& file, uint32_t classes);

}  // namespace gt::data
