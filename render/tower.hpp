// The tower: one instanced slab per weight layer, coloured per neuron (or per layer) from the
// statistics buffers the training step wrote, read in place (no copy through the host).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "render/camera.hpp"
#include "render_layout.h"
#include "vk/handle.hpp"
#include "vk/vulkan.hpp"

namespace gt::vk {
class Context;
}
namespace gt::gpu {
class Network;
struct Plan;
}  // namespace gt::gpu

namespace gt::render {

struct TowerSettings {
  uint32_t metric = GT_METRIC_NEURON_DELTA;
  float log_lo = -8.0f;  // colour range, as powers of ten
  float log_hi = 0.0f;
  CameraKind camera = CameraKind::orbit;
  CameraPose pose;  // orbit camera only
  // Of each layer's pitch; the rest is the gap between slabs. Gaps close (fill 1) when a layer
  // would get fewer than ~4 pixels.
  float slab_fill = 0.8f;
};

// The slabs of a network's tower, bottom to top: one per weight layer, but a recurrent first
// layer (rnn) stands as its time steps, t = 1 at the bottom (the step furthest from the loss, as
// layer 1 is for depth): the tower of an unrolled network is time, then the layers above.
struct Slab {
  uint32_t layer = 0;
  uint32_t time = 0;  // 1..steps for a time step of a recurrent layer; 0 for a layer's slab
};
std::vector<Slab> tower_slabs(const gpu::Plan& plan);
// The time steps standing as slabs (a recurrent first layer's), 0 for none.
uint32_t time_slabs(const gpu::Plan& plan);

// The fraction of each layer's pitch its slab fills in a `height`-pixel view of `layers` layers:
// s.slab_fill, or 1 (the gaps closed) once a layer would get fewer than ~4 pixels. Shared by the
// renderer and the picker so they always agree.
float effective_slab_fill(const TowerSettings& s, uint32_t layers, uint32_t height);

class TowerRenderer {
 public:
  TowerRenderer(const vk::Context& ctx, VkRenderPass render_pass);

  // Before the render pass: orders the training step's writes of the statistics before the
  // shaders here read them.
  static void statistics_barrier(VkCommandBuffer cmd);
  // Inside the render pass.
  // Tower `index` of `count` standing side by side.
  void draw(VkCommandBuffer cmd, const gpu::Network& net, const TowerSettings& s, uint32_t width,
            uint32_t height, uint32_t index = 0, uint32_t count = 1) const;

 private:
  vk::DescriptorSetLayout set_layout_;
  vk::PipelineLayout layout_;
  vk::Pipeline pipeline_;
};

// The colour range (powers of ten, whole decades) covering the finite non-zero values of the
// metric in the latest step of every network; reads the statistics back. (-8, 0) when there
// are none.
std::pair<float, float> auto_range(gpu::Network& net, uint32_t metric);
std::pair<float, float> auto_range(const std::vector<gpu::Network*>& nets, uint32_t metric);

struct OverlayInfo;
class OffscreenTarget;

// The overlay's figures for these runs (reads back each network's latest statistics), with the
// mean-field prediction of the metric per layer (theory_log10; see render/theory_strip.hpp).
OverlayInfo overlay_info(const std::string& title, const std::vector<gpu::Network*>& nets,
                         const std::vector<std::string>& labels, const TowerSettings& s);
class Overlay;

// Renders frames of a tower offscreen, keeping its target and pipelines between frames.
class FrameRenderer {
 public:
  FrameRenderer(vk::Context& ctx, uint32_t width, uint32_t height, bool overlay);
  ~FrameRenderer();
  FrameRenderer(const FrameRenderer&) = delete;
  FrameRenderer& operator=(const FrameRenderer&) = delete;
  // RGBA8 rows, top first. `overlay` is drawn when given (and enabled at construction).
  std::vector<uint8_t> render(const gpu::Network& net, const TowerSettings& s,
                              const OverlayInfo* overlay = nullptr);
  // Several networks' towers side by side, sharing the colour scale of `s`.
  std::vector<uint8_t> render(const std::vector<gpu::Network*>& nets, const TowerSettings& s,
                              const OverlayInfo* overlay = nullptr);

 private:
  vk::Context& ctx_;
  uint32_t width_, height_;
  std::unique_ptr<OffscreenTarget> target_;
  std::unique_ptr<TowerRenderer> tower_;
  std::unique_ptr<Overlay> overlay_;
};

// One frame of the tower offscreen, as RGBA8 rows (top first), with the overlay when given.
std::vector<uint8_t> render_tower(vk::Context& ctx, const gpu::Network& net, const TowerSettings& s,
                                  uint32_t width, uint32_t height,
                                  const OverlayInfo* overlay = nullptr);

}  // namespace gt::render
