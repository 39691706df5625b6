// The runs of a scene as GPU networks trained in lockstep and drawn side by side (render,
// record, live). A scene without [[run]] tables is one run with no label. Lockstep: between
// calls every run has completed the same number of steps, so one step count (steps per run)
// holds for every tower.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "cli.hpp"
#include "gpu/network.hpp"
#include "net/spec.hpp"

namespace gt::cli {

struct Runs {
  net::Scene base;  // the scene's own title, steps, data
  std::vector<std::unique_ptr<gpu::Network>> owned;
  std::vector<gpu::Network*> nets;
  std::vector<std::string> labels;  // empty strings for a single run

  // `steps` whole steps each (after sync()).
  void train(uint32_t steps);
  // Training in pieces for about `budget_ms` of wall-clock time, at least one piece of each run
  // (the live window): every run's pieces up to the last of the step, then the last pieces of
  // all of them together, so no run publishes a step before the others do. Returns the steps
  // completed (by each run).
  uint32_t train_for(double budget_ms);
  // Completes the steps begun in pieces: every run's, the same step (before whole steps, or a
  // change of training settings, which completes a run's step by itself).
  void sync();
  // Steps completed by each run.
  uint32_t steps_done() const { return nets.empty() ? 0 : nets.front()->steps_done(); }
};

// Trains every net `steps` steps in chunks (one GPU submission each), checking for a signal
// between them: io::Interrupted after SIGINT/SIGTERM/SIGHUP (io/interrupt.hpp).
void train_interruptibly(const std::vector<gpu::Network*>& nets, uint32_t steps);

Runs load_runs(vk::Context& ctx, const std::string& scene_file,
               const std::vector<std::string>& overrides, const DeviceFlags& flags);

}  // namespace gt::cli
