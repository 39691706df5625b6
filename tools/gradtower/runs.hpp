// The runs of a scene as GPU networks trained in lockstep and drawn side by side (render,
// record). A scene without [[run]] tables is one run with no label.
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

  void train(uint32_t steps) {
    for (gpu::Network* n : nets)
      n->train(steps);
  }
};

// Trains every net `steps` steps in chunks (one GPU submission each), checking for a signal
// between them: io::Interrupted after SIGINT/SIGTERM/SIGHUP (io/interrupt.hpp).
void train_interruptibly(const std::vector<gpu::Network*>& nets, uint32_t steps);

Runs load_runs(vk::Context& ctx, const std::string& scene_file,
               const std::vector<std::string>& overrides, const DeviceFlags& flags);

}  // namespace gt::cli
