#include "data/npy.hpp"

#include <algorithm>
#include <bit>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <memory>
#include <string_view>

#include "io/input_file.hpp"

namespace gt::data {
namespace {

constexpr char kMagic[] = "\x93NUMPY";
constexpr size_t kMagicBytes = 6;
// A corrupt length must not make us allocate much: NumPy's own headers are a few hundred bytes.
constexpr uint64_t kMaxHeaderBytes = 1ull << 20;
constexpr uint64_t kMaxWidth = 1ull << 20;  // features or outputs per row
constexpr int kMaxDepth = 32;               // nesting in the header's literal
constexpr size_t kChunk = 1 << 16;          // values read at a time

[[noreturn]] void fail(const std::string& name, const std::string& what) {
  throw Error(name + ": " + what);
}

// Python's notation, as NumPy prints shapes: "(3, 2)", "(3,)", "()".
std::string shape_text(const std::vector<int64_t>& shape) {
  std::string s = "(";
  for (size_t i = 0; i < shape.size(); ++i)
    s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + (shape.size() == 1 ? ",)" : ")");
}

// %.17g for floats; integers (labels, exact in a double or rounded there) in full.
std::string number_text(double v, bool integral = false) {
  char buf[400];
  std::snprintf(buf, sizeof buf, integral ? "%.0f" : "%.17g", v);
  return buf;
}

uint64_t load_le(const unsigned char* p, size_t bytes) {
  uint64_t v = 0;
  for (size_t i = 0; i < bytes; ++i)
    v |= static_cast<uint64_t>(p[i]) << (8 * i);
  return v;
}

double half_to_double(uint16_t h) {
  const double sign = (h & 0x8000u) ? -1.0 : 1.0;
  const int exponent = (h >> 10) & 0x1f;
  const int mantissa = h & 0x3ff;
  if (exponent == 0) return sign * std::ldexp(mantissa, -24);
  if (exponent == 0x1f) {
    return mantissa ? std::numeric_limits<double>::quiet_NaN()
                    : sign * std::numeric_limits<double>::infinity();
  }
  return sign * std::ldexp(mantissa + 1024, exponent - 25);
}

// A Python literal as the header holds one: a string, an integer, True/False/None, a tuple, a
// list or a dict with string keys.
struct Literal {
  enum class Kind { kString, kInt, kBool, kNone, kTuple, kList, kDict };
  Kind kind = Kind::kNone;
  std::string text;               // kString
  int64_t number = 0;             // kInt
  bool flag = false;              // kBool
  std::vector<Literal> items;     // kTuple, kList; kDict: the values
  std::vector<std::string> keys;  // kDict

  const Literal* find(std::string_view key) const {
    for (size_t i = 0; i < keys.size(); ++i)
      if (keys[i] == key) return &items[i];
    return nullptr;
  }
};

class LiteralParser {
 public:
  LiteralParser(std::string_view text, const std::string& name) : text_(text), name_(name) {}

  Literal parse() {
    skip_space();
    Literal v = value(0);
    skip_space();
    if (pos_ != text_.size()) bad("unexpected '" + std::string(1, text_[pos_]) + "'");
    return v;
  }

 private:
  [[noreturn]] void bad(const std::string& what) const {
    fail(name_, "bad header: " + what + " at offset " + std::to_string(pos_) +
                    " (expected a dict like {'descr': '<f4', 'fortran_order': False, 'shape': "
                    "(N, F)})");
  }
  bool at_end() const { return pos_ >= text_.size(); }
  char peek() const { return at_end() ? '\0' : text_[pos_]; }
  void skip_space() {
    while (!at_end() && std::strchr(" \t\r\n", text_[pos_]) != nullptr)
      ++pos_;
  }
  void expect(char c) {
    skip_space();
    if (peek() != c) bad(at_end() ? "unexpected end" : "expected '" + std::string(1, c) + "'");
    ++pos_;
  }

  Literal value(int depth) {
    if (depth > kMaxDepth) bad("nested too deeply");
    skip_space();
    const char c = peek();
    if (c == '{') return dict(depth);
    if (c == '(' || c == '[') return sequence(depth);
    if (c == '\'' || c == '"') return string();
    if (c == '-' || (c >= '0' && c <= '9')) return integer();
    return word();
  }

  Literal dict(int depth) {
    Literal d;
    d.kind = Literal::Kind::kDict;
    ++pos_;
    for (skip_space(); peek() != '}'; skip_space()) {
      if (peek() != '\'' && peek() != '"') bad(at_end() ? "unexpected end" : "expected a key");
      std::string key = string().text;
      for (const std::string& k : d.keys)
        if (k == key) bad("key '" + key + "' appears twice");
      expect(':');
      d.keys.push_back(std::move(key));
      d.items.push_back(value(depth + 1));
      skip_space();
      if (peek() != ',') break;
      ++pos_;
    }
    expect('}');
    return d;
  }

  // (a, b), (a,), (), [a, b]; (a) is a itself, as in Python.
  Literal sequence(int depth) {
    const char close = peek() == '(' ? ')' : ']';
    Literal s;
    s.kind = close == ')' ? Literal::Kind::kTuple : Literal::Kind::kList;
    ++pos_;
    bool comma = false;
    for (skip_space(); peek() != close; skip_space()) {
      s.items.push_back(value(depth + 1));
      skip_space();
      if (peek() != ',') break;
      ++pos_;
      comma = true;
    }
    expect(close);
    if (close == ')' && s.items.size() == 1 && !comma) return std::move(s.items[0]);
    return s;
  }

  Literal string() {
    const char quote = text_[pos_++];
    Literal s;
    s.kind = Literal::Kind::kString;
    while (!at_end() && text_[pos_] != quote) {
      if (text_[pos_] == '\\') ++pos_;
      if (at_end()) break;
      s.text += text_[pos_++];
    }
    if (at_end()) bad("unterminated string");
    ++pos_;
    return s;
  }

  Literal integer() {
    Literal n;
    n.kind = Literal::Kind::kInt;
    const bool negative = peek() == '-';
    if (negative) ++pos_;
    if (!(peek() >= '0' && peek() <= '9')) bad("expected a digit");
    uint64_t v = 0;
    while (peek() >= '0' && peek() <= '9') {
      const auto digit = static_cast<uint64_t>(peek() - '0');
      if (v > (static_cast<uint64_t>(std::numeric_limits<int64_t>::max()) - digit) / 10) {
        bad("integer too large");
      }
      v = v * 10 + digit;
      ++pos_;
    }
    if (peek() == 'L' || peek() == 'l') ++pos_;  // Python 2's long, in files of old NumPy
    n.number = negative ? -static_cast<int64_t>(v) : static_cast<int64_t>(v);
    return n;
  }

  Literal word() {
    const size_t begin = pos_;
    while (!at_end() && (std::isalnum(static_cast<unsigned char>(text_[pos_])) != 0))
      ++pos_;
    const std::string_view w = text_.substr(begin, pos_ - begin);
    Literal v;
    if (w == "True" || w == "False") {
      v.kind = Literal::Kind::kBool;
      v.flag = w == "True";
    } else if (w == "None") {
      v.kind = Literal::Kind::kNone;
    } else {
      pos_ = begin;
      bad(at_end() ? "unexpected end" : "unexpected '" + std::string(1, text_[pos_]) + "'");
    }
    return v;
  }

  std::string_view text_;
  const std::string& name_;
  size_t pos_ = 0;
};

enum class Kind { kFloat, kSigned, kUnsigned, kBool };
struct Type {
  Kind kind;
  size_t size;
};

// The type of a descr without its byte order; size 0 when not supported.
Type type_of(std::string_view code) {
  static constexpr struct {
    std::string_view code;
    Type type;
  } kTypes[] = {
      {"f2", {Kind::kFloat, 2}},    {"f4", {Kind::kFloat, 4}},    {"f8", {Kind::kFloat, 8}},
      {"i1", {Kind::kSigned, 1}},   {"i2", {Kind::kSigned, 2}},   {"i4", {Kind::kSigned, 4}},
      {"i8", {Kind::kSigned, 8}},   {"u1", {Kind::kUnsigned, 1}}, {"u2", {Kind::kUnsigned, 2}},
      {"u4", {Kind::kUnsigned, 4}}, {"u8", {Kind::kUnsigned, 8}}, {"b1", {Kind::kBool, 1}}};
  for (const auto& t : kTypes)
    if (t.code == code) return t.type;
  return {Kind::kBool, 0};
}

double decode(Type t, const unsigned char* p) {
  const uint64_t bits = load_le(p, t.size);
  switch (t.kind) {
    case Kind::kBool:
      return bits != 0 ? 1.0 : 0.0;
    case Kind::kUnsigned:
      return static_cast<double>(bits);
    case Kind::kSigned: {
      const unsigned shift = static_cast<unsigned>(64 - 8 * t.size);
      return static_cast<double>(static_cast<int64_t>(bits << shift) >> shift);
    }
    case Kind::kFloat:
      if (t.size == 2) return half_to_double(static_cast<uint16_t>(bits));
      if (t.size == 4) return std::bit_cast<float>(static_cast<uint32_t>(bits));
      return std::bit_cast<double>(bits);
  }
  return 0;
}

// An open .npy file whose header has been read and checked against the file's size; the data
// is read by for_each.
class NpyFile {
 public:
  explicit NpyFile(const std::filesystem::path& file) : name_(file.string()) {
    io::InputFile in = io::open_input(file, std::numeric_limits<uint64_t>::max(), "a .npy file");
    if (!in.error.empty()) fail(name_, in.error);
    f_ = std::move(in.file);
    read_header(in.size);
  }

  const std::string& name() const { return name_; }
  const std::vector<int64_t>& shape() const { return shape_; }
  const std::string& dtype() const { return dtype_; }
  bool integral() const { return type_.kind != Kind::kFloat; }
  uint64_t count() const { return count_; }
  // "shape (3, 2) of '<f4'"
  std::string description() const { return "shape " + shape_text(shape_) + " of '" + dtype_ + "'"; }

  // f(index, value) for every value in C order.
  template <typename F>
  void for_each(F&& f) {
    std::vector<unsigned char> raw(kChunk * type_.size);
    for (uint64_t done = 0; done < count_;) {
      const size_t n = static_cast<size_t>(std::min<uint64_t>(kChunk, count_ - done));
      read_exact(raw.data(), n * type_.size);
      for (size_t i = 0; i < n; ++i)
        f(done + i, decode(type_, raw.data() + i * type_.size));
      done += n;
    }
  }

 private:
  void read_exact(void* dst, size_t bytes) {
    if (bytes > 0 && std::fread(dst, 1, bytes, f_.get()) != bytes) {
      fail(name_, std::ferror(f_.get()) ? std::string("cannot read: ") + std::strerror(errno)
                                        : std::string("unexpected end of file"));
    }
  }

  void read_header(uint64_t size) {
    unsigned char pre[12] = {};
    if (size >= kMagicBytes + 2) read_exact(pre, kMagicBytes + 2);
    if (size < kMagicBytes + 2 || std::memcmp(pre, kMagic, kMagicBytes) != 0) {
      fail(name_, "not a .npy file (bad magic: a .npy file starts with \"\\x93NUMPY\")");
    }
    const unsigned major = pre[6], minor = pre[7];
    if (major < 1 || major > 3 || minor != 0) {
      fail(name_, "unsupported .npy format version " + std::to_string(major) + "." +
                      std::to_string(minor) + " (readable: 1.0, 2.0, 3.0)");
    }
    const size_t len_bytes = major == 1 ? 2 : 4;
    if (size < kMagicBytes + 2 + len_bytes) fail(name_, "file truncated in the header length");
    read_exact(pre + 8, len_bytes);
    const uint64_t header_len = load_le(pre + 8, len_bytes);
    const uint64_t data_start = kMagicBytes + 2 + len_bytes + header_len;
    if (data_start > size) {
      fail(name_, "file truncated: the header is " + std::to_string(header_len) +
                      " bytes but only " + std::to_string(size - (data_start - header_len)) +
                      " follow");
    }
    if (header_len > kMaxHeaderBytes) {
      fail(name_, "header length " + std::to_string(header_len) + " is over the 1 MiB limit");
    }
    std::string text(header_len, '\0');
    read_exact(text.data(), text.size());
    parse_header(LiteralParser(text, name_).parse());

    const uint64_t present = size - data_start;
    const uint64_t limit = std::numeric_limits<uint64_t>::max() / type_.size;
    if (count_ > limit || count_ * type_.size != present) {
      const std::string needs =
          count_ > limit ? "more than 2^64" : std::to_string(count_ * type_.size);
      const std::string what = description() + " needs " + needs + " bytes of data but " +
                               std::to_string(present) + " are present";
      if (count_ > limit || count_ * type_.size > present) fail(name_, "file truncated: " + what);
      fail(name_, std::to_string(present - count_ * type_.size) +
                      " trailing bytes after the data: " + what);
    }
  }

  void parse_header(const Literal& h) {
    using K = Literal::Kind;
    if (h.kind != K::kDict) fail(name_, "bad header: not a dict");
    for (const char* key : {"descr", "fortran_order", "shape"})
      if (!h.find(key)) fail(name_, std::string("bad header: no '") + key + "' key");
    for (const std::string& key : h.keys) {
      if (key != "descr" && key != "fortran_order" && key != "shape")
        fail(name_, "bad header: unexpected key '" + key + "'");
    }

    const Literal& shape = *h.find("shape");
    if (shape.kind != K::kTuple) fail(name_, "bad header: 'shape' is not a tuple");
    for (const Literal& d : shape.items) {
      if (d.kind != K::kInt) fail(name_, "bad header: 'shape' holds a non-integer");
      shape_.push_back(d.number);
    }
    count_ = 1;
    for (const int64_t d : shape_) {
      if (d < 0) fail(name_, "bad header: shape " + shape_text(shape_) + " has a negative size");
      const auto ud = static_cast<uint64_t>(d);
      if (ud != 0 && count_ > std::numeric_limits<uint64_t>::max() / ud) {
        fail(name_, "shape " + shape_text(shape_) + " is too large");
      }
      count_ *= ud;
    }

    const Literal& descr = *h.find("descr");
    if (descr.kind == K::kList) {
      fail(name_,
           "structured dtype (a list of fields) is not supported (expected a float, "
           "integer or bool dtype)");
    }
    if (descr.kind != K::kString) fail(name_, "bad header: 'descr' is not a string");
    dtype_ = descr.text;
    const std::string_view d = dtype_;
    const bool has_order = !d.empty() && std::strchr("<>|=", d[0]) != nullptr;
    const char order = has_order ? d[0] : '=';
    const std::string_view code = has_order ? d.substr(1) : d;
    type_ = type_of(code);
    if (code.starts_with("O")) {
      fail(name_, "dtype '" + dtype_ +
                      "' (Python objects) is not supported (expected a float, "
                      "integer or bool dtype)");
    }
    const bool big = order == '>' || (order == '=' && std::endian::native == std::endian::big);
    if (type_.size > 1 && big) {
      fail(name_, "dtype '" + dtype_ +
                      "' is big-endian, which is not supported: save the "
                      "array little-endian (a.astype('<" +
                      std::string(code) + "'))");
    }
    if (type_.size == 0 || (type_.size > 1 && order == '|')) {
      fail(name_,
           "dtype '" + dtype_ + "' is not supported (expected a float, integer or bool dtype)");
    }

    const Literal& fortran = *h.find("fortran_order");
    if (fortran.kind != K::kBool) fail(name_, "bad header: 'fortran_order' is not True or False");
    // One dimension reads the same either way.
    if (fortran.flag && shape_.size() > 1) {
      fail(name_, description() +
                      " is in Fortran order; C order is needed (save "
                      "np.ascontiguousarray(a))");
    }
  }

  std::string name_;
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> f_{nullptr, &std::fclose};
  std::vector<int64_t> shape_;
  std::string dtype_;
  Type type_{Kind::kBool, 0};
  uint64_t count_ = 0;
};

// NaN, inf or out of float32's range: what is wrong with `v`, or "".
std::string not_finite(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  if (std::fabs(v) > std::numeric_limits<float>::max()) {
    return number_text(v) + ", out of float32 range";
  }
  return "";
}

// The values of `f` as float32, each finite, the file a [rows][width] matrix.
std::vector<float> finite_values(NpyFile& f, uint64_t width) {
  std::vector<float> out(f.count());
  f.for_each([&](uint64_t i, double v) {
    if (const std::string what = not_finite(v); !what.empty()) {
      fail(f.name(), "row " + std::to_string(i / width) + ", column " + std::to_string(i % width) +
                         " is " + what);
    }
    out[i] = static_cast<float>(v);
  });
  return out;
}

// A [N, width] file's width, checked against its limits.
uint32_t width_of(const NpyFile& f, const char* what) {
  const int64_t width = f.shape()[1];
  if (static_cast<uint64_t>(width) > kMaxWidth) {
    fail(f.name(), f.description() + ": " + std::to_string(width) + " " + what +
                       ", over the limit of " + std::to_string(kMaxWidth));
  }
  if (width == 0) fail(f.name(), f.description() + ": no " + what);
  return static_cast<uint32_t>(width);
}

}  // namespace

NpyArray read_npy(const std::filesystem::path& file) {
  NpyFile f(file);
  NpyArray a{f.shape(), f.dtype(), std::vector<double>(f.count()), f.integral()};
  f.for_each([&](uint64_t i, double v) { a.values[i] = v; });
  return a;
}

Dataset read_npy_pair(const std::filesystem::path& inputs, const std::filesystem::path& targets,
                      uint32_t classes) {
  if (classes > kMaxWidth) {
    throw Error(targets.string() + ": " + std::to_string(classes) + " classes, over the limit of " +
                std::to_string(kMaxWidth));
  }
  // Both headers first: a mismatch fails before either file's data is read.
  NpyFile x(inputs);
  NpyFile y(targets);
  if (x.shape().size() != 2) fail(x.name(), x.description() + ": inputs must be [N, features]");
  const int64_t rows = x.shape()[0];
  if (static_cast<uint64_t>(rows) > kMaxRows) {
    fail(x.name(), x.description() + ": " + std::to_string(rows) + " rows, over the limit of " +
                       std::to_string(kMaxRows));
  }
  const uint32_t features = width_of(x, "features");
  if (rows == 0) fail(x.name(), x.description() + ": no rows");
  if (y.shape().size() != 1 && y.shape().size() != 2) {
    fail(y.name(), y.description() + ": targets must be [N] or [N, outputs]");
  }
  if (y.shape()[0] != rows) {
    throw Error(x.name() + " has " + std::to_string(rows) + " rows but " + y.name() + " has " +
                std::to_string(y.shape()[0]));
  }
  const bool labels = y.shape().size() == 1 && y.integral();
  if (labels && classes == 0) {
    fail(y.name(), y.description() +
                       ": integer class labels need the number of classes "
                       "(classes is 0)");
  }
  if (y.shape().size() == 1 && !labels && classes > 0) {
    fail(y.name(), y.description() +
                       ": float targets [N] are one regression output, but "
                       "classes is " +
                       std::to_string(classes) +
                       " (save class labels as integers: y.astype(np.int64))");
  }
  const uint32_t outputs = labels ? classes : y.shape().size() == 1 ? 1 : width_of(y, "outputs");
  if (!labels && classes > 0 && outputs != classes) {
    fail(y.name(), y.description() + ": " + std::to_string(outputs) + " outputs, but classes is " +
                       std::to_string(classes) + " (one-hot rows over the classes expected)");
  }

  Dataset d;
  d.source = x.name() + " and " + y.name();
  d.rows = static_cast<uint32_t>(rows);
  d.features = features;
  d.outputs = outputs;
  d.classes = classes;
  d.input = finite_values(x, features);
  if (labels) {
    std::vector<uint32_t> label(d.rows);
    y.for_each([&](uint64_t i, double v) {
      const std::string where = "row " + std::to_string(i) + ": label " + number_text(v, true);
      if (v < 0) fail(y.name(), where + " is negative");
      if (v >= classes) {
        fail(y.name(), where + " is out of range [0, " + std::to_string(classes) + ")");
      }
      label[i] = static_cast<uint32_t>(v);
    });
    d.target = one_hot(label, classes);
    return d;
  }
  d.target = finite_values(y, outputs);
  if (classes > 0) {
    for (uint32_t r = 0; r < d.rows; ++r) {
      uint32_t ones = 0, zeros = 0;
      for (uint32_t c = 0; c < outputs; ++c) {
        const float v = d.target[size_t{r} * outputs + c];
        ones += v == 1.0f;
        zeros += v == 0.0f;
      }
      if (ones != 1 || zeros != outputs - 1) {
        fail(y.name(), "row " + std::to_string(r) +
                           " is not one-hot (exactly one 1 and zeros "
                           "over " +
                           std::to_string(classes) + " classes expected)");
      }
    }
  }
  return d;
}

}  // namespace gt::data
