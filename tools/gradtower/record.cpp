// gradtower record: a deterministic video of a scene training: a fixed number of training steps
// per frame, each frame rendered offscreen and piped to ffmpeg (or written as numbered PNGs).
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <limits>
#include <memory>
#include <stdexcept>

#include "cli.hpp"
#include "flag_checks.hpp"
#include "gpu/network.hpp"
#include "io/output_file.hpp"
#include "record_sink.hpp"
#include "render/overlay.hpp"
#include "render/tower.hpp"
#include "runs.hpp"
#include "scene/scene.hpp"

namespace gt::cli {
namespace {

std::string format_seconds(double s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.10g", s);
  return buf;
}

void progress(uint32_t done, uint32_t total, double secs) {
  // On a terminal the bar redraws in place; in a log, one line per tenth of the video.
  const bool tty = isatty(2);
  if (!tty && done != total && done % std::max(1u, total / 10) != 0) return;
  const double rate = secs > 0 ? done / secs : 0;
  const double eta = rate > 0 ? (total - done) / rate : 0;
  const int width = 30, filled = int(width * double(done) / std::max(total, 1u));
  std::fprintf(stderr, "%s[%.*s%.*s] frame %u/%u  %.1f frames/s  ETA %.0f s%s", tty ? "\r" : "",
               filled, "##############################", width - filled,
               "..............................", done, total, rate, eta,
               tty && done < total ? "" : "\n");
  std::fflush(stderr);
}

}  // namespace

void add_record(CLI::App& app, RecordArgs& a) {
  CLI::App* c = app.add_subcommand("record", "Record a video of a scene training (MP4 via ffmpeg)");
  c->add_option("scene", a.scene, "Scene file (TOML)")->required();
  c->add_option("--out", a.out, "MP4 file to write");
  auto* frames =
      c->add_option("--frames", a.frames, "Frames (default: the scene's steps / steps per frame)")
          ->check(CLI::Range(1u, kMaxFrames));
  c->add_option("--seconds", a.seconds, "Length in seconds instead of --frames")
      ->excludes(frames)
      ->check(finite_range(0, kMaxFrames, true));
  c->add_option("--fps", a.fps, "Frames per second")->check(CLI::Range(1u, 240u));
  c->add_option("--width", a.width, "Frame width (even)")->check(CLI::Range(16u, 7680u));
  c->add_option("--height", a.height, "Frame height (even)")->check(CLI::Range(16u, 4320u));
  c->add_option("--steps-per-frame", a.steps_per_frame, "Training steps between frames")
      ->check(CLI::Range(1u, 1u << 20));
  c->add_option("--png-dir", a.png_dir,
                "Write numbered PNGs into this directory instead of an MP4");
  c->add_option("--set", a.overrides, "Override a scene key: section.key=value (repeatable)");
  c->add_option("--metric", a.metric,
                "Cell colour: neuron | grad_w_norm | delta_rms | update_ratio")
      ->check(CLI::IsMember({"neuron", "grad_w_norm", "delta_rms", "update_ratio"}));
  c->add_option("--range", a.range, "Colour range as powers of ten LO:HI (default: widening auto)");
  c->add_flag("--no-overlay", a.no_overlay, "No text or legends");
  c->add_flag("--walkthrough", a.walkthrough,
              "Record the worked-example walkthrough (small networks): each step held a while");
  c->add_option("--walk-hold", a.walk_hold, "With --walkthrough: seconds each step is held")
      ->check(finite_range(0.05, 60.0));
  c->add_option("--walk-steps", a.walk_steps,
                "With --walkthrough: training steps walked through (default 2)")
      ->check(CLI::Range(1u, 100u));
  c->add_option("--walk-sample", a.walk_sample,
                "With --walkthrough: the sample of the batch shown (1 = first)")
      ->check(CLI::Range(1u, 1u << 20));
  add_device_flags(c, a.device);
  add_kernel_flag(c, a.device);
}

void check_record_outputs(const RecordArgs& a) {
  if (a.out.empty() == a.png_dir.empty())
    throw std::runtime_error("give one of --out FILE.mp4 or --png-dir DIR");
  if (!a.out.empty()) check_output_path("--out", a.out);
  if (a.png_dir.empty() && (a.width % 2 || a.height % 2))
    throw std::runtime_error("--width/--height: H.264 (yuv420p) needs even sizes; got " +
                             std::to_string(a.width) + "x" + std::to_string(a.height));
  if (a.png_dir.empty()) return;
  std::error_code ec;
  std::filesystem::create_directories(a.png_dir, ec);
  if (ec)
    throw std::runtime_error("--png-dir " + a.png_dir + ": cannot create it: " + ec.message());
  // A file made and removed there: the real check (root passes access(2) on read-only ones).
  io::check_writable(std::filesystem::path(a.png_dir) / png_frame_name(0),
                     "--png-dir " + a.png_dir);
}

namespace {

// The video's frames: --frames, --seconds x --fps, or the scene's steps over --steps-per-frame;
// at most kMaxFrames, and at most 2^32 - 1 training steps in all (the GPU's step counter).
uint32_t record_frames(const RecordArgs& a, const net::Scene& scene) {
  const std::string most = std::to_string(kMaxFrames);
  uint64_t frames = 0;
  if (a.frames) {
    frames = *a.frames;  // 1..kMaxFrames, checked by the flag
  } else if (a.seconds) {
    // --seconds is finite and in (0, kMaxFrames]: the product cannot overflow.
    const double exact = *a.seconds * a.fps;
    const std::string what =
        "--seconds " + format_seconds(*a.seconds) + " at --fps " + std::to_string(a.fps) + " is ";
    frames = static_cast<uint64_t>(std::llround(exact));
    if (frames > kMaxFrames)
      throw std::runtime_error(what + std::to_string(frames) + " frames; a recording has at most " +
                               most + " (--seconds up to " +
                               format_seconds(double(kMaxFrames) / a.fps) + " at this --fps)");
    if (frames == 0)
      throw std::runtime_error(what + "less than half a frame: the video would have no frames");
  } else {
    frames = std::max(1u, scene.train.steps / a.steps_per_frame);
    if (frames > kMaxFrames)
      throw std::runtime_error("the scene's train.steps (" + std::to_string(scene.train.steps) +
                               ") / --steps-per-frame " + std::to_string(a.steps_per_frame) +
                               " is " + std::to_string(frames) +
                               " frames; a recording has at most " + most +
                               ": give --frames or --seconds, or more --steps-per-frame");
  }
  const uint64_t steps = frames * a.steps_per_frame;
  if (steps > std::numeric_limits<uint32_t>::max())
    throw std::runtime_error("--steps-per-frame " + std::to_string(a.steps_per_frame) + " over " +
                             std::to_string(frames) + " frames is " + std::to_string(steps) +
                             " training steps; a run has at most " +
                             std::to_string(std::numeric_limits<uint32_t>::max()));
  return static_cast<uint32_t>(frames);
}

}  // namespace

int run_record(const RecordArgs& a) {
  if (a.walkthrough) return run_record_walkthrough(a);
  const net::Scene scene = scene::load(a.scene, a.overrides);
  check_record_outputs(a);
  const uint32_t frames = record_frames(a, scene);
  render::TowerSettings settings;
  settings.metric = parse_metric(a.metric);
  const std::optional<std::pair<float, float>> fixed = parse_range(a.range);
  RecordSink sink(a);  // ffmpeg started, the video's temporary file made

  auto ctx = make_context(a.device);
  Runs runs = load_runs(*ctx, a.scene, a.overrides, a.device);
  render::FrameRenderer frame_renderer(*ctx, a.width, a.height, !a.no_overlay);
  std::optional<std::pair<float, float>> range = fixed;
  const auto start = std::chrono::steady_clock::now();
  for (uint32_t f = 0; f < frames; ++f) {
    runs.train(a.steps_per_frame);  // sink.add() checks for a signal each frame
    if (!fixed) {
      // The range only widens, so a colour keeps its meaning through the video.
      const auto now = render::auto_range(runs.nets, settings.metric);
      range =
          range ? std::pair{std::min(range->first, now.first), std::max(range->second, now.second)}
                : now;
    }
    std::tie(settings.log_lo, settings.log_hi) = *range;
    settings.pose = render::camera_at(scene.view.camera, double(f) / a.fps);  // the scene's path
    std::optional<render::OverlayInfo> overlay;
    if (!a.no_overlay)
      overlay = render::overlay_info(scene.title, runs.nets, runs.labels, settings);
    const std::vector<uint8_t> pixels =
        frame_renderer.render(runs.nets, settings, overlay ? &*overlay : nullptr);
    sink.add(pixels);
    progress(f + 1, frames,
             std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  sink.finish();
  std::fprintf(stderr, "gradtower: %s: %u frames, %u training steps\n", sink.name().c_str(), frames,
               frames * a.steps_per_frame);
  return validation_exit_code(*ctx);
}

}  // namespace gt::cli
