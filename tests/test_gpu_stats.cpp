// Per-layer and per-neuron statistics of the GPU step (finalize.comp, the partial sums of
// backward.comp and update.comp) against the double-precision CPU reference computed from the
// same parameters and batch; the history ring; non-finite gradients.
#include <gtest/gtest.h>

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "gpu/network.hpp"
#include "gpu_fixture.hpp"
#include "net/init.hpp"
#include "net/reference.hpp"

namespace gt {
namespace {

using test::ref_batch;

using test::close;

net::Scene stats_scene(uint32_t input, uint32_t depth, uint32_t width, uint32_t output,
                       uint32_t batch) {
  net::Scene s;
  s.title = "stats";
  s.network.input = input;
  s.network.depth = depth;
  s.network.width = width;
  s.network.output = output;
  s.network.activation = net::Activation::tanh;
  s.network.init = net::Init::gaussian;
  s.network.sigma_w = 1.3;
  s.network.sigma_b = 0.2;
  s.network.seed = 21;
  s.data.kind = net::DataKind::teacher;
  s.data.batch = batch;
  s.data.seed = 5;
  s.train.loss = net::Loss::mse;
  s.train.optimizer = net::Optimizer::sgd;
  s.train.lr = 0.1;
  return s;
}

struct RefStep {
  net::ref::Gradients grads;
  std::vector<net::ref::LayerStats> stats;
};

// The reference's view of one step taken from `before` on `batch`.
RefStep reference_step(const net::Scene& scene, const net::Params& before,
                       const gpu::Batch& batch) {
  const net::ref::Net net = net::ref::Net::from(scene.network, before);
  RefStep r;
  r.grads = net::ref::backward(net, ref_batch(batch), scene.train.loss);
  net::ref::Net after = net;
  net::ref::OptimizerState state;
  const std::vector<double> norms = net::ref::update(after, r.grads, state, scene.train);
  r.stats = net::ref::statistics(net, r.grads, norms);
  return r;
}

// |gpu - ref| <= rtol |ref| + atol for one scalar statistic.
::testing::AssertionResult near_rel(double gpu, double ref, double rtol, double atol = 1e-12) {
  if (std::abs(gpu - ref) <= rtol * std::abs(ref) + atol) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "gpu " << gpu << " vs ref " << ref;
}

void expect_layer_stats(const shared::LayerStats& g, const net::ref::LayerStats& r, size_t layer,
                        double rtol) {
  SCOPED_TRACE("layer " + std::to_string(layer));
  EXPECT_TRUE(near_rel(g.grad_w_norm, r.grad_w_norm, rtol)) << "grad_w_norm";
  EXPECT_TRUE(near_rel(g.grad_w_mean_abs, r.grad_w_mean_abs, rtol)) << "grad_w_mean_abs";
  EXPECT_TRUE(near_rel(g.grad_w_max_abs, r.grad_w_max_abs, rtol)) << "grad_w_max_abs";
  EXPECT_TRUE(near_rel(g.grad_b_norm, r.grad_b_norm, rtol)) << "grad_b_norm";
  EXPECT_TRUE(near_rel(g.delta_rms, r.delta_rms, rtol)) << "delta_rms";
  EXPECT_TRUE(near_rel(g.weight_norm, r.weight_norm, 1e-6)) << "weight_norm";
  // W_new - W_old is formed in float next to W_old: its error scales with |W|, not the update.
  EXPECT_TRUE(near_rel(g.update_ratio, r.update_ratio, 1e-4, 1e-7)) << "update_ratio";
  EXPECT_EQ(g.nonfinite, r.nonfinite) << "nonfinite";
}

std::vector<double> flat_neuron_stats(const std::vector<net::ref::LayerStats>& stats) {
  std::vector<double> out;
  for (const auto& s : stats)
    out.insert(out.end(), s.neuron_mean_abs_delta.begin(), s.neuron_mean_abs_delta.end());
  return out;
}

void check_one_step(const net::Scene& scene) {
  gpu::Network gnet(test::context(), scene);
  const net::Params before = gnet.params();
  gnet.train(1);
  const RefStep ref = reference_step(scene, before, gnet.batch());
  const gpu::StepStats st = gnet.latest_stats();
  EXPECT_EQ(st.step, 0u);
  EXPECT_TRUE(near_rel(st.loss, ref.grads.loss, 1e-5));
  ASSERT_EQ(st.layers.size(), ref.stats.size());
  for (size_t l = 0; l < ref.stats.size(); ++l) {
    EXPECT_GT(ref.stats[l].grad_w_norm, 0.0);  // the comparison is not of zeros
    expect_layer_stats(st.layers[l], ref.stats[l], l, 2e-5);
  }
  EXPECT_TRUE(close(gnet.neuron_stats(), flat_neuron_stats(ref.stats), 2e-5));
}

class Stats : public test::GpuTest {};

TEST_F(Stats, OneStepOddSizesMatchReference) {
  check_one_step(stats_scene(5, 2, 7, 3, 6));
}

// Width 70 and batch 37: several 32-wide dW / dX tiles per layer, two column groups of 64
// neurons (70 > 64), several update chunks; the finalize pass combines all their partials.
TEST_F(Stats, OneStepSeveralTilesAndColumnGroupsMatchReference) {
  check_one_step(stats_scene(3, 3, 70, 5, 37));
}

TEST_F(Stats, MomentumAndAdamUpdateRatiosMatchReference) {
  for (net::Optimizer opt : {net::Optimizer::momentum, net::Optimizer::adam}) {
    SCOPED_TRACE(std::string(net::to_string(opt)));
    net::Scene scene = stats_scene(4, 2, 9, 2, 8);
    scene.train.optimizer = opt;
    scene.train.lr = 0.01;
    check_one_step(scene);
  }
}

// The ring holds one entry per step, oldest first, each equal to the reference's statistics of
// that step; its last entry is latest_stats().
TEST_F(Stats, HistoryHoldsEveryStepAndMatchesReference) {
  const net::Scene scene = stats_scene(5, 2, 7, 3, 6);
  gpu::Network gnet(test::context(), scene);
  std::vector<RefStep> refs;
  const uint32_t steps = 5;
  for (uint32_t s = 0; s < steps; ++s) {
    const net::Params before = gnet.params();
    gnet.train(1);
    refs.push_back(reference_step(scene, before, gnet.batch()));
  }
  EXPECT_NE(refs[0].grads.loss, refs[1].grads.loss) << "a fresh batch each step";
  const std::vector<gpu::StepStats> hist = gnet.history();
  ASSERT_EQ(hist.size(), steps);
  for (uint32_t s = 0; s < steps; ++s) {
    SCOPED_TRACE("step " + std::to_string(s));
    EXPECT_EQ(hist[s].step, s);
    EXPECT_TRUE(near_rel(hist[s].loss, refs[s].grads.loss, 1e-5));
    ASSERT_EQ(hist[s].layers.size(), refs[s].stats.size());
    for (size_t l = 0; l < hist[s].layers.size(); ++l)
      expect_layer_stats(hist[s].layers[l], refs[s].stats[l], l, 2e-5);
  }
  const gpu::StepStats latest = gnet.latest_stats();
  EXPECT_EQ(latest.step, steps - 1);
  EXPECT_EQ(latest.loss, hist.back().loss);
  ASSERT_EQ(latest.layers.size(), hist.back().layers.size());
  EXPECT_EQ(std::memcmp(latest.layers.data(), hist.back().layers.data(),
                        latest.layers.size() * sizeof(shared::LayerStats)),
            0);
}

TEST_F(Stats, HistoryRingWrapsToTheLastRingLenSteps) {
  const net::Scene scene = stats_scene(5, 2, 7, 3, 6);
  gpu::NetworkOptions opt;
  opt.ring_len = 4;
  gpu::Network gnet(test::context(), scene, opt);
  EXPECT_EQ(gnet.plan().ring_len, 4u);
  std::vector<double> losses;
  for (uint32_t s = 0; s < 10; ++s) {
    const net::Params before = gnet.params();
    gnet.train(1);
    losses.push_back(net::ref::loss(net::ref::Net::from(scene.network, before),
                                    ref_batch(gnet.batch()), scene.train.loss));
    if (s == 2) {
      const std::vector<gpu::StepStats> early = gnet.history();
      ASSERT_EQ(early.size(), 3u) << "before the ring fills";
      EXPECT_EQ(early.front().step, 0u);
    }
  }
  const std::vector<gpu::StepStats> hist = gnet.history();
  ASSERT_EQ(hist.size(), 4u);
  for (uint32_t i = 0; i < 4; ++i) {
    EXPECT_EQ(hist[i].step, 6 + i);
    EXPECT_TRUE(near_rel(hist[i].loss, losses[6 + i], 1e-5)) << "step " << 6 + i;
  }
  EXPECT_EQ(gnet.latest_stats().step, 9u);
}

// Entries of dW the float computation cannot hold: non-finite in the reference, or beyond the
// float range (the GPU overflows to inf there). Values are far from FLT_MAX either way.
uint32_t float_nonfinite(const std::vector<double>& v) {
  uint32_t n = 0;
  for (double x : v)
    if (!std::isfinite(x) || std::abs(x) > FLT_MAX) ++n;
  return n;
}

// A statistic of a layer whose dW overflows in float: equal to the reference where the
// reference fits in float with room for the sum of squares, and never a finite wrong value.
void expect_finite_or_overflow(float gpu, double ref, const char* what) {
  if (std::isfinite(gpu)) {
    EXPECT_TRUE(near_rel(gpu, ref, 1e-4)) << what;
  } else {
    EXPECT_TRUE(!std::isfinite(ref) || ref * ref > 0.5 * FLT_MAX) << what << ": gpu " << gpu;
  }
}

TEST_F(Stats, NonFiniteGradientsAreCounted) {
  net::Scene scene = stats_scene(5, 2, 7, 3, 6);
  scene.network.activation = net::Activation::linear;
  gpu::Network gnet(test::context(), scene);
  net::Params p = gnet.params();
  // Neuron 0 of the first hidden layer carries ~1e30: every later activation does too, the
  // output deltas are ~1e29 and their products with those activations overflow.
  p[0].w[0] = 1e30f;
  gnet.set_params(p);
  gnet.train(1);
  const RefStep ref = reference_step(scene, p, gnet.batch());
  const gpu::StepStats st = gnet.latest_stats();
  EXPECT_TRUE(std::isinf(st.loss) && st.loss > 0) << st.loss;
  uint32_t total = 0;
  for (size_t l = 0; l < st.layers.size(); ++l) {
    SCOPED_TRACE("layer " + std::to_string(l));
    const shared::LayerStats& g = st.layers[l];
    const uint32_t expect = float_nonfinite(ref.grads.dw[l]);
    EXPECT_EQ(g.nonfinite, expect);
    total += expect;
    if (expect > 0) {
      // +inf, or NaN where some entry is NaN (inf - inf in the batch sum).
      EXPECT_FALSE(std::isfinite(g.grad_w_max_abs) || g.grad_w_max_abs < 0) << g.grad_w_max_abs;
      EXPECT_FALSE(std::isfinite(g.grad_w_norm));
      EXPECT_FALSE(std::isfinite(g.grad_w_mean_abs));
      EXPECT_FALSE(std::isfinite(g.update_ratio));
    } else {
      EXPECT_TRUE(near_rel(g.grad_w_max_abs, ref.stats[l].grad_w_max_abs, 1e-4));
      EXPECT_TRUE(near_rel(g.grad_w_mean_abs, ref.stats[l].grad_w_mean_abs, 1e-4));
      expect_finite_or_overflow(g.grad_w_norm, ref.stats[l].grad_w_norm, "grad_w_norm");
    }
    // Layer 0 holds the 1e30 weight: its squared norm overflows in float.
    expect_finite_or_overflow(g.weight_norm, ref.stats[l].weight_norm, "weight_norm");
  }
  EXPECT_TRUE(near_rel(st.layers[1].weight_norm, ref.stats[1].weight_norm, 1e-6));
  // Layer 1: column 0 (x = 1e30 * ...), 7 entries; layer 2: all 3 x 7 entries.
  EXPECT_EQ(float_nonfinite(ref.grads.dw[0]), 0u);
  EXPECT_EQ(total, 7u + 21u);
  // The GPU's dW agrees with the reference entry by entry on which entries are finite.
  const net::Params grads = gnet.grads();
  for (size_t l = 0; l < grads.size(); ++l)
    for (size_t i = 0; i < grads[l].w.size(); ++i)
      EXPECT_EQ(std::isfinite(grads[l].w[i]),
                std::isfinite(ref.grads.dw[l][i]) && std::abs(ref.grads.dw[l][i]) <= FLT_MAX)
          << "layer " << l << " entry " << i;

  // Training goes on with non-finite parameters: no crash, counts stay within the real entries
  // (padding is never counted) and equal the reference run on those parameters.
  const net::Params poisoned = gnet.params();
  gnet.train(1);
  const RefStep ref2 = reference_step(scene, poisoned, gnet.batch());
  const gpu::StepStats st2 = gnet.latest_stats();
  EXPECT_EQ(st2.step, 1u);
  EXPECT_FALSE(std::isfinite(st2.loss));
  for (size_t l = 0; l < st2.layers.size(); ++l) {
    EXPECT_EQ(st2.layers[l].nonfinite, float_nonfinite(ref2.grads.dw[l])) << "layer " << l;
    EXPECT_LE(st2.layers[l].nonfinite, poisoned[l].in * poisoned[l].out);
  }
  gnet.train(3);
  const std::vector<gpu::StepStats> hist = gnet.history();
  ASSERT_EQ(hist.size(), 5u);
  EXPECT_EQ(hist.back().step, 4u);
}

// A layer whose weights are all zero but which gets an update has an infinite update ratio
// (not NaN, not 0), as in the reference; a layer with no update has ratio 0.
TEST_F(Stats, UpdateRatioOfZeroWeightsIsInfinite) {
  const net::Scene scene = stats_scene(5, 2, 7, 3, 6);
  gpu::Network gnet(test::context(), scene);
  net::Params p = gnet.params();
  std::fill(p[1].w.begin(), p[1].w.end(), 0.0f);
  gnet.set_params(p);
  gnet.train(1);
  const RefStep ref = reference_step(scene, p, gnet.batch());
  const gpu::StepStats st = gnet.latest_stats();
  EXPECT_EQ(st.layers[1].weight_norm, 0.0f);
  EXPECT_TRUE(std::isinf(ref.stats[1].update_ratio));
  EXPECT_TRUE(std::isinf(st.layers[1].update_ratio));
  EXPECT_GT(st.layers[1].update_ratio, 0.0f);
  for (size_t l = 0; l < st.layers.size(); ++l)
    if (l != 1) expect_layer_stats(st.layers[l], ref.stats[l], l, 2e-5);
}

}  // namespace
}  // namespace gt

namespace gt {
namespace {

// A two-layer linear regression network for hand-set extreme values.
net::Scene extreme_scene(uint32_t in, uint32_t width) {
  net::Scene s;
  s.network.input = in;
  s.network.depth = 1;
  s.network.width = width;
  s.network.output = 1;
  s.network.activation = net::Activation::linear;
  s.network.output_activation = net::Activation::linear;
  s.network.seed = 4;
  s.data.kind = net::DataKind::teacher;
  s.data.batch = 4;
  s.train.loss = net::Loss::mse;
  s.train.lr = 1e-30;
  return s;
}

// Finite entries whose sum of |v| overflows float: the norms stay finite (they are scaled sums
// of squares) and nothing is counted as non-finite. Compared with norms computed in double here.
TEST_F(Stats, HugeFiniteGradientsKeepFiniteNorms) {
  gpu::Network gnet(test::context(), extreme_scene(64, 64));
  net::Params p = gnet.params();
  p[1].b[0] = 3e37f;
  gnet.set_params(p);
  gnet.train(1);
  const net::Params g = gnet.grads();
  double sq = 0, mx = 0;
  for (float v : g[1].w) {
    ASSERT_TRUE(std::isfinite(v));
    sq += double(v) * v;
    mx = std::max(mx, double(std::abs(v)));
  }
  const gpu::StepStats st = gnet.latest_stats();
  EXPECT_EQ(st.layers[1].nonfinite, 0u);
  EXPECT_NEAR(st.layers[1].grad_w_norm, std::sqrt(sq), 1e-5 * std::sqrt(sq));
  EXPECT_NEAR(st.layers[1].grad_w_max_abs, mx, 1e-6 * mx);
}

TEST_F(Stats, HugeFiniteDeltasKeepFiniteRms) {
  gpu::Network gnet(test::context(), extreme_scene(4, 4));
  net::Params p = gnet.params();
  for (float& w : p[1].w)
    w = 0;
  p[1].b[0] = 3e38f;
  gnet.set_params(p);
  gnet.train(1);
  const gpu::Batch b = gnet.batch();
  // Output = bias for every sample; delta = 2 (3e38 - y) / B.
  double sq = 0;
  for (uint32_t i = 0; i < b.size; ++i) {
    const double d = 2.0 * (3e38 - b.target[i]) / b.size;
    sq += d * d;
  }
  const double rms = std::sqrt(sq / b.size);
  EXPECT_NEAR(gnet.latest_stats().layers[1].delta_rms, rms, 1e-5 * rms);
}

// Denormal gradients (below 1.2e-38) keep their size in the statistics instead of reading 0.
TEST_F(Stats, DenormalGradientsKeepTheirNorm) {
  gpu::Network gnet(test::context(), extreme_scene(4, 4));
  net::Params p = gnet.params();
  for (float& w : p[0].w)
    w = 0;
  for (float& b : p[0].b)
    b = 2e-39f;  // hidden activations 2e-39: dW of layer 2 is ~1e-39
  gnet.set_params(p);
  gnet.train(1);
  const net::Params g = gnet.grads();
  double sq = 0;
  for (float v : g[1].w)
    sq += double(v) * v;
  ASSERT_GT(sq, 0.0) << "the driver flushed the denormal gradients themselves";
  const gpu::StepStats st = gnet.latest_stats();
  EXPECT_NEAR(st.layers[1].grad_w_norm, std::sqrt(sq), 1e-3 * std::sqrt(sq));
  EXPECT_GT(st.layers[1].grad_w_max_abs, 0.0f);
}

}  // namespace
}  // namespace gt
