// What the X server shows is what the offscreen target holds, byte for byte (UNORM swapchain):
// the window's pixels read back with XGetImage. Built only when libx11's headers are there.
#include <gtest/gtest.h>

#include <array>
#include <chrono>
#include <cstdint>
#include <thread>

#include "render/window/glfw.hpp"
#include "window_rig.hpp"

#define GLFW_EXPOSE_NATIVE_X11
#include <GLFW/glfw3native.h>

namespace gt::test {
namespace {

uint8_t channel(unsigned long pixel, unsigned long mask) {
  int shift = 0;
  while (mask && !(mask & 1)) {
    mask >>= 1;
    ++shift;
  }
  return static_cast<uint8_t>((pixel >> shift) & mask);
}

// The window's pixels (RGB, top row first) as the X server has them.
std::vector<std::array<uint8_t, 3>> grab(GLFWwindow* window, int w, int h) {
  XImage* image = XGetImage(glfwGetX11Display(), glfwGetX11Window(window), 0, 0, unsigned(w),
                            unsigned(h), AllPlanes, ZPixmap);
  std::vector<std::array<uint8_t, 3>> out;
  if (!image) return out;
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) {
      const unsigned long p = XGetPixel(image, x, y);
      out.push_back({channel(p, image->red_mask), channel(p, image->green_mask),
                     channel(p, image->blue_mask)});
    }
  XDestroyImage(image);
  return out;
}

// Presents `clear` until every window pixel equals the offscreen bytes (the X server may apply
// a present a little later than vkQueuePresentKHR returns); the count of differing pixels.
size_t differing_pixels(WindowRig& rig, const float clear[4]) {
  const auto [w, h] = rig.window.framebuffer_size();
  size_t bad = size_t(w) * size_t(h);
  for (int attempt = 0; attempt < 250 && bad != 0; ++attempt) {  // up to ~5 s on a loaded machine
    rig.frame(clear);
    const std::vector<uint8_t> want = rig.target.pixels();
    bad = 0;
    for (const std::array<uint8_t, 3>& p : grab(rig.window.handle(), w, h))
      bad += (p[0] != want[0] || p[1] != want[1] || p[2] != want[2]) ? 1 : 0;
    if (bad) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return bad;
}

TEST(Swapchain, WindowShowsTheOffscreenBytes) {
  WindowRig rig(96, 64, /*vsync=*/true);
  const float blue[4] = {0.2f, 0.4f, 0.6f, 1.0f};
  EXPECT_EQ(differing_pixels(rig, blue), 0u);
  const float red[4] = {0.9f, 0.1f, 0.3f, 1.0f};
  EXPECT_EQ(differing_pixels(rig, red), 0u);
  // Scaled: the 96x64 target fills a 150x100 window.
  glfwSetWindowSize(rig.window.handle(), 150, 100);
  rig.window.poll_events();
  EXPECT_EQ(differing_pixels(rig, blue), 0u);
  EXPECT_EQ(rig.swapchain.extent().width, 150u);
  const std::vector<std::string> m = rig.ctx->validation_messages();
  EXPECT_TRUE(m.empty()) << m.size()
                         << " validation message(s), first: " << (m.empty() ? "" : m.front());
}

}  // namespace
}  // namespace gt::test
