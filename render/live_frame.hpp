// One frame of the live window, drawn offscreen: the towers and their overlay in a region beside
// the control panels, then the panels (ImGui draw data) over the whole frame. The image is what
// the swapchain shows (blitted), and what screenshots and recordings save, byte for byte.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "vk/vulkan.hpp"

struct ImDrawData;
struct ImFontAtlas;

namespace gt::vk {
class Context;
}
namespace gt::gpu {
class Network;
}

namespace gt::render {

class OffscreenTarget;
class TowerRenderer;
class Overlay;
class ImGuiRenderer;
class WalkOverlay;
struct WalkFrame;
struct OverlayInfo;
struct TowerSettings;

struct Region {
  uint32_t x = 0, y = 0, width = 0, height = 0;
};

class LiveFrame {
 public:
  // `ui_fonts`: the atlas of the ImGui context whose draw data record() is given.
  LiveFrame(vk::Context& ctx, uint32_t width, uint32_t height, Region towers,
            ImFontAtlas& ui_fonts);
  ~LiveFrame();
  LiveFrame(const LiveFrame&) = delete;
  LiveFrame& operator=(const LiveFrame&) = delete;

  uint32_t width() const { return width_; }
  uint32_t height() const { return height_; }
  Region towers() const { return towers_; }
  // Records the frame into `cmd`: the barrier that orders the training's writes of the
  // statistics before the tower reads them, the render pass, and (with `readback`: screenshots,
  // recordings) the copy for pixels(). With `walk`, the region shows that walkthrough step
  // (render/walk_renderer.hpp) instead of the towers and their overlay.
  void record(VkCommandBuffer cmd, const std::vector<gpu::Network*>& nets, const TowerSettings& s,
              const OverlayInfo* overlay, const ImDrawData* ui, bool readback,
              const WalkFrame* walk = nullptr) const;
  // The colour image, in TRANSFER_SRC_OPTIMAL after record()'s commands ran.
  VkImage color_image() const;
  // RGBA8 rows, top first, of the last recorded frame (after its submission completed).
  std::vector<uint8_t> pixels() const;

 private:
  uint32_t width_, height_;
  Region towers_;
  std::unique_ptr<OffscreenTarget> target_;
  std::unique_ptr<TowerRenderer> tower_;
  std::unique_ptr<Overlay> overlay_;
  std::unique_ptr<WalkOverlay> walk_;
  std::unique_ptr<ImGuiRenderer> ui_;
};

}  // namespace gt::render
