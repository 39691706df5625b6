// Internal to engine/scene: the schema of scene files (keys.cpp) as scene.cpp parses it.
#pragma once

#include <toml++/toml.h>

#include <cmath>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "net/spec.hpp"
#include "scene/scene.hpp"

namespace gt::scene::detail {

// integers: an array of integers (network.sizes); matrix: an array of rows of numbers
// (data.input, data.target).
enum class Type { integer, floating, boolean, string, integers, matrix };

// A TOML value whose type has already been checked against the key.
struct Value {
  int64_t i = 0;
  double f = 0.0;
  bool b = false;
  std::string s;
  std::vector<int64_t> list;
  net::Matrix matrix;
  std::vector<std::string> names;  // a matrix key given an array of strings (data.target)
};

// Where each key was last set, so cross-key errors can point at the right line or --set.
struct Origin {
  std::string where;
  int order = -1;    // -1: default, 0: the file, i: the i-th override, overrides + 1: a run
  std::string name;  // the key as errors name it, when not its plain name ("run[0].data.kind")
};
using Origins = std::map<std::string, Origin, std::less<>>;

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

inline constexpr std::string_view kSections[] = {"network", "data", "train", "eval"};
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

// Exact networks and inline data (exact.cpp).
// Reads an array of integers / an array of numbers / an array of equally long rows of numbers
// (finite as floats); returns what is wrong, or nothing.
std::optional<std::string> read_integers(const toml::node& node, std::vector<int64_t>& out);
std::optional<std::string> read_numbers(const toml::node& node, std::vector<float>& out);
std::optional<std::string> read_matrix(const toml::node& node, net::Matrix& out);
std::string layer_key_name(size_t layer, std::string_view field);
// Records where a key was set. network.sizes and input, depth, width, output exclude each
// other: setting one when the other is already recorded is an error at the one set now.
// network.sizes also stands in for those four, so rules about them blame it.
void record_origin(Origins& origins, const std::string& key, const Origin& origin);
// One entry of [[network.layer]]: the array itself (layer < 0), the start of the layer-th
// table (start), or its key `field` with value `node`. Stores into Scene::network.initial.
void apply_layer_entry(net::Scene& scene, int layer, bool start, std::string_view field,
                       const toml::node& node, const std::string& where, Origins& origins);
// One [[network.layer]] table holds these keys.
inline constexpr std::string_view kLayerFields[] = {"weight", "bias"};
// Checks the rules of sizes, exact parameters and inline data, then sets data.batch to the
// inline batch's rows. Errors name the key set last of the two in conflict (as check_rules).
void check_exact(net::Scene& scene, const Origins& origins, const std::string& fallback);

}  // namespace gt::scene::detail
