#include "render/live_frame.hpp"

#include "render/imgui_renderer.hpp"
#include "render/offscreen.hpp"
#include "render/overlay.hpp"
#include "render/tower.hpp"
#include "render/walk_renderer.hpp"

namespace gt::render {

LiveFrame::LiveFrame(vk::Context& ctx, uint32_t width, uint32_t height, Region towers,
                     ImFontAtlas& ui_fonts)
    : width_(width), height_(height), towers_(towers) {
  target_ = std::make_unique<OffscreenTarget>(ctx, width, height);
  tower_ = std::make_unique<TowerRenderer>(ctx, target_->render_pass());
  overlay_ = std::make_unique<Overlay>(ctx, target_->render_pass(), towers.width, towers.height);
  walk_ = std::make_unique<WalkOverlay>(ctx, target_->render_pass(), towers.width, towers.height);
  ui_ = std::make_unique<ImGuiRenderer>(ctx, target_->render_pass(), ui_fonts);
}

LiveFrame::~LiveFrame() = default;

VkImage LiveFrame::color_image() const {
  return target_->color_image();
}

std::vector<uint8_t> LiveFrame::pixels() const {
  return target_->pixels();
}

void LiveFrame::record(VkCommandBuffer cmd, const std::vector<gpu::Network*>& nets,
                       const TowerSettings& s, const OverlayInfo* overlay, const ImDrawData* ui,
                       bool readback, const WalkFrame* walk) const {
  const float clear[4] = {0.08f, 0.08f, 0.10f, 1.0f};
  TowerRenderer::statistics_barrier(cmd);
  target_->begin(cmd, clear);
  // The towers and their overlay see only their region: its own aspect, its own pixels.
  const VkViewport region{
      float(towers_.x), float(towers_.y), float(towers_.width), float(towers_.height), 0.0f, 1.0f};
  const VkRect2D region_scissor{{int32_t(towers_.x), int32_t(towers_.y)},
                                {towers_.width, towers_.height}};
  vkCmdSetViewport(cmd, 0, 1, &region);
  vkCmdSetScissor(cmd, 0, 1, &region_scissor);
  if (walk) {
    walk_->draw(cmd, *walk, region_scissor.offset);
  } else {
    for (uint32_t i = 0; i < nets.size(); ++i)
      tower_->draw(cmd, *nets[i], s, towers_.width, towers_.height, i, uint32_t(nets.size()));
    if (overlay) overlay_->draw(cmd, *overlay, region_scissor.offset);
  }
  const VkViewport full{0.0f, 0.0f, float(width_), float(height_), 0.0f, 1.0f};
  const VkRect2D full_scissor{{0, 0}, {width_, height_}};
  vkCmdSetViewport(cmd, 0, 1, &full);
  vkCmdSetScissor(cmd, 0, 1, &full_scissor);
  if (ui) ui_->draw(cmd, *ui);
  target_->end(cmd, readback);
}

}  // namespace gt::render
