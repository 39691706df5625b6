// gradtower render/record --walkthrough: the worked-example walkthrough of a small network's
// training step (engine/teach) drawn offscreen (render/walk_renderer) as one PNG, or as a video
// with each step held for a while, through the same recorder as the tower's videos.
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <stdexcept>

#include "cli.hpp"
#include "gpu/network.hpp"
#include "io/interrupt.hpp"
#include "io/output_file.hpp"
#include "record_sink.hpp"
#include "render/png.hpp"
#include "render/walk_renderer.hpp"
#include "runs.hpp"
#include "scene/scene.hpp"
#include "teach/walk_session.hpp"

namespace gt::cli {
namespace {

// The scene, checked against the walkthrough's limits and the sample asked for, before any
// GPU work or output file.
net::Scene walk_scene(const std::string& file, const std::vector<std::string>& overrides,
                      uint32_t sample) {
  net::Scene scene = scene::load(file, overrides);
  teach::check_walkable(scene);
  if (sample == 0 || sample > scene.data.batch)
    throw std::runtime_error("--walk-sample " + std::to_string(sample) + ": the batch has " +
                             std::to_string(scene.data.batch) + " sample(s)");
  return scene;
}

std::unique_ptr<gpu::Network> walk_network(vk::Context& ctx, const net::Scene& scene,
                                           const DeviceFlags& flags) {
  gpu::NetworkOptions options;
  options.kernels = gpu::parse_kernels(flags.kernels);
  return std::make_unique<gpu::Network>(ctx, scene, options);
}

}  // namespace

int run_render_walkthrough(const RenderArgs& a) {
  const net::Scene scene = walk_scene(a.scene, a.overrides, a.walk_sample);
  io::poll_interrupts();
  io::OutputFile out(a.out, "--out " + a.out);  // opened now: a bad place fails before work
  auto ctx = make_context(a.device);
  auto net = walk_network(*ctx, scene, a.device);
  // The walkthrough shows the step after these.
  if (a.steps && *a.steps > 0) train_interruptibly({net.get()}, *a.steps);
  teach::WalkSession walk(*net, a.walk_sample - 1);
  const uint32_t k = a.walk_step.value_or(1);
  if (k > walk.count())
    throw std::runtime_error(
        "--walk-step " + std::to_string(k) + ": the walkthrough of this network has " +
        std::to_string(walk.count()) + " steps (1.." + std::to_string(walk.count()) + ")");
  walk.go_to(k - 1);
  render::WalkFrameRenderer renderer(*ctx, a.width, a.height);
  const std::vector<uint8_t> pixels = renderer.render({&walk.walk(), walk.index(), scene.title});
  io::throw_if_interrupted();
  render::write_png(out, a.width, a.height, pixels);
  std::fprintf(stderr, "gradtower: %s: walkthrough step %u of %zu: %s\n", a.out.c_str(), k,
               walk.count(), walk.step().title.c_str());
  return validation_exit_code(*ctx);
}

int run_record_walkthrough(const RecordArgs& a) {
  const net::Scene scene = walk_scene(a.scene, a.overrides, a.walk_sample);
  if (a.frames || a.seconds)
    throw std::runtime_error(
        "--frames/--seconds: with --walkthrough the length is the steps times --walk-hold, "
        "over --walk-steps training steps");
  check_record_outputs(a);
  const uint32_t hold = std::max(1u, uint32_t(std::lround(a.walk_hold * a.fps)));
  RecordSink sink(a);  // ffmpeg started, the video's temporary file made

  auto ctx = make_context(a.device);
  auto net = walk_network(*ctx, scene, a.device);
  teach::WalkSession walk(*net, a.walk_sample - 1);
  render::WalkFrameRenderer renderer(*ctx, a.width, a.height);
  for (uint32_t t = 0; t < a.walk_steps; ++t) {
    for (size_t k = 0; k < walk.count(); ++k) {
      walk.go_to(k);
      // One frame drawn, held: every frame of a step is the same image.
      const std::vector<uint8_t> pixels =
          renderer.render({&walk.walk(), walk.index(), scene.title});
      for (uint32_t h = 0; h < hold; ++h)
        sink.add(pixels);
    }
    if (t + 1 < a.walk_steps) walk.next();  // past the update: the next training step
  }
  sink.finish();
  std::fprintf(stderr,
               "gradtower: %s: walkthrough of %u training step(s), %zu steps each, %u "
               "frames\n",
               sink.name().c_str(), a.walk_steps, walk.count(), sink.frames());
  return validation_exit_code(*ctx);
}

}  // namespace gt::cli
