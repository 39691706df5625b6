#include "ops/op.hpp"

#include <array>
#include <utility>

namespace gt::ops {
namespace {

constexpr std::array<std::pair<Kind, std::string_view>, 4> kKinds{
    {{Kind::dense, "dense"},
     {Kind::layer_norm, "layer_norm"},
     {Kind::batch_norm, "batch_norm"},
     {Kind::residual_add, "residual_add"}}};

}  // namespace

std::string_view to_string(Kind k) {
  for (const auto& [kind, name] : kKinds)
    if (kind == k) return name;
  return "?";
}

bool parse_kind(std::string_view s, Kind& out) {
  for (const auto& [kind, name] : kKinds)
    if (name == s) {
      out = kind;
      return true;
    }
  return false;
}

std::vector<std::string_view> names_of_kinds() {
  std::vector<std::string_view> names;
  for (const auto& [kind, name] : kKinds)
    names.push_back(name);
  return names;
}

}  // namespace gt::ops
