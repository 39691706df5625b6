#include "live/plots.hpp"

#include <imgui.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>

#include "live/hist_plots.hpp"
#include "live/readout.hpp"

namespace gt::cli {
namespace {

const ImU32 kRunColours[] = {IM_COL32(90, 200, 250, 255), IM_COL32(250, 170, 60, 255),
                             IM_COL32(140, 230, 120, 255), IM_COL32(230, 110, 200, 255)};
const ImU32 kGrid = IM_COL32(70, 70, 80, 255);
const ImU32 kText = IM_COL32(200, 200, 210, 255);
const ImU32 kNonFinite = IM_COL32(255, 60, 60, 255);
const ImU32 kZero = IM_COL32(150, 150, 150, 255);
const ImU32 kTheory = IM_COL32(170, 170, 170, 150);

struct Series {
  ImU32 colour;
  std::vector<float> x, y;
};

// A line plot in the next `size` of the window. log_y: decades on the y axis; exact zeros are
// marked in grey along the bottom edge and non-finite values in red along the top edge. `mark_x`: a
// vertical marker.
void plot(const char* title, ImVec2 size, const std::vector<Series>& series, bool log_y,
          std::optional<float> mark_x = std::nullopt) {
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const ImVec2 p0 = ImGui::GetCursorScreenPos();
  ImGui::Dummy(size);
  const float fs = ImGui::GetFontSize();
  const ImVec2 a{p0.x + fs * 3.2f, p0.y + fs * 1.3f},
      b{p0.x + size.x - fs * 0.5f, p0.y + size.y - fs * 1.3f};
  dl->AddText({p0.x, p0.y}, kText, title);
  dl->AddRect(a, b, kGrid);
  float x0 = INFINITY, x1 = -INFINITY, y0 = INFINITY, y1 = -INFINITY;
  auto ty = [&](float v) { return log_y ? std::log10(std::abs(v)) : v; };
  for (const Series& s : series)
    for (size_t i = 0; i < s.x.size(); ++i) {
      x0 = std::min(x0, s.x[i]);
      x1 = std::max(x1, s.x[i]);
      if (!std::isfinite(s.y[i]) || (log_y && s.y[i] == 0)) continue;
      y0 = std::min(y0, ty(s.y[i]));
      y1 = std::max(y1, ty(s.y[i]));
    }
  if (!(x0 <= x1)) return;
  if (!(y0 <= y1)) y0 = y1 = 0;
  if (log_y) {
    y0 = std::floor(y0);
    y1 = std::max(std::ceil(y1), y0 + 1);
  } else if (y1 - y0 < 1e-12f) {
    y1 = y0 + 1;
  }
  if (x1 == x0) x1 = x0 + 1;
  auto px = [&](float x) { return a.x + (x - x0) / (x1 - x0) * (b.x - a.x); };
  auto py = [&](float y) { return b.y - (y - y0) / (y1 - y0) * (b.y - a.y); };
  char label[32];
  // Axis labels: decades (at most ~6 of them) or the two ends.
  const int ticks = log_y ? int(y1 - y0) : 1;
  const int every = std::max(1, ticks / 5);
  for (int t = 0; t <= ticks; t += every) {
    const float y = log_y ? y0 + float(t) : (t == 0 ? y0 : y1);
    if (log_y)
      std::snprintf(label, sizeof label, "1e%d", int(y));
    else
      std::snprintf(label, sizeof label, "%.5g", y);
    dl->AddLine({a.x, py(y)}, {b.x, py(y)}, kGrid);
    dl->AddText({p0.x, py(y) - fs * 0.5f}, kText, label);
  }
  std::snprintf(label, sizeof label, "%.0f", x0);
  dl->AddText({a.x, b.y + fs * 0.1f}, kText, label);
  std::snprintf(label, sizeof label, "%.0f", x1);
  dl->AddText({b.x - ImGui::CalcTextSize(label).x, b.y + fs * 0.1f}, kText, label);
  if (mark_x) dl->AddLine({px(*mark_x), a.y}, {px(*mark_x), b.y}, IM_COL32(255, 255, 255, 160));
  dl->PushClipRect(a, b, true);
  for (const Series& s : series) {
    std::vector<ImVec2> pts;
    auto flush = [&] {
      if (pts.size() > 1) dl->AddPolyline(pts.data(), int(pts.size()), s.colour, 0, 1.5f);
      if (pts.size() == 1) dl->AddCircleFilled(pts[0], 2.0f, s.colour);
      pts.clear();
    };
    for (size_t i = 0; i < s.x.size(); ++i) {
      if (!std::isfinite(s.y[i])) {
        flush();
        dl->AddTriangleFilled({px(s.x[i]), a.y}, {px(s.x[i]) - 4, a.y + 7},
                              {px(s.x[i]) + 4, a.y + 7}, kNonFinite);
        continue;
      }
      if (log_y && s.y[i] == 0) {  // exact zeros (underflow): grey marks along the bottom
        flush();
        dl->AddTriangleFilled({px(s.x[i]), b.y}, {px(s.x[i]) - 4, b.y - 7},
                              {px(s.x[i]) + 4, b.y - 7}, kZero);
        continue;
      }
      pts.push_back({px(s.x[i]), py(ty(s.y[i]))});
    }
    flush();
  }
  dl->PopClipRect();
}

float layer_value(const shared::LayerStats& s, LayerPlot p) {
  switch (p) {
    case LayerPlot::update_ratio:
      return s.update_ratio;
    case LayerPlot::act_mean:
      return s.act_mean;
    case LayerPlot::act_std:
      return s.act_std;
    case LayerPlot::saturated:
      return s.saturated;
    default:
      return s.grad_w_norm;
  }
}

const char* layer_plot_title(LayerPlot p) {
  switch (p) {
    case LayerPlot::update_ratio:
      return "update ratio |dW_step| / |W| per layer";
    case LayerPlot::act_mean:
      return "activation mean per layer";
    case LayerPlot::act_std:
      return "activation std per layer";
    case LayerPlot::saturated:
      return "saturated fraction per layer";
    default:
      return "|dW| per layer; grey: mean-field theory";
  }
}

// Figures that span decades get a log axis; a mean (any sign) and a fraction a linear one.
bool layer_plot_log(LayerPlot p) {
  return p != LayerPlot::act_mean && p != LayerPlot::saturated;
}

}  // namespace

void draw_plots(float x, float y, float w, float h, const std::vector<RunData>& runs,
                const LiveView& view) {
  ImGui::SetNextWindowPos({x, y}, ImGuiCond_Always);
  ImGui::SetNextWindowSize({w, h}, ImGuiCond_Always);
  ImGui::Begin("plots", nullptr,
               ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoResize | ImGuiWindowFlags_NoCollapse |
                   ImGuiWindowFlags_NoTitleBar | ImGuiWindowFlags_NoScrollbar);
  const ImVec2 avail = ImGui::GetContentRegionAvail();
  const ImVec2 size{(avail.x - 2 * ImGui::GetStyle().ItemSpacing.x) / 3, avail.y};
  std::vector<Series> loss, flow, hist;
  for (size_t r = 0; r < runs.size(); ++r) {
    const ImU32 c = kRunColours[r % 4];
    Series s{c, {}, {}};
    for (size_t i = 0; i < runs[r].losses.size(); ++i) {
      s.x.push_back(float(runs[r].loss_steps[i]));
      s.y.push_back(runs[r].losses[i]);
    }
    loss.push_back(std::move(s));
    if (!runs[r].eval_losses.empty()) {
      // The held-out loss: the run's colour three quarters of the way to white, so that it
      // stands out over the training loss's noise.
      const auto pale = [](ImU32 v, int shift) {
        const ImU32 ch = (v >> shift) & 0xFFu;
        return ((ch + 3 * 255u) / 4u) << shift;
      };
      Series e{pale(c, IM_COL32_R_SHIFT) | pale(c, IM_COL32_G_SHIFT) | pale(c, IM_COL32_B_SHIFT) |
                   (0xFFu << IM_COL32_A_SHIFT),
               {},
               {}};
      for (size_t i = 0; i < runs[r].eval_losses.size(); ++i) {
        e.x.push_back(float(runs[r].eval_steps[i]));
        e.y.push_back(runs[r].eval_losses[i]);
      }
      loss.push_back(std::move(e));
    }
    Series f{c, {}, {}};
    for (size_t l = 0; l < runs[r].latest.layers.size(); ++l) {
      f.x.push_back(float(l + 1));
      f.y.push_back(layer_value(runs[r].latest.layers[l], view.layer_plot));
    }
    flow.push_back(std::move(f));
    // The mean-field prediction, anchored at the output layer's measured |dW|: its slope is the
    // theory's, its height the measurement's.
    const auto& layers = runs[r].latest.layers;
    if (view.layer_plot == LayerPlot::grad_w_norm && !runs[r].theory.empty() &&
        runs[r].theory.size() == layers.size() && !layers.empty() &&
        std::isfinite(layers.back().grad_w_norm) && layers.back().grad_w_norm > 0) {
      Series t{kTheory, {}, {}};
      for (size_t l = 0; l < layers.size(); ++l) {
        t.x.push_back(float(l + 1));
        t.y.push_back(float(double(layers.back().grad_w_norm) * std::pow(10.0, runs[r].theory[l])));
      }
      flow.push_back(std::move(t));
    }
  }
  std::optional<float> mark;
  std::string hist_title = "selected layer (click a slab)";
  if (view.selected && view.selected->tower < runs.size()) {
    const RunData& run = runs[view.selected->tower];
    const uint32_t l = view.selected->layer;
    mark = float(l + 1);
    Series g{kRunColours[view.selected->tower % 4], {}, {}},
        u{IM_COL32(230, 230, 230, 255), {}, {}};
    for (const gpu::StepStats& st : run.history) {
      if (l >= st.layers.size()) continue;
      g.x.push_back(float(st.step));
      g.y.push_back(st.layers[l].grad_w_norm);
      u.x.push_back(float(st.step));
      u.y.push_back(st.layers[l].update_ratio);
    }
    hist.push_back(std::move(g));
    hist.push_back(std::move(u));
    hist_title = "layer " + std::to_string(l + 1) + ": |dW|, update ratio (white)";
  }
  const bool held_out = std::any_of(runs.begin(), runs.end(),
                                    [](const RunData& r) { return !r.eval_losses.empty(); });
  plot(held_out ? "loss over steps (pale: held-out set)" : "loss over steps", size, loss, false);
  ImGui::SameLine();
  const size_t hr = histogram_run(view);
  if (view.layer_plot == LayerPlot::histograms) {
    const std::string title =
        "|dW| histogram per layer" + (runs.size() > 1 && hr < runs.size() && !runs[hr].label.empty()
                                          ? ": " + runs[hr].label
                                          : std::string());
    stats::HistGrid grid;
    if (hr < runs.size())
      grid =
          stats::hist_grid(runs[hr].histograms, heatmap_rows(size.y - 2.6f * ImGui::GetFontSize()));
    heatmap_plot(title.c_str(), size, grid);
  } else {
    plot(layer_plot_title(view.layer_plot), size, flow, layer_plot_log(view.layer_plot), mark);
  }
  ImGui::SameLine();
  if (view.selected_plot == SelectedPlot::histogram && view.selected &&
      view.selected->tower < runs.size() && !runs[view.selected->tower].histograms.empty()) {
    const RunData& run = runs[view.selected->tower];
    const stats::LayerHistogram lh = stats::layer_histogram(run.histograms, view.selected->layer);
    const std::string title = "layer " + std::to_string(view.selected->layer + 1) +
                              ": |dW| histogram, step " + std::to_string(lh.step);
    histogram_plot(title.c_str(), size, lh, kRunColours[view.selected->tower % 4]);
  } else {
    plot(hist_title.c_str(), size, hist, true);
  }
  ImGui::End();
}

void layer_figures(const std::vector<RunData>& runs, const std::optional<render::Pick>& pick,
                   const char* empty) {
  if (!pick || pick->tower >= runs.size() ||
      pick->layer >= runs[pick->tower].latest.layers.size()) {
    ImGui::TextUnformatted(empty);
    return;
  }
  const RunData& run = runs[pick->tower];
  const shared::LayerStats& s = run.latest.layers[pick->layer];
  if (!run.label.empty()) ImGui::Text("%s", run.label.c_str());
  ImGui::Text("layer %u of %zu, step %u", pick->layer + 1, run.latest.layers.size(),
              run.latest.step);
  ImGui::Text("|dW|        %.4e", double(s.grad_w_norm));
  ImGui::Text("mean |dW|   %.4e", double(s.grad_w_mean_abs));
  ImGui::Text("max |dW|    %.4e", double(s.grad_w_max_abs));
  ImGui::Text("|db|        %.4e", double(s.grad_b_norm));
  ImGui::Text("delta_rms   %.4e", double(s.delta_rms));
  ImGui::Text("|W|         %.4e", double(s.weight_norm));
  ImGui::Text("update      %.4e of |W|", double(s.update_ratio));
  ImGui::Text("non-finite  %u", s.nonfinite);
  ImGui::Text("act mean    %.4g", double(s.act_mean));
  ImGui::Text("act std     %.4g", double(s.act_std));
  ImGui::Text("saturated   %.1f%%", 100.0 * double(s.saturated));
}

}  // namespace gt::cli
