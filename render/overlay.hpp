// The text and legends over the tower, legible in a 1080p video: title, step and loss, the
// metric, a colour bar with its exponents and the special-value swatches, layer ticks along the
// tower, and the range of per-layer |dW| (largest, smallest, their ratio: the number that says
// "vanishing"). Drawn as ImGui draw lists (no windows) with DejaVu Sans, by ImGuiRenderer.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "layout.h"
#include "render/camera.hpp"
#include "vk/vulkan.hpp"

struct ImGuiContext;

namespace gt::vk {
class Context;
}

namespace gt::render {

class ImGuiCanvas;

struct RunInfo {
  std::string label;  // empty for a scene with one run
  float loss = 0;
  std::vector<shared::LayerStats> layers;  // latest step, for the |dW| range
  // The tower's slabs (render/tower.hpp: tower_slabs): layers.size(), or a recurrent first
  // layer's time steps (time_steps of them) and the layers above.
  uint32_t slabs = 0;
  uint32_t time_steps = 0;
  // The mean-field prediction of the metric per layer, log10, anchored at the output layer's
  // measured value (render/theory_strip.cpp); empty: none for this metric.
  std::vector<float> theory_log10;
};

struct OverlayInfo {
  std::string title;
  // The step whose figures are shown, counted from 0 as in the stats CSV (step 0 holds the first
  // step's gradients; the runs train in lockstep, so it is every tower's); none before the first.
  std::optional<uint32_t> step;
  uint32_t metric = 0;
  float log_lo = -8, log_hi = 0;
  CameraKind camera = CameraKind::orbit;
  CameraPose pose;
  std::vector<RunInfo> runs;  // one tower each, left to right
};

// Where the font comes from (Debian's fonts-dejavu-core); throws with the package name if absent.
std::string overlay_font_path();

class Overlay {
 public:
  Overlay(vk::Context& ctx, VkRenderPass render_pass, uint32_t width, uint32_t height);
  ~Overlay();
  Overlay(const Overlay&) = delete;
  Overlay& operator=(const Overlay&) = delete;
  // Inside the render pass, after the tower, with the viewport on the tower's region, whose
  // top-left corner in the framebuffer is `origin` (the live window keeps panels beside it).
  void draw(VkCommandBuffer cmd, const OverlayInfo& info, VkOffset2D origin = {0, 0});

 private:
  uint32_t width_, height_;
  float big_ = 0, small_ = 0;  // font sizes
  std::unique_ptr<ImGuiCanvas> canvas_;
};

}  // namespace gt::render
