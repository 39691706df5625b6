// The one include point for Vulkan: everything goes through volk (function pointers loaded at
// run time), so nothing may include vulkan.h first.
#pragma once

#if defined(VULKAN_H_) && !defined(VOLK_H_)
#error "include vk/vulkan.hpp instead of vulkan/vulkan.h"
#endif
#include <volk.h>
