#include "render/window/surface.hpp"

#include <utility>

namespace gt::render {

Surface& Surface::operator=(Surface&& o) noexcept {
  if (this != &o) {
    reset();
    instance_ = std::exchange(o.instance_, VK_NULL_HANDLE);
    surface_ = std::exchange(o.surface_, VK_NULL_HANDLE);
  }
  return *this;
}

void Surface::reset() {
  // Through volk: vkDestroySurfaceKHR was loaded with the instance (VK_KHR_surface enabled).
  if (surface_) vkDestroySurfaceKHR(instance_, surface_, nullptr);
  surface_ = VK_NULL_HANDLE;
  instance_ = VK_NULL_HANDLE;
}

}  // namespace gt::render
