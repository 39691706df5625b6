#include "ops/op.hpp"

#include "ops/kind.hpp"

namespace gt::ops {

std::string_view to_string(Kind k) {
  for (const KindInfo* info : all_kinds())
    if (info->kind == k) return info->name;
  return "?";
}

bool parse_kind(std::string_view s, Kind& out) {
  for (const KindInfo* info : all_kinds())
    if (info->name == s) {
      out = info->kind;
      return true;
    }
  return false;
}

std::vector<std::string_view> names_of_kinds() {
  std::vector<std::string_view> names;
  for (const KindInfo* info : all_kinds())
    names.push_back(info->name);
  return names;
}

}  // namespace gt::ops
