#include "vk/compute.hpp"

#include <stdexcept>

#include "vk/check.hpp"
#include "vk/context.hpp"
#include "vk/graphics.hpp"
#include "vk/shader_registry.hpp"

namespace gt::vk {

using namespace gt::shared;

namespace {

// Set 0 of `interface` as a push-descriptor set layout: its bindings, of their declared types.
DescriptorSetLayout make_set_layout(const Context& ctx, const ShaderInterface& interface,
                                    const std::string& shader) {
  std::vector<VkDescriptorSetLayoutBinding> bindings;
  for (const ReflectedBinding& b : interface.bindings)
    bindings.push_back(
        {b.binding, descriptor_type_of(b.kind), 1, VK_SHADER_STAGE_COMPUTE_BIT, nullptr});
  VkDescriptorSetLayoutCreateInfo info{VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO};
  info.flags = VK_DESCRIPTOR_SET_LAYOUT_CREATE_PUSH_DESCRIPTOR_BIT_KHR;
  info.bindingCount = static_cast<uint32_t>(bindings.size());
  info.pBindings = bindings.data();
  VkDescriptorSetLayout set_layout = VK_NULL_HANDLE;
  GT_VK_CHECK(vkCreateDescriptorSetLayout(ctx.device(), &info, nullptr, &set_layout));
  DescriptorSetLayout owned(ctx.device(), set_layout);
  ctx.name(set_layout, VK_OBJECT_TYPE_DESCRIPTOR_SET_LAYOUT, shader + " push set");
  return owned;
}

// One push-descriptor set and the PushConstants block (all of it: every dispatch pushes all).
PipelineLayout make_pipeline_layout(const Context& ctx, VkDescriptorSetLayout set_layout,
                                    const std::string& shader) {
  VkPushConstantRange range{VK_SHADER_STAGE_COMPUTE_BIT, 0, sizeof(PushConstants)};
  VkPipelineLayoutCreateInfo info{VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO};
  info.setLayoutCount = 1;
  info.pSetLayouts = &set_layout;
  info.pushConstantRangeCount = 1;
  info.pPushConstantRanges = &range;
  VkPipelineLayout layout = VK_NULL_HANDLE;
  GT_VK_CHECK(vkCreatePipelineLayout(ctx.device(), &info, nullptr, &layout));
  PipelineLayout owned(ctx.device(), layout);
  ctx.name(layout, VK_OBJECT_TYPE_PIPELINE_LAYOUT, shader + " layout");
  return owned;
}

}  // namespace

VkDescriptorType descriptor_type_of(DescriptorKind kind) {
  switch (kind) {
    case DescriptorKind::uniform_buffer:
      return VK_DESCRIPTOR_TYPE_UNIFORM_BUFFER;
    case DescriptorKind::storage_buffer:
      return VK_DESCRIPTOR_TYPE_STORAGE_BUFFER;
    case DescriptorKind::uniform_texel_buffer:
      return VK_DESCRIPTOR_TYPE_UNIFORM_TEXEL_BUFFER;
    case DescriptorKind::storage_texel_buffer:
      return VK_DESCRIPTOR_TYPE_STORAGE_TEXEL_BUFFER;
    case DescriptorKind::other:
      break;
  }
  throw std::logic_error("a compute binding must be a buffer or a texel buffer");
}

ComputePipeline::ComputePipeline(const Context& ctx, const std::string& shader,
                                 const std::vector<std::pair<uint32_t, uint32_t>>& specialization)
    : name_(shader) {
  const std::string file = shader + ".comp";
  interface_ = reflect_spirv(shader_code(file), file);
  check_interface(file, interface_, ctx.max_push_descriptors());
  for (const ReflectedBinding& b : interface_.bindings) {
    required_mask_ |= BindingMask(1) << b.binding;
    if (b.kind == DescriptorKind::uniform_texel_buffer ||
        b.kind == DescriptorKind::storage_texel_buffer)
      texel_mask_ |= BindingMask(1) << b.binding;
  }
  set_layout_ = make_set_layout(ctx, interface_, shader);
  pipeline_layout_ = make_pipeline_layout(ctx, set_layout_.handle(), shader);
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
  info.layout = pipeline_layout_.handle();
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
  buffer_mask_ |= BindingMask(1) << binding;
  return *this;
}

Bindings& Bindings::view(uint32_t binding, VkBufferView v) {
  check_binding_number(binding);
  views_[binding] = v;
  view_mask_ |= BindingMask(1) << binding;
  return *this;
}

void dispatch(VkCommandBuffer cmd, const ComputePipeline& pipeline, const Bindings& bindings,
              const PushConstants& push, uint32_t groups_x, uint32_t groups_y, uint32_t groups_z) {
  check_dispatch(pipeline, bindings, sizeof(push));
  std::array<VkWriteDescriptorSet, GT_BIND_COUNT> writes{};
  // Exactly the shader's bindings (its set layout's): check_dispatch made sure each is bound.
  uint32_t n = 0;
  for (const ReflectedBinding& b : pipeline.interface().bindings) {
    const uint32_t i = b.binding;
    VkWriteDescriptorSet& w = writes[n++];
    w.sType = VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET;
    w.dstBinding = i;
    w.descriptorCount = 1;
    w.descriptorType = descriptor_type_of(b.kind);
    if (pipeline.texel_mask() & (BindingMask(1) << i))
      w.pTexelBufferView = &bindings.views_[i];
    else
      w.pBufferInfo = &bindings.buffers_[i];
  }
  vkCmdBindPipeline(cmd, VK_PIPELINE_BIND_POINT_COMPUTE, pipeline.handle());
  if (n > 0)  // a push of no descriptors is invalid (descriptorWriteCount must be > 0)
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
