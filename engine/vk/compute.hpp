// Compute pipelines and their dispatch. Every compute shader of gradtower uses one pipeline
// layout: a single push-descriptor set with the bindings of engine/shared/layout.h and one
// PushConstants block. A dispatch pushes the descriptors it needs (so each can bind the buffer
// segment that holds its layer) and its push constants, in one type-checked call. Each pipeline
// keeps its shader's interface, reflected from the SPIR-V (vk/spirv_reflect.hpp): creating it
// checks the shader against the layout, and every dispatch checks that its bindings cover what
// the shader declares (std::logic_error naming the shader and the GT_BIND_* binding otherwise).
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

class ComputeLayout {
 public:
  explicit ComputeLayout(const Context& ctx);
  VkPipelineLayout pipeline_layout() const { return pipeline_layout_.handle(); }
  static VkDescriptorType descriptor_type(uint32_t binding);
  // Bit i set: binding i is a texel buffer (bound with Bindings::view, not Bindings::buffer).
  static uint32_t texel_mask();

 private:
  DescriptorSetLayout set_layout_;
  PipelineLayout pipeline_layout_;
};

class ComputePipeline {
 public:
  // `shader` is an embedded file name (compute_shaders/NAME.comp); `specialization` gives
  // (constant_id, value) pairs.
  ComputePipeline(const Context& ctx, const ComputeLayout& layout, const std::string& shader,
                  const std::vector<std::pair<uint32_t, uint32_t>>& specialization = {});
  VkPipeline handle() const { return pipeline_.handle(); }
  VkPipelineLayout layout() const { return layout_; }
  const std::string& name() const { return name_; }
  // What the shader declares (the pipeline's own SPIR-V, reflected when it was created).
  const ShaderInterface& interface() const { return interface_; }
  // Bit i set: the shader declares binding i of set 0.
  uint32_t required_mask() const { return required_mask_; }

 private:
  Pipeline pipeline_;
  VkPipelineLayout layout_;  // the ComputeLayout's
  std::string name_;
  ShaderInterface interface_;
  uint32_t required_mask_ = 0;
};

// Throws std::logic_error unless every binding `interface` (of shader `shader`) declares is in set
// 0, in the layout, of the layout's descriptor type, and its push constants fit PushConstants.
void check_against_layout(std::string_view shader, const ShaderInterface& interface);

// Throws std::logic_error for a binding number past the layout's (GT_BIND_COUNT).
void check_binding_number(uint32_t binding);

// The descriptors of one dispatch: buffers (whole, or a range) for storage and uniform bindings,
// views for texel bindings.
class Bindings {
 public:
  Bindings& buffer(uint32_t binding, const Buffer& b);
  Bindings& buffer(uint32_t binding, const Buffer& b, VkDeviceSize offset, VkDeviceSize range);
  Bindings& view(uint32_t binding, VkBufferView v);
  uint32_t mask() const { return buffer_mask_ | view_mask_; }
  uint32_t buffer_mask() const { return buffer_mask_; }  // set with buffer(...)
  uint32_t view_mask() const { return view_mask_; }      // set with view(...)

 private:
  friend void dispatch(VkCommandBuffer, const ComputePipeline&, const Bindings&,
                       const shared::PushConstants&, uint32_t, uint32_t, uint32_t);
  std::array<VkDescriptorBufferInfo, shared::GT_BIND_COUNT> buffers_{};
  std::array<VkBufferView, shared::GT_BIND_COUNT> views_{};
  uint32_t buffer_mask_ = 0, view_mask_ = 0;
};

// Throws std::logic_error naming the pipeline's shader, the binding (number and GT_BIND_* name)
// and what is bound there, unless `bindings` binds every binding the shader declares, each the
// way its descriptor type is bound (buffer(...) for buffers, view(...) for texel buffers), binds
// nothing the wrong way, and `push_bytes` covers the shader's push-constant block. Bindings the
// shader does not declare are allowed: one table serves every shader. dispatch() calls this
// before recording anything.
void check_dispatch(const ComputePipeline& pipeline, const Bindings& bindings, size_t push_bytes);

void dispatch(VkCommandBuffer cmd, const ComputePipeline& pipeline, const Bindings& bindings,
              const shared::PushConstants& push, uint32_t groups_x, uint32_t groups_y = 1,
              uint32_t groups_z = 1);

// A compute-to-compute memory barrier: shader writes before it are visible to shader reads and
// writes after it. Each call site says which dependency it orders.
void compute_barrier(VkCommandBuffer cmd);

}  // namespace gt::vk
