// What the live window shows and how, and what the user asked of it this frame: shared by the
// panels, the plots, the input handling and the frame loop.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "gpu/network.hpp"
#include "render/picking.hpp"
#include "render/tower.hpp"

namespace gt::cli {

// What the middle plot draws against layer index: one of the per-layer figures, or every
// layer's |dW| histogram as a layer x bin heatmap.
enum class LayerPlot : int { grad_w_norm, update_ratio, act_mean, act_std, saturated, histograms };
// What the right plot shows of the selected layer: its recent history, or its |dW| histogram.
enum class SelectedPlot : int { history, histogram };

struct LiveView {
  render::TowerSettings tower;  // metric, colour range, camera pose, slab spacing
  bool auto_range = true;
  int fixed_lo = -8, fixed_hi = 0;  // powers of ten, when not automatic
  bool vsync = true;
  // The layer whose figures and history are shown (click a slab), and the slab under the mouse.
  std::optional<render::Pick> selected;
  std::optional<render::Pick> hover;
  std::optional<float> hover_neuron;  // the hovered neuron's mean |dL/dz|
  LayerPlot layer_plot = LayerPlot::grad_w_norm;
  SelectedPlot selected_plot = SelectedPlot::history;
  uint32_t step_n = 10;  // "step N"
  // The frame time aimed at while training by time: training gets what drawing leaves.
  float frame_ms = 50;
};

// The figures of one run, read back once per frame for the panels, plots and overlay.
struct RunData {
  std::string label;
  gpu::StepStats latest;
  std::vector<uint32_t> loss_steps;
  std::vector<float> losses;  // every step seen, from the ring of recent steps
  // [eval]: the held-out loss after steps eval_steps[i] + 1 (gpu::Network::evaluate), measured
  // once a frame has seen eval.every more steps.
  std::vector<uint32_t> eval_steps;
  std::vector<float> eval_losses;
  gpu::EvalResult eval;                 // the latest
  std::vector<gpu::StepStats> history;  // the ring, for the selected layer's plot
  // |dW| histograms of the latest step (gpu::Network::histograms()), read only while a
  // histogram view shows this run.
  std::vector<uint32_t> histograms;
  // Mean-field prediction of log10(|dW_l| / |dW_N|) at initialisation (engine/theory).
  std::vector<double> theory;
};

struct LiveStatus {
  double frame_ms = 0, fps = 0, steps_per_s = 0;
  bool recording = false;
  std::string record_file;
  std::string message;  // the latest screenshot or recording written, or a failure
};

// Asked for this frame by a button or a key.
struct Requests {
  bool reset = false, step1 = false, step_n = false;
  bool screenshot = false, toggle_record = false, frame_tower = false, toggle_play = false;
};

}  // namespace gt::cli
