// SPIR-V embedded at build time (cmake/Shaders.cmake), looked up by shader file name.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

namespace gt::vk {

struct EmbeddedShader {
  const char* name;  // file name, e.g. "forward.comp"
  const uint32_t* words;
  uint32_t size_bytes;
};

const std::span<const EmbeddedShader> embedded_shaders();

// The shader of that file name; aborts with its name when absent (a build error, not user input).
std::span<const uint32_t> shader_code(std::string_view name);

}  // namespace gt::vk
