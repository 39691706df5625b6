// libFuzzer target: the SPIR-V reflector (engine/vk/spirv_reflect.cpp, compiled in here: it needs
// no Vulkan). The input's bytes are the module's words, little-endian (trailing bytes beyond a
// whole word are dropped). Whatever the words, the reflector either returns an interface or throws
// gt::vk::SpirvError with a message that names the module; anything else (another exception, a
// crash, a sanitizer report: a read out of bounds) is a finding.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "vk/spirv_reflect.hpp"

namespace {

constexpr std::string_view kLabel = "fuzz.spv";

[[noreturn]] void finding(const std::string& what) {
  std::fprintf(stderr, "%s\n", what.c_str());
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // Exactly the input's whole words, in a buffer of their own: a read past them is ASan's.
  std::vector<uint32_t> words(size / 4);
  if (!words.empty()) std::memcpy(words.data(), data, words.size() * 4);
  gt::vk::ShaderInterface interface;
  try {
    interface = gt::vk::reflect_spirv(words, kLabel);
  } catch (const gt::vk::SpirvError& e) {
    if (!std::string_view(e.what()).starts_with(std::string(kLabel) +
                                                ": malformed SPIR-V at word "))
      finding(std::string("SPIR-V error does not name the module and word: ") + e.what());
    return 0;
  }
  for (size_t i = 1; i < interface.bindings.size(); ++i) {
    const gt::vk::ReflectedBinding& a = interface.bindings[i - 1];
    const gt::vk::ReflectedBinding& b = interface.bindings[i];
    if (a.set > b.set || (a.set == b.set && a.binding > b.binding))
      finding("bindings not sorted by (set, binding)");
  }
  return 0;
}
