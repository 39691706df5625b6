// The experiment a live window runs: the scene file, the edits made in the panels (kept as
// section.key=value overrides after the command line's, so they pass the scene loader's checks
// and its file:line:key errors), the networks built from them, and the training clock.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "../runs.hpp"

namespace gt::cli {

class LiveSession {
 public:
  // Throws what the scene loader or the network plan throws (the window is not open yet).
  LiveSession(vk::Context& ctx, std::string scene_file, std::vector<std::string> overrides,
              DeviceFlags flags);

  const net::Scene& scene() const { return runs_.base; }
  const std::vector<gpu::Network*>& nets() const { return runs_.nets; }
  const std::vector<std::string>& labels() const { return runs_.labels; }
  // The last edit or rebuild that failed, with the loader's message; empty when none.
  const std::string& error() const { return error_; }
  // Counts the builds of the networks: a change says the histories must restart.
  uint64_t generation() const { return generation_; }

  // Sets `key` ("network.depth") to `value` as a scene file would, then rebuilds. On an error the
  // edit is dropped, the networks stay as they were and error() says why. Several keys at once
  // are checked together (changing the data kind may change the input size and the loss).
  bool edit(const std::map<std::string, std::string>& keys);
  bool edit(const std::string& key, const std::string& value) { return edit({{key, value}}); }
  // Fresh networks from the current scene (a new initialisation; the step counter restarts).
  bool rebuild();
  // The learning rate and clipping without a rebuild (training goes on).
  void set_lr(double lr);
  void set_clip(double clip_norm, double clip_value);
  // The |dW| histograms' decade range [lo, hi), lo < hi, from the next step on.
  void set_hist_range(int32_t lo, int32_t hi);

  // Training. Each frame, while playing: `steps_per_frame` whole steps, or, when it is 0, pieces
  // of steps for about `budget_ms` (shared by the runs), so deep networks keep the window
  // responsive however long one step takes. The runs train in lockstep (Runs): every count of
  // steps here is steps per run, the same for each.
  bool playing = true;
  uint32_t steps_per_frame = 0;
  // Returns the steps completed (by each run).
  uint32_t train_frame(double budget_ms);
  void step(uint32_t n);  // n whole steps now, paused or not
  uint32_t steps_done() const;
  // Steps completed by each run, run by run (all equal: the check of the lockstep).
  std::vector<uint32_t> steps_done_per_run() const;

 private:
  // Training settings that apply without a rebuild: `keys` join the edits, `change` applies to
  // the base scene and to every network's.
  void change_train(const std::map<std::string, std::string>& keys,
                    const std::function<void(net::TrainSpec&)>& change);
  std::vector<std::string> all_overrides(const std::map<std::string, std::string>& edits) const;

  vk::Context& ctx_;
  std::string file_;
  std::vector<std::string> cli_overrides_;
  DeviceFlags flags_;
  std::map<std::string, std::string> edits_;
  Runs runs_;
  std::string error_;
  uint64_t generation_ = 0;
};

}  // namespace gt::cli
