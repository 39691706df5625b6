// The swapchain of a window's surface, and the frame loop's last step: blit an offscreen image
// onto the acquired swapchain image and present it. One frame in flight: blit_submit_present()
// waits for its submission before returning, so the caller may reuse its command buffer and read
// its offscreen target back at once. Needs VK_KHR_swapchain in ContextOptions::device_extensions
// and Window::required_instance_extensions() in ContextOptions::instance_extensions.
#pragma once

#include <cstdint>
#include <vector>

#include "vk/handle.hpp"
#include "vk/vulkan.hpp"

namespace gt::vk {
class Context;
}

namespace gt::render {

class Window;

class Swapchain {
 public:
  // Throws vk::Error when the context's queue cannot present to `surface`, or the surface cannot
  // be a transfer destination. `surface` must outlive the Swapchain.
  Swapchain(vk::Context& ctx, Window& window, VkSurfaceKHR surface, bool vsync);
  ~Swapchain();
  Swapchain(const Swapchain&) = delete;
  Swapchain& operator=(const Swapchain&) = delete;

  // Acquires the next image. false: the window is minimized (0x0; see
  // Window::wait_while_minimized) or the swapchain was out of date and has been recreated: skip
  // this frame. Compares the window's framebuffer size with the swapchain's each time (one X
  // round trip) and recreates on a change, so a resize never waits for the driver to notice.
  // Calling it again before blit_submit_present() keeps the image already acquired.
  bool acquire();
  VkExtent2D extent() const { return extent_; }

  // Records into `cmd` (a primary command buffer in the recording state that the caller has
  // already filled, e.g. with an offscreen render pass whose colour image ends in
  // TRANSFER_SRC_OPTIMAL with its writes made visible to transfer reads, as OffscreenTarget's
  // subpass dependency does) the blit of `src` (w x h, TRANSFER_SRC_OPTIMAL, RGBA8_UNORM) onto
  // the acquired image, scaled to extent() with the nearest filter; ends `cmd`, submits it and
  // presents. Returns after the submission completed. Only after a successful acquire(). A
  // present that finds the swapchain out of date or suboptimal makes the next acquire() recreate
  // it.
  void blit_submit_present(VkCommandBuffer cmd, VkImage src, uint32_t w, uint32_t h);

  bool vsync() const { return vsync_; }
  // Recreates the swapchain with FIFO (vsync) or MAILBOX / IMMEDIATE (no vsync) when it changes.
  void set_vsync(bool vsync);
  // Waits for the device and rebuilds the swapchain at the window's current size (reusing the
  // old one as oldSwapchain). Deferred (acquire() returns false) while the window is 0x0.
  void recreate();

  VkFormat format() const { return format_.format; }
  VkColorSpaceKHR color_space() const { return format_.colorSpace; }
  VkPresentModeKHR present_mode() const { return present_mode_; }
  uint32_t image_count() const { return static_cast<uint32_t>(images_.size()); }
  // What the surface offers (for `live --info` and reports).
  const std::vector<VkPresentModeKHR>& present_modes() const { return present_modes_; }
  const std::vector<VkSurfaceFormatKHR>& formats() const { return formats_; }

 private:
  void create();
  void release_pending_acquire();
  VkPresentModeKHR choose_present_mode() const;

  vk::Context& ctx_;
  Window& window_;
  VkSurfaceKHR surface_;
  bool vsync_;
  std::vector<VkSurfaceFormatKHR> formats_;
  std::vector<VkPresentModeKHR> present_modes_;
  VkSurfaceFormatKHR format_{};
  VkPresentModeKHR present_mode_ = VK_PRESENT_MODE_FIFO_KHR;
  VkImageUsageFlags usage_ = 0;
  vk::SwapchainHandle swapchain_;
  VkExtent2D extent_{};
  int window_w_ = 0, window_h_ = 0;  // the framebuffer size the swapchain was made for
  bool out_of_date_ = false;         // recreate at the next acquire()
  std::vector<VkImage> images_;
  // Signalled by the present's submission, waited by the present: one per image, because only
  // re-acquiring an image proves the presentation engine is done waiting on its semaphore.
  std::vector<vk::Semaphore> render_done_;
  // Signalled by acquire, waited by the submission; reused each frame because the fence wait in
  // blit_submit_present() proves that wait is over.
  vk::Semaphore acquire_done_;
  vk::Fence fence_;
  uint32_t image_index_ = 0;
  bool acquired_ = false;  // acquire_done_ is (to be) signalled and not yet waited on
};

}  // namespace gt::render
