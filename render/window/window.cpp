#include "render/window/window.hpp"

#include <stdexcept>
#include <tuple>

#include "render/window/glfw.hpp"
#include "vk/check.hpp"

namespace gt::render {
namespace {

int g_glfw_refs = 0;
std::string g_last_error;  // GLFW's last error text, for the exceptions below

void on_glfw_error(int code, const char* description) {
  g_last_error = std::string(description ? description : "unknown error") + " (GLFW error " +
                 std::to_string(code) + ")";
}

std::string last_error() {
  return g_last_error.empty() ? "no error reported" : g_last_error;
}

}  // namespace

detail::GlfwRef::GlfwRef() {
  if (g_glfw_refs == 0) {
    glfwSetErrorCallback(&on_glfw_error);
    g_last_error.clear();
    if (!glfwInit())
      throw std::runtime_error("cannot open a window: GLFW could not initialise (" + last_error() +
                               "); no display: set DISPLAY or run under xvfb-run");
  }
  ++g_glfw_refs;
}

detail::GlfwRef::~GlfwRef() {
  if (--g_glfw_refs == 0) glfwTerminate();
}

Window::Window(const std::string& title, int width, int height) {
  glfwDefaultWindowHints();
  glfwWindowHint(GLFW_CLIENT_API, GLFW_NO_API);  // Vulkan presents through a surface; no GL
  window_ = glfwCreateWindow(width, height, title.c_str(), nullptr, nullptr);
  if (!window_)
    throw std::runtime_error("cannot open a " + std::to_string(width) + "x" +
                             std::to_string(height) + " window: " + last_error());
}

Window::~Window() {
  glfwDestroyWindow(window_);
}

std::vector<const char*> Window::required_instance_extensions() {
  // GLFW's strings are only guaranteed until glfwTerminate: keep copies for the process.
  static std::vector<std::string> names;
  if (names.empty()) {
    detail::GlfwRef glfw;
    // GLFW 3.3 dlopens libvulkan.so.1 itself (the same loader volk opened; no
    // glfwInitVulkanLoader before 3.4), so this also checks that the loader is there.
    if (!glfwVulkanSupported())
      throw std::runtime_error("GLFW found no Vulkan loader (" + last_error() +
                               "): install libvulkan1 and a driver");
    uint32_t n = 0;
    const char** ext = glfwGetRequiredInstanceExtensions(&n);
    if (!ext)
      throw std::runtime_error("the window system offers no Vulkan surface extension (" +
                               last_error() + ")");
    names.assign(ext, ext + n);
  }
  std::vector<const char*> out;
  for (const std::string& s : names)
    out.push_back(s.c_str());
  return out;
}

std::pair<int, int> Window::framebuffer_size() const {
  int w = 0, h = 0;
  glfwGetFramebufferSize(window_, &w, &h);
  return {w, h};
}

bool Window::should_close() const {
  return glfwWindowShouldClose(window_) == GLFW_TRUE;
}

void Window::set_title(const std::string& title) {
  glfwSetWindowTitle(window_, title.c_str());
}

void Window::poll_events() {
  glfwPollEvents();
}

bool Window::wait_while_minimized() {
  auto [w, h] = framebuffer_size();
  while ((w == 0 || h == 0) && !should_close()) {
    glfwWaitEvents();
    std::tie(w, h) = framebuffer_size();
  }
  return !should_close();
}

Surface Window::create_surface(VkInstance instance) const {
  VkSurfaceKHR surface = VK_NULL_HANDLE;
  const VkResult r = glfwCreateWindowSurface(instance, window_, nullptr, &surface);
  if (r != VK_SUCCESS)
    throw vk::Error(std::string("cannot create a Vulkan surface for the window: ") +
                    vk::result_name(r) + " (" + last_error() + ")");
  return Surface(instance, surface);
}

}  // namespace gt::render
