#include "io/safetensors.hpp"

#include "io/input_file.hpp"

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>

namespace gt::io {
namespace {

// std::map-backed: ordered_json looks keys up linearly, quadratic for deep networks' checkpoints.
using Json = nlohmann::json;
using FilePtr = std::unique_ptr<std::FILE, int (*)(std::FILE*)>;

// A corrupt length must not make us allocate gigabytes; the reference implementation uses the
// same limit.
constexpr uint64_t kMaxHeaderBytes = 100ull << 20;
constexpr bool kLittleEndian = std::endian::native == std::endian::little;

// Product of the dimensions, or nullopt on a negative dimension or overflow past `limit`.
std::optional<uint64_t> element_count(const std::vector<int64_t>& shape, uint64_t limit) {
  uint64_t count = 1;
  for (const int64_t d : shape) {
    if (d < 0) return std::nullopt;
    const auto ud = static_cast<uint64_t>(d);
    if (ud != 0 && count > limit / ud) return std::nullopt;
    count *= ud;
  }
  return count;
}

std::string shape_text(const std::vector<int64_t>& shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i)
    s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + "]";
}

float half_to_float(uint16_t h) {
  const uint32_t sign = static_cast<uint32_t>(h & 0x8000u) << 16;
  const uint32_t exponent = (h >> 10) & 0x1fu;
  const uint32_t mantissa = h & 0x3ffu;
  if (exponent == 0) {
    const float magnitude = std::ldexp(static_cast<float>(mantissa), -24);
    return sign ? -magnitude : magnitude;
  }
  const uint32_t bits = exponent == 0x1f ? sign | 0x7f800000u | (mantissa << 13)
                                         : sign | ((exponent + 112) << 23) | (mantissa << 13);
  return std::bit_cast<float>(bits);
}

uint64_t load_le(const unsigned char* p, size_t bytes) {
  uint64_t v = 0;
  for (size_t i = 0; i < bytes; ++i)
    v |= static_cast<uint64_t>(p[i]) << (8 * i);
  return v;
}

struct DType {
  std::string_view name;
  uint64_t size;
};
constexpr DType kDTypes[] = {{"F32", 4}, {"F64", 8}, {"F16", 2}, {"BF16", 2}};

// A tensor as described by the header, before its data is read.
struct Entry {
  std::string name;
  DType dtype;
  std::vector<int64_t> shape;
  uint64_t count = 0;
  uint64_t begin = 0;
  uint64_t end = 0;
};

void convert(const Entry& e, const unsigned char* bytes, std::vector<float>& out) {
  for (uint64_t i = 0; i < e.count; ++i) {
    const unsigned char* p = bytes + i * e.dtype.size;
    if (e.dtype.name == "F32") {
      out[i] = std::bit_cast<float>(static_cast<uint32_t>(load_le(p, 4)));
    } else if (e.dtype.name == "F64") {
      out[i] = static_cast<float>(std::bit_cast<double>(load_le(p, 8)));
    } else if (e.dtype.name == "F16") {
      out[i] = half_to_float(static_cast<uint16_t>(load_le(p, 2)));
    } else {
      out[i] = std::bit_cast<float>(static_cast<uint32_t>(load_le(p, 2)) << 16);
    }
  }
}

// The header's top-level keys in file order. The DOM parser would drop duplicates silently (a
// file like that is ambiguous) and lose the order, which breaks ties between empty tensors at one
// offset. (Its callback variant is quadratic in the number of keys.)
struct TopLevelKeys {
  std::vector<std::string> keys;
  std::string error;
  int depth = 0;

  bool null() { return true; }
  bool boolean(bool) { return true; }
  bool number_integer(Json::number_integer_t) { return true; }
  bool number_unsigned(Json::number_unsigned_t) { return true; }
  bool number_float(Json::number_float_t, const std::string&) { return true; }
  bool string(std::string&) { return true; }
  bool binary(Json::binary_t&) { return true; }
  bool start_object(size_t) { return ++depth > 0; }
  bool end_object() { return --depth >= 0; }
  bool start_array(size_t) { return ++depth > 0; }
  bool end_array() { return --depth >= 0; }
  bool key(std::string& k) {
    if (depth == 1) keys.push_back(k);
    return true;
  }
  bool parse_error(size_t, const std::string&, const Json::exception& e) {
    error = e.what();
    return false;
  }
};

class Reader {
 public:
  explicit Reader(const std::filesystem::path& file) : file_(file), name_(file.string()) {}

  std::vector<Tensor> read(const TensorFilter& keep) {
    // A regular file only: a FIFO would block the open, a device never end. Its size bounds
    // every allocation below: the tensors must tile it exactly.
    InputFile in = open_input(file_, std::numeric_limits<uint64_t>::max());
    if (!in.error.empty()) fail(in.error);
    f_ = std::move(in.file);
    const uint64_t size = in.size;
    if (size < 8) {
      fail("too short for a safetensors file (" + std::to_string(size) +
           " bytes; the header length alone takes 8)");
    }
    unsigned char len_bytes[8];
    read_exact(len_bytes, 8, 0);
    const uint64_t header_len = load_le(len_bytes, 8);
    if (header_len > size - 8) {
      fail("header length " + std::to_string(header_len) + " exceeds the rest of the file (" +
           std::to_string(size - 8) + " bytes)");
    }
    if (header_len > kMaxHeaderBytes) {
      fail("header length " + std::to_string(header_len) + " is over the 100 MiB limit");
    }
    std::string header(header_len, '\0');
    read_exact(header.data(), header_len, 8);
    data_start_ = 8 + header_len;
    data_size_ = size - data_start_;

    std::vector<Entry> entries = parse_header(header);
    check_layout(entries);
    std::vector<Tensor> tensors;
    for (const Entry& e : entries)
      if (!keep || keep(TensorInfo{e.name, e.shape})) tensors.push_back(read_tensor(e));
    return tensors;
  }

 private:
  [[noreturn]] void fail(const std::string& what) const { throw Error(name_ + ": " + what); }
  [[noreturn]] void fail(const std::string& tensor, const std::string& what) const {
    fail("tensor \"" + tensor + "\": " + what);
  }
  static std::string errno_text(int e) { return std::strerror(e); }

  void read_exact(void* dst, uint64_t bytes, uint64_t offset) {
    // Tensors are read in file order; seeking would throw away the stdio buffer each time.
    if (offset != pos_ && fseeko(f_.get(), static_cast<off_t>(offset), SEEK_SET) != 0) {
      fail("cannot seek: " + errno_text(errno));
    }
    pos_ = offset + bytes;
    if (bytes > 0 && std::fread(dst, 1, bytes, f_.get()) != bytes) {
      fail(std::ferror(f_.get()) ? "cannot read: " + errno_text(errno)
                                 : std::string("unexpected end of file"));
    }
  }

  std::vector<Entry> parse_header(const std::string& text) const {
    TopLevelKeys keys;
    if (!Json::sax_parse(text, &keys)) fail("header is not valid JSON: " + keys.error);
    const Json header = Json::parse(text);
    if (!header.is_object()) fail("header is not a JSON object");
    std::set<std::string_view> seen;
    for (const std::string& key : keys.keys) {
      if (!seen.insert(key).second) fail(key, "appears twice in the header");
    }

    std::vector<Entry> entries;
    for (const std::string& key : keys.keys) {
      const Json& value = header.at(key);
      if (key == "__metadata__") {
        if (!value.is_object()) fail("__metadata__ is not a JSON object");
        for (const auto& [mkey, mvalue] : value.items()) {
          if (!mvalue.is_string()) fail("__metadata__ \"" + mkey + "\" is not a string");
        }
        continue;
      }
      entries.push_back(parse_entry(key, value));
    }
    return entries;
  }

  Entry parse_entry(const std::string& name, const Json& v) const {
    if (!v.is_object()) fail(name, "description is not a JSON object");
    for (const auto& [field, unused] : v.items()) {
      if (field != "dtype" && field != "shape" && field != "data_offsets") {
        fail(name, "unknown field \"" + field + "\"");
      }
    }
    Entry e;
    e.name = name;
    if (!v.contains("dtype") || !v["dtype"].is_string())
      fail(name, "dtype missing or not a string");
    const std::string dtype = v["dtype"].get<std::string>();
    const auto* dt = std::find_if(std::begin(kDTypes), std::end(kDTypes),
                                  [&](const DType& d) { return d.name == dtype; });
    if (dt == std::end(kDTypes)) {
      fail(name, "unsupported dtype \"" + dtype + "\" (readable: F32, F64, F16, BF16)");
    }
    e.dtype = *dt;

    const auto is_index = [](const Json& j) {
      return j.is_number_unsigned() &&
             j.get<uint64_t>() <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max());
    };
    if (!v.contains("shape") || !v["shape"].is_array()) fail(name, "shape missing or not an array");
    for (const Json& d : v["shape"]) {
      if (!is_index(d)) fail(name, "shape entries must be non-negative integers");
      e.shape.push_back(static_cast<int64_t>(d.get<uint64_t>()));
    }
    const Json* offsets = v.contains("data_offsets") ? &v["data_offsets"] : nullptr;
    if (!offsets || !offsets->is_array() || offsets->size() != 2 || !is_index((*offsets)[0]) ||
        !is_index((*offsets)[1])) {
      fail(name, "data_offsets must be two non-negative integers [begin, end]");
    }
    e.begin = (*offsets)[0].get<uint64_t>();
    e.end = (*offsets)[1].get<uint64_t>();
    if (e.begin > e.end) fail(name, "data_offsets begin > end");
    if (e.end > data_size_) {
      fail(name, "data_offsets [" + std::to_string(e.begin) + ", " + std::to_string(e.end) +
                     "] run past the end of the data (" + std::to_string(data_size_) + " bytes)");
    }
    const std::optional<uint64_t> count = element_count(e.shape, data_size_);
    if (!count || *count * e.dtype.size != e.end - e.begin) {
      fail(name, "shape " + shape_text(e.shape) + " of " + std::string(e.dtype.name) +
                     " does not match data_offsets size of " + std::to_string(e.end - e.begin) +
                     " bytes");
    }
    e.count = *count;
    return e;
  }

  // Tensors must tile the data exactly, as the reference implementation requires.
  void check_layout(std::vector<Entry>& entries) const {
    std::stable_sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
      return a.begin != b.begin ? a.begin < b.begin : a.end < b.end;
    });
    uint64_t pos = 0;
    const Entry* previous = nullptr;
    for (const Entry& e : entries) {
      if (e.begin < pos) fail(e.name, "data overlaps tensor \"" + previous->name + "\"");
      if (e.begin > pos) {
        fail("data bytes " + std::to_string(pos) + ".." + std::to_string(e.begin) +
             " belong to no tensor");
      }
      pos = e.end;
      previous = &e;
    }
    if (pos != data_size_) {
      fail(std::to_string(data_size_ - pos) + " bytes after the last tensor belong to no tensor");
    }
  }

  Tensor read_tensor(const Entry& e) {
    Tensor t{e.name, e.shape, std::vector<float>(e.count)};
    const uint64_t bytes = e.end - e.begin;
    if constexpr (kLittleEndian) {
      if (e.dtype.name == "F32") {
        read_exact(t.data.data(), bytes, data_start_ + e.begin);
        return t;
      }
    }
    std::vector<unsigned char> raw(bytes);
    read_exact(raw.data(), bytes, data_start_ + e.begin);
    convert(e, raw.data(), t.data);
    return t;
  }

  std::filesystem::path file_;
  std::string name_;
  FilePtr f_{nullptr, &std::fclose};
  uint64_t data_start_ = 0;
  uint64_t data_size_ = 0;
  uint64_t pos_ = 0;  // where the stream is
};

}  // namespace

namespace {

// The header (built by hand to keep the tensors' order; the JSON library escapes the names),
// padded to a multiple of 8 bytes. Throws naming `name` and the tensor on invalid tensors.
std::string header_text(const std::string& name, const std::vector<Tensor>& tensors) {
  const auto fail = [&](const std::string& what) { throw Error(name + ": " + what); };
  std::string text = "{";
  std::set<std::string_view> names;
  uint64_t offset = 0;
  for (const Tensor& t : tensors) {
    const std::string where = "tensor \"" + t.name + "\": ";
    if (t.name.empty() || t.name == "__metadata__") fail(where + "invalid name");
    if (!names.insert(t.name).second) fail(where + "name used twice");
    const std::optional<uint64_t> count =
        element_count(t.shape, std::numeric_limits<uint64_t>::max() / 4);
    if (!count || *count != t.data.size()) {
      fail(where + "shape " + shape_text(t.shape) + " does not match " +
           std::to_string(t.data.size()) + " values");
    }
    const uint64_t end = offset + *count * 4;
    if (text.size() > 1) text += ',';
    text += Json(t.name).dump() + ":{\"dtype\":\"F32\",\"shape\":" + Json(t.shape).dump() +
            ",\"data_offsets\":" + Json({offset, end}).dump() + "}";
    offset = end;
  }
  text += "}";
  text.resize((text.size() + 7) / 8 * 8, ' ');
  return text;
}

}  // namespace

void write_safetensors(OutputFile& out, const std::vector<Tensor>& tensors) {
  const std::string text = header_text(out.label(), tensors);
  unsigned char len_bytes[8];
  for (size_t i = 0; i < 8; ++i)
    len_bytes[i] = static_cast<unsigned char>(text.size() >> (8 * i));
  out.write(len_bytes, 8);
  out.write(text);
  for (const Tensor& t : tensors) {
    if constexpr (kLittleEndian) {
      out.write(t.data.data(), t.data.size() * sizeof(float));
    } else {
      std::vector<unsigned char> raw(t.data.size() * 4);
      for (size_t i = 0; i < t.data.size(); ++i) {
        const auto bits = std::bit_cast<uint32_t>(t.data[i]);
        for (size_t b = 0; b < 4; ++b)
          raw[4 * i + b] = static_cast<unsigned char>(bits >> (8 * b));
      }
      out.write(raw.data(), raw.size());
    }
  }
  out.commit();
}

void write_safetensors(const std::filesystem::path& file, const std::vector<Tensor>& tensors) {
  header_text(file.string(), tensors);  // invalid tensors fail before any file is made
  OutputFile out(file);
  write_safetensors(out, tensors);
}

std::vector<Tensor> read_safetensors(const std::filesystem::path& file, const TensorFilter& keep) {
  return Reader(file).read(keep);
}

const Tensor* find(const std::vector<Tensor>& tensors, std::string_view name) {
  for (const Tensor& t : tensors)
    if (t.name == name) return &t;
  return nullptr;
}

}  // namespace gt::io
