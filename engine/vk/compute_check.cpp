// The checks between a compute shader's reflected interface, what a gradtower compute layout can
// hold, and the bindings of a dispatch (vk/compute.hpp).
#include <stdexcept>
#include <string>

#include "vk/binding_name.hpp"
#include "vk/compute.hpp"

namespace gt::vk {

using namespace gt::shared;

namespace {

std::string binding_label(uint32_t binding) {
  const std::string_view name = binding_name(binding);
  return "binding " + std::to_string(binding) + " (" +
         (name.empty() ? std::string("not in layout.h") : std::string(name)) + ")";
}

// What `bindings` holds at `binding`, in words.
std::string bound_label(const Bindings& bindings, uint32_t binding) {
  const BindingMask bit = BindingMask(1) << binding;
  if (bindings.buffer_mask() & bit) return "a buffer (Bindings::buffer)";
  if (bindings.view_mask() & bit) return "a buffer view (Bindings::view)";
  return "nothing";
}

[[noreturn]] void dispatch_error(const ComputePipeline& pipeline, const Bindings& bindings,
                                 size_t push_bytes) {
  const std::string shader = pipeline.name() + ".comp";
  for (const ReflectedBinding& b : pipeline.interface().bindings) {
    const BindingMask bit = BindingMask(1) << b.binding;
    const bool wants_view = (pipeline.texel_mask() & bit) != 0;
    if ((wants_view ? bindings.view_mask() : bindings.buffer_mask()) & bit) continue;
    throw std::logic_error("dispatch of " + shader + ": " + binding_label(b.binding) + " is a " +
                           std::string(kind_name(b.kind)) +
                           " the shader declares, but what is bound there is " +
                           bound_label(bindings, b.binding) +
                           (wants_view ? "; texel buffers are bound with Bindings::view"
                                       : "; buffers are bound with Bindings::buffer"));
  }
  throw std::logic_error("dispatch of " + shader + ": the shader's push-constant block is " +
                         std::to_string(pipeline.interface().push_constant_bytes) +
                         " bytes, more than the " + std::to_string(push_bytes) + " pushed");
}

}  // namespace

void check_binding_number(uint32_t binding) {
  if (binding >= GT_BIND_COUNT)
    throw std::logic_error(
        "binding " + std::to_string(binding) +
        " is past the last GT_BIND_* (GT_BIND_COUNT = " + std::to_string(GT_BIND_COUNT) + ")");
}

void check_interface(std::string_view shader, const ShaderInterface& interface,
                     uint32_t max_push_descriptors) {
  const std::string prefix = std::string(shader) + " declares ";
  for (const ReflectedBinding& b : interface.bindings) {
    const std::string what = std::string(kind_name(b.kind)) + " " + b.name;
    if (b.set != 0)
      throw std::logic_error(prefix + what + " in descriptor set " + std::to_string(b.set) +
                             "; a compute layout has set 0 alone");
    if (b.binding >= GT_BIND_COUNT)
      throw std::logic_error(
          prefix + what + " at " + binding_label(b.binding) +
          ", past the last GT_BIND_* (GT_BIND_COUNT = " + std::to_string(GT_BIND_COUNT) + ")");
    if (b.kind == DescriptorKind::other || b.count != 1)
      throw std::logic_error(prefix + what + (b.count != 1 ? " (an array)" : "") + " at " +
                             binding_label(b.binding) +
                             "; a compute binding is one buffer or one texel buffer");
  }
  // Sorted by (set, binding): two variables on one binding (GLSL allows it) would be one
  // binding twice in the set layout and in the pushes.
  for (size_t i = 1; i < interface.bindings.size(); ++i)
    if (interface.bindings[i].binding == interface.bindings[i - 1].binding)
      throw std::logic_error(prefix + interface.bindings[i - 1].name + " and " +
                             interface.bindings[i].name + " both at " +
                             binding_label(interface.bindings[i].binding) +
                             "; a compute binding holds one variable");
  if (interface.bindings.size() > max_push_descriptors)
    throw std::logic_error(prefix + std::to_string(interface.bindings.size()) +
                           " bindings; the device pushes at most " +
                           std::to_string(max_push_descriptors) +
                           " descriptors a set (maxPushDescriptors)");
  if (interface.push_constant_bytes > sizeof(PushConstants))
    throw std::logic_error(prefix + "a push-constant block of " +
                           std::to_string(interface.push_constant_bytes) +
                           " bytes, more than the layout's PushConstants (" +
                           std::to_string(sizeof(PushConstants)) + ")");
}

void check_dispatch(const ComputePipeline& pipeline, const Bindings& bindings, size_t push_bytes) {
  const BindingMask texel = pipeline.texel_mask();
  const BindingMask required = pipeline.required_mask();
  const bool ok = (required & texel & ~bindings.view_mask()) == 0 &&
                  (required & ~texel & ~bindings.buffer_mask()) == 0 &&
                  pipeline.interface().push_constant_bytes <= push_bytes;
  if (!ok) dispatch_error(pipeline, bindings, push_bytes);
}

}  // namespace gt::vk
