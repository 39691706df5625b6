// The names of the compute bindings of engine/shared/layout.h (GT_BIND_*), for messages.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

#include "layout.h"

namespace gt::vk {

struct BindingName {
  uint32_t binding;
  std::string_view name;
};

#define GT_BINDING_NAME(constant) \
  BindingName {                   \
    shared::constant, #constant   \
  }
inline constexpr std::array<BindingName, shared::GT_BIND_COUNT> kBindingNames{
    GT_BINDING_NAME(GT_BIND_GLOBALS),     GT_BINDING_NAME(GT_BIND_LAYERS),
    GT_BINDING_NAME(GT_BIND_PARAMS),      GT_BINDING_NAME(GT_BIND_GRADS),
    GT_BINDING_NAME(GT_BIND_OPT_M),       GT_BINDING_NAME(GT_BIND_OPT_V),
    GT_BINDING_NAME(GT_BIND_X_IN),        GT_BINDING_NAME(GT_BIND_X_OUT),
    GT_BINDING_NAME(GT_BIND_Z_IN),        GT_BINDING_NAME(GT_BIND_Z_OUT),
    GT_BINDING_NAME(GT_BIND_DELTA),       GT_BINDING_NAME(GT_BIND_TARGET),
    GT_BINDING_NAME(GT_BIND_PARTIALS),    GT_BINDING_NAME(GT_BIND_HEADER),
    GT_BINDING_NAME(GT_BIND_LAYER_STATS), GT_BINDING_NAME(GT_BIND_NEURON_STATS),
    GT_BINDING_NAME(GT_BIND_HIST),        GT_BINDING_NAME(GT_BIND_SKIP),
    GT_BINDING_NAME(GT_BIND_NHAT),        GT_BINDING_NAME(GT_BIND_NORM_STATS),
    GT_BINDING_NAME(GT_BIND_PARAMS_TEX),  GT_BINDING_NAME(GT_BIND_X_IN_TEX),
    GT_BINDING_NAME(GT_BIND_DELTA_TEX),   GT_BINDING_NAME(GT_BIND_LAYER),
    GT_BINDING_NAME(GT_BIND_GRADS_TEX),   GT_BINDING_NAME(GT_BIND_DATASET),
    GT_BINDING_NAME(GT_BIND_EVAL),        GT_BINDING_NAME(GT_BIND_GLOBALS_RW),
    GT_BINDING_NAME(GT_BIND_TIME_STATS),  GT_BINDING_NAME(GT_BIND_NHAT_TEX),
};
#undef GT_BINDING_NAME

// Entry i names binding i: a binding added to layout.h without a name here (or out of order)
// fails to compile (the array's size is GT_BIND_COUNT, and every entry must be filled).
constexpr bool binding_names_complete() {
  for (uint32_t i = 0; i < kBindingNames.size(); ++i)
    if (kBindingNames[i].binding != i || kBindingNames[i].name.empty()) return false;
  return true;
}
static_assert(binding_names_complete(), "kBindingNames must name every GT_BIND_* in order");

// "GT_BIND_PARAMS" for 2; "binding N (not in layout.h)" past GT_BIND_COUNT is left to callers:
// this returns "" for those.
constexpr std::string_view binding_name(uint32_t binding) {
  return binding < kBindingNames.size() ? kBindingNames[binding].name : std::string_view();
}

}  // namespace gt::vk
