// The desktop window of `gradtower live`: GLFW with no client API (Vulkan draws into it through a
// surface). GLFW is initialised while any Window (or a required_instance_extensions() call)
// needs it and terminated after the last one. All calls belong on the main thread (GLFW's rule).
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "render/window/surface.hpp"
#include "vk/vulkan.hpp"

struct GLFWwindow;

namespace gt::render {

namespace detail {
// One reference to the GLFW library: glfwInit on the first, glfwTerminate after the last. Throws
// std::runtime_error naming GLFW's own error when it cannot initialise (e.g. no display).
class GlfwRef {
 public:
  GlfwRef();
  ~GlfwRef();
  GlfwRef(const GlfwRef&) = delete;
  GlfwRef& operator=(const GlfwRef&) = delete;
};
}  // namespace detail

class Window {
 public:
  // Throws std::runtime_error when there is no display or no window can be made.
  Window(const std::string& title, int width, int height);
  ~Window();
  Window(const Window&) = delete;
  Window& operator=(const Window&) = delete;

  // The instance extensions a surface needs (VK_KHR_surface and the platform's); pass them in
  // vk::ContextOptions::instance_extensions. Throws when GLFW finds no Vulkan loader. The strings
  // stay valid for the life of the process.
  static std::vector<const char*> required_instance_extensions();

  GLFWwindow* handle() const { return window_; }
  // In pixels (what the swapchain needs), not screen coordinates.
  std::pair<int, int> framebuffer_size() const;
  bool should_close() const;
  void set_title(const std::string& title);
  // glfwPollEvents: input callbacks run, sizes update, the close flag is set.
  void poll_events();
  // Blocks in glfwWaitEvents while the framebuffer is 0x0 (minimized). false: the window was
  // asked to close meanwhile (or already was).
  bool wait_while_minimized();
  // A surface for this window on `instance` (made with required_instance_extensions()).
  Surface create_surface(VkInstance instance) const;

 private:
  detail::GlfwRef glfw_;  // first member: initialised before the window, terminated after it
  GLFWwindow* window_ = nullptr;
};

}  // namespace gt::render
