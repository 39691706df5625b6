#include "render/walk_renderer.hpp"

#include <imgui.h>

#include <algorithm>

#include "render/imgui_canvas.hpp"
#include "render/offscreen.hpp"
#include "render/overlay.hpp"
#include "vk/context.hpp"

namespace gt::render {
namespace {

// Latin-1 and the symbols the formulas use (Greek, ᵀ, arrows, minus, root, ⊙, ellipsis).
const uint16_t kRanges[] = {0x0020, 0x00FF, 0x0391, 0x03C9, 0x1D40, 0x1D40, 0x2026, 0x2026, 0x2190,
                            0x2193, 0x2212, 0x2212, 0x221A, 0x221A, 0x2299, 0x2299, 0};

}  // namespace

WalkOverlay::WalkOverlay(vk::Context& ctx, VkRenderPass render_pass, uint32_t width,
                         uint32_t height)
    : width_(width), height_(height) {
  // Sized by the shorter side, so a wide window does not get giant text.
  const float side = float(std::min(width, height * 16 / 9));
  big_ = std::max(13.0f, side / 44.0f);
  text_ = std::max(10.0f, side / 62.0f);
  canvas_ =
      std::make_unique<ImGuiCanvas>(ctx, render_pass, std::vector<float>{big_, text_},
                                    std::vector<uint16_t>(std::begin(kRanges), std::end(kRanges)));
}

WalkOverlay::~WalkOverlay() = default;

void WalkOverlay::draw(VkCommandBuffer cmd, const WalkFrame& frame, VkOffset2D origin) {
  ImDrawList& dl = canvas_->begin(width_, height_);
  const WalkFonts fonts{canvas_->font(0), big_, canvas_->font(1), text_};
  draw_walkthrough(dl, frame, float(width_), float(height_), fonts);
  canvas_->end(cmd, origin);
}

WalkFrameRenderer::WalkFrameRenderer(vk::Context& ctx, uint32_t width, uint32_t height)
    : ctx_(ctx) {
  target_ = std::make_unique<OffscreenTarget>(ctx, width, height);
  overlay_ = std::make_unique<WalkOverlay>(ctx, target_->render_pass(), width, height);
}

WalkFrameRenderer::~WalkFrameRenderer() = default;

std::vector<uint8_t> WalkFrameRenderer::render(const WalkFrame& frame) {
  const float clear[4] = {0.08f, 0.08f, 0.10f, 1.0f};
  ctx_.submit_and_wait([&](VkCommandBuffer cmd) {
    target_->begin(cmd, clear);
    overlay_->draw(cmd, frame);
    target_->end(cmd);
  });
  return target_->pixels();
}

}  // namespace gt::render
