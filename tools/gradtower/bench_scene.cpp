// gradtower bench --scene: epochs per second of a scene with a whole data set (every step's
// statistics on, as always), and the same epoch in PyTorch on the CPU (tools/bench/
// torch_epoch.py: a DataLoader over the same tensors, the same statistics), in the same run.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "cli.hpp"
#include "data/fashion_mnist.hpp"
#include "gpu/network.hpp"
#include "scene/scene.hpp"
#include "torch_peer.hpp"

#ifndef GT_SOURCE_DIR
#define GT_SOURCE_DIR "."
#endif

namespace gt::cli {
namespace {

// What the peer reproduces: a Fashion-MNIST MLP of ReLU layers, He init, Adam, cross-entropy.
std::string peer_mismatch(const net::Scene& s) {
  const net::NetworkSpec& n = s.network;
  if (s.data.kind != net::DataKind::fashion_mnist) return "the data is not Fashion-MNIST";
  if (!n.ops.empty() || n.residual || n.norm != net::Norm::none) return "not a plain stack";
  if (n.activation != net::Activation::relu || n.output_activation != net::Activation::linear)
    return "not ReLU with linear logits";
  if (n.init != net::Init::he_normal) return "not He init";
  if (s.train.optimizer != net::Optimizer::adam || s.train.loss != net::Loss::cross_entropy)
    return "not Adam on cross-entropy";
  if (s.train.beta1 != 0.9 || s.train.beta2 != 0.999 || s.train.eps != 1e-8)
    return "not Adam's default betas and eps";
  if (s.train.clip_norm != 0 || s.train.clip_value != 0) return "gradients clipped";
  if (s.data.split != net::DataSplit::train || s.data.limit != 0)
    return "not the whole train split";
  return "";
}

// The peer's figures; nullopt when python3 cannot import torch; throws when the peer fails.
std::optional<nlohmann::json> run_peer(const net::Scene& s, const BenchArgs& a) {
  std::string script = GT_SOURCE_DIR "/tools/bench/torch_epoch.py";
  if (const char* env = std::getenv("GT_TORCH_EPOCH_SCRIPT")) script = env;
  std::string sizes;
  for (const uint32_t v : s.network.sizes())
    sizes += (sizes.empty() ? "" : ",") + std::to_string(v);
  const std::string folder =
      s.data.path.empty() ? std::string(data::kFashionMnistFolder) : s.data.path.string();
  char lr[32];
  std::snprintf(lr, sizeof lr, "%.17g", s.train.lr);
  return run_torch_peer(
      script, "--folder '" + folder + "' --sizes " + sizes + " --batch " +
                  std::to_string(s.data.batch) + " --epochs " + std::to_string(a.epochs) +
                  " --warmup " + std::to_string(a.warmup) + " --lr " + lr + " --hist-lo " +
                  std::to_string(s.train.hist_lo) + " --hist-hi " +
                  std::to_string(s.train.hist_hi) + (s.data.drop_last ? " --drop-last" : ""));
}

}  // namespace

int run_scene_bench(const BenchArgs& a, vk::Context& ctx) {
  const net::Scene scene = scene::load(a.scene, {});
  if (!scene.network.ops.empty() && scene.network.ops.front().kind == ops::Kind::rnn)
    return run_rnn_bench(a, ctx, scene);
  if (!scene.data.set) {
    throw std::runtime_error("--scene " + a.scene +
                             ": needs a whole data set (data.kind fashion_mnist or file) or an "
                             "rnn network");
  }
  const uint32_t per_epoch = scene.data.batches_per_epoch();
  std::printf("gradtower bench --scene: %s: %u samples, batches of %u, %u steps an epoch\n",
              scene.title.c_str(), scene.data.set->rows, scene.data.batch, per_epoch);
  std::printf("device: %s\n", ctx.info().name.c_str());
  gpu::NetworkOptions options;
  options.kernels = gpu::parse_kernels(a.device.kernels);
  gpu::Network net(ctx, scene, options);
  std::printf("kernels: %s\n", gpu::to_string(net.kernels()));
  net.train(a.warmup);
  const auto t0 = std::chrono::steady_clock::now();
  net.train(per_epoch * a.epochs);
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const double eps = a.epochs / secs;
  std::printf("gradtower  %8.3f epochs/s (%.2f ms/step, wall, %u epoch%s in one submission)\n", eps,
              secs * 1000 / (per_epoch * a.epochs), a.epochs, a.epochs > 1 ? "s" : "");
  if (a.no_peer) return validation_exit_code(ctx);
  if (const std::string why = peer_mismatch(scene); !why.empty()) {
    std::printf("pytorch    not measured (the peer is the Fashion-MNIST MLP only: %s)\n",
                why.c_str());
  } else if (auto peer = run_peer(scene, a); peer && peer->contains("epochs_per_s")) {
    const double torch_eps = (*peer)["epochs_per_s"].get<double>();
    std::printf("pytorch    %8.3f epochs/s (%.2f ms/step, CPU, %d threads, torch %s, BLAS %s)\n",
                torch_eps, (*peer)["ms_per_step"].get<double>(), (*peer)["threads"].get<int>(),
                (*peer)["torch"].get<std::string>().c_str(),
                peer->value("blas", std::string("unknown")).c_str());
    std::printf("ratio gradtower/pytorch (epochs/s): %.3f\n", eps / torch_eps);
  } else {
    std::printf(
        "pytorch    not measured (python3 cannot import torch: apt-get install python3-torch)\n");
  }
  return validation_exit_code(ctx);
}

}  // namespace gt::cli
