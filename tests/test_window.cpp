// The window system layer (render/window) under Xvfb: GLFW window, surface, swapchain, frames
// presented, a resize followed, vsync toggled, all with the validation layer silent. Registered
// as one CTest test run through xvfb-run (gtest discovery would need a display).
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "render/window/glfw.hpp"
#include "window_rig.hpp"

namespace gt::test {
namespace {

const char* mode_name(VkPresentModeKHR m) {
  switch (m) {
    case VK_PRESENT_MODE_IMMEDIATE_KHR:
      return "IMMEDIATE";
    case VK_PRESENT_MODE_MAILBOX_KHR:
      return "MAILBOX";
    case VK_PRESENT_MODE_FIFO_KHR:
      return "FIFO";
    case VK_PRESENT_MODE_FIFO_RELAXED_KHR:
      return "FIFO_RELAXED";
    default:
      return "other";
  }
}

// Presents `n` frames; returns how many were presented and prints the rate.
int present_frames(WindowRig& rig, int n, const char* what) {
  const float clear[4] = {0.2f, 0.4f, 0.6f, 1.0f};
  const auto t0 = std::chrono::steady_clock::now();
  int presented = 0;
  for (int i = 0; i < n; ++i)
    presented += rig.frame(clear) ? 1 : 0;
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("%s (%s): %d/%d frames presented, %.0f frames/s\n", what,
              mode_name(rig.swapchain.present_mode()), presented, n, presented / s);
  return presented;
}

void expect_no_validation_messages(const vk::Context& ctx) {
  const std::vector<std::string> m = ctx.validation_messages();
  EXPECT_TRUE(m.empty()) << m.size()
                         << " validation message(s), first: " << (m.empty() ? "" : m.front());
}

TEST(Window, NoDisplayIsAClearError) {
  const char* display = std::getenv("DISPLAY");
  const std::string saved = display ? display : "";
  unsetenv("DISPLAY");
  try {
    render::Window w("no display", 64, 64);
    ADD_FAILURE() << "a window opened with no DISPLAY";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("xvfb-run"), std::string::npos) << e.what();
  }
  if (display) setenv("DISPLAY", saved.c_str(), 1);
}

TEST(Swapchain, PresentsFollowsAResizeAndTogglesVsync) {
  WindowRig rig(320, 240, /*vsync=*/true);
  std::printf("instance extensions from GLFW:");
  for (const char* e : render::Window::required_instance_extensions())
    std::printf(" %s", e);
  std::printf("\nsurface formats:");
  for (const VkSurfaceFormatKHR& f : rig.swapchain.formats())
    std::printf(" %d/%d", int(f.format), int(f.colorSpace));
  std::printf("\npresent modes:");
  for (VkPresentModeKHR m : rig.swapchain.present_modes())
    std::printf(" %s", mode_name(m));
  std::printf("\nchosen format %d, %u images\n", int(rig.swapchain.format()),
              rig.swapchain.image_count());
  EXPECT_TRUE(rig.swapchain.format() == VK_FORMAT_B8G8R8A8_UNORM ||
              rig.swapchain.format() == VK_FORMAT_R8G8B8A8_UNORM);
  EXPECT_EQ(rig.swapchain.present_mode(), VK_PRESENT_MODE_FIFO_KHR);
  EXPECT_EQ(rig.swapchain.extent().width, 320u);
  EXPECT_EQ(rig.swapchain.extent().height, 240u);
  EXPECT_EQ(present_frames(rig, 10, "320x240 vsync"), 10);

  // The swapchain must follow the window: recreated at the new size, frames keep coming.
  glfwSetWindowSize(rig.window.handle(), 400, 300);
  int at_new_size = 0;
  for (int i = 0; i < 2000 && at_new_size < 10; ++i) {
    const float clear[4] = {0.9f, 0.1f, 0.3f, 1.0f};
    if (rig.frame(clear) && rig.swapchain.extent().width == 400) ++at_new_size;
  }
  EXPECT_EQ(rig.window.framebuffer_size(), std::make_pair(400, 300));
  EXPECT_EQ(rig.swapchain.extent().width, 400u);
  EXPECT_EQ(rig.swapchain.extent().height, 300u);
  EXPECT_EQ(at_new_size, 10);

  rig.swapchain.set_vsync(false);
  EXPECT_FALSE(rig.swapchain.vsync());
  const auto& modes = rig.swapchain.present_modes();
  const bool unsynced =
      std::find(modes.begin(), modes.end(), VK_PRESENT_MODE_MAILBOX_KHR) != modes.end() ||
      std::find(modes.begin(), modes.end(), VK_PRESENT_MODE_IMMEDIATE_KHR) != modes.end();
  if (unsynced) {
    EXPECT_NE(rig.swapchain.present_mode(), VK_PRESENT_MODE_FIFO_KHR);
  }
  EXPECT_EQ(present_frames(rig, 30, "400x300 no vsync"), 30);
  rig.swapchain.set_vsync(true);
  EXPECT_EQ(rig.swapchain.present_mode(), VK_PRESENT_MODE_FIFO_KHR);
  EXPECT_EQ(present_frames(rig, 30, "400x300 vsync"), 30);

  // An image acquired and then dropped (a recreation before it is presented) stays clean.
  ASSERT_TRUE(rig.swapchain.acquire());
  rig.swapchain.recreate();
  EXPECT_EQ(present_frames(rig, 3, "after a dropped image"), 3);
  expect_no_validation_messages(*rig.ctx);
  // The window's objects are named too (docs/ARCHITECTURE.md, "Validation"; not the surface).
  for (VkObjectType type : {VK_OBJECT_TYPE_SWAPCHAIN_KHR, VK_OBJECT_TYPE_SEMAPHORE,
                            VK_OBJECT_TYPE_FENCE, VK_OBJECT_TYPE_IMAGE})
    EXPECT_FALSE(rig.ctx->names_of(type).empty()) << "no object of type " << int(type) << " named";
}

// Validation messages kept past the context (the layer reports objects never destroyed when the
// device is destroyed).
struct MessageLog {
  std::mutex mutex;
  std::vector<std::string> messages;
  std::function<void(const std::string&)> sink() {
    return [this](const std::string& m) {
      std::lock_guard lock(mutex);
      messages.push_back(m);
    };
  }
  std::string first() {
    std::lock_guard lock(mutex);
    return messages.empty() ? "" : messages.front();
  }
};

// The swapchain built with each checked call failing in turn (vk::testing::fail_after): a
// vk::Error, and nothing left when the device is destroyed.
TEST(Swapchain, ConstructionFailingAtEachStepLeaksNothing) {
  render::Window window("gradtower faults", 96, 64);
  for (int64_t n = 0;; ++n) {
    MessageLog log;
    bool built = false, pending = false;
    {
      std::unique_ptr<vk::Context> ctx = window_context(log.sink());
      const render::Surface surface = window.create_surface(ctx->instance());
      vk::testing::fail_after(n);
      try {
        render::Swapchain swapchain(*ctx, window, surface.handle(), true);
        built = true;
      } catch (const vk::Error&) {
      }
      pending = vk::testing::failure_pending();
      vk::testing::stop_failing();
    }
    ASSERT_EQ(log.first(), "") << "checked call " << n << " failing";
    if (built) {
      EXPECT_TRUE(pending) << "built although checked call " << n << " failed";
      EXPECT_GE(n, 10);  // surface queries, semaphore, fence, swapchain, images, their semaphores
      break;
    }
  }
}

// A recreation that fails at any step leaves the swapchain able to present again (recreated at
// the next acquire), and leaks nothing. One window for all attempts, as above.
TEST(Swapchain, FailedRecreationRecovers) {
  render::Window window("gradtower faults", 96, 64);
  const float clear[4] = {0.5f, 0.5f, 0.5f, 1.0f};
  for (int64_t n = 0;; ++n) {
    MessageLog log;
    bool threw = false, pending = false;
    int presented = 0;
    {
      std::unique_ptr<vk::Context> ctx = window_context(log.sink());
      const render::Surface surface = window.create_surface(ctx->instance());
      render::Swapchain swapchain(*ctx, window, surface.handle(), true);
      render::OffscreenTarget target(*ctx, 96, 64);
      const vk::CommandBuffer cmd = ctx->allocate_command_buffer("fault test frame");
      const auto frame = [&] {
        if (!swapchain.acquire()) return false;
        VkCommandBufferBeginInfo begin{VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO};
        GT_VK_CHECK(vkBeginCommandBuffer(cmd.handle(), &begin));
        target.begin(cmd.handle(), clear);
        target.end(cmd.handle());
        swapchain.blit_submit_present(cmd.handle(), target.color_image(), 96, 64);
        return true;
      };
      ASSERT_TRUE(frame());
      vk::testing::fail_after(n);
      try {
        swapchain.recreate();
      } catch (const vk::Error&) {
        threw = true;
      }
      pending = vk::testing::failure_pending();
      vk::testing::stop_failing();
      for (int i = 0; i < 3; ++i)
        presented += frame() ? 1 : 0;
    }
    EXPECT_EQ(presented, 3) << "after checked call " << n << " failed";
    ASSERT_EQ(log.first(), "") << "checked call " << n << " failing";
    if (!threw) {
      EXPECT_TRUE(pending) << "recreated although checked call " << n << " failed";
      break;
    }
  }
}

}  // namespace
}  // namespace gt::test
