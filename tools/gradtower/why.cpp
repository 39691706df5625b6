// gradtower why: one backward pass gives every gradient. On a scene's network at initialisation
// and the GPU's first batch, the gradient of the loss with respect to every parameter by central
// finite differences (2 forward passes per parameter) and by backprop (1 forward + 1 backward),
// both in the double-precision CPU reference (engine/net/why), with passes, wall time and the
// largest disagreement; then the GPU's own training step for scale.
//
// The batch: datagen.comp is the data's one definition, so the GPU makes it. A gpu::Network is
// built from the scene and trains one step; batch() is then that step's (step 0's) batch, fixed
// or not, and the parameters are net::init_params, the very values the GPU started from (the
// step's update does not matter: the reference never reads the GPU's parameters).
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "cli.hpp"
#include "gpu/network.hpp"
#include "net/reference.hpp"
#include "net/why.hpp"
#include "ops/graph.hpp"
#include "scene/scene.hpp"
#include "why_progress.hpp"

namespace gt::cli {
namespace {

constexpr uint32_t kGpuTimedSteps = 5;

std::string duration(double seconds) {
  char buf[32];
  if (seconds < 1e-3)
    std::snprintf(buf, sizeof buf, "%.1f us", seconds * 1e6);
  else if (seconds < 1)
    std::snprintf(buf, sizeof buf, "%.2f ms", seconds * 1e3);
  else if (seconds < 120)
    std::snprintf(buf, sizeof buf, "%.2f s", seconds);
  else if (seconds < 7200)
    std::snprintf(buf, sizeof buf, "%.1f min", seconds / 60);
  else if (seconds < 2 * 86400)
    std::snprintf(buf, sizeof buf, "%.1f h", seconds / 3600);
  else
    std::snprintf(buf, sizeof buf, "%.1f days", seconds / 86400);
  return buf;
}

std::string ratio(double seconds, double reference) {
  if (!(reference > 0)) return "-";
  const double r = seconds / reference;
  char buf[32];
  if (r >= 100) return with_commas(uint64_t(std::llround(r))) + "x";
  std::snprintf(buf, sizeof buf, r >= 1 ? "%.1fx" : "%.3gx", r);
  return buf;
}

std::string passes(const net::WhyCost& c) {
  std::string s = with_commas(c.forward) + " forward";
  if (c.backward > 0) s += " + " + with_commas(c.backward) + " backward";
  return s;
}

std::string sci(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2e", v);
  return buf;
}

// What the GPU gives: the first batch, its own gradients of that step, and (with timestamps) the
// mean forward and backward time of a step.
struct GpuRun {
  net::ref::Batch batch;
  net::Params grads;
  std::string device;
  bool timed = false;
  double forward_ms = 0, backward_ms = 0;
};

GpuRun run_gpu(vk::Context& ctx, const net::Scene& scene) {
  GpuRun g;
  g.device = ctx.info().name;
  gpu::NetworkOptions options;
  options.timestamps = ctx.timestamp_valid_bits() > 0;
  gpu::Network net(ctx, scene, options);
  net.train(1);
  const gpu::Batch b = net.batch();
  g.batch.size = b.size;
  g.batch.input.assign(b.input.begin(), b.input.end());
  g.batch.target.assign(b.target.begin(), b.target.end());
  g.grads = net.grads();
  if (!options.timestamps) return g;
  // The first step is a warm-up; the time of a step does not depend on its parameters or data.
  g.timed = true;
  for (uint32_t i = 0; i < kGpuTimedSteps; ++i) {
    net.train(1);
    const gpu::StepTimings t = *net.timings();
    g.forward_ms += t.forward / kGpuTimedSteps;
    g.backward_ms += t.backward / kGpuTimedSteps;
  }
  return g;
}

// max |GPU dL/dtheta - reference dL/dtheta| over every parameter, relative to max |reference|.
double gpu_relative_diff(const net::Params& gpu, const net::ref::Gradients& ref) {
  double diff = 0, top = 0;
  auto compare = [&](const std::vector<float>& g, const std::vector<double>& r) {
    for (size_t k = 0; k < g.size() && k < r.size(); ++k) {
      diff = std::max(diff, std::abs(double(g[k]) - r[k]));
      top = std::max(top, std::abs(r[k]));
    }
  };
  for (size_t l = 0; l < gpu.size(); ++l) {
    compare(gpu[l].w, ref.dw[l]);
    compare(gpu[l].b, ref.db[l]);
    if (l < ref.dgamma.size()) compare(gpu[l].gamma, ref.dgamma[l]);
    if (l < ref.dbeta.size()) compare(gpu[l].beta, ref.dbeta[l]);
  }
  return top > 0 ? diff / top : diff;
}

void print_row(const std::string& method, const std::string& passes, const std::string& time,
               const std::string& vs, const std::string& diff, const std::string& note) {
  std::printf("  %-30s %-24s %10s %13s %10s   %s\n", method.c_str(), passes.c_str(), time.c_str(),
              vs.c_str(), diff.c_str(), note.c_str());
}

// "3 hidden of width 7, activation tanh", or with widths or activations differing per layer (a
// sizes list, [[network.op]]) their range and list.
std::string describe_hidden(const std::vector<ops::FusedLayer>& layers) {
  const size_t hidden = layers.size() - 1;
  if (hidden == 0)
    return "no hidden layer, activation " + std::string(net::to_string(layers[0].act));
  uint32_t lo = layers[0].out, hi = lo;
  std::vector<std::string> acts;
  for (size_t l = 0; l < hidden; ++l) {
    lo = std::min(lo, layers[l].out);
    hi = std::max(hi, layers[l].out);
    const std::string a(net::to_string(layers[l].act));
    if (std::find(acts.begin(), acts.end(), a) == acts.end()) acts.push_back(a);
  }
  std::string out = std::to_string(hidden) + " hidden of width " + std::to_string(lo);
  if (hi != lo) out += ".." + std::to_string(hi);
  out += acts.size() == 1 ? ", activation " + acts[0] : ", activations ";
  for (size_t i = 0; acts.size() > 1 && i < acts.size(); ++i)
    out += (i ? ", " : "") + acts[i];
  return out;
}

void print(const net::Scene& s, const net::WhyReport& r, const GpuRun& g, double gpu_diff,
           const WhyArgs& a) {
  const net::NetworkSpec& n = s.network;
  const std::vector<ops::FusedLayer> layers = ops::fused_layers(n);
  const bool any_norm = std::any_of(layers.begin(), layers.end(), [](const ops::FusedLayer& l) {
    return l.norm != net::Norm::none;
  });
  std::printf("%s\n", s.title.c_str());
  std::printf("  network     %u weight layers (%s), init %s\n", n.num_layers(),
              describe_hidden(layers).c_str(), std::string(net::to_string(n.init)).c_str());
  std::printf("  parameters  P = %s (every weight and bias%s)\n", with_commas(r.params).c_str(),
              any_norm ? ", and each normalized layer's scale and shift" : "");
  std::printf(
      "  data        the GPU's first batch (%u samples, %s), at initialisation: loss %.6g\n",
      g.batch.size, std::string(net::to_string(s.data.kind)).c_str(), r.loss);
  std::printf(
      "  gradients   dL/dtheta in the double-precision CPU reference; finite differences central,"
      "\n              h = %g max(1, |theta|) per parameter\n",
      net::WhyOptions{}.rel_step);
  if (r.extrapolated) {
    const auto [lo, hi] =
        std::minmax_element(r.differenced_per_layer.begin(), r.differenced_per_layer.end());
    const std::string per_layer =
        *lo == *hi ? with_commas(*lo) : with_commas(*lo) + " to " + with_commas(*hi);
    std::printf(
        "  sampled     finite differences on N = %s of the P parameters (--max-params %s; %s "
        "per\n              layer); their time for all P is extrapolated as measured x P / N\n",
        with_commas(r.differenced).c_str(), with_commas(a.max_params).c_str(), per_layer.c_str());
  }
  std::printf("\n");
  print_row("method", "passes", "time", "vs backprop", "max|diff|", "");
  const double bp = r.backprop.seconds;
  const std::string fd_diff = sci(r.relative_diff());
  if (r.extrapolated) {
    print_row("finite differences, N params", passes(r.finite_differences),
              duration(r.finite_differences.seconds), ratio(r.finite_differences.seconds, bp),
              fd_diff, "measured");
    print_row("finite differences, all P", passes(r.finite_differences_all),
              duration(r.finite_differences_all.seconds),
              ratio(r.finite_differences_all.seconds, bp), "-",
              "EXTRAPOLATED time (x P / N); passes counted");
  } else {
    print_row("finite differences, all P", passes(r.finite_differences_all),
              duration(r.finite_differences_all.seconds),
              ratio(r.finite_differences_all.seconds, bp), fd_diff, "measured");
  }
  print_row(
      "backprop, all P", passes(r.backprop), duration(bp), "1x", "reference",
      "measured (mean of " + std::to_string(net::WhyOptions{}.backprop_repeats) + " warm runs)");
  if (g.timed) {
    const double t = (g.forward_ms + g.backward_ms) * 1e-3;
    print_row("GPU training step, all P", "1 forward + 1 backward", duration(t), ratio(t, bp),
              sci(gpu_diff), "measured (GPU timestamps, float32)");
  } else {
    print_row("GPU training step, all P", "1 forward + 1 backward", "-", "-", sci(gpu_diff),
              "not timed: the device's queue has no timestamps");
  }
  std::printf(
      "\n  max|diff|: max |gradient - backprop's| over the parameters compared, divided by the "
      "largest\n  |backprop gradient| among them (finite differences: the %s differenced; GPU: "
      "all P, step 0).\n",
      with_commas(r.differenced).c_str());
  if (g.timed)
    std::printf(
        "  GPU time: the forward and the backward pass of its training step (loss, layers with "
        "their\n  statistics, gradient norm; not the update), mean of %u steps on %s.\n",
        kGpuTimedSteps, g.device.c_str());
  std::printf(
      "\nfinite differences need 2P forward passes; backprop needs one forward and one backward "
      "pass whatever P is.\n");
}

}  // namespace

void add_why(CLI::App& app, WhyArgs& a) {
  CLI::App* c = app.add_subcommand(
      "why", "Why backwards: every gradient by finite differences and by backprop, timed");
  c->add_option("scene", a.scene, "Scene file (TOML)")->required();
  c->add_option("--set", a.overrides, "Override a scene key: section.key=value (repeatable)");
  c->add_option("--max-params", a.max_params,
                "Finite differences on at most N parameters (spread over the layers); the time "
                "for all is extrapolated. 0: every parameter")
      ->check([](const std::string& v) {
        return v.find('-') != std::string::npos ? "must be 0 or a positive count" : "";
      })
      ->capture_default_str();
  c->add_flag("--quiet", a.quiet, "No progress on stderr while finite differences run");
  add_device_flags(c, a.device);
}

int run_why(const WhyArgs& a) {
  const std::vector<net::Scene> scenes = scene::load_runs(a.scene, a.overrides);
  auto ctx = make_context(a.device);
  for (size_t i = 0; i < scenes.size(); ++i) {
    const net::Scene& s = scenes[i];
    // The layer reference first: a network it cannot run (a post op, an rnn) fails before any
    // GPU work.
    const net::ref::Net net = net::ref::Net::from(s.network, net::init_params(s.network));
    const GpuRun g = run_gpu(*ctx, s);
    WhyProgress progress(a.quiet ? nullptr : stderr);
    net::WhyOptions options;
    options.max_params = a.max_params;
    options.progress = [&](uint64_t done, uint64_t total) { progress.update(done, total); };
    const net::WhyReport r = net::why_backwards(net, g.batch, s.train.loss, options);
    const double gpu_diff =
        gpu_relative_diff(g.grads, net::ref::backward(net, g.batch, s.train.loss));
    if (scenes.size() > 1) std::printf("%srun %zu: ", i > 0 ? "\n" : "", i + 1);
    print(s, r, g, gpu_diff, a);
    std::fflush(stdout);
  }
  return validation_exit_code(*ctx);
}

}  // namespace gt::cli
