// The owner of a window's VkSurfaceKHR (vk/handle.hpp's, destroyed through volk, which loaded
// vkDestroySurfaceKHR with the instance). Destroy it before the instance it was made from (declare
// it after the vk::Context) and before the window it shows (declare it after the Window).
#pragma once

#include "vk/handle.hpp"

namespace gt::render {

using Surface = vk::SurfaceHandle;

}  // namespace gt::render
