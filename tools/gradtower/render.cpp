// gradtower render: trains a scene N steps and writes one frame of its tower as PNG.
#include <cstdio>
#include <stdexcept>

#include "cli.hpp"
#include "flag_checks.hpp"
#include "gpu/network.hpp"
#include "io/interrupt.hpp"
#include "io/output_file.hpp"
#include "render/overlay.hpp"
#include "render/png.hpp"
#include "render/tower.hpp"
#include "runs.hpp"
#include "scene/scene.hpp"

namespace gt::cli {

void add_render(CLI::App& app, RenderArgs& a) {
  CLI::App* c = app.add_subcommand("render", "Train a scene N steps and write one frame as PNG");
  c->add_option("scene", a.scene, "Scene file (TOML)")->required();
  c->add_option("--out", a.out, "PNG file to write")->required();
  c->add_option("--steps", a.steps, "Training steps before the frame (default: the scene's)");
  c->add_option("--set", a.overrides, "Override a scene key: section.key=value (repeatable)");
  c->add_option("--width", a.width, "Image width")->check(CLI::Range(16u, 16384u));
  c->add_option("--height", a.height, "Image height")->check(CLI::Range(16u, 16384u));
  c->add_option("--metric", a.metric, "Cell colour: per-neuron mean |dL/dz|, or a per-layer figure")
      ->check(CLI::IsMember({"neuron", "grad_w_norm", "delta_rms", "update_ratio"}));
  c->add_option("--camera", a.camera, "orbit (perspective) or front (the layer x neuron grid)")
      ->check(CLI::IsMember({"orbit", "front"}));
  c->add_option("--range", a.range, "Colour range as powers of ten LO:HI (default: auto)");
  c->add_flag("--no-overlay", a.no_overlay, "No text or legends (the front camera has none)");
  c->add_option("--yaw", a.yaw, "Orbit: degrees around the tower (0: straight at the front)")
      ->check(finite_range(-720, 720));
  c->add_option("--pitch", a.pitch, "Orbit: degrees above the horizon")
      ->check(finite_range(-89, 89));
  c->add_option("--zoom", a.zoom, "Dolly: 1 frames the towers, larger is closer")
      ->check(finite_range(0.05, 20));
  c->add_flag("--walkthrough", a.walkthrough,
              "Draw the worked-example walkthrough of the next training step (small networks): "
              "--steps defaults to 0 here");
  c->add_option("--walk-step", a.walk_step, "With --walkthrough: the step to draw (1 = first)")
      ->check(CLI::Range(1u, 1u << 20));
  c->add_option("--walk-sample", a.walk_sample,
                "With --walkthrough: the sample of the batch shown (1 = first)")
      ->check(CLI::Range(1u, 1u << 20));
  add_device_flags(c, a.device);
  add_kernel_flag(c, a.device);
}

int run_render(const RenderArgs& a) {
  if (a.walkthrough) return run_render_walkthrough(a);
  if (a.walk_step) throw std::runtime_error("--walk-step needs --walkthrough");
  std::vector<std::string> overrides = a.overrides;
  if (a.steps) overrides.push_back("train.steps=" + std::to_string(*a.steps));
  const net::Scene scene = scene::load(a.scene, overrides);  // validates before any GPU work
  io::poll_interrupts();  // a signal ends the run between training chunks, leaving nothing
  io::OutputFile out(a.out, "--out " + a.out);  // opened now: a bad place fails before work
  render::TowerSettings settings;
  settings.metric = parse_metric(a.metric);
  settings.camera = a.camera == "front" ? render::CameraKind::front : render::CameraKind::orbit;
  settings.pose = render::camera_at(scene.view.camera, 0.0);
  if (a.yaw) settings.pose.yaw = *a.yaw;
  if (a.pitch) settings.pose.pitch = *a.pitch;
  if (a.zoom) settings.pose.zoom = *a.zoom;
  const std::optional<std::pair<float, float>> range = parse_range(a.range);
  auto ctx = make_context(a.device);
  Runs runs = load_runs(*ctx, a.scene, overrides, a.device);
  train_interruptibly(runs.nets, scene.train.steps);
  std::tie(settings.log_lo, settings.log_hi) =
      range ? *range : render::auto_range(runs.nets, settings.metric);
  std::optional<render::OverlayInfo> overlay;
  if (!a.no_overlay && settings.camera == render::CameraKind::orbit)
    overlay = render::overlay_info(scene.title, runs.nets, runs.labels, settings);
  render::FrameRenderer renderer(*ctx, a.width, a.height, overlay.has_value());
  const std::vector<uint8_t> pixels =
      renderer.render(runs.nets, settings, overlay ? &*overlay : nullptr);
  io::throw_if_interrupted();
  render::write_png(out, a.width, a.height, pixels);
  std::fprintf(stderr, "gradtower: %s: after %u training steps, colour range 1e%g .. 1e%g\n",
               a.out.c_str(), scene.train.steps, double(settings.log_lo), double(settings.log_hi));
  return validation_exit_code(*ctx);
}

}  // namespace gt::cli
