// The checks between a compute shader's reflected interface, the one compute layout, and the
// bindings of a dispatch (vk/compute.hpp).
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

std::string_view type_name(VkDescriptorType type) {
  switch (type) {
    case VK_DESCRIPTOR_TYPE_UNIFORM_BUFFER:
      return kind_name(DescriptorKind::uniform_buffer);
    case VK_DESCRIPTOR_TYPE_STORAGE_BUFFER:
      return kind_name(DescriptorKind::storage_buffer);
    case VK_DESCRIPTOR_TYPE_UNIFORM_TEXEL_BUFFER:
      return kind_name(DescriptorKind::uniform_texel_buffer);
    case VK_DESCRIPTOR_TYPE_STORAGE_TEXEL_BUFFER:
      return kind_name(DescriptorKind::storage_texel_buffer);
    default:
      return kind_name(DescriptorKind::other);
  }
}

DescriptorKind kind_of(VkDescriptorType type) {
  switch (type) {
    case VK_DESCRIPTOR_TYPE_UNIFORM_BUFFER:
      return DescriptorKind::uniform_buffer;
    case VK_DESCRIPTOR_TYPE_STORAGE_BUFFER:
      return DescriptorKind::storage_buffer;
    case VK_DESCRIPTOR_TYPE_UNIFORM_TEXEL_BUFFER:
      return DescriptorKind::uniform_texel_buffer;
    case VK_DESCRIPTOR_TYPE_STORAGE_TEXEL_BUFFER:
      return DescriptorKind::storage_texel_buffer;
    default:
      return DescriptorKind::other;
  }
}

// What `bindings` holds at `binding`, in words.
std::string bound_label(const Bindings& bindings, uint32_t binding) {
  const uint32_t bit = 1u << binding;
  if (bindings.buffer_mask() & bit) return "a buffer (Bindings::buffer)";
  if (bindings.view_mask() & bit) return "a buffer view (Bindings::view)";
  return "nothing";
}

[[noreturn]] void dispatch_error(const ComputePipeline& pipeline, const Bindings& bindings,
                                 size_t push_bytes) {
  const std::string shader = pipeline.name() + ".comp";
  const uint32_t texel = ComputeLayout::texel_mask();
  for (uint32_t i = 0; i < GT_BIND_COUNT; ++i) {
    const uint32_t bit = 1u << i;
    const bool wants_view = (texel & bit) != 0;
    const bool declared = (pipeline.required_mask() & bit) != 0;
    const bool right_way = (wants_view ? bindings.view_mask() : bindings.buffer_mask()) & bit;
    const bool wrong_way = (wants_view ? bindings.buffer_mask() : bindings.view_mask()) & bit;
    if ((declared && !right_way) || wrong_way)
      throw std::logic_error("dispatch of " + shader + ": " + binding_label(i) + " is a " +
                             std::string(type_name(ComputeLayout::descriptor_type(i))) +
                             (declared ? " the shader declares" : " (not declared by the shader)") +
                             ", but what is bound there is " + bound_label(bindings, i) +
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
    throw std::logic_error("binding " + std::to_string(binding) +
                           " is past the compute layout's last (GT_BIND_COUNT = " +
                           std::to_string(GT_BIND_COUNT) + ")");
}

void check_against_layout(std::string_view shader, const ShaderInterface& interface) {
  const std::string prefix = std::string(shader) + " declares ";
  for (const ReflectedBinding& b : interface.bindings) {
    const std::string what = std::string(kind_name(b.kind)) + " " + b.name;
    if (b.set != 0)
      throw std::logic_error(prefix + what + " in descriptor set " + std::to_string(b.set) +
                             "; the compute layout has set 0 alone");
    if (b.binding >= GT_BIND_COUNT)
      throw std::logic_error(prefix + what + " at " + binding_label(b.binding) +
                             ", past the compute layout's last (GT_BIND_COUNT = " +
                             std::to_string(GT_BIND_COUNT) + ")");
    const VkDescriptorType type = ComputeLayout::descriptor_type(b.binding);
    if (b.kind != kind_of(type) || b.count != 1)
      throw std::logic_error(prefix + what + (b.count != 1 ? " (an array)" : "") + " at " +
                             binding_label(b.binding) + ", which the compute layout has as one " +
                             std::string(type_name(type)));
  }
  if (interface.push_constant_bytes > sizeof(PushConstants))
    throw std::logic_error(prefix + "a push-constant block of " +
                           std::to_string(interface.push_constant_bytes) +
                           " bytes, more than the layout's PushConstants (" +
                           std::to_string(sizeof(PushConstants)) + ")");
}

void check_dispatch(const ComputePipeline& pipeline, const Bindings& bindings, size_t push_bytes) {
  const uint32_t texel = ComputeLayout::texel_mask();
  const uint32_t required = pipeline.required_mask();
  const bool ok = (required & texel & ~bindings.view_mask()) == 0 &&
                  (required & ~texel & ~bindings.buffer_mask()) == 0 &&
                  (bindings.buffer_mask() & texel) == 0 && (bindings.view_mask() & ~texel) == 0 &&
                  pipeline.interface().push_constant_bytes <= push_bytes;
  if (!ok) dispatch_error(pipeline, bindings, push_bytes);
}

}  // namespace gt::vk
