// Internal to engine/scene: the schema of scene files (keys.cpp) as scene.cpp parses it.
#pragma once

#include <toml++/toml.h>

#include <cmath>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "net/spec.hpp"
#include "scene/scene.hpp"

namespace gt::scene::detail {

enum class Type { integer, floating, boolean, string };

// A TOML value whose type has already been checked against the key.
struct Value {
  int64_t i = 0;
  double f = 0.0;
  bool b = false;
  std::string s;
};

struct Key {
  std::string_view section;  // empty for top-level keys
  std::string_view name;
  Type type;
  std::string range;  // as shown by describe_schema()
  std::string_view help;
  // Stores the value, or returns what is wrong with it (and leaves the scene alone).
  std::function<std::optional<std::string>(net::Scene&, const Value&)> set;
  std::function<std::string(const net::Scene&)> show;

  std::string full_name() const {
    return section.empty() ? std::string(name) : std::string(section) + "." + std::string(name);
  }
};

inline constexpr std::string_view kSections[] = {"network", "data", "train"};
inline constexpr size_t kMaxCameraKeys = 64;

std::string format_double(double v);
std::string join(const std::vector<std::string_view>& items, std::string_view sep);

// Every key of the sections, in schema order.
const std::vector<Key>& keys();
bool is_section(std::string_view name);
const Key* find_key(std::string_view section, std::string_view name);
std::string key_names(std::string_view section);

// The keys of one [[view.camera]] keyframe: all floats, lo..hi inclusive except where noted.
struct CameraField {
  std::string_view name;
  double net::CameraKey::*field;
  double lo;
  bool lo_inclusive;
  double hi;  // inclusive; infinity: no upper bound
  std::string_view help;

  std::string range() const {
    if (std::isinf(hi)) return (lo_inclusive ? ">= " : "> ") + format_double(lo) + ", increasing";
    return (lo_inclusive ? "[" : "(") + format_double(lo) + ", " + format_double(hi) + "]";
  }
};

const std::vector<CameraField>& camera_fields();
std::string camera_key_name(size_t frame, std::string_view field);

std::string_view expected_text(Type t);
std::string_view node_type_text(toml::node_type t);

// Throws Error("WHERE: KEY: WHAT").
[[noreturn]] void fail(const std::string& where, std::string_view key, const std::string& what);

// Checks the node's type against the key and stores it; `prefix` goes before the key's name in
// errors ("run[1]." for a key inside a run).
void set_key(net::Scene& scene, const Key& key, const toml::node& node, const std::string& where,
             std::string_view prefix = "");

}  // namespace gt::scene::detail
