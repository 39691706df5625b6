// Draws one step of a walkthrough (engine/teach/walkthrough.hpp) as ImGui draw lists: the
// network as a graph (input nodes, a node per neuron with its bias and the values known so far,
// every edge with its weight, dW once computed and the new weight after the update, the loss),
// what the step computes highlighted, and its formula lines with the exact numbers below. A
// layer of more than 9 edges has its labels (3 digits) only while a step highlights it. No
// Vulkan here: render/walk_renderer.hpp draws the lists offscreen and in the live window.
#pragma once

#include <cstddef>
#include <string>

struct ImDrawList;
struct ImFont;

namespace gt::teach {
struct Walkthrough;
}

namespace gt::render {

struct WalkFonts {
  ImFont* big = nullptr;
  float big_px = 0;
  ImFont* text = nullptr;
  float text_px = 0;
};

struct WalkFrame {
  const teach::Walkthrough* walk = nullptr;
  size_t step = 0;    // index into walk->steps
  std::string title;  // the scene's
};

// Into a `width` x `height` region whose top-left corner is (0, 0) of the draw list.
void draw_walkthrough(ImDrawList& dl, const WalkFrame& frame, float width, float height,
                      const WalkFonts& fonts);

}  // namespace gt::render
