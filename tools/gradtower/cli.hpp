// The gradtower command line: one function per subcommand, sharing device selection.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "vk/context.hpp"

namespace gt::net {
struct Scene;
}

namespace gt::cli {

struct DeviceFlags {
  std::string device;
  bool validation = false;
  std::string kernels = "auto";  // GEMM variant: auto | texel | shared
};

// Throws (naming the flag and the reason) when a file cannot be written there: a directory, a
// missing folder, one where no file can be created (tried: io::check_writable). For outputs
// opened later; outputs opened at the start as io::OutputFile are checked by opening them.
void check_output_path(const std::string& flag, const std::string& path);

void add_device_flags(CLI::App* app, DeviceFlags& flags);
void add_kernel_flag(CLI::App* app, DeviceFlags& flags);
// `instance_extensions` and `device_extensions`: for a window (surface, swapchain).
std::unique_ptr<vk::Context> make_context(const DeviceFlags& flags,
                                          std::vector<const char*> instance_extensions = {},
                                          std::vector<const char*> device_extensions = {});
// 0, or 3 after printing a summary when the validation layer reported anything.
int validation_exit_code(const vk::Context& ctx);

struct TrainArgs {
  DeviceFlags device;
  std::string scene;
  std::optional<uint32_t> steps;
  std::vector<std::string> overrides;
  std::string stats_out;
  std::string hist_out;  // |dW| histograms, every stats_every steps
  std::string time_out;  // recurrent layers' per-time-step figures, every stats_every steps
  uint32_t stats_every = 1;
  std::optional<uint32_t> dump_step;
  std::string dump_out;
  std::string init_from;
  bool quiet = false;
};

struct BenchArgs {
  DeviceFlags device;
  uint32_t depth = 256, width = 256, batch = 128;
  uint32_t warmup = 3, steps = 10;
  uint32_t residual = 0;      // residual_every; 0: no skips
  std::string norm = "none";  // none, layer, batch
  bool no_peer = false;
  bool render = false;  // time the renderer instead of the training step
  std::string scene;    // time epochs of this scene's data set instead (bench_scene.cpp)
  uint32_t epochs = 1;
};

struct RenderArgs {
  DeviceFlags device;
  std::string scene, out;
  std::optional<uint32_t> steps;
  std::vector<std::string> overrides;
  uint32_t width = 1280, height = 720;
  std::string metric = "neuron";
  std::string camera = "orbit";
  std::string range;
  bool no_overlay = false;
  std::optional<float> yaw, pitch, zoom;  // default: the scene's camera path at t = 0
  bool walkthrough = false;               // the worked-example walkthrough instead of the tower
  std::optional<uint32_t> walk_step;      // 1-based; default 1
  uint32_t walk_sample = 1;               // 1-based sample of the batch shown
};

struct LiveArgs {
  DeviceFlags device;
  std::string scene;
  std::vector<std::string> overrides;
  uint32_t width = 1280, height = 720;
  std::optional<uint32_t> frames;           // scripted: exit after this many frames
  std::string screenshot;                   // scripted: the last frame as shown, as PNG
  std::string record;                       // record the window from the first frame (MP4)
  std::optional<uint32_t> steps_per_frame;  // whole steps per frame instead of a time budget
  double frame_ms = 50;  // the frame time aimed at; training gets what drawing leaves
  bool no_vsync = false;
  bool paused = false;
  std::optional<uint32_t> select;  // a layer (1 = the input side) of the first run, selected
  std::string metric = "neuron";
  std::string layer_plot = "grad_w_norm";  // the middle plot (LayerPlot)
  std::string selected_plot = "history";   // the right plot (SelectedPlot)
  bool walkthrough = false;                // the walkthrough view instead of the towers
  std::optional<uint32_t> walk_step;       // 1-based, with the walkthrough on
};

struct TheoryArgs {
  std::string scene, csv;
  std::vector<std::string> overrides;
  double input_moment = 1.0;  // E[x^2] of one input feature
};

struct WhyArgs {
  DeviceFlags device;
  std::string scene;
  std::vector<std::string> overrides;
  uint64_t max_params = 1000;  // finite differences on at most this many (0: all)
  bool quiet = false;          // no progress lines on stderr
};

struct RecordArgs {
  DeviceFlags device;
  std::string scene, out, png_dir;
  std::optional<uint32_t> frames;
  std::optional<double> seconds;
  uint32_t fps = 30, width = 1920, height = 1080, steps_per_frame = 1;
  std::vector<std::string> overrides;
  std::string metric = "neuron";
  std::string range;
  bool no_overlay = false;
  bool walkthrough = false;  // the walkthrough's steps, each held walk_hold seconds
  double walk_hold = 1.5;
  uint32_t walk_steps = 2;  // training steps walked through
  uint32_t walk_sample = 1;
};

// View options shared by render and record.
uint32_t parse_metric(const std::string& metric);
std::optional<std::pair<float, float>> parse_range(const std::string& range);  // "LO:HI"

void add_train(CLI::App& app, TrainArgs& args);
void add_record(CLI::App& app, RecordArgs& args);
// One of --out and --png-dir, a writable --out, even sizes for H.264: before any work.
void check_record_outputs(const RecordArgs& a);
int run_record(const RecordArgs& args);
void add_render(CLI::App& app, RenderArgs& args);
int run_render(const RenderArgs& args);
// The walkthrough forms of render and record (tools/gradtower/walk.cpp).
int run_render_walkthrough(const RenderArgs& args);
int run_record_walkthrough(const RecordArgs& args);
void add_bench(CLI::App& app, BenchArgs& args);
void add_live(CLI::App& app, LiveArgs& args);
int run_live(const LiveArgs& args);
int run_info(const DeviceFlags& flags);
int run_train(const TrainArgs& args);
int run_bench(const BenchArgs& args);
// bench --scene: epochs per second of a scene with a data set, and of the PyTorch peer.
int run_scene_bench(const BenchArgs& args, vk::Context& ctx);
// A recurrent scene's ms per step against PyTorch's (bench_rnn.cpp).
int run_rnn_bench(const BenchArgs& args, vk::Context& ctx, const net::Scene& scene);
void add_theory(CLI::App& app, TheoryArgs& args);
int run_theory(const TheoryArgs& args);
void add_why(CLI::App& app, WhyArgs& args);
int run_why(const WhyArgs& args);

}  // namespace gt::cli
