// Shared by the window tests (run under xvfb-run): a window, a context with the validation layer
// on and the surface extensions, the swapchain, and an offscreen target whose clear colour each
// frame blits onto the window.
#pragma once

#include <cstdlib>
#include <memory>

#include "render/offscreen.hpp"
#include "render/window/swapchain.hpp"
#include "render/window/window.hpp"
#include "vk/check.hpp"
#include "vk/context.hpp"

namespace gt::test {

inline std::unique_ptr<vk::Context> window_context() {
  vk::ContextOptions o;
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
  VkCommandBuffer cmd = VK_NULL_HANDLE;

  WindowRig(int w, int h, bool vsync)
      : window("gradtower test", w, h),
        swapchain(*ctx, window, surface.handle(), vsync),
        target(*ctx, uint32_t(w), uint32_t(h)) {
    VkCommandBufferAllocateInfo alloc{VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO};
    alloc.commandPool = ctx->command_pool();
    alloc.level = VK_COMMAND_BUFFER_LEVEL_PRIMARY;
    alloc.commandBufferCount = 1;
    GT_VK_CHECK(vkAllocateCommandBuffers(ctx->device(), &alloc, &cmd));
    ctx->name(cmd, VK_OBJECT_TYPE_COMMAND_BUFFER, "window test frame");
  }
  ~WindowRig() { vkFreeCommandBuffers(ctx->device(), ctx->command_pool(), 1, &cmd); }

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
