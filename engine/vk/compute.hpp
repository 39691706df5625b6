// Compute pipelines and their dispatch. Every compute shader of gradtower uses one pipeline
// layout: a single push-descriptor set with the bindings of engine/shared/layout.h and one
// PushConstants block. A dispatch pushes the descriptors it needs (so each can bind the buffer
// segment that holds its layer) and its push constants, in one type-checked call.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "layout.h"
#include "vk/buffer.hpp"
#include "vk/handle.hpp"
#include "vk/vulkan.hpp"

namespace gt::vk {

class Context;

class ComputeLayout {
 public:
  explicit ComputeLayout(const Context& ctx);
  VkPipelineLayout pipeline_layout() const { return pipeline_layout_.handle(); }
  static VkDescriptorType descriptor_type(uint32_t binding);

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

 private:
  Pipeline pipeline_;
  VkPipelineLayout layout_;  // the ComputeLayout's
  std::string name_;
};

// The descriptors of one dispatch: buffers (whole, or a range) for storage and uniform bindings,
// views for texel bindings.
class Bindings {
 public:
  Bindings& buffer(uint32_t binding, const Buffer& b);
  Bindings& buffer(uint32_t binding, const Buffer& b, VkDeviceSize offset, VkDeviceSize range);
  Bindings& view(uint32_t binding, VkBufferView v);
  uint32_t mask() const { return mask_; }

 private:
  friend void dispatch(VkCommandBuffer, const ComputePipeline&, const Bindings&,
                       const shared::PushConstants&, uint32_t, uint32_t, uint32_t);
  std::array<VkDescriptorBufferInfo, shared::GT_BIND_COUNT> buffers_{};
  std::array<VkBufferView, shared::GT_BIND_COUNT> views_{};
  uint32_t mask_ = 0;
};

void dispatch(VkCommandBuffer cmd, const ComputePipeline& pipeline, const Bindings& bindings,
              const shared::PushConstants& push, uint32_t groups_x, uint32_t groups_y = 1,
              uint32_t groups_z = 1);

// A compute-to-compute memory barrier: shader writes before it are visible to shader reads and
// writes after it. Each call site says which dependency it orders.
void compute_barrier(VkCommandBuffer cmd);

}  // namespace gt::vk
