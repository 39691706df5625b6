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
#include "render/png.hpp"
#include "render/video.hpp"
#include "render/walk_renderer.hpp"
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
  check_output_path("--out", a.out);
  auto ctx = make_context(a.device);
  auto net = walk_network(*ctx, scene, a.device);
  if (a.steps && *a.steps > 0) net->train(*a.steps);  // the walkthrough shows the step after
  teach::WalkSession walk(*net, a.walk_sample - 1);
  const uint32_t k = a.walk_step.value_or(1);
  if (k > walk.count())
    throw std::runtime_error(
        "--walk-step " + std::to_string(k) + ": the walkthrough of this network has " +
        std::to_string(walk.count()) + " steps (1.." + std::to_string(walk.count()) + ")");
  walk.go_to(k - 1);
  render::WalkFrameRenderer renderer(*ctx, a.width, a.height);
  const std::vector<uint8_t> pixels = renderer.render({&walk.walk(), walk.index(), scene.title});
  render::write_png(a.out, a.width, a.height, pixels);
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
  std::unique_ptr<render::VideoWriter> video;
  if (!a.out.empty())
    video = std::make_unique<render::VideoWriter>(a.out, a.width, a.height, a.fps);
  if (!a.png_dir.empty()) std::filesystem::create_directories(a.png_dir);

  auto ctx = make_context(a.device);
  auto net = walk_network(*ctx, scene, a.device);
  teach::WalkSession walk(*net, a.walk_sample - 1);
  render::WalkFrameRenderer renderer(*ctx, a.width, a.height);
  uint32_t frames = 0;
  for (uint32_t t = 0; t < a.walk_steps; ++t) {
    for (size_t k = 0; k < walk.count(); ++k) {
      walk.go_to(k);
      // One frame drawn, held: every frame of a step is the same image.
      const std::vector<uint8_t> pixels =
          renderer.render({&walk.walk(), walk.index(), scene.title});
      for (uint32_t h = 0; h < hold; ++h, ++frames) {
        if (video) {
          video->write(pixels);
        } else {
          char name[32];
          std::snprintf(name, sizeof name, "frame_%05u.png", frames);
          render::write_png(std::filesystem::path(a.png_dir) / name, a.width, a.height, pixels);
        }
      }
    }
    if (t + 1 < a.walk_steps) walk.next();  // past the update: the next training step
  }
  if (video) video->finish();
  std::fprintf(stderr,
               "gradtower: %s: walkthrough of %u training step(s), %zu steps each, %u "
               "frames\n",
               video ? a.out.c_str() : a.png_dir.c_str(), a.walk_steps, walk.count(), frames);
  return validation_exit_code(*ctx);
}

}  // namespace gt::cli
