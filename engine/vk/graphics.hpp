// Graphics pipelines from a short description: the fixed-function state gradtower uses (triangle
// lists, one colour attachment, dynamic viewport and scissor, no culling) is written once here.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "vk/handle.hpp"
#include "vk/vulkan.hpp"

namespace gt::vk {

class Context;

struct GraphicsPipelineDesc {
  std::string vertex_shader, fragment_shader;  // embedded file names, e.g. "tower.vert"
  std::vector<VkVertexInputBindingDescription> vertex_bindings;
  std::vector<VkVertexInputAttributeDescription> vertex_attributes;
  bool depth_test = false;   // depth test and write, LESS
  bool alpha_blend = false;  // premultiplied-style "over" blending
  // Cull back faces of closed meshes whose triangles are counter-clockwise seen from outside
  // (with the cameras' y flip these have positive area in framebuffer coordinates).
  bool cull_back_faces = false;
  std::string name;
};

ShaderModule create_shader_module(const Context& ctx, const std::string& name);
Pipeline create_graphics_pipeline(const Context& ctx, VkRenderPass render_pass,
                                  VkPipelineLayout layout, const GraphicsPipelineDesc& desc);

}  // namespace gt::vk
