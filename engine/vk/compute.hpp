// Compute pipelines and their dispatch. Each compute pipeline has its own layout, made from its
// shader's interface as reflected from the SPIR-V (vk/spirv_reflect.hpp): one push-descriptor
// set holding exactly the bindings the shader declares, each of the descriptor type it declares,
// and one PushConstants block. The GT_BIND_* numbers of engine/shared/layout.h name the bindings
// (so the C++ and the GLSL agree on them), but no table of all of them is ever a Vulkan layout:
// a kind's shaders use as many as they need, and only the count one shader declares meets the
// device's maxPushDescriptors. A dispatch pushes the descriptors its shader declares (so each can
// bind the buffer segment that holds its layer) and its push constants, in one checked call:
// the bindings must cover what the shader declares, each bound the way its type is bound
// (std::logic_error naming the shader and the GT_BIND_* binding otherwise).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "layout.h"
#include "vk/buffer.hpp"
#include "vk/handle.hpp"
#include "vk/spirv_reflect.hpp"
#include "vk/vulkan.hpp"

namespace gt::vk {

class Context;

// A set of binding numbers (bit i: binding i), below GT_BIND_COUNT.
using BindingMask = uint64_t;
static_assert(shared::GT_BIND_COUNT <= 64, "BindingMask holds a bit per GT_BIND_* binding");

class ComputePipeline {
 public:
  // `shader` is an embedded file name (compute_shaders/NAME.comp); `specialization` gives
  // (constant_id, value) pairs.
  // Throws std::logic_error (check_interface) before creating anything if the shader's
  // interface cannot be a gradtower compute layout on this device.
  ComputePipeline(const Context& ctx, const std::string& shader,
                  const std::vector<std::pair<uint32_t, uint32_t>>& specialization = {});
  VkPipeline handle() const { return pipeline_.handle(); }
  VkPipelineLayout layout() const { return pipeline_layout_.handle(); }
  const std::string& name() const { return name_; }
  // What the shader declares (the pipeline's own SPIR-V, reflected when it was created).
  const ShaderInterface& interface() const { return interface_; }
  // Bit i set: the shader declares binding i of set 0.
  BindingMask required_mask() const { return required_mask_; }
  // Bit i set: the shader declares binding i as a texel buffer (bound with Bindings::view).
  BindingMask texel_mask() const { return texel_mask_; }

 private:
  std::string name_;
  ShaderInterface interface_;
  BindingMask required_mask_ = 0, texel_mask_ = 0;
  DescriptorSetLayout set_layout_;
  PipelineLayout pipeline_layout_;
  Pipeline pipeline_;
};

// The descriptor type of a reflected binding's kind (uniform / storage buffer, uniform / storage
// texel buffer); throws std::logic_error for DescriptorKind::other.
VkDescriptorType descriptor_type_of(DescriptorKind kind);

// Throws std::logic_error unless every binding `interface` (of shader `shader`) declares is in set
// 0, below GT_BIND_COUNT (it has a GT_BIND_* name), one buffer or texel buffer (not an array, not
// an image), no binding number twice, at most `max_push_descriptors` of them, and its push
// constants fit PushConstants.
void check_interface(std::string_view shader, const ShaderInterface& interface,
                     uint32_t max_push_descriptors);

// Throws std::logic_error for a binding number past the layout's (GT_BIND_COUNT).
void check_binding_number(uint32_t binding);

// The descriptors of one dispatch: buffers (whole, or a range) for storage and uniform bindings,
// views for texel bindings.
class Bindings {
 public:
  Bindings& buffer(uint32_t binding, const Buffer& b);
  Bindings& buffer(uint32_t binding, const Buffer& b, VkDeviceSize offset, VkDeviceSize range);
  Bindings& view(uint32_t binding, VkBufferView v);
  BindingMask mask() const { return buffer_mask_ | view_mask_; }
  BindingMask buffer_mask() const { return buffer_mask_; }  // set with buffer(...)
  BindingMask view_mask() const { return view_mask_; }      // set with view(...)

 private:
  friend void dispatch(VkCommandBuffer, const ComputePipeline&, const Bindings&,
                       const shared::PushConstants&, uint32_t, uint32_t, uint32_t);
  std::array<VkDescriptorBufferInfo, shared::GT_BIND_COUNT> buffers_{};
  std::array<VkBufferView, shared::GT_BIND_COUNT> views_{};
  BindingMask buffer_mask_ = 0, view_mask_ = 0;
};

// Throws std::logic_error naming the pipeline's shader, the binding (number and GT_BIND_* name)
// and what is bound there, unless `bindings` binds every binding the shader declares, each the
// way its descriptor type is bound (buffer(...) for buffers, view(...) for texel buffers), and
// `push_bytes` covers the shader's push-constant block. Bindings the shader does not declare are
// allowed and not pushed (one Bindings may serve several dispatches). dispatch() calls this
// before recording anything.
void check_dispatch(const ComputePipeline& pipeline, const Bindings& bindings, size_t push_bytes);

void dispatch(VkCommandBuffer cmd, const ComputePipeline& pipeline, const Bindings& bindings,
              const shared::PushConstants& push, uint32_t groups_x, uint32_t groups_y = 1,
              uint32_t groups_z = 1);

// A compute-to-compute memory barrier: shader writes before it are visible to shader reads and
// writes after it. Each call site says which dependency it orders.
void compute_barrier(VkCommandBuffer cmd);

}  // namespace gt::vk
