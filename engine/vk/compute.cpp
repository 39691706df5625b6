#include "vk/compute.hpp"

#include "vk/check.hpp"
#include "vk/context.hpp"
#include "vk/graphics.hpp"
#include "vk/shader_registry.hpp"

namespace gt::vk {

using namespace gt::shared;

VkDescriptorType ComputeLayout::descriptor_type(uint32_t binding) {
  if (binding == GT_BIND_GLOBALS || binding == GT_BIND_LAYER)
    return VK_DESCRIPTOR_TYPE_UNIFORM_BUFFER;
  if ((binding >= GT_BIND_PARAMS_TEX && binding <= GT_BIND_DELTA_TEX) ||
      binding == GT_BIND_GRADS_TEX)
    return VK_DESCRIPTOR_TYPE_STORAGE_TEXEL_BUFFER;
  return VK_DESCRIPTOR_TYPE_STORAGE_BUFFER;
}

uint32_t ComputeLayout::texel_mask() {
  static const uint32_t mask = [] {
    uint32_t m = 0;
    for (uint32_t i = 0; i < GT_BIND_COUNT; ++i)
      if (descriptor_type(i) == VK_DESCRIPTOR_TYPE_STORAGE_TEXEL_BUFFER ||
          descriptor_type(i) == VK_DESCRIPTOR_TYPE_UNIFORM_TEXEL_BUFFER)
        m |= 1u << i;
    return m;
  }();
  return mask;
}

ComputeLayout::ComputeLayout(const Context& ctx) {
  const VkDevice device = ctx.device();
  if (ctx.max_push_descriptors() < GT_BIND_COUNT)
    throw Error("the device allows " + std::to_string(ctx.max_push_descriptors()) +
                " push descriptors; gradtower needs " + std::to_string(GT_BIND_COUNT));
  std::array<VkDescriptorSetLayoutBinding, GT_BIND_COUNT> bindings{};
  for (uint32_t i = 0; i < GT_BIND_COUNT; ++i) {
    bindings[i].binding = i;
    bindings[i].descriptorType = descriptor_type(i);
    bindings[i].descriptorCount = 1;
    bindings[i].stageFlags = VK_SHADER_STAGE_COMPUTE_BIT;
  }
  VkDescriptorSetLayoutCreateInfo set_info{VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO};
  set_info.flags = VK_DESCRIPTOR_SET_LAYOUT_CREATE_PUSH_DESCRIPTOR_BIT_KHR;
  set_info.bindingCount = GT_BIND_COUNT;
  set_info.pBindings = bindings.data();
  VkDescriptorSetLayout set_layout = VK_NULL_HANDLE;
  GT_VK_CHECK(vkCreateDescriptorSetLayout(device, &set_info, nullptr, &set_layout));
  set_layout_ = DescriptorSetLayout(device, set_layout);
  ctx.name(set_layout, VK_OBJECT_TYPE_DESCRIPTOR_SET_LAYOUT, "compute push set");

  VkPushConstantRange range{VK_SHADER_STAGE_COMPUTE_BIT, 0, sizeof(PushConstants)};
  VkPipelineLayoutCreateInfo layout_info{VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO};
  layout_info.setLayoutCount = 1;
  layout_info.pSetLayouts = &set_layout;
  layout_info.pushConstantRangeCount = 1;
  layout_info.pPushConstantRanges = &range;
  VkPipelineLayout layout = VK_NULL_HANDLE;
  GT_VK_CHECK(vkCreatePipelineLayout(device, &layout_info, nullptr, &layout));
  pipeline_layout_ = PipelineLayout(device, layout);
  ctx.name(layout, VK_OBJECT_TYPE_PIPELINE_LAYOUT, "compute layout");
}

ComputePipeline::ComputePipeline(const Context& ctx, const ComputeLayout& layout,
                                 const std::string& shader,
                                 const std::vector<std::pair<uint32_t, uint32_t>>& specialization)
    : layout_(layout.pipeline_layout()), name_(shader) {
  const std::string file = shader + ".comp";
  interface_ = reflect_spirv(shader_code(file), file);
  check_against_layout(file, interface_);
  for (const ReflectedBinding& b : interface_.bindings)
    required_mask_ |= 1u << b.binding;
  const VkDevice device = ctx.device();
  const ShaderModule module = create_shader_module(ctx, file);

  std::vector<VkSpecializationMapEntry> entries;
  std::vector<uint32_t> values;
  for (const auto& [id, value] : specialization) {
    entries.push_back(
        {id, static_cast<uint32_t>(values.size() * sizeof(uint32_t)), sizeof(uint32_t)});
    values.push_back(value);
  }
  VkSpecializationInfo spec{static_cast<uint32_t>(entries.size()), entries.data(),
                            values.size() * sizeof(uint32_t), values.data()};
  VkComputePipelineCreateInfo info{VK_STRUCTURE_TYPE_COMPUTE_PIPELINE_CREATE_INFO};
  info.stage.sType = VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO;
  info.stage.stage = VK_SHADER_STAGE_COMPUTE_BIT;
  info.stage.module = module.handle();
  info.stage.pName = "main";
  info.stage.pSpecializationInfo = entries.empty() ? nullptr : &spec;
  info.layout = layout_;
  VkPipeline pipeline = VK_NULL_HANDLE;
  GT_VK_CHECK(vkCreateComputePipelines(device, VK_NULL_HANDLE, 1, &info, nullptr, &pipeline));
  pipeline_ = Pipeline(device, pipeline);
  ctx.name(pipeline, VK_OBJECT_TYPE_PIPELINE, shader);
}

Bindings& Bindings::buffer(uint32_t binding, const Buffer& b) {
  return buffer(binding, b, 0, VK_WHOLE_SIZE);
}

Bindings& Bindings::buffer(uint32_t binding, const Buffer& b, VkDeviceSize offset,
                           VkDeviceSize range) {
  check_binding_number(binding);
  buffers_[binding] = {b.handle(), offset, range};
  buffer_mask_ |= 1u << binding;
  return *this;
}

Bindings& Bindings::view(uint32_t binding, VkBufferView v) {
  check_binding_number(binding);
  views_[binding] = v;
  view_mask_ |= 1u << binding;
  return *this;
}

void dispatch(VkCommandBuffer cmd, const ComputePipeline& pipeline, const Bindings& bindings,
              const PushConstants& push, uint32_t groups_x, uint32_t groups_y, uint32_t groups_z) {
  check_dispatch(pipeline, bindings, sizeof(push));
  std::array<VkWriteDescriptorSet, GT_BIND_COUNT> writes{};
  uint32_t n = 0;
  for (uint32_t i = 0; i < GT_BIND_COUNT; ++i) {
    if (!(bindings.mask() & (1u << i))) continue;
    VkWriteDescriptorSet& w = writes[n++];
    w.sType = VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET;
    w.dstBinding = i;
    w.descriptorCount = 1;
    w.descriptorType = ComputeLayout::descriptor_type(i);
    if (w.descriptorType == VK_DESCRIPTOR_TYPE_STORAGE_TEXEL_BUFFER)
      w.pTexelBufferView = &bindings.views_[i];
    else
      w.pBufferInfo = &bindings.buffers_[i];
  }
  vkCmdBindPipeline(cmd, VK_PIPELINE_BIND_POINT_COMPUTE, pipeline.handle());
  vkCmdPushDescriptorSetKHR(cmd, VK_PIPELINE_BIND_POINT_COMPUTE, pipeline.layout(), 0, n,
                            writes.data());
  vkCmdPushConstants(cmd, pipeline.layout(), VK_SHADER_STAGE_COMPUTE_BIT, 0, sizeof(push), &push);
  vkCmdDispatch(cmd, groups_x, groups_y, groups_z);
}

void compute_barrier(VkCommandBuffer cmd) {
  VkMemoryBarrier barrier{VK_STRUCTURE_TYPE_MEMORY_BARRIER};
  barrier.srcAccessMask = VK_ACCESS_SHADER_WRITE_BIT;
  barrier.dstAccessMask = VK_ACCESS_SHADER_READ_BIT | VK_ACCESS_SHADER_WRITE_BIT;
  vkCmdPipelineBarrier(cmd, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT,
                       VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT, 0, 1, &barrier, 0, nullptr, 0,
                       nullptr);
}

}  // namespace gt::vk
