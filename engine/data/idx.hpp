// IDX files (the format of MNIST and Fashion-MNIST, yann.lecun.com/exdb/mnist): a 4-byte magic
// (two zero bytes, the element type, the number of dimensions), each dimension as a big-endian
// uint32, then the elements in row-major order. gzip'd or not. We read unsigned bytes (type
// 0x08), the type of every image and label file of those sets.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace gt::data {

struct IdxArray {
  std::vector<uint32_t> dims;  // e.g. {60000, 28, 28} for images, {60000} for labels
  std::vector<uint8_t> data;   // product(dims) bytes
};

// Reads a whole IDX file of unsigned bytes with `rank` dimensions; throws data::Error naming the
// file and what is wrong (the magic, the type, the rank, the dimensions against the bytes there).
IdxArray read_idx(const std::filesystem::path& file, uint32_t rank);

// The same from bytes already read (`name` for messages).
IdxArray parse_idx(const std::string& bytes, uint32_t rank, const std::string& name);

}  // namespace gt::data
