// Shared by the window tests (run under xvfb-run): a window, a context with the validation layer
// on and the surface extensions, the swapchain, and an offscreen target whose clear colour each
// frame blits onto the window.
#pragma once

#include <cstdlib>
#include <functional>
#include <memory>
#include <string>
#include <utility>

#include "render/offscreen.hpp"
#include "render/window/swapchain.hpp"
#include "render/window/window.hpp"
#include "vk/check.hpp"
#include "vk/context.hpp"

namespace gt::test {

// `sink` also receives the validation messages, those of the context's destruction too.
inline std::unique_ptr<vk::Context> window_context(
    std::function<void(const std::string&)> sink = {}) {
  vk::ContextOptions o;
  o.on_validation_message = std::move(sink);
  o.validation = true;
  if (const char* d = std::getenv("GT_TEST_DEVICE")) o.device = d;
  o.instance_extensions = render::Window::required_instance_extensions();
  o.device_extensions = {VK_KHR_SWAPCHAIN_EXTENSION_NAME};
  return vk::Context::create(o);
}

// Members in creation order, so they are destroyed swapchain -> surface -> context -> window.
struct WindowRig {
  render::Window window;
  std::unique_ptr<vk::Context> ctx = window_context();
  render::Surface surface = window.create_surface(ctx->instance());
  render::Swapchain swapchain;
  render::OffscreenTarget target;
  vk::CommandBuffer frame_cmd = ctx->allocate_command_buffer("window test frame");
  VkCommandBuffer cmd = frame_cmd.handle();

  WindowRig(int w, int h, bool vsync)
      : window("gradtower test", w, h),
        swapchain(*ctx, window, surface.handle(), vsync),
        target(*ctx, uint32_t(w), uint32_t(h)) {}

  // One frame of the live loop; false when the swapchain asked to skip it.
  bool frame(const float clear[4]) {
    window.poll_events();
    if (!swapchain.acquire()) return false;
    VkCommandBufferBeginInfo begin{VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO};
    begin.flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT;
    GT_VK_CHECK(vkBeginCommandBuffer(cmd, &begin));
    target.begin(cmd, clear);
    target.end(cmd);
    swapchain.blit_submit_present(cmd, target.color_image(), target.width(), target.height());
    return true;
  }
};

}  // namespace gt::test
