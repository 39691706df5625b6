// The live window's read-outs: the loss over steps, per-layer |dW| against layer index on a log
// axis (the "plot_grad_flow" view), the selected layer's recent history, and the exact figures
// of a layer (hover tooltip and the selected-layer panel). Drawn with ImGui draw lists.
#pragma once

#include <optional>
#include <vector>

#include "live/view_state.hpp"

namespace gt::cli {

// One ImGui window at (x, y) of size (w, h) holding the three plots side by side.
void draw_plots(float x, float y, float w, float h, const std::vector<RunData>& runs,
                const LiveView& view);

// The figures of the picked layer (1-based layer numbers, as in the CSV); `empty` when none.
void layer_figures(const std::vector<RunData>& runs, const std::optional<render::Pick>& pick,
                   const char* empty);

}  // namespace gt::cli
