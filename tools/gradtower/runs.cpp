#include "runs.hpp"

#include <algorithm>
#include <chrono>

#include "io/interrupt.hpp"
#include "scene/scene.hpp"

namespace gt::cli {

Runs load_runs(vk::Context& ctx, const std::string& scene_file,
               const std::vector<std::string>& overrides, const DeviceFlags& flags) {
  Runs runs;
  runs.base = scene::load(scene_file, overrides);
  const std::vector<net::Scene> scenes = scene::load_runs(scene_file, overrides);
  gpu::NetworkOptions options;
  options.kernels = gpu::parse_kernels(flags.kernels);
  for (const net::Scene& s : scenes) {
    runs.owned.push_back(std::make_unique<gpu::Network>(ctx, s, options));
    runs.nets.push_back(runs.owned.back().get());
    runs.labels.push_back(scenes.size() > 1 ? s.title : std::string());
  }
  return runs;
}

void train_interruptibly(const std::vector<gpu::Network*>& nets, uint32_t steps) {
  constexpr uint32_t kChunk = 64;  // one submission of gpu::Network::train
  for (uint32_t done = 0; done < steps;) {
    io::throw_if_interrupted();
    const uint32_t n = std::min(kChunk, steps - done);
    for (gpu::Network* net : nets)
      net->train(n);
    done += n;
  }
}

void Runs::train(uint32_t steps) {
  sync();
  for (gpu::Network* n : nets)
    n->train(steps);
}

uint32_t Runs::train_for(double budget_ms) {
  if (nets.empty()) return 0;
  using Clock = std::chrono::steady_clock;
  const auto t0 = Clock::now();
  auto ms_since = [](Clock::time_point t) {
    return std::chrono::duration<double, std::milli>(Clock::now() - t).count();
  };
  double last_piece = 0;                      // pieces are of similar length: the last predicts
  std::vector<bool> ran(nets.size(), false);  // the run had a piece in this call
  auto fits = [&](size_t pieces) {
    return ms_since(t0) + last_piece * double(pieces) <= budget_ms;
  };
  auto piece = [&](size_t i) {
    const auto p0 = Clock::now();
    nets[i]->train_piece();
    last_piece = ms_since(p0);
    ran[i] = true;
  };
  for (uint32_t completed = 0;; ++completed) {
    // Every run up to the last piece of the step: a piece when it should end within the budget,
    // and at least one per run and call, so every run moves on however small the budget.
    bool behind = false;
    for (size_t i = 0; i < nets.size(); ++i)
      while (!nets[i]->at_last_piece()) {
        if (ran[i] && !fits(1)) {
          behind = true;
          break;
        }
        piece(i);
      }
    if (behind) return completed;
    // Then the last pieces together (when no run has had a piece yet, at least those).
    if (std::any_of(ran.begin(), ran.end(), [](bool r) { return r; }) && !fits(nets.size()))
      return completed;
    for (size_t i = 0; i < nets.size(); ++i)
      piece(i);
  }
}

void Runs::sync() {
  for (gpu::Network* n : nets)
    n->finish_step();
  uint32_t most = 0;
  for (const gpu::Network* n : nets)
    most = std::max(most, n->steps_done());
  for (gpu::Network* n : nets)
    if (n->steps_done() < most) n->train(most - n->steps_done());
}

}  // namespace gt::cli
