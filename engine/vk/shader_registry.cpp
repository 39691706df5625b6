#include "vk/shader_registry.hpp"

#include <cstdio>
#include <cstdlib>
#include <string>

namespace gt::vk {

std::span<const uint32_t> shader_code(std::string_view name) {
  for (const EmbeddedShader& s : embedded_shaders())
    if (name == s.name) return {s.words, s.size_bytes / sizeof(uint32_t)};
  std::fprintf(stderr, "gradtower: shader %s is not embedded in this build\n",
               std::string(name).c_str());
  std::abort();
}

}  // namespace gt::vk
