// Scene files: TOML in, a validated net::Scene out. docs/SCENES.md is the reference for the
// schema; describe_schema() prints the same table from the code that enforces it.
#pragma once

#include <cstdint>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "net/spec.hpp"

namespace gt::scene {

// The message is complete and meant for the user: "FILE:LINE: KEY: what is wrong", or
// "--set section.key=value: KEY: what is wrong" for command-line overrides.
struct Error : std::runtime_error {
  using runtime_error::runtime_error;
};

// A scene file is a regular file of at most this size (16 MiB); anything else is refused before
// it is read. Within it, a dotted key or table header has at most 64 parts and arrays and inline
// tables nest at most 64 deep (scene/prescan.hpp).
inline constexpr uint64_t kMaxSceneBytes = 16ull << 20;

// Reads and validates a scene file, then applies the overrides ("section.key=value") in order and
// checks the cross-key rules on the result. Sets Scene::path to `file`. For a scene with [[run]]
// tables this is the base scene (the file's top-level keys and the overrides, without any run's
// keys); the runs are still validated. Callers that draw the runs use load_runs().
net::Scene load(const std::filesystem::path& file, const std::vector<std::string>& overrides = {});

// As load(), from text; `source_name` is used in messages and for the default title. Leaves
// Scene::path empty.
net::Scene parse(std::string_view text, const std::string& source_name,
                 const std::vector<std::string>& overrides = {});

// The runs of a scene: the scene itself when it has no [[run]] tables, else one Scene per
// [[run]], each the base scene with that run's keys applied, its title the run's label.
// The overrides apply to the base before the runs' own keys, so a run's key wins. At most 8 runs;
// data.batch and train.steps cannot be set in a run (runs train in lockstep). The cross-key rules
// hold for the base and for every run. The camera path ([[view.camera]]) is top-level only and
// every run carries the base's Scene::view. Sets Scene::path of each to `file`.
std::vector<net::Scene> load_runs(const std::filesystem::path& file,
                                  const std::vector<std::string>& overrides = {});

// As load_runs(), from text; leaves Scene::path empty.
std::vector<net::Scene> parse_runs(std::string_view text, const std::string& source_name,
                                   const std::vector<std::string>& overrides = {});

// Applies one "section.key=value" (or "title=value") to an already valid scene, with the same
// value checks as a file, then checks the cross-key rules. Errors name the assignment.
void apply_override(net::Scene& scene, const std::string& assignment);

// Every section and key with its type, range and default, as a plain-text table.
std::string describe_schema();

}  // namespace gt::scene
