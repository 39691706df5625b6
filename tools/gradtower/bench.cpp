// gradtower bench: steady-state time of a training step, split into its parts by timestamp
// queries, and the same step in PyTorch on the CPU (when python3 can import torch), measured in
// the same run and reported as a ratio.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "cli.hpp"
#include "gpu/network.hpp"
#include "render/overlay.hpp"
#include "render/tower.hpp"
#include "torch_peer.hpp"

#ifndef GT_SOURCE_DIR
#define GT_SOURCE_DIR "."
#endif

namespace gt::cli {
namespace {

net::Scene bench_scene(const BenchArgs& a) {
  net::Scene s;
  s.title = "bench";
  s.network.input = a.width;
  s.network.depth = a.depth - 1;  // hidden layers; `depth` counts weight layers here
  s.network.width = a.width;
  s.network.output = a.width;
  s.network.activation = net::Activation::tanh;
  s.network.output_activation = net::Activation::linear;
  s.network.init = net::Init::xavier_normal;
  s.network.residual = a.residual > 0;
  if (a.residual > 0) s.network.residual_every = a.residual;
  s.network.norm = net::parse_norm(a.norm).value();  // the flag accepts only the names
  s.data.kind = net::DataKind::teacher;
  s.data.batch = a.batch;
  s.data.fixed = true;  // the peer also trains on one fixed batch
  s.train.loss = net::Loss::mse;
  s.train.optimizer = net::Optimizer::sgd;
  s.train.lr = 0.01;
  return s;
}

std::optional<nlohmann::json> run_peer(const BenchArgs& a) {
  std::string script = GT_SOURCE_DIR "/tools/bench/torch_step.py";
  if (const char* env = std::getenv("GT_TORCH_SCRIPT")) script = env;
  return run_torch_peer(
      script, "--depth " + std::to_string(a.depth) + " --width " + std::to_string(a.width) +
                  " --batch " + std::to_string(a.batch) + " --warmup " + std::to_string(a.warmup) +
                  " --steps " + std::to_string(a.steps) + " --residual " +
                  std::to_string(a.residual) + " --norm " + a.norm);
}

// Dispatches in one recorded step (gpu/network_step.cpp): forward and backward per layer, two
// more per normalized layer, the loss, the gradient norm, the updates (one per parameter segment
// of at most max_rows layers), finalize and the step counter. The bench's batch is fixed, so no
// data generation.
uint32_t dispatches_per_step(const gpu::Plan& p, uint32_t max_rows) {
  uint32_t updates = 0;
  for (const auto& [first, last] : p.param_segment_layers())
    updates += uint32_t((uint64_t(last) - first + max_rows) / max_rows);
  return 2 * p.num_layers + 2 * p.norm_layers + updates + 4;
}

// "tanh", "tanh, residual blocks of 2 hidden layers, batch norm".
std::string architecture(const BenchArgs& a) {
  std::string s = "tanh";
  if (a.residual > 0)
    s += ", residual blocks of " + std::to_string(a.residual) + " hidden layer" +
         (a.residual > 1 ? "s" : "");
  if (a.norm != "none") s += ", " + a.norm + " norm";
  return s;
}

}  // namespace

void add_bench(CLI::App& app, BenchArgs& a) {
  CLI::App* c = app.add_subcommand("bench", "Time the training step against PyTorch on the CPU");
  c->add_option("--depth", a.depth, "Weight layers")->check(CLI::Range(2u, 100000u));
  c->add_option("--width", a.width, "Neurons per layer")->check(CLI::Range(1u, 65536u));
  c->add_option("--batch", a.batch, "Batch size")->check(CLI::Range(1u, 65536u));
  c->add_option("--warmup", a.warmup, "Untimed steps first")->check(CLI::Range(0u, 1u << 20));
  c->add_option("--steps", a.steps, "Timed steps")->check(CLI::Range(1u, 1u << 20));
  c->add_option("--residual", a.residual,
                "Identity skips around blocks of this many hidden layers (0: none)")
      ->check(CLI::Range(0u, 100000u));
  c->add_option("--norm", a.norm, "Normalize every hidden layer: none, layer or batch")
      ->check(CLI::IsMember({"none", "layer", "batch"}));
  c->add_flag("--no-peer", a.no_peer, "Skip the PyTorch measurement");
  c->add_option("--scene", a.scene,
                "Time whole epochs of this scene's data set (data.kind fashion_mnist or file)");
  c->add_option("--epochs", a.epochs, "Timed epochs (--scene)")->check(CLI::Range(1u, 1000u));
  c->add_flag("--render", a.render,
              "Time the tower frame (1,000 layers x 256, 1280x720) and 1080p frames with overlay");
  add_device_flags(c, a.device);
  add_kernel_flag(c, a.device);
}

// Frame times of the renderer: the tower alone (1,000 layers x 256 neurons at 1280x720), and a
// 1920x1080 frame with its overlay as `record` makes it (without training or encoding).
int run_render_bench(const BenchArgs& a, vk::Context& ctx) {
  net::Scene scene = bench_scene(a);
  scene.network.depth = 999;
  scene.network.width = 256;
  scene.network.input = scene.network.output = 256;
  scene.data.batch = 16;
  gpu::Network net(ctx, scene);
  net.train(1);
  render::TowerSettings s;
  std::tie(s.log_lo, s.log_hi) = render::auto_range(net, s.metric);
  auto time_frames = [&](uint32_t w, uint32_t h, const render::OverlayInfo* overlay) {
    render::FrameRenderer fr(ctx, w, h, overlay != nullptr);
    for (uint32_t i = 0; i < a.warmup; ++i)
      fr.render(net, s, overlay);
    const auto t0 = std::chrono::steady_clock::now();
    for (uint32_t i = 0; i < a.steps; ++i)
      fr.render(net, s, overlay);
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0)
               .count() /
           a.steps;
  };
  std::printf("gradtower bench --render: 1,000 layers x 256 neurons, device %s\n",
              ctx.info().name.c_str());
  const double tower = time_frames(1280, 720, nullptr);
  std::printf("tower frame 1280x720:            %8.2f ms (%.1f frames/s), render + readback\n",
              tower, 1000 / tower);
  const render::OverlayInfo info = render::overlay_info("bench", {&net}, {""}, s);
  const double full = time_frames(1920, 1080, &info);
  std::printf("frame with overlay 1920x1080:    %8.2f ms (%.1f frames/s), render + readback\n",
              full, 1000 / full);
  return validation_exit_code(ctx);
}

int run_bench(const BenchArgs& a) {
  auto ctx = make_context(a.device);
  if (a.render) return run_render_bench(a, *ctx);
  if (!a.scene.empty()) return run_scene_bench(a, *ctx);
  const net::Scene scene = bench_scene(a);
  std::printf("gradtower bench: %u layers x %u wide, batch %u, %s, SGD, statistics every step\n",
              a.depth, a.width, a.batch, architecture(a).c_str());
  std::printf("device: %s\n", ctx->info().name.c_str());

  gpu::NetworkOptions options;
  options.kernels = gpu::parse_kernels(a.device.kernels);
  double wall_ms = 0;
  {
    gpu::Network net(*ctx, scene, options);
    std::printf("kernels: %s\n", gpu::to_string(net.kernels()));
    net.train(a.warmup);
    const auto t0 = std::chrono::steady_clock::now();
    net.train(a.steps);
    wall_ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count() /
        a.steps;
    std::printf("dispatches per step: %u\n",
                dispatches_per_step(net.plan(), ctx->limits().maxComputeWorkGroupCount[1]));
  }
  gpu::StepTimings sum;
  const bool timed = ctx->timestamp_valid_bits() > 0;
  if (timed) {
    gpu::NetworkOptions o = options;
    o.timestamps = true;
    gpu::Network net(*ctx, scene, o);
    net.train(a.warmup);
    for (uint32_t i = 0; i < a.steps; ++i) {
      net.train(1);
      const gpu::StepTimings t = *net.timings();
      sum.forward += t.forward;
      sum.backward += t.backward;
      sum.update += t.update;
      sum.statistics += t.statistics;
      sum.total += t.total;
    }
  }
  const double n = a.steps;
  std::printf("gradtower  %9.2f ms/step (wall, %u steps in one submission)\n", wall_ms, a.steps);
  if (timed)
    std::printf(
        "  GPU timestamps per step: forward %.2f  backward %.2f  update %.2f  statistics %.2f  "
        "total "
        "%.2f ms\n",
        sum.forward / n, sum.backward / n, sum.update / n, sum.statistics / n, sum.total / n);
  else
    std::printf("  (the device's queue has no timestamps: no split by part)\n");
  std::printf(
      "  (backward includes the per-tile |dW| and per-neuron reductions fused into its kernels)\n");
  if (!a.no_peer) {
    if (auto peer = run_peer(a); peer && peer->contains("ms_per_step")) {
      const double torch_ms = (*peer)["ms_per_step"].get<double>();
      std::printf("pytorch    %9.2f ms/step (CPU, %d threads, torch %s, BLAS %s)\n", torch_ms,
                  (*peer)["threads"].get<int>(), (*peer)["torch"].get<std::string>().c_str(),
                  peer->value("blas", std::string("unknown")).c_str());
      std::printf("ratio gradtower/pytorch: %.3f\n", wall_ms / torch_ms);
    } else {
      std::printf(
          "pytorch    not measured (python3 cannot import torch: apt-get install python3-torch)\n");
    }
  }
  return validation_exit_code(*ctx);
}

}  // namespace gt::cli
