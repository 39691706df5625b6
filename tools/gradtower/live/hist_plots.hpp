// The |dW| histogram views of the live window, drawn with ImGui draw lists: one layer's
// histogram as bars over its log-spaced bins (the special counts beside them), and every layer
// at once as a layer x bin heatmap (input side at the bottom, as in the tower).
#pragma once

#include <imgui.h>

#include "stats/histogram.hpp"

namespace gt::cli {

void histogram_plot(const char* title, ImVec2 size, const stats::LayerHistogram& h, ImU32 colour);
void heatmap_plot(const char* title, ImVec2 size, const stats::HistGrid& g);

// Rows of the heatmap for a plot of this many pixels: about two pixels per row, and few enough
// cells for one ImGui draw list.
uint32_t heatmap_rows(float plot_height);

}  // namespace gt::cli
