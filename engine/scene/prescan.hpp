// Internal to engine/scene: a lexical pass over scene text before toml++ parses it. toml++
// recurses once per part of a dotted key or table header, and builds one table per part, so a
// 100 KB key such as a.a.a... overflows the stack; it caps nested arrays and inline tables only at
// 256. These limits, far above any real scene, keep every input within a small stack.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace gt::scene::detail {

// Parts of one dotted key or table header (a.b.c has 3).
inline constexpr size_t kMaxKeyParts = 64;
// Arrays and inline tables open at once ([[1]] is 2 deep), table headers' brackets included.
inline constexpr size_t kMaxNesting = 64;

struct ShapeProblem {
  uint32_t line = 1;  // 1-based, in the text scanned
  std::string key;    // the key as written (shortened), or the key the value belongs to
  std::string what;
};

// The first dotted key or table header of more than kMaxKeyParts parts, or the first array or
// inline table nested deeper than kMaxNesting. Skips comments and strings (quoted key parts
// count as parts). Lexical only: the text need not be valid TOML, and a number such as 1.5
// counts as two parts, which no limit comes near.
std::optional<ShapeProblem> find_shape_problem(std::string_view text);

// `text` itself when it has at most `max_bytes` bytes, else its first ones (whole UTF-8
// characters) followed by "… (N bytes)", N its full length: for echoing user input.
std::string shortened(std::string_view text, size_t max_bytes = 80);

}  // namespace gt::scene::detail
