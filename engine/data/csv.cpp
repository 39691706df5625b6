#include "data/csv.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>
#include <unordered_map>

#include "io/input_file.hpp"

namespace gt::data {
namespace {

// Room for a few hundred million numbers; a larger set wants a binary format.
constexpr uint64_t kMaxCsvBytes = 4ull << 30;
// One-hot targets are rows x classes floats: a huge `classes` must not ask for terabytes.
constexpr uint64_t kMaxTargetFloats = 1ull << 32;
// The most header names an error message lists, and the most characters of a field it quotes.
constexpr size_t kMaxNamesListed = 20;
constexpr size_t kMaxFieldShown = 40;

struct Field {
  std::string_view text;  // trimmed, without its quotes ("" left doubled)
  bool quoted = false;
};

bool is_blank(char c) {
  return c == ' ' || c == '\t';
}

std::string_view trim(std::string_view s) {
  size_t b = 0;
  size_t e = s.size();
  while (b < e && is_blank(s[b]))
    ++b;
  while (e > b && is_blank(s[e - 1]))
    --e;
  return s.substr(b, e - b);
}

// "abc" in quotes, cut short when long.
std::string shown(std::string_view s) {
  const bool cut = s.size() > kMaxFieldShown;
  std::string out;
  out.reserve(kMaxFieldShown + 5);
  out.push_back('"');
  out.append(s.substr(0, kMaxFieldShown));
  out.append(cut ? "...\"" : "\"");
  return out;
}

// For a number from_chars found out of a double's range: whether it is too large, not too close
// to 0. Decided by the power of ten of its first non-zero digit plus its exponent.
bool too_large(std::string_view s) {
  size_t i = s.starts_with('-') ? 1 : 0;
  bool found = false;
  int64_t magnitude = 0;
  for (; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i) {
    if (found) {
      ++magnitude;
    } else if (s[i] != '0') {
      found = true;
    }
  }
  if (i < s.size() && s[i] == '.') {
    for (int64_t k = 1; ++i < s.size() && s[i] >= '0' && s[i] <= '9'; ++k) {
      if (!found && s[i] != '0') {
        found = true;
        magnitude = -k;
      }
    }
  }
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    const bool negative = i + 1 < s.size() && s[i + 1] == '-';
    i += (i + 1 < s.size() && (s[i + 1] == '-' || s[i + 1] == '+')) ? 2 : 1;
    int64_t exponent = 0;
    for (; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i)
      exponent = std::min<int64_t>(exponent * 10 + (s[i] - '0'), int64_t(1) << 40);
    magnitude += negative ? -exponent : exponent;
  }
  return found && magnitude > 0;
}

std::string unescape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    out.push_back(s[i]);
    if (s[i] == '"') ++i;  // the second quote of ""
  }
  return out;
}

// What a column is for, and where its value goes in the row.
enum class Role : uint8_t { kFeature, kTarget, kLabel };
struct Slot {
  Role role = Role::kFeature;
  uint32_t index = 0;  // into the feature row or the target row
};

class Parser {
 public:
  Parser(std::string_view text, const CsvColumns& columns, const std::string& name,
         uint64_t max_rows)
      : text_(text), columns_(columns), name_(name), max_rows_(max_rows) {}

  Dataset parse() {
    check_columns();
    if (text_.starts_with("\xEF\xBB\xBF")) text_.remove_prefix(3);
    std::string_view line;
    if (!next_line(line)) fail("empty: no header row of column names");
    read_header(line);
    assign_roles();

    Dataset ds;
    ds.source = name_;
    ds.features = features_;
    const bool classify = !columns_.label.empty();
    ds.outputs = classify ? columns_.classes : static_cast<uint32_t>(columns_.target.size());
    ds.classes = classify ? columns_.classes : 0;
    std::vector<uint32_t> labels;
    // A guess from the first row's length, so that large files do not regrow many times.
    bool reserved = false;
    uint64_t rows = 0;
    while (next_line(line)) {
      if (rows == max_rows_) {
        fail_at(line_no_, "more than " + std::to_string(max_rows_) +
                              " data rows, the most a data set may have");
      }
      if (classify && (rows + 1) * ds.outputs > kMaxTargetFloats) {
        fail_at(line_no_, std::to_string(rows + 1) + " rows of one-hot targets over " +
                              std::to_string(ds.outputs) + " classes are over " +
                              std::to_string(kMaxTargetFloats) + " floats");
      }
      split(line, line_no_);
      if (fields_.size() != names_.size()) {
        fail_at(line_no_, std::to_string(fields_.size()) + " field" +
                              (fields_.size() == 1 ? "" : "s") + ", but the header has " +
                              std::to_string(names_.size()) + " columns (too " +
                              (fields_.size() < names_.size() ? "few)" : "many)"));
      }
      if (!reserved) {
        reserved = true;
        const uint64_t guess = std::min<uint64_t>(text_.size() / (line.size() + 1) + 1, kMaxRows);
        ds.input.reserve(guess * ds.features);
        if (classify) {
          labels.reserve(guess);
        } else {
          ds.target.reserve(guess * ds.outputs);
        }
      }
      const size_t target_at = ds.target.size();
      if (!classify) ds.target.resize(target_at + ds.outputs);
      for (size_t c = 0; c < fields_.size(); ++c) {
        const double v = number(fields_[c].text, c);
        const Slot slot = slots_[c];
        if (slot.role == Role::kFeature) {
          ds.input.push_back(static_cast<float>(v));
        } else if (slot.role == Role::kTarget) {
          ds.target[target_at + slot.index] = static_cast<float>(v);
        } else {
          labels.push_back(label(v, fields_[c].text, c));
        }
      }
      ++rows;
    }
    if (rows == 0) {
      fail("no data rows after the header (line " + std::to_string(header_line_) + ")");
    }
    ds.rows = static_cast<uint32_t>(rows);
    if (classify) ds.target = one_hot(labels, ds.classes);
    return ds;
  }

 private:
  [[noreturn]] void fail(const std::string& what) const { throw Error(name_ + ": " + what); }
  [[noreturn]] void fail_at(uint64_t line, const std::string& what) const {
    throw Error(name_ + ":" + std::to_string(line) + ": " + what);
  }
  // Column c (0-based) of line `line`, by number and, once the header is read, by name.
  [[noreturn]] void fail_field(uint64_t line, size_t c, const std::string& what) const {
    std::string where = "column " + std::to_string(c + 1);
    if (c < names_.size()) where += " (\"" + names_[c] + "\")";
    fail_at(line, where + ": " + what);
  }

  // The arguments alone, before the file is looked at.
  void check_columns() const {
    const bool has_label = !columns_.label.empty();
    const bool has_target = !columns_.target.empty();
    for (const std::string& t : columns_.target) {
      if (has_label && t == columns_.label) {
        fail("column \"" + t + "\" is both the label column and a target column");
      }
    }
    if (has_label && has_target) {
      fail("both a label column (\"" + columns_.label +
           "\") and target columns given; give one: a label to classify, targets to regress");
    }
    if (!has_label && !has_target) {
      fail(
          "no label column and no target columns given: name the class column (label) to "
          "classify or the target columns to regress");
    }
    if (has_label && columns_.classes == 0) {
      fail("label column \"" + columns_.label + "\" given without a number of classes (> 0)");
    }
    if (has_target && columns_.classes != 0) {
      fail("classes (" + std::to_string(columns_.classes) +
           ") given with target columns; classes are for a label column");
    }
    for (size_t i = 0; i < columns_.target.size(); ++i) {
      for (size_t j = 0; j < i; ++j) {
        if (columns_.target[i] == columns_.target[j]) {
          fail("target column \"" + columns_.target[i] + "\" is listed twice");
        }
      }
    }
  }

  // The next line that is not blank, without its line end; false at the end of the text.
  bool next_line(std::string_view& line) {
    while (pos_ < text_.size()) {
      const char* begin = text_.data() + pos_;
      const auto* nl = static_cast<const char*>(std::memchr(begin, '\n', text_.size() - pos_));
      const size_t len = nl ? static_cast<size_t>(nl - begin) : text_.size() - pos_;
      line = text_.substr(pos_, len);
      pos_ += len + (nl ? 1 : 0);
      ++line_no_;
      if (line.ends_with('\r')) line.remove_suffix(1);
      if (!trim(line).empty()) return true;
    }
    return false;
  }

  // Fills fields_ from one line.
  void split(std::string_view line, uint64_t line_no) {
    fields_.clear();
    size_t at = 0;
    while (true) {
      while (at < line.size() && is_blank(line[at]))
        ++at;
      Field f;
      if (at < line.size() && line[at] == '"') {
        f.quoted = true;
        size_t close = at + 1;
        while (true) {
          close = line.find('"', close);
          if (close == std::string_view::npos) {
            fail_field(line_no, fields_.size(), "a quote that is not closed on its line");
          }
          if (close + 1 < line.size() && line[close + 1] == '"') {
            close += 2;
            continue;
          }
          break;
        }
        f.text = line.substr(at + 1, close - at - 1);
        at = close + 1;
        while (at < line.size() && is_blank(line[at]))
          ++at;
        if (at < line.size() && line[at] != ',') {
          fail_field(line_no, fields_.size(), "text after the closing quote");
        }
      } else {
        const size_t comma = line.find(',', at);
        const size_t end = comma == std::string_view::npos ? line.size() : comma;
        f.text = trim(line.substr(at, end - at));
        at = end;
      }
      fields_.push_back(f);
      if (at >= line.size()) return;
      ++at;  // the comma
    }
  }

  void read_header(std::string_view line) {
    header_line_ = line_no_;
    split(line, line_no_);
    std::unordered_map<std::string, size_t> seen;
    for (size_t c = 0; c < fields_.size(); ++c) {
      std::string name =
          fields_[c].quoted ? unescape(fields_[c].text) : std::string(fields_[c].text);
      if (name.empty()) fail_field(header_line_, c, "empty column name in the header");
      const auto [it, fresh] = seen.emplace(name, c);
      if (!fresh) {
        fail_at(header_line_, "columns " + std::to_string(it->second + 1) + " and " +
                                  std::to_string(c + 1) + " are both named \"" + name + "\"");
      }
      names_.push_back(std::move(name));
    }
    index_ = std::move(seen);
  }

  std::string header_list() const {
    std::string s;
    for (size_t c = 0; c < names_.size() && c < kMaxNamesListed; ++c)
      s += (c ? ", \"" : "\"") + names_[c] + "\"";
    if (names_.size() > kMaxNamesListed) {
      s += ", ... (" + std::to_string(names_.size()) + " columns)";
    }
    return s;
  }

  size_t column_of(const std::string& name, const char* what) const {
    const auto it = index_.find(name);
    if (it == index_.end()) {
      fail_at(header_line_, "the header has no column \"" + name + "\" (" + what +
                                "); its columns: " + header_list());
    }
    return it->second;
  }

  void assign_roles() {
    slots_.assign(names_.size(), Slot{});
    if (!columns_.label.empty()) {
      slots_[column_of(columns_.label, "the label column")] = {Role::kLabel, 0};
    }
    for (size_t i = 0; i < columns_.target.size(); ++i) {
      slots_[column_of(columns_.target[i], "a target column")] = {Role::kTarget,
                                                                  static_cast<uint32_t>(i)};
    }
    for (Slot& s : slots_)
      if (s.role == Role::kFeature) s.index = features_++;
    if (features_ == 0) {
      fail_at(header_line_,
              "no feature columns: every column (" + header_list() + ") is the label or a target");
    }
  }

  // The value of field `c` of the current line: a finite number within float32's range.
  double number(std::string_view s, size_t c) const {
    if (s.empty()) fail_field(line_no_, c, "empty field; every field must be a number");
    std::string_view digits = s;
    // from_chars takes no '+'; pandas and strtod do.
    if (digits.size() > 1 && digits[0] == '+' && digits[1] != '-' && digits[1] != '+') {
      digits.remove_prefix(1);
    }
    double v = 0;
    const char* last = digits.data() + digits.size();
    const auto [end, ec] = std::from_chars(digits.data(), last, v);
    if (end != last || (ec != std::errc() && ec != std::errc::result_out_of_range)) {
      fail_field(line_no_, c, shown(s) + " is not a number");
    }
    if (ec == std::errc::result_out_of_range) {
      if (too_large(digits)) fail_field(line_no_, c, shown(s) + kOutOfRange);
      return 0.0;  // so close to 0 that a double has no other value for it
    }
    if (!std::isfinite(v)) {
      fail_field(line_no_, c, shown(s) + " is not finite; every field must be a finite number");
    }
    if (std::fabs(v) > std::numeric_limits<float>::max()) {
      fail_field(line_no_, c, shown(s) + kOutOfRange);
    }
    return v;
  }
  static constexpr const char* kOutOfRange =
      " is out of float32's range (it would be inf); every field must be a finite number";

  uint32_t label(double v, std::string_view s, size_t c) const {
    if (v != std::floor(v)) fail_field(line_no_, c, "label " + shown(s) + " is not an integer");
    if (v < 0 || v >= static_cast<double>(columns_.classes)) {
      fail_field(line_no_, c,
                 "label " + shown(s) + " is out of range [0, " + std::to_string(columns_.classes) +
                     ") for " + std::to_string(columns_.classes) + " classes");
    }
    return static_cast<uint32_t>(v);
  }

  std::string_view text_;
  const CsvColumns& columns_;
  const std::string& name_;
  const uint64_t max_rows_;
  size_t pos_ = 0;
  uint64_t line_no_ = 0;
  uint64_t header_line_ = 0;
  std::vector<std::string> names_;
  std::unordered_map<std::string, size_t> index_;
  std::vector<Slot> slots_;
  uint32_t features_ = 0;
  std::vector<Field> fields_;
};

}  // namespace

Dataset parse_csv(std::string_view text, const CsvColumns& columns, const std::string& name,
                  uint64_t max_rows) {
  return Parser(text, columns, name, std::min(max_rows, kMaxRows)).parse();
}

Dataset read_csv(const std::filesystem::path& file, const CsvColumns& columns) {
  const std::string name = file.string();
  const std::string kind = "a CSV file";
  io::InputFile in = io::open_input(file, kMaxCsvBytes, kind);
  if (!in.error.empty()) throw Error(name + ": " + in.error);
  std::string text;
  if (std::string error = io::read_all(in, kMaxCsvBytes, kind, text); !error.empty()) {
    throw Error(name + ": " + error);
  }
  return parse_csv(text, columns, name);
}

}  // namespace gt::data
