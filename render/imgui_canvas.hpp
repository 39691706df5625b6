// An ImGui context of its own for drawing text and shapes with draw lists into a render pass:
// no windows, no input. Fonts are DejaVu Sans at the given sizes (and glyph ranges), rendered by
// gradtower's ImGuiRenderer. The overlay over the towers and the walkthrough draw through one
// each, so neither touches the live window's own ImGui context.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "vk/vulkan.hpp"

struct ImGuiContext;
struct ImDrawList;
struct ImFont;

namespace gt::vk {
class Context;
}

namespace gt::render {

class ImGuiRenderer;

// The owner of an ImGui context (ImGuiCanvas's, the live window's).
struct DestroyImGuiContext {
  void operator()(ImGuiContext* c) const;
};
using ImGuiContextPtr = std::unique_ptr<ImGuiContext, DestroyImGuiContext>;

class ImGuiCanvas {
 public:
  // `ranges`: zero-terminated pairs of first and last code point (ImGui's glyph ranges; 16-bit),
  // or empty for ImGui's default (Latin-1).
  ImGuiCanvas(vk::Context& ctx, VkRenderPass render_pass, const std::vector<float>& font_sizes,
              std::vector<uint16_t> ranges = {});
  ~ImGuiCanvas();
  ImGuiCanvas(const ImGuiCanvas&) = delete;
  ImGuiCanvas& operator=(const ImGuiCanvas&) = delete;

  // A frame of width x height pixels: its draw list, until end() draws it into `cmd` (inside
  // the render pass, with the viewport on the region whose top-left corner is `origin`).
  ImDrawList& begin(uint32_t width, uint32_t height);
  void end(VkCommandBuffer cmd, VkOffset2D origin);
  ImFont* font(size_t i) const;  // in the order of font_sizes

 private:
  std::vector<uint16_t> ranges_;  // must outlive the context's atlas built from it
  ImGuiContextPtr imgui_;
  ImGuiContext* previous_ = nullptr;  // the caller's context, restored by end()
  std::vector<ImFont*> fonts_;        // owned by the context's atlas
  std::unique_ptr<ImGuiRenderer> renderer_;
};

}  // namespace gt::render
