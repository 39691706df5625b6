// The lexical pass of prescan.hpp: a single loop over the text that skips comments and strings,
// counts the parts of each chain of key parts joined by dots, and the brackets open.
#include "scene/prescan.hpp"

namespace gt::scene::detail {
namespace {

bool is_bare(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-';
}

// The length of the longest prefix of `text` of at most `max_bytes` that splits no UTF-8
// character.
size_t utf8_cut(std::string_view text, size_t max_bytes) {
  if (text.size() <= max_bytes) return text.size();
  size_t cut = max_bytes;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80)
    --cut;
  return cut;
}

// The start of a key for a message: a key of thousands of parts is named by its first few.
std::string head(std::string_view key) {
  const size_t cut = utf8_cut(key, 40);
  return std::string(key.substr(0, cut)) + (cut < key.size() ? "\u2026" : "");
}

class Scanner {
 public:
  explicit Scanner(std::string_view text) : t_(text) {}

  std::optional<ShapeProblem> run() {
    while (i_ < t_.size()) {
      const char c = t_[i_];
      if (c == '\n') {
        newline();
        ++i_;
        continue;
      }
      if (c == ' ' || c == '\t' || c == '\r') {
        ++i_;
        continue;
      }
      if (c == '#') {
        while (i_ < t_.size() && t_[i_] != '\n')
          ++i_;
        continue;
      }
      const bool line_start = line_start_;
      line_start_ = false;
      if (c == '"' || c == '\'') {
        const size_t start = i_;
        if (t_.substr(i_, 3) == std::string(3, c)) {
          skip_multiline(c);  // never a key
          end_chain();
          continue;
        }
        skip_string(c);
        if (std::optional<ShapeProblem> p = part(start)) return p;
        continue;
      }
      if (is_bare(c)) {
        const size_t start = i_;
        while (i_ < t_.size() && is_bare(t_[i_]))
          ++i_;
        if (std::optional<ShapeProblem> p = part(start)) return p;
        continue;
      }
      ++i_;
      if (c == '.' && after_part_) {
        after_part_ = false;
        after_dot_ = true;
        continue;
      }
      end_chain();
      if (c == '=' && depth_ == 0) key_ = last_chain();
      if (c == '[' || c == '{') {
        if (line_start && c == '[') in_header_ = true;
        if (++depth_ > kMaxNesting) {
          return ShapeProblem{line_, head(where()),
                              "arrays and inline tables nested more than " +
                                  std::to_string(kMaxNesting) + " deep (the limit)"};
        }
      } else if ((c == ']' || c == '}') && depth_ > 0 && --depth_ == 0 && in_header_) {
        table_ = last_chain();
        key_ = {};
        in_header_ = false;
      }
    }
    return std::nullopt;
  }

 private:
  void newline() {
    ++line_;
    end_chain();
    if (depth_ == 0) line_start_ = true;
  }

  void end_chain() { after_part_ = after_dot_ = false; }

  std::string_view last_chain() const { return t_.substr(chain_start_, chain_end_ - chain_start_); }

  // The key a value being read belongs to: the table's name and the key.
  std::string where() const {
    if (in_header_) return "table header";
    if (table_.empty() && key_.empty()) return "top level";
    if (table_.empty()) return std::string(key_);
    if (key_.empty()) return std::string(table_);
    return std::string(table_) + "." + std::string(key_);
  }

  // A bare or quoted key part from `start` to i_: the first of a chain, or the next after a dot.
  std::optional<ShapeProblem> part(size_t start) {
    if (after_dot_) {
      ++parts_;
    } else {
      parts_ = 1;
      chain_start_ = start;
    }
    after_dot_ = false;
    after_part_ = true;
    chain_end_ = i_;
    if (parts_ <= kMaxKeyParts) return std::nullopt;
    return ShapeProblem{line_, head(last_chain()),
                        "a dotted key or table header of more than " +
                            std::to_string(kMaxKeyParts) + " parts (the limit)"};
  }

  // A single-line string; stops before a newline (toml++ reports the unterminated string).
  void skip_string(char quote) {
    ++i_;
    while (i_ < t_.size() && t_[i_] != '\n') {
      if (quote == '"' && t_[i_] == '\\') {
        // An escape, but never past a newline: lines stay counted in invalid text too.
        i_ += i_ + 1 < t_.size() && t_[i_ + 1] != '\n' ? 2 : 1;
        continue;
      }
      if (t_[i_++] == quote) return;
    }
  }

  // A multi-line string: its closing delimiter is the last three of a run of up to five quotes.
  void skip_multiline(char quote) {
    i_ += 3;
    while (i_ < t_.size()) {
      const char c = t_[i_];
      if (c == '\n') ++line_;
      if (quote == '"' && c == '\\') {
        if (i_ + 1 < t_.size() && t_[i_ + 1] == '\n') ++line_;
        i_ += 2;
        continue;
      }
      if (c == quote && t_.substr(i_, 3) == std::string(3, quote)) {
        i_ += 3;
        for (int extra = 0; extra < 2 && i_ < t_.size() && t_[i_] == quote; ++extra)
          ++i_;
        return;
      }
      ++i_;
    }
  }

  std::string_view t_;
  size_t i_ = 0;
  uint32_t line_ = 1;
  size_t depth_ = 0;
  bool line_start_ = true;  // nothing but blanks and comments since the last newline at depth 0
  bool in_header_ = false;  // inside a table header's brackets
  // The chain of key parts being read: its length in parts and where it starts and ends.
  size_t parts_ = 0, chain_start_ = 0, chain_end_ = 0;
  bool after_part_ = false, after_dot_ = false;
  std::string_view table_, key_;  // the last table header's name and the last key assigned
};

}  // namespace

std::optional<ShapeProblem> find_shape_problem(std::string_view text) {
  return Scanner(text).run();
}

std::string shortened(std::string_view text, size_t max_bytes) {
  if (text.size() <= max_bytes) return std::string(text);
  return std::string(text.substr(0, utf8_cut(text, max_bytes))) + "\u2026 (" +
         std::to_string(text.size()) + " bytes)";
}

}  // namespace gt::scene::detail
