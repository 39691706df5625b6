// gradtower bench --scene on a recurrent scene (an rnn op first): ms per training step (every
// step's statistics on, the per-time-step figures included, as always), and the same step in
// PyTorch on the CPU (tools/bench/torch_rnn.py: the recurrence unrolled so dL/dh_t exists for the
// same figures; torch.nn.RNN's fused kernel without them for reference), in the same run.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "cli.hpp"
#include "gpu/network.hpp"
#include "torch_peer.hpp"

#ifndef GT_SOURCE_DIR
#define GT_SOURCE_DIR "."
#endif

namespace gt::cli {
namespace {

// What the peer reproduces: one rnn and a linear dense head on the adding problem (or a teacher's
// shape), MSE, SGD.
std::string peer_mismatch(const net::Scene& s) {
  const std::vector<ops::Op>& ops = s.network.ops;
  if (ops.size() != 2 || ops[1].kind != ops::Kind::dense ||
      ops[1].activation != net::Activation::linear)
    return "not an rnn with one linear dense head";
  if (s.train.optimizer != net::Optimizer::sgd || s.train.loss != net::Loss::mse)
    return "not SGD on MSE";
  if (s.train.clip_norm != 0 || s.train.clip_value != 0) return "gradients clipped";
  return "";
}

std::optional<nlohmann::json> run_peer(const net::Scene& s, const BenchArgs& a) {
  std::string script = GT_SOURCE_DIR "/tools/bench/torch_rnn.py";
  if (const char* env = std::getenv("GT_TORCH_RNN_SCRIPT")) script = env;
  const ops::Op& rnn = s.network.ops.front();
  char lr[32];
  std::snprintf(lr, sizeof lr, "%.17g", s.train.lr);
  return run_torch_peer(script, "--steps " + std::to_string(rnn.steps) + " --features " +
                                    std::to_string(s.network.input / rnn.steps) + " --hidden " +
                                    std::to_string(rnn.units) + " --outputs " +
                                    std::to_string(s.network.ops[1].units) + " --batch " +
                                    std::to_string(s.data.batch) + " --nonlinearity " +
                                    std::string(net::to_string(rnn.activation)) + " --warmup " +
                                    std::to_string(a.warmup) + " --iters " +
                                    std::to_string(a.steps) + " --lr " + lr);
}

}  // namespace

int run_rnn_bench(const BenchArgs& a, vk::Context& ctx, const net::Scene& scene) {
  const ops::Op& rnn = scene.network.ops.front();
  std::printf("gradtower bench --scene: %s: rnn of %u units over %u steps, batch %u\n",
              scene.title.c_str(), rnn.units, rnn.steps, scene.data.batch);
  std::printf("device: %s\n", ctx.info().name.c_str());
  gpu::NetworkOptions options;
  options.kernels = gpu::parse_kernels(a.device.kernels);
  gpu::Network net(ctx, scene, options);
  std::printf("dispatches per step: %u rnn (2 T + 3, T = %u) of the step's\n", 2 * rnn.steps + 3,
              rnn.steps);
  net.train(a.warmup);
  const auto t0 = std::chrono::steady_clock::now();
  for (uint32_t i = 0; i < a.steps; ++i)
    net.train(1);  // one submission a step, as the peer's steps
  const double ms =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() * 1000 / a.steps;
  std::printf("gradtower  %10.1f ms/step (wall, %u steps, per-time figures on)\n", ms, a.steps);
  if (a.no_peer) return validation_exit_code(ctx);
  if (const std::string why = peer_mismatch(scene); !why.empty()) {
    std::printf("pytorch    not measured (the peer is a vanilla RNN with a linear head: %s)\n",
                why.c_str());
  } else if (auto peer = run_peer(scene, a); peer && peer->contains("ms_per_step")) {
    const double torch_ms = (*peer)["ms_per_step"].get<double>();
    std::printf(
        "pytorch    %10.1f ms/step (CPU, unrolled with the same figures, %d threads, torch "
        "%s, BLAS %s)\n",
        torch_ms, (*peer)["threads"].get<int>(), (*peer)["torch"].get<std::string>().c_str(),
        peer->value("blas", std::string("unknown")).c_str());
    std::printf("pytorch    %10.1f ms/step (torch.nn.RNN's fused kernel, no per-time figures)\n",
                (*peer)["fused_ms_per_step"].get<double>());
    std::printf("ratio pytorch/gradtower (ms/step): %.3f with the figures, %.3f against nn.RNN\n",
                torch_ms / ms, (*peer)["fused_ms_per_step"].get<double>() / ms);
  } else {
    std::printf(
        "pytorch    not measured (python3 cannot import torch: apt-get install python3-torch)\n");
  }
  return validation_exit_code(ctx);
}

}  // namespace gt::cli
