#include "runs.hpp"

#include <algorithm>

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

}  // namespace gt::cli
