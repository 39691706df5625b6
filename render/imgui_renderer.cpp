#include "render/imgui_renderer.hpp"

#include <imgui.h>

#include <algorithm>
#include <cstring>

#include "vk/check.hpp"
#include "vk/context.hpp"
#include "vk/graphics.hpp"

namespace gt::render {
namespace {

void upload_font(vk::Context& ctx, const vk::Image& image, const unsigned char* pixels, uint32_t w,
                 uint32_t h) {
  vk::Buffer staging(ctx, uint64_t(w) * h * 4, VK_BUFFER_USAGE_TRANSFER_SRC_BIT,
                     vk::MemoryUse::upload, "font staging");
  std::memcpy(staging.mapped(), pixels, size_t(w) * h * 4);
  ctx.submit_and_wait([&](VkCommandBuffer cmd) {
    VkImageMemoryBarrier b{VK_STRUCTURE_TYPE_IMAGE_MEMORY_BARRIER};
    b.srcQueueFamilyIndex = b.dstQueueFamilyIndex = VK_QUEUE_FAMILY_IGNORED;
    b.image = image.handle();
    b.subresourceRange = {VK_IMAGE_ASPECT_COLOR_BIT, 0, 1, 0, 1};
    // A new image: into the layout the copy writes.
    b.oldLayout = VK_IMAGE_LAYOUT_UNDEFINED;
    b.newLayout = VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL;
    b.dstAccessMask = VK_ACCESS_TRANSFER_WRITE_BIT;
    vkCmdPipelineBarrier(cmd, VK_PIPELINE_STAGE_TOP_OF_PIPE_BIT, VK_PIPELINE_STAGE_TRANSFER_BIT, 0,
                         0, nullptr, 0, nullptr, 1, &b);
    VkBufferImageCopy region{};
    region.imageSubresource = {VK_IMAGE_ASPECT_COLOR_BIT, 0, 0, 1};
    region.imageExtent = {w, h, 1};
    vkCmdCopyBufferToImage(cmd, staging.handle(), image.handle(),
                           VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL, 1, &region);
    // The copy must land before fragment shaders sample the font.
    b.oldLayout = VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL;
    b.newLayout = VK_IMAGE_LAYOUT_SHADER_READ_ONLY_OPTIMAL;
    b.srcAccessMask = VK_ACCESS_TRANSFER_WRITE_BIT;
    b.dstAccessMask = VK_ACCESS_SHADER_READ_BIT;
    vkCmdPipelineBarrier(cmd, VK_PIPELINE_STAGE_TRANSFER_BIT, VK_PIPELINE_STAGE_FRAGMENT_SHADER_BIT,
                         0, 0, nullptr, 0, nullptr, 1, &b);
  });
}

}  // namespace

ImGuiRenderer::ImGuiRenderer(vk::Context& ctx, VkRenderPass render_pass, ImFontAtlas& fonts)
    : ctx_(ctx) {
  const VkDevice device = ctx.device();
  unsigned char* pixels = nullptr;
  int w = 0, h = 0;
  fonts.GetTexDataAsRGBA32(&pixels, &w, &h);
  font_ = vk::Image(ctx, uint32_t(w), uint32_t(h), VK_FORMAT_R8G8B8A8_UNORM,
                    VK_IMAGE_USAGE_SAMPLED_BIT | VK_IMAGE_USAGE_TRANSFER_DST_BIT,
                    VK_IMAGE_ASPECT_COLOR_BIT, "font atlas");
  upload_font(ctx, font_, pixels, uint32_t(w), uint32_t(h));
  fonts.SetTexID(reinterpret_cast<ImTextureID>(font_.handle()));

  VkSamplerCreateInfo sampler{VK_STRUCTURE_TYPE_SAMPLER_CREATE_INFO};
  sampler.magFilter = sampler.minFilter = VK_FILTER_LINEAR;
  sampler.addressModeU = sampler.addressModeV = sampler.addressModeW =
      VK_SAMPLER_ADDRESS_MODE_CLAMP_TO_EDGE;
  sampler.maxLod = 1.0f;
  VkSampler raw_sampler = VK_NULL_HANDLE;
  GT_VK_CHECK(vkCreateSampler(device, &sampler, nullptr, &raw_sampler));
  sampler_ = vk::Sampler(device, raw_sampler);
  ctx.name(raw_sampler, VK_OBJECT_TYPE_SAMPLER, "font atlas sampler");

  VkDescriptorSetLayoutBinding binding{0, VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER, 1,
                                       VK_SHADER_STAGE_FRAGMENT_BIT, nullptr};
  VkDescriptorSetLayoutCreateInfo set_info{VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO};
  set_info.flags = VK_DESCRIPTOR_SET_LAYOUT_CREATE_PUSH_DESCRIPTOR_BIT_KHR;
  set_info.bindingCount = 1;
  set_info.pBindings = &binding;
  VkDescriptorSetLayout set_layout = VK_NULL_HANDLE;
  GT_VK_CHECK(vkCreateDescriptorSetLayout(device, &set_info, nullptr, &set_layout));
  set_layout_ = vk::DescriptorSetLayout(device, set_layout);
  ctx.name(set_layout, VK_OBJECT_TYPE_DESCRIPTOR_SET_LAYOUT, "imgui push set");
  VkPushConstantRange range{VK_SHADER_STAGE_VERTEX_BIT, 0, 4 * sizeof(float)};
  VkPipelineLayoutCreateInfo layout_info{VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO};
  layout_info.setLayoutCount = 1;
  layout_info.pSetLayouts = &set_layout;
  layout_info.pushConstantRangeCount = 1;
  layout_info.pPushConstantRanges = &range;
  VkPipelineLayout layout = VK_NULL_HANDLE;
  GT_VK_CHECK(vkCreatePipelineLayout(device, &layout_info, nullptr, &layout));
  layout_ = vk::PipelineLayout(device, layout);
  ctx.name(layout, VK_OBJECT_TYPE_PIPELINE_LAYOUT, "imgui layout");

  vk::GraphicsPipelineDesc desc;
  desc.vertex_shader = "imgui.vert";
  desc.fragment_shader = "imgui.frag";
  desc.vertex_bindings = {{0, sizeof(ImDrawVert), VK_VERTEX_INPUT_RATE_VERTEX}};
  desc.vertex_attributes = {{0, 0, VK_FORMAT_R32G32_SFLOAT, offsetof(ImDrawVert, pos)},
                            {1, 0, VK_FORMAT_R32G32_SFLOAT, offsetof(ImDrawVert, uv)},
                            {2, 0, VK_FORMAT_R8G8B8A8_UNORM, offsetof(ImDrawVert, col)}};
  desc.alpha_blend = true;
  desc.name = "imgui";
  pipeline_ = vk::create_graphics_pipeline(ctx, render_pass, layout, desc);
}

ImGuiRenderer::~ImGuiRenderer() {
  vkDeviceWaitIdle(ctx_.device());  // before the members' owners destroy what a frame may use
}

void ImGuiRenderer::draw(VkCommandBuffer cmd, const ImDrawData& data, VkOffset2D origin) {
  if (data.TotalVtxCount == 0) return;
  const uint64_t vbytes = uint64_t(data.TotalVtxCount) * sizeof(ImDrawVert);
  const uint64_t ibytes = uint64_t(data.TotalIdxCount) * sizeof(ImDrawIdx);
  if (vertices_.size() < vbytes)
    vertices_ = vk::Buffer(ctx_, vbytes * 2, VK_BUFFER_USAGE_VERTEX_BUFFER_BIT,
                           vk::MemoryUse::upload, "imgui vertices");
  if (indices_.size() < ibytes)
    indices_ = vk::Buffer(ctx_, ibytes * 2, VK_BUFFER_USAGE_INDEX_BUFFER_BIT, vk::MemoryUse::upload,
                          "imgui indices");
  auto* v = static_cast<ImDrawVert*>(vertices_.mapped());
  auto* i = static_cast<ImDrawIdx*>(indices_.mapped());
  for (int n = 0; n < data.CmdListsCount; ++n) {
    const ImDrawList* list = data.CmdLists[n];
    std::memcpy(v, list->VtxBuffer.Data, size_t(list->VtxBuffer.Size) * sizeof(ImDrawVert));
    std::memcpy(i, list->IdxBuffer.Data, size_t(list->IdxBuffer.Size) * sizeof(ImDrawIdx));
    v += list->VtxBuffer.Size;
    i += list->IdxBuffer.Size;
  }
  vkCmdBindPipeline(cmd, VK_PIPELINE_BIND_POINT_GRAPHICS, pipeline_.handle());
  VkDescriptorImageInfo image{sampler_.handle(), font_.view(),
                              VK_IMAGE_LAYOUT_SHADER_READ_ONLY_OPTIMAL};
  VkWriteDescriptorSet write{VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET};
  write.dstBinding = 0;
  write.descriptorCount = 1;
  write.descriptorType = VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER;
  write.pImageInfo = &image;
  vkCmdPushDescriptorSetKHR(cmd, VK_PIPELINE_BIND_POINT_GRAPHICS, layout_.handle(), 0, 1, &write);
  const VkDeviceSize offset = 0;
  VkBuffer vb = vertices_.handle();
  vkCmdBindVertexBuffers(cmd, 0, 1, &vb, &offset);
  vkCmdBindIndexBuffer(cmd, indices_.handle(), 0,
                       sizeof(ImDrawIdx) == 2 ? VK_INDEX_TYPE_UINT16 : VK_INDEX_TYPE_UINT32);
  const float push[4] = {2.0f / data.DisplaySize.x, 2.0f / data.DisplaySize.y,
                         -1.0f - data.DisplayPos.x * 2.0f / data.DisplaySize.x,
                         -1.0f - data.DisplayPos.y * 2.0f / data.DisplaySize.y};
  vkCmdPushConstants(cmd, layout_.handle(), VK_SHADER_STAGE_VERTEX_BIT, 0, sizeof push, push);
  uint32_t vbase = 0, ibase = 0;
  for (int n = 0; n < data.CmdListsCount; ++n) {
    const ImDrawList* list = data.CmdLists[n];
    for (const ImDrawCmd& c : list->CmdBuffer) {
      const float x0 = std::max(c.ClipRect.x - data.DisplayPos.x, 0.0f);
      const float y0 = std::max(c.ClipRect.y - data.DisplayPos.y, 0.0f);
      const float x1 = std::min(c.ClipRect.z - data.DisplayPos.x, data.DisplaySize.x);
      const float y1 = std::min(c.ClipRect.w - data.DisplayPos.y, data.DisplaySize.y);
      if (x1 <= x0 || y1 <= y0) continue;
      VkRect2D scissor{{origin.x + int32_t(x0), origin.y + int32_t(y0)},
                       {uint32_t(x1 - x0), uint32_t(y1 - y0)}};
      vkCmdSetScissor(cmd, 0, 1, &scissor);
      vkCmdDrawIndexed(cmd, c.ElemCount, 1, ibase + c.IdxOffset, int32_t(vbase + c.VtxOffset), 0);
    }
    vbase += uint32_t(list->VtxBuffer.Size);
    ibase += uint32_t(list->IdxBuffer.Size);
  }
  VkRect2D full{origin, {uint32_t(data.DisplaySize.x), uint32_t(data.DisplaySize.y)}};
  vkCmdSetScissor(cmd, 0, 1, &full);
}

}  // namespace gt::render
