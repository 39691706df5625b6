// A move-only owner of a VkSurfaceKHR. Destroy it before the instance it was made from (declare
// it after the vk::Context) and before the window it shows (declare it after the Window).
#pragma once

#include <utility>

#include "vk/vulkan.hpp"

namespace gt::render {

class Surface {
 public:
  Surface() = default;
  Surface(VkInstance instance, VkSurfaceKHR surface) : instance_(instance), surface_(surface) {}
  ~Surface() { reset(); }
  Surface(Surface&& o) noexcept { *this = std::move(o); }
  Surface& operator=(Surface&& o) noexcept;
  Surface(const Surface&) = delete;
  Surface& operator=(const Surface&) = delete;

  VkSurfaceKHR handle() const { return surface_; }
  void reset();

 private:
  VkInstance instance_ = VK_NULL_HANDLE;
  VkSurfaceKHR surface_ = VK_NULL_HANDLE;
};

}  // namespace gt::render
