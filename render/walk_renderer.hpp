// The walkthrough drawn through Vulkan: WalkOverlay owns an ImGui context with DejaVu Sans at
// sizes for its region (and the glyphs the formulas use: · ⊙ ᵀ Σ ← → ²) and draws a WalkFrame
// into a render pass (the live window uses it in its tower region); WalkFrameRenderer draws
// whole frames offscreen for gradtower render and record. Same draw lists, same bytes.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "render/walk_view.hpp"
#include "vk/vulkan.hpp"

struct ImGuiContext;

namespace gt::vk {
class Context;
}

namespace gt::render {

class ImGuiCanvas;
class OffscreenTarget;

class WalkOverlay {
 public:
  WalkOverlay(vk::Context& ctx, VkRenderPass render_pass, uint32_t width, uint32_t height);
  ~WalkOverlay();
  WalkOverlay(const WalkOverlay&) = delete;
  WalkOverlay& operator=(const WalkOverlay&) = delete;
  // Inside the render pass, with the viewport on the region, whose top-left corner in the
  // framebuffer is `origin`.
  void draw(VkCommandBuffer cmd, const WalkFrame& frame, VkOffset2D origin = {0, 0});

 private:
  uint32_t width_, height_;
  float big_ = 0, text_ = 0;  // font sizes
  std::unique_ptr<ImGuiCanvas> canvas_;
};

class WalkFrameRenderer {
 public:
  WalkFrameRenderer(vk::Context& ctx, uint32_t width, uint32_t height);
  ~WalkFrameRenderer();
  WalkFrameRenderer(const WalkFrameRenderer&) = delete;
  WalkFrameRenderer& operator=(const WalkFrameRenderer&) = delete;
  // RGBA8 rows, top first.
  std::vector<uint8_t> render(const WalkFrame& frame);

 private:
  vk::Context& ctx_;
  std::unique_ptr<OffscreenTarget> target_;
  std::unique_ptr<WalkOverlay> overlay_;
};

}  // namespace gt::render
