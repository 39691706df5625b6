// Scene files: TOML in, a validated net::Scene out. docs/SCENES.md is the reference for the
// schema; describe_schema() prints the same table from the code that enforces it.
#pragma once

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

// Reads and validates a scene file, then applies the overrides ("section.key=value") in order and
// checks the cross-key rules on the result. Sets Scene::path to `file`.
net::Scene load(const std::filesystem::path& file, const std::vector<std::string>& overrides = {});

// As load(), from text; `source_name` is used in messages and for the default title. Leaves
// Scene::path empty.
net::Scene parse(std::string_view text, const std::string& source_name,
                 const std::vector<std::string>& overrides = {});

// Applies one "section.key=value" (or "title=value") to an already valid scene, with the same
// value checks as a file, then checks the cross-key rules. Errors name the assignment.
void apply_override(net::Scene& scene, const std::string& assignment);

// Every section and key with its type, range and default, as a plain-text table.
std::string describe_schema();

}  // namespace gt::scene
