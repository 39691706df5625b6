#include "data/idx.hpp"

#include "data/dataset.hpp"
#include "data/gunzip.hpp"

namespace gt::data {
namespace {

// 60,000 images of 28 x 28 are 47 MB; the cap leaves room for larger sets in the same format.
constexpr uint64_t kMaxIdxBytes = 4ull << 30;
constexpr uint8_t kUnsignedByte = 0x08;

uint32_t load_be32(const std::string& b, size_t at) {
  uint32_t v = 0;
  for (size_t i = 0; i < 4; ++i)
    v = (v << 8) | static_cast<unsigned char>(b[at + i]);
  return v;
}

std::string type_name(uint8_t t) {
  switch (t) {
    case 0x08:
      return "unsigned byte";
    case 0x09:
      return "signed byte";
    case 0x0B:
      return "short";
    case 0x0C:
      return "int";
    case 0x0D:
      return "float";
    case 0x0E:
      return "double";
    default:
      return "unknown type";
  }
}

std::string hex_byte(uint8_t v) {
  static constexpr char kHex[] = "0123456789abcdef";
  return std::string("0x") + kHex[v >> 4] + kHex[v & 15];
}

std::string dims_text(const std::vector<uint32_t>& dims) {
  std::string s;
  for (size_t i = 0; i < dims.size(); ++i)
    s += (i ? " x " : "") + std::to_string(dims[i]);
  return s;
}

}  // namespace

IdxArray parse_idx(const std::string& bytes, uint32_t rank, const std::string& name) {
  if (bytes.size() < 4) {
    throw Error(name + ": " + std::to_string(bytes.size()) +
                " bytes; an IDX file starts with a 4-byte magic number");
  }
  const auto type = static_cast<uint8_t>(bytes[2]);
  const auto dims_in_file = static_cast<uint8_t>(bytes[3]);
  if (bytes[0] != 0 || bytes[1] != 0) {
    throw Error(name + ": not an IDX file (its magic number must start with two zero bytes; " +
                "a gzip'd file must start with gzip's)");
  }
  if (type != kUnsignedByte) {
    throw Error(name + ": IDX element type " + hex_byte(type) + " (" + type_name(type) +
                "); expected 0x08 (unsigned byte)");
  }
  if (dims_in_file != rank) {
    throw Error(name + ": " + std::to_string(dims_in_file) + " dimensions; expected " +
                std::to_string(rank) +
                (rank == 1 ? " (labels)" : " (images: count, rows, columns)"));
  }
  const size_t header = 4 + 4 * size_t(rank);
  if (bytes.size() < header) {
    throw Error(name + ": ends inside its header (" + std::to_string(bytes.size()) +
                " bytes; the header of " + std::to_string(rank) + " dimensions is " +
                std::to_string(header) + ")");
  }
  IdxArray a;
  uint64_t count = 1;
  for (uint32_t i = 0; i < rank; ++i) {
    a.dims.push_back(load_be32(bytes, 4 + 4 * size_t(i)));
    count *= a.dims.back();  // at most 3 factors of 2^32 each: checked against the size below
    if (a.dims.back() == 0) throw Error(name + ": dimension " + std::to_string(i + 1) + " is 0");
    if (count > kMaxIdxBytes) {
      throw Error(name + ": dimensions " + dims_text(a.dims) + " exceed " +
                  std::to_string(kMaxIdxBytes) + " elements");
    }
  }
  if (a.dims[0] > kMaxRows) {
    throw Error(name + ": " + std::to_string(a.dims[0]) + " samples; at most " +
                std::to_string(kMaxRows));
  }
  const uint64_t have = bytes.size() - header;
  if (have != count) {
    throw Error(name + ": dimensions " + dims_text(a.dims) + " need " + std::to_string(count) +
                " bytes of data but the file has " + std::to_string(have) +
                (have < count ? " (truncated)" : " (bytes after the data)"));
  }
  a.data.assign(bytes.begin() + static_cast<std::ptrdiff_t>(header), bytes.end());
  return a;
}

IdxArray read_idx(const std::filesystem::path& file, uint32_t rank) {
  return parse_idx(read_maybe_gzip(file, kMaxIdxBytes), rank, file.string());
}

}  // namespace gt::data
