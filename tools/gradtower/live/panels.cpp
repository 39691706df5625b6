#include "live/panels.hpp"

#include <imgui.h>

#include <cstdio>
#include <string>
#include <string_view>

#include "live/plots.hpp"

namespace gt::cli {
namespace {

std::string fmt(double v) {
  char b[32];
  std::snprintf(b, sizeof b, "%.9g", v);
  return b;
}

// A combo over an enum's scene-file names; returns the chosen name when it changed.
std::optional<std::string> name_combo(const char* label, std::string_view current,
                                      const std::vector<std::string_view>& names) {
  std::optional<std::string> out;
  const std::string cur(current);
  if (ImGui::BeginCombo(label, cur.c_str())) {
    for (std::string_view n : names) {
      const std::string s(n);
      if (ImGui::Selectable(s.c_str(), n == current) && n != current) out = s;
    }
    ImGui::EndCombo();
  }
  return out;
}

// An integer field that edits `key` when the user presses Enter or leaves the field.
void int_key(LiveSession& session, const char* label, const std::string& key, uint64_t current) {
  int v = int(current);
  ImGui::InputInt(label, &v, 0, 0);
  if (ImGui::IsItemDeactivatedAfterEdit() && v != int(current))
    session.edit(key, std::to_string(v));
}

void double_key(LiveSession& session, const char* label, const std::string& key, double current) {
  double v = current;
  ImGui::InputDouble(label, &v, 0, 0, "%.4g");
  if (ImGui::IsItemDeactivatedAfterEdit() && v != current) session.edit(key, fmt(v));
}

void run_panel(LiveSession& session, LiveView& view, const LiveStatus& status, Requests& req) {
  if (ImGui::Button(session.playing ? "Pause (space)" : "Play (space)")) req.toggle_play = true;
  ImGui::SameLine();
  if (ImGui::Button("Step (s)")) req.step1 = true;
  ImGui::SameLine();
  if (ImGui::Button("Reset (r)")) req.reset = true;
  int n = int(view.step_n);
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 6);
  if (ImGui::InputInt("##n", &n, 0, 0)) view.step_n = uint32_t(std::clamp(n, 1, 100000));
  ImGui::SameLine();
  if (ImGui::Button("Step N")) req.step_n = true;
  // Steps per run: the runs train in lockstep (every tower shows the same step).
  ImGui::Text("%u steps done%s   %.1f steps/s", session.steps_done(),
              session.nets().size() > 1 ? " per run" : "", status.steps_per_s);
  ImGui::Text("frame %.1f ms   %.1f frames/s", status.frame_ms, status.fps);
  bool budget = session.steps_per_frame == 0;
  if (ImGui::Checkbox("train by time", &budget)) session.steps_per_frame = budget ? 0 : 1;
  if (budget) {
    ImGui::SliderFloat("ms/frame", &view.frame_ms, 16.0f, 500.0f, "%.0f",
                       ImGuiSliderFlags_Logarithmic);
  } else {
    int k = int(session.steps_per_frame);
    if (ImGui::InputInt("steps/frame", &k, 1, 10))
      session.steps_per_frame = uint32_t(std::clamp(k, 1, 100000));
  }
  ImGui::Checkbox("vsync", &view.vsync);
  if (ImGui::Button(status.recording ? "Stop recording (v)" : "Record (v)"))
    req.toggle_record = true;
  ImGui::SameLine();
  if (ImGui::Button("Screenshot (p)")) req.screenshot = true;
  if (status.recording)
    ImGui::TextColored({1, 0.3f, 0.3f, 1}, "REC %s", status.record_file.c_str());
  if (!status.message.empty()) ImGui::TextWrapped("%s", status.message.c_str());
}

// The network keys the scene's runs set for themselves: edits of those change no run.
std::string per_run_keys(const LiveSession& session) {
  const net::NetworkSpec& b = session.scene().network;
  std::string out;
  auto note = [&](bool differs, const char* key) {
    if (differs && out.find(key) == std::string::npos)
      out += std::string(out.empty() ? "" : ", ") + key;
  };
  for (const gpu::Network* net : session.nets()) {
    const net::NetworkSpec& n = net->scene().network;
    note(n.depth != b.depth, "depth");
    note(n.width != b.width, "width");
    note(n.activation != b.activation, "activation");
    note(n.output_activation != b.output_activation, "output act.");
    note(n.init != b.init, "init");
    note(n.sigma_w != b.sigma_w, "sigma_w");
    note(n.sigma_b != b.sigma_b, "sigma_b");
    note(n.residual != b.residual || n.residual_every != b.residual_every, "residual");
    note(n.norm != b.norm, "norm");
  }
  return out;
}

void network_panel(LiveSession& session) {
  const net::NetworkSpec& n = session.scene().network;
  if (const std::string keys = per_run_keys(session); !keys.empty())
    ImGui::TextWrapped("set by each run (edits here leave them): %s", keys.c_str());
  // A scene that lists its ops ([[network.op]]) has no depth, width, activation, residual or
  // norm keys to edit: its structure is the list, edited in the file.
  const bool listed = !n.ops.empty();
  if (listed) {
    ImGui::TextWrapped(
        "the scene lists its ops ([[network.op]]): %zu ops, %u weight layers; "
        "edit the file to change them",
        n.ops.size(), n.num_layers());
  } else {
    int_key(session, "depth", "network.depth", n.depth);
    int_key(session, "width", "network.width", n.width);
    if (auto a =
            name_combo("activation", net::to_string(n.activation), net::names_of_activations()))
      session.edit("network.activation", *a);
    if (auto a = name_combo("output act.", net::to_string(n.output_activation),
                            net::names_of_activations()))
      session.edit("network.output_activation", *a);
  }
  if (auto i = name_combo("init", net::to_string(n.init), net::names_of_inits()))
    session.edit("network.init", *i);
  double_key(session, "sigma_w", "network.sigma_w", n.sigma_w);
  double_key(session, "sigma_b", "network.sigma_b", n.sigma_b);
  int_key(session, "seed", "network.seed", n.seed);
  if (listed) return;
  // The fixes: skips and normalization rebuild the networks, like any architecture edit.
  bool residual = n.residual;
  if (ImGui::Checkbox("residual", &residual))
    session.edit("network.residual", residual ? "true" : "false");
  if (n.residual) {
    ImGui::SameLine();
    ImGui::SetNextItemWidth(ImGui::GetFontSize() * 4);
    int_key(session, "every", "network.residual_every", n.residual_every);
  }
  if (auto m = name_combo("norm", net::to_string(n.norm), net::names_of_norms()))
    session.edit("network.norm", *m);
}

void data_panel(LiveSession& session) {
  const net::Scene& s = session.scene();
  if (auto k = name_combo("kind", net::to_string(s.data.kind), net::names_of_data_kinds())) {
    // The data decides the input and output sizes and the loss that fits it.
    std::map<std::string, std::string> keys{{"data.kind", *k}};
    const net::DataKind kind = *net::parse_data_kind(*k);
    if (net::is_classification(kind)) {
      keys["network.input"] = "2";
      const bool two = kind == net::DataKind::xor_ || kind == net::DataKind::circles;
      keys["network.output"] = two ? "2" : std::to_string(std::max(3u, s.network.output));
      keys["train.loss"] = "cross_entropy";
    } else if (kind == net::DataKind::fashion_mnist) {
      keys["network.input"] = "784";  // 28 x 28 pixels, 10 classes
      keys["network.output"] = "10";
      keys["train.loss"] = "cross_entropy";
    } else if (kind == net::DataKind::file) {
      keys.clear();  // a file needs its path and columns: from the scene file, not a menu
    } else {
      keys["train.loss"] = "mse";
    }
    if (!keys.empty()) session.edit(keys);
  }
  int_key(session, "batch", "data.batch", s.data.batch);
  bool fixed = s.data.fixed;
  if (ImGui::Checkbox("same batch every step", &fixed))
    session.edit("data.fixed", fixed ? "true" : "false");
  int_key(session, "data seed", "data.seed", s.data.seed);
}

void optimizer_panel(LiveSession& session) {
  const net::TrainSpec& t = session.scene().train;
  if (auto o = name_combo("optimizer", net::to_string(t.optimizer), net::names_of_optimizers()))
    session.edit("train.optimizer", *o);
  if (auto l = name_combo("loss", net::to_string(t.loss), net::names_of_losses()))
    session.edit("train.loss", *l);
  float lg = float(std::log10(t.lr));
  if (ImGui::SliderFloat("log10 lr", &lg, -6.0f, 1.0f, "%.2f")) session.set_lr(std::pow(10.0, lg));
  ImGui::Text("lr = %.3g", t.lr);
  // Clipping applies at once, without a rebuild (0: off).
  bool norm_on = t.clip_norm > 0, value_on = t.clip_value > 0;
  float norm = float(norm_on ? t.clip_norm : 1.0), value = float(value_on ? t.clip_value : 0.1);
  bool changed = ImGui::Checkbox("clip norm", &norm_on);
  if (norm_on) {
    ImGui::SameLine();
    ImGui::SetNextItemWidth(ImGui::GetFontSize() * 6);
    changed |= ImGui::DragFloat("##clipnorm", &norm, 0.01f, 1e-4f, 1e6f, "%.3g",
                                ImGuiSliderFlags_Logarithmic);
  }
  changed |= ImGui::Checkbox("clip value", &value_on);
  if (value_on) {
    ImGui::SameLine();
    ImGui::SetNextItemWidth(ImGui::GetFontSize() * 6);
    changed |= ImGui::DragFloat("##clipvalue", &value, 0.001f, 1e-6f, 1e6f, "%.3g",
                                ImGuiSliderFlags_Logarithmic);
  }
  if (changed)
    session.set_clip(norm_on ? std::max(norm, 1e-4f) : 0.0,
                     value_on ? std::max(value, 1e-6f) : 0.0);
  if (t.optimizer == net::Optimizer::momentum)
    double_key(session, "momentum", "train.momentum", t.momentum);
}

// The decades the |dW| histograms cover; a change applies from the next step, without a rebuild.
void hist_range(LiveSession& session) {
  const net::TrainSpec& t = session.scene().train;
  int range[2] = {t.hist_lo, t.hist_hi};
  if (ImGui::DragInt2("histogram decades", range, 0.1f, -45, 39)) {
    range[0] = std::clamp(range[0], -45, 38);
    range[1] = std::clamp(range[1], range[0] + 1, 39);
    session.set_hist_range(range[0], range[1]);
  }
}

void view_panel(LiveView& view, Requests& req) {
  const char* metrics[] = {"per-neuron mean |dL/dz|", "per-layer |dW|", "per-layer delta_rms",
                           "per-layer update ratio"};
  const uint32_t ids[] = {render::GT_METRIC_NEURON_DELTA, render::GT_METRIC_GRAD_W_NORM,
                          render::GT_METRIC_DELTA_RMS, render::GT_METRIC_UPDATE_RATIO};
  int m = 0;
  for (int i = 0; i < 4; ++i)
    if (ids[i] == view.tower.metric) m = i;
  if (ImGui::Combo("metric", &m, metrics, 4)) view.tower.metric = ids[m];
  ImGui::Checkbox("automatic colour range", &view.auto_range);
  if (!view.auto_range) {
    ImGui::InputInt("from 1e", &view.fixed_lo);
    ImGui::InputInt("to 1e", &view.fixed_hi);
    view.fixed_lo = std::clamp(view.fixed_lo, -45, 38);
    view.fixed_hi = std::clamp(view.fixed_hi, view.fixed_lo + 1, 39);
  }
  const char* layer_plots[] = {"|dW|",           "update ratio",       "activation mean",
                               "activation std", "saturated fraction", "|dW| histograms (heatmap)"};
  int lp = int(view.layer_plot);
  if (ImGui::Combo("per-layer plot", &lp, layer_plots, 6)) view.layer_plot = LayerPlot(lp);
  const char* selected_plots[] = {"history", "|dW| histogram"};
  int sp = int(view.selected_plot);
  if (ImGui::Combo("selected-layer plot", &sp, selected_plots, 2))
    view.selected_plot = SelectedPlot(sp);
  ImGui::SliderFloat("slab fill", &view.tower.slab_fill, 0.2f, 1.0f, "%.2f");
  ImGui::SliderFloat("yaw", &view.tower.pose.yaw, -180.0f, 180.0f, "%.0f");
  ImGui::SliderFloat("pitch", &view.tower.pose.pitch, -80.0f, 80.0f, "%.0f");
  ImGui::SliderFloat("zoom", &view.tower.pose.zoom, 0.3f, 20.0f, "%.2f",
                     ImGuiSliderFlags_Logarithmic);
  if (ImGui::Button("Frame the tower (f)")) req.frame_tower = true;
}

}  // namespace

void draw_panels(float x, float y, float w, float h, LiveSession& session, LiveView& view,
                 const std::vector<RunData>& runs, const LiveStatus& status, Requests& req) {
  ImGui::SetNextWindowPos({x, y}, ImGuiCond_Always);
  ImGui::SetNextWindowSize({w, h}, ImGuiCond_Always);
  ImGui::Begin("gradtower", nullptr,
               ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoResize | ImGuiWindowFlags_NoCollapse);
  ImGui::PushItemWidth(w * 0.45f);
  if (!session.error().empty())
    ImGui::TextColored({1, 0.4f, 0.4f, 1}, "%s", session.error().c_str());
  if (ImGui::CollapsingHeader("Run", ImGuiTreeNodeFlags_DefaultOpen))
    run_panel(session, view, status, req);
  if (ImGui::CollapsingHeader("Network", ImGuiTreeNodeFlags_DefaultOpen)) network_panel(session);
  if (ImGui::CollapsingHeader("Data", ImGuiTreeNodeFlags_DefaultOpen)) data_panel(session);
  if (ImGui::CollapsingHeader("Optimizer", ImGuiTreeNodeFlags_DefaultOpen))
    optimizer_panel(session);
  if (ImGui::CollapsingHeader("View", ImGuiTreeNodeFlags_DefaultOpen)) {
    view_panel(view, req);
    hist_range(session);
  }
  if (ImGui::CollapsingHeader("Selected layer", ImGuiTreeNodeFlags_DefaultOpen))
    layer_figures(runs, view.selected, "click a slab of the tower");
  ImGui::PopItemWidth();
  ImGui::End();
}

}  // namespace gt::cli
