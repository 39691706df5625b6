// Draws ImGui draw data with gradtower's own pipeline, through volk. Debian's libimgui.a also
// carries a Vulkan backend that calls vk* as linked functions, which volk defines as global
// function pointers: linking both would make ImGui jump into data. gradtower never references
// that backend (so the static linker never pulls imgui_impl_vulkan.o) and renders the draw
// lists here instead: one loader for the whole binary, and the same text path offscreen and live.
#pragma once

#include <cstdint>

#include "vk/buffer.hpp"
#include "vk/handle.hpp"
#include "vk/image.hpp"
#include "vk/vulkan.hpp"

struct ImDrawData;
struct ImFontAtlas;

namespace gt::vk {
class Context;
}

namespace gt::render {

class ImGuiRenderer {
 public:
  // Uploads the atlas's font texture (and sets its texture id).
  ImGuiRenderer(vk::Context& ctx, VkRenderPass render_pass, ImFontAtlas& fonts);
  ~ImGuiRenderer();
  ImGuiRenderer(const ImGuiRenderer&) = delete;
  ImGuiRenderer& operator=(const ImGuiRenderer&) = delete;

  // Copies the draw data's vertices into host-visible buffers (the previous use of them must be
  // complete) and records the draws. Inside the render pass, whose viewport the caller set to
  // the region the draw data covers; `origin` is that region's top-left corner in the
  // framebuffer (scissor rectangles are in framebuffer pixels).
  void draw(VkCommandBuffer cmd, const ImDrawData& data, VkOffset2D origin = {0, 0});

 private:
  vk::Context& ctx_;
  vk::Image font_;
  vk::Sampler sampler_;
  vk::DescriptorSetLayout set_layout_;
  vk::PipelineLayout layout_;
  vk::Pipeline pipeline_;
  vk::Buffer vertices_, indices_;
};

}  // namespace gt::render
