// What the live window reads back from the GPU each frame: per run, the latest step's per-layer
// figures, the loss history (grown from the ring of recent steps), the selected layer's recent
// history and the hovered neuron's value. Small reads; the towers themselves never pass through
// the host.
#pragma once

#include <vector>

#include "live/session.hpp"
#include "live/view_state.hpp"

namespace gt::cli {

// `runs` persists between frames; `rebuilt`: the networks are new, so the histories restart.
void read_runs(LiveSession& session, LiveView& view, std::vector<RunData>& runs, bool rebuilt);

// The run whose histograms the heatmap shows: the selected layer's, else the first.
size_t histogram_run(const LiveView& view);

// The neurons of every layer of every run, for picking.
// Per tower, its slabs (render::tower_slabs): the units of each (for picking) and the weight
// layer each stands for (a recurrent layer's time steps all stand for it).
struct TowerSlabs {
  std::vector<std::vector<uint32_t>> dims;
  std::vector<std::vector<uint32_t>> layer;
};
TowerSlabs tower_slabs(const LiveSession& session);

}  // namespace gt::cli
