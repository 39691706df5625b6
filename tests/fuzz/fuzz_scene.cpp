// libFuzzer target: the scene loader with --set overrides. The input is a TOML text, then up to
// four overrides, each after a line break and "--set " (as they would come from the command
// line). Whatever the bytes, the loader either returns scenes or throws gt::scene::Error with a
// message that names the source ("fuzz.toml:LINE: ..." or "--set ..."); anything else (another
// exception, a crash, a sanitizer report) is a finding.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "scene/scene.hpp"

namespace {

constexpr std::string_view kSeparator = "\n--set ";
constexpr size_t kMaxOverrides = 4;
constexpr std::string_view kSource = "fuzz.toml";

struct Input {
  std::string_view toml;
  std::vector<std::string> overrides;
};

Input split(std::string_view bytes) {
  Input in;
  size_t end = bytes.find(kSeparator);
  in.toml = bytes.substr(0, end);
  while (end != std::string_view::npos && in.overrides.size() < kMaxOverrides) {
    const size_t begin = end + kSeparator.size();
    end = bytes.find(kSeparator, begin);
    std::string_view o = bytes.substr(begin, end == std::string_view::npos ? end : end - begin);
    if (!o.empty() && o.back() == '\n') o.remove_suffix(1);
    in.overrides.emplace_back(o);
  }
  return in;
}

void check_message(const gt::scene::Error& e) {
  const std::string_view what = e.what();
  if (what.starts_with(std::string(kSource) + ":") || what.starts_with("--set ")) return;
  std::fprintf(stderr, "scene error names neither the file nor the override: %s\n", e.what());
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const Input in = split(std::string_view(reinterpret_cast<const char*>(data), size));
  try {
    std::vector<gt::net::Scene> scenes =
        gt::scene::parse_runs(in.toml, std::string(kSource), in.overrides);
    // The live window's path: the same overrides one at a time on a loaded scene.
    for (const std::string& o : in.overrides)
      gt::scene::apply_override(scenes.front(), o);
  } catch (const gt::scene::Error& e) {
    check_message(e);
  }
  return 0;
}
