#include "live/hist_plots.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>

#include "render/colormap.hpp"

namespace gt::cli {
namespace {

using stats::kColFirstBin;
using stats::kColNonFinite;
using stats::kColOverflow;
using stats::kColUnderflow;
using stats::kColZero;
using stats::kHistColumns;

const ImU32 kGrid = IM_COL32(70, 70, 80, 255);
const ImU32 kText = IM_COL32(200, 200, 210, 255);
const ImU32 kNonFinite = IM_COL32(255, 60, 60, 255);
const ImU32 kZero = IM_COL32(150, 150, 150, 255);
const ImU32 kOutside = IM_COL32(120, 120, 170, 255);
const ImU32 kEmpty = IM_COL32(22, 22, 28, 255);
constexpr float kLogFloor = -6;  // heatmap: fractions from 1e-6 of a row's entries to all of them

// Horizontal slots: zero, underflow, a gap, the bins, a gap, overflow, non-finite; the special
// columns are kSpecial bins wide, so they are seen and their marks fit.
constexpr float kSpecial = 3;
float slot_of(uint32_t col) {
  if (col <= kColUnderflow) return float(col) * kSpecial;
  if (col < kColOverflow) return 2 * kSpecial + 1 + float(col - kColFirstBin);
  return 2 * kSpecial + 2 + float(shared::GT_HIST_BINS) + float(col - kColOverflow) * kSpecial;
}
float slot_width(uint32_t col) {
  return col >= kColFirstBin && col < kColOverflow ? 1 : kSpecial;
}
constexpr float kSlots = 4 * kSpecial + 2 + float(shared::GT_HIST_BINS);

struct Frame {
  ImVec2 p0, a, b;  // the widget's corner; the plot area's corners
  float fs;
};

Frame begin_plot(const char* title, ImVec2 size, float left_margin) {
  ImDrawList* dl = ImGui::GetWindowDrawList();
  Frame f;
  f.p0 = ImGui::GetCursorScreenPos();
  ImGui::Dummy(size);
  f.fs = ImGui::GetFontSize();
  f.a = {f.p0.x + f.fs * left_margin, f.p0.y + f.fs * 1.3f};
  f.b = {f.p0.x + size.x - f.fs * 0.5f, f.p0.y + size.y - f.fs * 1.3f};
  dl->AddText(f.p0, kText, title);
  return f;
}

float slot_x(const Frame& f, float slot) {
  return f.a.x + slot / kSlots * (f.b.x - f.a.x);
}

// Decade labels along the bins, as many as fit without touching, and the special columns' marks.
void bin_axis(const Frame& f, float lo, float hi) {
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const float y = f.b.y + f.fs * 0.1f;
  const float bins = float(shared::GT_HIST_BINS);
  const int first = int(std::ceil(lo)), last = int(std::floor(hi));
  const float bins_w = slot_x(f, slot_of(kColOverflow)) - slot_x(f, slot_of(kColFirstBin));
  const float label_w = ImGui::CalcTextSize("1e-88").x + f.fs * 0.5f;
  int every = 1;
  for (int e : {1, 2, 3, 4, 5, 10, 20, 50})
    if (every = e; float((last - first) / e + 1) * label_w <= bins_w) break;
  char label[16];
  for (int d = first; d <= last; ++d) {
    if (d % every != 0) continue;  // multiples of `every`: the same labels at any range
    const float slot = slot_of(kColFirstBin) + (float(d) - lo) / (hi - lo) * bins;
    const float x = slot_x(f, slot);
    dl->AddLine({x, f.b.y}, {x, f.b.y + f.fs * 0.2f}, kGrid);
    std::snprintf(label, sizeof label, "1e%d", d);
    const float w = ImGui::CalcTextSize(label).x;
    // Labels that would run into the special columns' marks are left out.
    if (x - w / 2 < slot_x(f, slot_of(kColFirstBin)) - f.fs * 0.3f ||
        x + w / 2 > slot_x(f, slot_of(kColOverflow)) + f.fs * 0.3f)
      continue;
    dl->AddText({x - w / 2, y}, kText, label);
  }
  const std::pair<uint32_t, const char*> marks[] = {
      {kColZero, "0"}, {kColUnderflow, "<"}, {kColOverflow, ">"}, {kColNonFinite, "!"}};
  for (const auto& [col, text] : marks) {
    const float x = slot_x(f, slot_of(col) + slot_width(col) / 2) - ImGui::CalcTextSize(text).x / 2;
    dl->AddText({x, y}, kText, text);
  }
}

}  // namespace

void histogram_plot(const char* title, ImVec2 size, const stats::LayerHistogram& h, ImU32 colour) {
  const Frame f = begin_plot(title, size, 3.2f);
  ImDrawList* dl = ImGui::GetWindowDrawList();
  dl->AddRect(f.a, f.b, kGrid);
  uint32_t counts[kHistColumns];
  counts[kColZero] = h.zero;
  counts[kColUnderflow] = h.underflow;
  for (uint32_t k = 0; k < shared::GT_HIST_BINS; ++k)
    counts[kColFirstBin + k] = h.bins[k];
  counts[kColOverflow] = h.overflow;
  counts[kColNonFinite] = h.nonfinite;
  const uint32_t top = *std::max_element(counts, counts + kHistColumns);
  const uint64_t total = h.total();
  char label[48];
  // The y axis: the fraction of the layer's weights in the fullest column.
  std::snprintf(label, sizeof label, "%.3g%%", total ? 100.0 * top / double(total) : 0.0);
  dl->AddText({f.p0.x, f.a.y - f.fs * 0.1f}, kText, label);
  dl->AddText({f.p0.x, f.b.y - f.fs}, kText, "0");
  if (top == 0) return;
  for (uint32_t c = 0; c < kHistColumns; ++c) {
    if (counts[c] == 0) continue;
    const float x0 = slot_x(f, slot_of(c)), x1 = slot_x(f, slot_of(c) + slot_width(c));
    // At least a pixel, so one weight in a bin is seen.
    const float y = std::min(f.b.y - 1, f.b.y - float(counts[c]) / float(top) * (f.b.y - f.a.y));
    const ImU32 fill = c == kColZero                               ? kZero
                       : c == kColNonFinite                        ? kNonFinite
                       : (c == kColUnderflow || c == kColOverflow) ? kOutside
                                                                   : colour;
    dl->AddRectFilled({x0, y}, {std::max(x0 + 1, x1 - 0.5f), f.b.y}, fill);
  }
  bin_axis(f, h.lo, h.hi);
}

void heatmap_plot(const char* title, ImVec2 size, const stats::HistGrid& g) {
  const Frame f = begin_plot(title, size, 3.2f);
  ImDrawList* dl = ImGui::GetWindowDrawList();
  dl->AddRectFilled(f.a, f.b, kEmpty);
  if (g.rows == 0) return;
  const float row_h = (f.b.y - f.a.y) / float(g.rows);
  for (uint32_t r = 0; r < g.rows; ++r) {
    const float y1 = f.b.y - float(r) * row_h, y0 = y1 - row_h;
    for (uint32_t c = 0; c < kHistColumns; ++c) {
      const float v = g.fraction[size_t(r) * kHistColumns + c];
      if (v <= 0) continue;
      const float t = std::clamp((std::log10(v) - kLogFloor) / -kLogFloor, 0.0f, 1.0f);
      const auto rgb = render::to_bytes(render::viridis(t));
      dl->AddRectFilled({slot_x(f, slot_of(c)), y0}, {slot_x(f, slot_of(c) + slot_width(c)), y1},
                        IM_COL32(rgb[0], rgb[1], rgb[2], 255));
    }
  }
  dl->AddRect(f.a, f.b, kGrid);
  // Layers on the y axis: the first and the last, as in the tower (input side at the bottom).
  const std::string bottom = "1", top = std::to_string(g.first.back());
  dl->AddText({f.p0.x, f.b.y - f.fs}, kText, bottom.c_str());
  dl->AddText({f.p0.x, f.a.y}, kText, top.c_str());
  dl->AddText({f.p0.x, (f.a.y + f.b.y) / 2 - f.fs / 2}, kText, "layer");
  bin_axis(f, g.lo, g.hi);
}

uint32_t heatmap_rows(float plot_height) {
  return uint32_t(std::clamp(plot_height / 2.0f, 1.0f, 128.0f));
}

}  // namespace gt::cli
