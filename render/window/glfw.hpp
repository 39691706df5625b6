// The one way to include GLFW (gt_window and its users). vk/vulkan.hpp comes first: volk
// includes vulkan_core.h with VK_NO_PROTOTYPES, which defines VK_VERSION_1_0, and glfw3.h
// declares glfwCreateWindowSurface and friends whenever VK_VERSION_1_0 is defined. So
// GLFW_INCLUDE_NONE is enough and keeps out <GL/gl.h> (glfw3.h's default) and a second
// <vulkan/vulkan.h>; no hand-written declarations that could drift from GLFW's.
#pragma once

#include "vk/vulkan.hpp"

#ifndef GLFW_INCLUDE_NONE
#define GLFW_INCLUDE_NONE
#endif
#include <GLFW/glfw3.h>
