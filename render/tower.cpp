#include "render/tower.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <memory>

#include "gpu/network.hpp"
#include "render/offscreen.hpp"
#include "render/overlay.hpp"
#include "vk/check.hpp"
#include "vk/context.hpp"
#include "vk/shader_registry.hpp"

namespace gt::render {
namespace {

VkShaderModule make_module(VkDevice device, const char* name) {
  std::span<const uint32_t> code = vk::shader_code(name);
  VkShaderModuleCreateInfo info{VK_STRUCTURE_TYPE_SHADER_MODULE_CREATE_INFO};
  info.codeSize = code.size_bytes();
  info.pCode = code.data();
  VkShaderModule module = VK_NULL_HANDLE;
  GT_VK_CHECK(vkCreateShaderModule(device, &info, nullptr, &module));
  return module;
}

}  // namespace

TowerRenderer::TowerRenderer(const vk::Context& ctx, VkRenderPass render_pass)
    : device_(ctx.device()) {
  std::array<VkDescriptorSetLayoutBinding, GT_RBIND_COUNT> bindings{};
  for (uint32_t i = 0; i < GT_RBIND_COUNT; ++i)
    bindings[i] = {i, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, 1,
                   VK_SHADER_STAGE_VERTEX_BIT | VK_SHADER_STAGE_FRAGMENT_BIT, nullptr};
  VkDescriptorSetLayoutCreateInfo set_info{VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO};
  set_info.flags = VK_DESCRIPTOR_SET_LAYOUT_CREATE_PUSH_DESCRIPTOR_BIT_KHR;
  set_info.bindingCount = GT_RBIND_COUNT;
  set_info.pBindings = bindings.data();
  GT_VK_CHECK(vkCreateDescriptorSetLayout(device_, &set_info, nullptr, &set_layout_));
  VkPushConstantRange range{VK_SHADER_STAGE_VERTEX_BIT | VK_SHADER_STAGE_FRAGMENT_BIT, 0,
                            sizeof(TowerPush)};
  VkPipelineLayoutCreateInfo layout_info{VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO};
  layout_info.setLayoutCount = 1;
  layout_info.pSetLayouts = &set_layout_;
  layout_info.pushConstantRangeCount = 1;
  layout_info.pPushConstantRanges = &range;
  GT_VK_CHECK(vkCreatePipelineLayout(device_, &layout_info, nullptr, &layout_));

  VkShaderModule vert = make_module(device_, "tower.vert");
  VkShaderModule frag = make_module(device_, "tower.frag");
  VkPipelineShaderStageCreateInfo stages[2]{};
  stages[0] = {VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO,
               nullptr,
               0,
               VK_SHADER_STAGE_VERTEX_BIT,
               vert,
               "main",
               nullptr};
  stages[1] = {VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO,
               nullptr,
               0,
               VK_SHADER_STAGE_FRAGMENT_BIT,
               frag,
               "main",
               nullptr};
  VkPipelineVertexInputStateCreateInfo vertex_input{
      VK_STRUCTURE_TYPE_PIPELINE_VERTEX_INPUT_STATE_CREATE_INFO};
  VkPipelineInputAssemblyStateCreateInfo assembly{
      VK_STRUCTURE_TYPE_PIPELINE_INPUT_ASSEMBLY_STATE_CREATE_INFO};
  assembly.topology = VK_PRIMITIVE_TOPOLOGY_TRIANGLE_LIST;
  VkPipelineViewportStateCreateInfo viewport{VK_STRUCTURE_TYPE_PIPELINE_VIEWPORT_STATE_CREATE_INFO};
  viewport.viewportCount = 1;
  viewport.scissorCount = 1;
  VkPipelineRasterizationStateCreateInfo raster{
      VK_STRUCTURE_TYPE_PIPELINE_RASTERIZATION_STATE_CREATE_INFO};
  raster.polygonMode = VK_POLYGON_MODE_FILL;
  raster.cullMode = VK_CULL_MODE_NONE;  // the depth test sorts the faces
  raster.frontFace = VK_FRONT_FACE_COUNTER_CLOCKWISE;
  raster.lineWidth = 1.0f;
  VkPipelineMultisampleStateCreateInfo multisample{
      VK_STRUCTURE_TYPE_PIPELINE_MULTISAMPLE_STATE_CREATE_INFO};
  multisample.rasterizationSamples = VK_SAMPLE_COUNT_1_BIT;
  VkPipelineDepthStencilStateCreateInfo depth{
      VK_STRUCTURE_TYPE_PIPELINE_DEPTH_STENCIL_STATE_CREATE_INFO};
  depth.depthTestEnable = VK_TRUE;
  depth.depthWriteEnable = VK_TRUE;
  depth.depthCompareOp = VK_COMPARE_OP_LESS;
  VkPipelineColorBlendAttachmentState blend_att{};
  blend_att.colorWriteMask = VK_COLOR_COMPONENT_R_BIT | VK_COLOR_COMPONENT_G_BIT |
                             VK_COLOR_COMPONENT_B_BIT | VK_COLOR_COMPONENT_A_BIT;
  VkPipelineColorBlendStateCreateInfo blend{
      VK_STRUCTURE_TYPE_PIPELINE_COLOR_BLEND_STATE_CREATE_INFO};
  blend.attachmentCount = 1;
  blend.pAttachments = &blend_att;
  const VkDynamicState dynamic_states[] = {VK_DYNAMIC_STATE_VIEWPORT, VK_DYNAMIC_STATE_SCISSOR};
  VkPipelineDynamicStateCreateInfo dynamic{VK_STRUCTURE_TYPE_PIPELINE_DYNAMIC_STATE_CREATE_INFO};
  dynamic.dynamicStateCount = 2;
  dynamic.pDynamicStates = dynamic_states;
  VkGraphicsPipelineCreateInfo info{VK_STRUCTURE_TYPE_GRAPHICS_PIPELINE_CREATE_INFO};
  info.stageCount = 2;
  info.pStages = stages;
  info.pVertexInputState = &vertex_input;
  info.pInputAssemblyState = &assembly;
  info.pViewportState = &viewport;
  info.pRasterizationState = &raster;
  info.pMultisampleState = &multisample;
  info.pDepthStencilState = &depth;
  info.pColorBlendState = &blend;
  info.pDynamicState = &dynamic;
  info.layout = layout_;
  info.renderPass = render_pass;
  VkResult r = vkCreateGraphicsPipelines(device_, VK_NULL_HANDLE, 1, &info, nullptr, &pipeline_);
  vkDestroyShaderModule(device_, vert, nullptr);
  vkDestroyShaderModule(device_, frag, nullptr);
  GT_VK_CHECK(r);
  ctx.name(pipeline_, VK_OBJECT_TYPE_PIPELINE, "tower");
}

TowerRenderer::~TowerRenderer() {
  vkDestroyPipeline(device_, pipeline_, nullptr);
  vkDestroyPipelineLayout(device_, layout_, nullptr);
  vkDestroyDescriptorSetLayout(device_, set_layout_, nullptr);
}

void TowerRenderer::statistics_barrier(VkCommandBuffer cmd) {
  // The training step's compute writes of the statistics (and the host's uploads in tests)
  // must be visible to the tower's vertex and fragment shaders.
  VkMemoryBarrier barrier{VK_STRUCTURE_TYPE_MEMORY_BARRIER};
  barrier.srcAccessMask = VK_ACCESS_SHADER_WRITE_BIT | VK_ACCESS_TRANSFER_WRITE_BIT;
  barrier.dstAccessMask = VK_ACCESS_SHADER_READ_BIT;
  vkCmdPipelineBarrier(cmd, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT | VK_PIPELINE_STAGE_TRANSFER_BIT,
                       VK_PIPELINE_STAGE_VERTEX_SHADER_BIT | VK_PIPELINE_STAGE_FRAGMENT_SHADER_BIT,
                       0, 1, &barrier, 0, nullptr, 0, nullptr);
}

void TowerRenderer::draw(VkCommandBuffer cmd, const gpu::Network& net, const TowerSettings& s,
                         uint32_t width, uint32_t height) const {
  const uint32_t layers = net.plan().num_layers;
  TowerPush push{};
  push.view_proj = camera_matrix(s.camera, width, height);
  push.num_layers = layers;
  push.metric = s.metric;
  push.log_lo = s.log_lo;
  push.log_hi = s.log_hi > s.log_lo ? s.log_hi : s.log_lo + 1.0f;
  push.slab_pitch = kTowerHeight / float(layers);
  // Spacing adapts to depth: once a layer gets fewer than ~4 pixels of height the gaps close,
  // so thousands of layers tile the tower without holes instead of vanishing between pixels.
  const float tower_px = s.camera == CameraKind::front ? float(height) : float(height) / 1.3f;
  push.slab_fill = tower_px / float(layers) < 4.0f ? 1.0f : s.slab_fill;
  push.half_width = kTowerHalfWidth;
  push.half_depth = kTowerHalfDepth;
  const vk::Buffer* buffers[GT_RBIND_COUNT] = {&net.layers_buffer(), &net.layer_stats_buffer(),
                                               &net.neuron_stats_buffer()};
  std::array<VkDescriptorBufferInfo, GT_RBIND_COUNT> infos{};
  std::array<VkWriteDescriptorSet, GT_RBIND_COUNT> writes{};
  for (uint32_t i = 0; i < GT_RBIND_COUNT; ++i) {
    infos[i] = {buffers[i]->handle(), 0, VK_WHOLE_SIZE};
    writes[i] = {VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET};
    writes[i].dstBinding = i;
    writes[i].descriptorCount = 1;
    writes[i].descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER;
    writes[i].pBufferInfo = &infos[i];
  }
  vkCmdBindPipeline(cmd, VK_PIPELINE_BIND_POINT_GRAPHICS, pipeline_);
  vkCmdPushDescriptorSetKHR(cmd, VK_PIPELINE_BIND_POINT_GRAPHICS, layout_, 0, GT_RBIND_COUNT,
                            writes.data());
  vkCmdPushConstants(cmd, layout_, VK_SHADER_STAGE_VERTEX_BIT | VK_SHADER_STAGE_FRAGMENT_BIT, 0,
                     sizeof push, &push);
  vkCmdDraw(cmd, 36, layers, 0, 0);
}

std::pair<float, float> auto_range(gpu::Network& net, uint32_t metric) {
  std::vector<float> values;
  if (metric == GT_METRIC_NEURON_DELTA) {
    values = net.neuron_stats();
  } else {
    for (const auto& l : net.latest_stats().layers)
      values.push_back(metric == GT_METRIC_GRAD_W_NORM ? l.grad_w_norm
                       : metric == GT_METRIC_DELTA_RMS ? l.delta_rms
                                                       : l.update_ratio);
  }
  float lo = INFINITY, hi = -INFINITY;
  for (float v : values) {
    const float a = std::abs(v);
    if (!std::isfinite(a) || a == 0) continue;
    lo = std::min(lo, std::log10(a));
    hi = std::max(hi, std::log10(a));
  }
  if (!(lo <= hi)) return {-8.0f, 0.0f};
  lo = std::floor(lo);
  hi = std::max(std::ceil(hi), lo + 1);
  return {lo, hi};
}

FrameRenderer::FrameRenderer(vk::Context& ctx, uint32_t width, uint32_t height, bool overlay)
    : ctx_(ctx), width_(width), height_(height) {
  target_ = std::make_unique<OffscreenTarget>(ctx, width, height);
  tower_ = std::make_unique<TowerRenderer>(ctx, target_->render_pass());
  if (overlay) overlay_ = std::make_unique<Overlay>(ctx, target_->render_pass(), width, height);
}

FrameRenderer::~FrameRenderer() = default;

std::vector<uint8_t> FrameRenderer::render(const gpu::Network& net, const TowerSettings& s,
                                           const OverlayInfo* overlay) {
  const float clear[4] = {0.08f, 0.08f, 0.10f, 1.0f};
  ctx_.submit_and_wait([&](VkCommandBuffer cmd) {
    TowerRenderer::statistics_barrier(cmd);
    target_->begin(cmd, clear);
    tower_->draw(cmd, net, s, width_, height_);
    if (overlay_ && overlay) overlay_->draw(cmd, *overlay);
    target_->end(cmd);
  });
  return target_->pixels();
}

std::vector<uint8_t> render_tower(vk::Context& ctx, const gpu::Network& net, const TowerSettings& s,
                                  uint32_t width, uint32_t height, const OverlayInfo* overlay) {
  return FrameRenderer(ctx, width, height, overlay != nullptr).render(net, s, overlay);
}

}  // namespace gt::render
