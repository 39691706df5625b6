#include "render/offscreen.hpp"

#include <cstring>

#include "vk/check.hpp"
#include "vk/context.hpp"

namespace gt::render {

namespace {
constexpr VkFormat kColorFormat = VK_FORMAT_R8G8B8A8_UNORM;  // colours are written sRGB-encoded
constexpr VkFormat kDepthFormat = VK_FORMAT_D32_SFLOAT;
}  // namespace

OffscreenTarget::OffscreenTarget(vk::Context& ctx, uint32_t width, uint32_t height)
    : ctx_(ctx), width_(width), height_(height) {
  if (width == 0 || height == 0 || width > ctx.limits().maxFramebufferWidth ||
      height > ctx.limits().maxFramebufferHeight)
    throw vk::Error("image size " + std::to_string(width) + "x" + std::to_string(height) +
                    " is outside the device's framebuffer limits (" +
                    std::to_string(ctx.limits().maxFramebufferWidth) + "x" +
                    std::to_string(ctx.limits().maxFramebufferHeight) + ")");
  color_ = vk::Image(ctx, width, height, kColorFormat,
                     VK_IMAGE_USAGE_COLOR_ATTACHMENT_BIT | VK_IMAGE_USAGE_TRANSFER_SRC_BIT,
                     VK_IMAGE_ASPECT_COLOR_BIT, "offscreen colour");
  depth_ = vk::Image(ctx, width, height, kDepthFormat, VK_IMAGE_USAGE_DEPTH_STENCIL_ATTACHMENT_BIT,
                     VK_IMAGE_ASPECT_DEPTH_BIT, "offscreen depth");
  readback_ = vk::Buffer(ctx, uint64_t(width) * height * 4, VK_BUFFER_USAGE_TRANSFER_DST_BIT,
                         vk::MemoryUse::readback, "frame readback");

  VkAttachmentDescription att[2]{};
  att[0].format = kColorFormat;
  att[0].samples = VK_SAMPLE_COUNT_1_BIT;
  att[0].loadOp = VK_ATTACHMENT_LOAD_OP_CLEAR;
  att[0].storeOp = VK_ATTACHMENT_STORE_OP_STORE;
  att[0].stencilLoadOp = VK_ATTACHMENT_LOAD_OP_DONT_CARE;
  att[0].stencilStoreOp = VK_ATTACHMENT_STORE_OP_DONT_CARE;
  att[0].initialLayout = VK_IMAGE_LAYOUT_UNDEFINED;
  att[0].finalLayout = VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL;
  att[1] = att[0];
  att[1].format = kDepthFormat;
  att[1].storeOp = VK_ATTACHMENT_STORE_OP_DONT_CARE;
  att[1].finalLayout = VK_IMAGE_LAYOUT_DEPTH_STENCIL_ATTACHMENT_OPTIMAL;
  VkAttachmentReference color_ref{0, VK_IMAGE_LAYOUT_COLOR_ATTACHMENT_OPTIMAL};
  VkAttachmentReference depth_ref{1, VK_IMAGE_LAYOUT_DEPTH_STENCIL_ATTACHMENT_OPTIMAL};
  VkSubpassDescription subpass{};
  subpass.pipelineBindPoint = VK_PIPELINE_BIND_POINT_GRAPHICS;
  subpass.colorAttachmentCount = 1;
  subpass.pColorAttachments = &color_ref;
  subpass.pDepthStencilAttachment = &depth_ref;
  VkSubpassDependency deps[2]{};
  // The previous frame's copy out of the colour image (and depth use) must finish before this
  // frame clears and writes them.
  deps[0].srcSubpass = VK_SUBPASS_EXTERNAL;
  deps[0].dstSubpass = 0;
  deps[0].srcStageMask = VK_PIPELINE_STAGE_TRANSFER_BIT | VK_PIPELINE_STAGE_LATE_FRAGMENT_TESTS_BIT;
  deps[0].srcAccessMask =
      VK_ACCESS_TRANSFER_READ_BIT | VK_ACCESS_DEPTH_STENCIL_ATTACHMENT_WRITE_BIT;
  deps[0].dstStageMask =
      VK_PIPELINE_STAGE_COLOR_ATTACHMENT_OUTPUT_BIT | VK_PIPELINE_STAGE_EARLY_FRAGMENT_TESTS_BIT;
  deps[0].dstAccessMask = VK_ACCESS_COLOR_ATTACHMENT_WRITE_BIT |
                          VK_ACCESS_DEPTH_STENCIL_ATTACHMENT_WRITE_BIT |
                          VK_ACCESS_DEPTH_STENCIL_ATTACHMENT_READ_BIT;
  // The colour writes must be done before the copy to the readback buffer reads them.
  deps[1].srcSubpass = 0;
  deps[1].dstSubpass = VK_SUBPASS_EXTERNAL;
  deps[1].srcStageMask = VK_PIPELINE_STAGE_COLOR_ATTACHMENT_OUTPUT_BIT;
  deps[1].srcAccessMask = VK_ACCESS_COLOR_ATTACHMENT_WRITE_BIT;
  deps[1].dstStageMask = VK_PIPELINE_STAGE_TRANSFER_BIT;
  deps[1].dstAccessMask = VK_ACCESS_TRANSFER_READ_BIT;
  VkRenderPassCreateInfo rp{VK_STRUCTURE_TYPE_RENDER_PASS_CREATE_INFO};
  rp.attachmentCount = 2;
  rp.pAttachments = att;
  rp.subpassCount = 1;
  rp.pSubpasses = &subpass;
  rp.dependencyCount = 2;
  rp.pDependencies = deps;
  VkRenderPass render_pass = VK_NULL_HANDLE;
  GT_VK_CHECK(vkCreateRenderPass(ctx.device(), &rp, nullptr, &render_pass));
  render_pass_ = vk::RenderPass(ctx.device(), render_pass);
  ctx.name(render_pass, VK_OBJECT_TYPE_RENDER_PASS, "offscreen pass");
  VkImageView views[2] = {color_.view(), depth_.view()};
  VkFramebufferCreateInfo fb{VK_STRUCTURE_TYPE_FRAMEBUFFER_CREATE_INFO};
  fb.renderPass = render_pass;
  fb.attachmentCount = 2;
  fb.pAttachments = views;
  fb.width = width;
  fb.height = height;
  fb.layers = 1;
  VkFramebuffer framebuffer = VK_NULL_HANDLE;
  GT_VK_CHECK(vkCreateFramebuffer(ctx.device(), &fb, nullptr, &framebuffer));
  framebuffer_ = vk::Framebuffer(ctx.device(), framebuffer);
  ctx.name(framebuffer, VK_OBJECT_TYPE_FRAMEBUFFER, "offscreen framebuffer");
}

OffscreenTarget::~OffscreenTarget() {
  vkDeviceWaitIdle(ctx_.device());  // before the members' owners destroy what a frame may use
}

void OffscreenTarget::begin(VkCommandBuffer cmd, const float clear[4]) const {
  VkClearValue clears[2]{};
  std::memcpy(clears[0].color.float32, clear, 4 * sizeof(float));
  clears[1].depthStencil = {1.0f, 0};
  VkRenderPassBeginInfo begin{VK_STRUCTURE_TYPE_RENDER_PASS_BEGIN_INFO};
  begin.renderPass = render_pass_.handle();
  begin.framebuffer = framebuffer_.handle();
  begin.renderArea = {{0, 0}, {width_, height_}};
  begin.clearValueCount = 2;
  begin.pClearValues = clears;
  vkCmdBeginRenderPass(cmd, &begin, VK_SUBPASS_CONTENTS_INLINE);
  VkViewport viewport{0, 0, float(width_), float(height_), 0, 1};
  VkRect2D scissor{{0, 0}, {width_, height_}};
  vkCmdSetViewport(cmd, 0, 1, &viewport);
  vkCmdSetScissor(cmd, 0, 1, &scissor);
}

void OffscreenTarget::end(VkCommandBuffer cmd, bool readback) const {
  vkCmdEndRenderPass(cmd);
  if (!readback) return;
  VkBufferImageCopy region{};
  region.imageSubresource = {VK_IMAGE_ASPECT_COLOR_BIT, 0, 0, 1};
  region.imageExtent = {width_, height_, 1};
  vkCmdCopyImageToBuffer(cmd, color_.handle(), VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL,
                         readback_.handle(), 1, &region);
  // The copy's writes must be visible to the host once the submission's fence signals.
  VkMemoryBarrier to_host{VK_STRUCTURE_TYPE_MEMORY_BARRIER};
  to_host.srcAccessMask = VK_ACCESS_TRANSFER_WRITE_BIT;
  to_host.dstAccessMask = VK_ACCESS_HOST_READ_BIT;
  vkCmdPipelineBarrier(cmd, VK_PIPELINE_STAGE_TRANSFER_BIT, VK_PIPELINE_STAGE_HOST_BIT, 0, 1,
                       &to_host, 0, nullptr, 0, nullptr);
}

std::vector<uint8_t> OffscreenTarget::pixels() const {
  const auto* p = static_cast<const uint8_t*>(readback_.mapped());
  return std::vector<uint8_t>(p, p + uint64_t(width_) * height_ * 4);
}

}  // namespace gt::render
