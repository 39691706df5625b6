#include "live/readout.hpp"

#include "render/tower.hpp"
#include "theory/meanfield.hpp"

namespace gt::cli {

namespace {
constexpr size_t kMaxLossPoints = 20000;  // then every other point is dropped
}

void read_runs(LiveSession& session, LiveView& view, std::vector<RunData>& runs, bool rebuilt) {
  const std::vector<gpu::Network*>& nets = session.nets();
  if (rebuilt || runs.size() != nets.size()) {
    runs.assign(nets.size(), RunData{});
    for (size_t i = 0; i < nets.size(); ++i)
      if (!theory::not_covered(nets[i]->scene().network))  // else no grey line
        runs[i].theory = theory::mean_field(nets[i]->scene().network).log10_grad_ratio;
  }
  for (size_t i = 0; i < nets.size(); ++i) {
    RunData& r = runs[i];
    r.label = session.labels()[i];
    if (nets[i]->steps_done() == 0) continue;
    r.latest = nets[i]->latest_stats();
    for (const auto& [step, loss] : nets[i]->recent_losses()) {
      if (!r.loss_steps.empty() && step <= r.loss_steps.back()) continue;
      r.loss_steps.push_back(step);
      r.losses.push_back(loss);
    }
    // The held-out set once the network has passed another multiple of eval.every.
    const uint32_t every = nets[i]->scene().eval.every, done = nets[i]->steps_done();
    const uint32_t last = r.eval_steps.empty() ? 0 : r.eval_steps.back() + 1;
    // Not in the middle of a step: finishing one run's step here would put it a step ahead of
    // the others (runs train in lockstep); a later frame evaluates instead.
    if (nets[i]->has_eval() && every > 0 && done / every > last / every && !nets[i]->mid_step()) {
      r.eval = nets[i]->evaluate();
      r.eval_steps.push_back(nets[i]->steps_done() - 1);  // evaluate() ends a step begun
      r.eval_losses.push_back(float(r.eval.loss));
    }
    if (r.losses.size() > kMaxLossPoints) {
      size_t k = 0;
      for (size_t j = 0; j < r.losses.size(); j += 2, ++k) {
        r.loss_steps[k] = r.loss_steps[j];
        r.losses[k] = r.losses[j];
      }
      r.loss_steps.resize(k);
      r.losses.resize(k);
    }
    const bool selected = view.selected && view.selected->tower == i;
    if (selected)
      r.history = nets[i]->history();
    else
      r.history.clear();
    if (i == histogram_run(view) && (view.layer_plot == LayerPlot::histograms ||
                                     (selected && view.selected_plot == SelectedPlot::histogram)))
      r.histograms = nets[i]->histograms();
    else
      r.histograms.clear();
  }
  view.hover_neuron.reset();
  if (view.hover && view.hover->tower < nets.size() && nets[view.hover->tower]->steps_done() > 0) {
    gpu::Network& n = *nets[view.hover->tower];
    const shared::LayerDesc& d = n.plan().layers[view.hover->layer];
    const std::vector<float> v = n.neuron_stats();
    view.hover_neuron = v[d.neuron_off + view.hover->neuron];
  }
}

size_t histogram_run(const LiveView& view) {
  return view.selected ? view.selected->tower : 0;
}

TowerSlabs tower_slabs(const LiveSession& session) {
  TowerSlabs out;
  for (const gpu::Network* n : session.nets()) {
    std::vector<uint32_t> dims, layers;
    for (const render::Slab& s : render::tower_slabs(n->plan())) {
      dims.push_back(n->plan().layers[s.layer].out_dim);
      layers.push_back(s.layer);
    }
    out.dims.push_back(std::move(dims));
    out.layer.push_back(std::move(layers));
  }
  return out;
}

}  // namespace gt::cli
