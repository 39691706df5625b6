// An offscreen colour + depth target with its render pass and framebuffer, and readback of the
// colour image as RGBA8 rows (top row first).
#pragma once

#include <cstdint>
#include <vector>

#include "vk/buffer.hpp"
#include "vk/handle.hpp"
#include "vk/image.hpp"

namespace gt::vk {
class Context;
}

namespace gt::render {

class OffscreenTarget {
 public:
  OffscreenTarget(vk::Context& ctx, uint32_t width, uint32_t height);
  ~OffscreenTarget();
  OffscreenTarget(const OffscreenTarget&) = delete;
  OffscreenTarget& operator=(const OffscreenTarget&) = delete;

  uint32_t width() const { return width_; }
  uint32_t height() const { return height_; }
  VkRenderPass render_pass() const { return render_pass_.handle(); }
  // The colour image; after end() it is in TRANSFER_SRC_OPTIMAL (e.g. for Swapchain's blit).
  VkImage color_image() const { return color_.handle(); }
  // Begins the render pass (clearing to `clear`, RGBA in 0..1) with viewport and scissor set.
  void begin(VkCommandBuffer cmd, const float clear[4]) const;
  // Ends it and (with `readback`) copies the colour image into the readback buffer.
  void end(VkCommandBuffer cmd, bool readback = true) const;
  // The pixels copied by the last end() (after its submission completed).
  std::vector<uint8_t> pixels() const;

 private:
  vk::Context& ctx_;
  uint32_t width_, height_;
  vk::Image color_, depth_;
  vk::Buffer readback_;
  vk::RenderPass render_pass_;
  vk::Framebuffer framebuffer_;
};

}  // namespace gt::render
