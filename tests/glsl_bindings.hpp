// An independent reading of the compute shaders' GLSL source, for checking the SPIR-V reflector
// (tests/test_gpu_reflect.cpp): the GT_BIND_* constants of layout.h, and the `binding = GT_BIND_*`
// declarations of a shader with the files it #includes. Plain text matching: it relies on the
// shaders' one-declaration-per-line style and on their having no preprocessor conditionals.
#pragma once

#include <cstdint>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>

#include "vk/spirv_reflect.hpp"

namespace gt::test {

inline std::string read_text(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// The text without // and /* */ comments.
inline std::string strip_comments(const std::string& text) {
  static const std::regex comments(R"(//[^\n]*|/\*[\s\S]*?\*/)");
  return std::regex_replace(text, comments, " ");
}

// GT_BIND_NAME -> value, from `GT_CONST(uint, GT_BIND_NAME, 12u);` lines of layout.h.
inline std::map<std::string, uint32_t> layout_bind_constants(const std::string& layout_h) {
  static const std::regex constant(R"(GT_CONST\(\s*uint\s*,\s*(GT_BIND_\w+)\s*,\s*(\d+)u?\s*\))");
  std::map<std::string, uint32_t> out;
  const std::string text = strip_comments(read_text(layout_h));
  for (std::sregex_iterator it(text.begin(), text.end(), constant), end; it != end; ++it)
    out[(*it)[1]] = static_cast<uint32_t>(std::stoul((*it)[2]));
  return out;
}

// `file` with every #include "x" replaced by x's text (looked up in `dirs`), once per file.
inline std::string expand_includes(const std::string& file, const std::vector<std::string>& dirs,
                                   std::set<std::string>& seen) {
  static const std::regex include(R"re(#\s*include\s*"([^"]+)")re");
  if (!seen.insert(file).second) return "";
  std::string text;
  for (const std::string& dir : dirs) {
    std::ifstream probe(dir + "/" + file);
    if (probe) {
      text = strip_comments(read_text(dir + "/" + file));
      break;
    }
  }
  if (text.empty()) throw std::runtime_error("include " + file + " not found");
  std::string out;
  auto last = text.cbegin();
  for (std::sregex_iterator it(text.begin(), text.end(), include), end; it != end; ++it) {
    out.append(last, (*it)[0].first);
    out += expand_includes((*it)[1], dirs, seen);
    last = (*it)[0].second;
  }
  out.append(last, text.cend());
  return out;
}

struct GlslBinding {
  std::string constant;  // GT_BIND_*
  vk::DescriptorKind kind;
  std::string accessor;  // what code names it by: the instance (or image) name, or else the
                         // block's first member
};

// binding value -> declaration, over the expanded source of a shader.
inline std::map<uint32_t, GlslBinding> glsl_bindings(const std::string& source,
                                                     const std::map<std::string, uint32_t>& ids) {
  // layout(..., binding = GT_BIND_X, ...) [qualifiers] uniform|buffer Type-or-Block { first ...
  static const std::regex decl(
      R"(layout\s*\(([^)]*)\)\s*((?:(?:readonly|writeonly|restrict|coherent|volatile)\s+)*)(uniform|buffer)\s+(\w+)\s*(\{\s*\w+\s+(\w+)[^}]*\}\s*(\w*)|(\w+))\s*;)");
  static const std::regex binding(R"(binding\s*=\s*(GT_BIND_\w+))");
  std::map<uint32_t, GlslBinding> out;
  for (std::sregex_iterator it(source.begin(), source.end(), decl), end; it != end; ++it) {
    const std::smatch& m = *it;
    const std::string qualifiers = m[1];
    std::smatch b;
    if (!std::regex_search(qualifiers, b, binding)) continue;  // push constants, no binding
    const std::string constant = b[1];
    const auto id = ids.find(constant);
    if (id == ids.end()) throw std::runtime_error(constant + " is not in layout.h");
    GlslBinding g{constant, vk::DescriptorKind::other, ""};
    const std::string storage = m[3], type = m[4];
    const bool block = m[5].str().front() == '{';
    if (storage == "buffer")
      g.kind = vk::DescriptorKind::storage_buffer;
    else if (block)
      g.kind = vk::DescriptorKind::uniform_buffer;
    else if (type == "imageBuffer" || type == "uimageBuffer" || type == "iimageBuffer")
      g.kind = vk::DescriptorKind::storage_texel_buffer;
    else if (type == "samplerBuffer" || type == "usamplerBuffer" || type == "isamplerBuffer")
      g.kind = vk::DescriptorKind::uniform_texel_buffer;
    g.accessor = block ? (m[7].length() ? m[7].str() : m[6].str()) : m[8].str();
    const auto [at, fresh] = out.emplace(id->second, g);
    if (!fresh && at->second.kind != g.kind)
      throw std::runtime_error(constant + " is declared twice with different kinds");
  }
  return out;
}

}  // namespace gt::test
