// Residual connections and layer / batch normalization on the GPU against the double-precision
// CPU reference (itself checked against finite differences in test_reference_blocks.cpp): the
// loss, every gradient (W, b, gamma, beta), the per-layer statistics and a few optimizer steps,
// for both GEMM variants, on shapes that are not multiples of the tiles.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <ostream>
#include <string>
#include <tuple>
#include <vector>

#include "gpu/network.hpp"
#include "gpu_fixture.hpp"
#include "net/init.hpp"
#include "net/reference.hpp"
#include "op_graph_edge_scenes.hpp"
#include "op_graph_scenes.hpp"
#include "render/theory_strip.hpp"
#include "scene/scene.hpp"
#include "test_printers.hpp"

namespace gt {
namespace {

using test::ref_batch;

using test::close;

struct Blocks {
  bool residual = false;
  uint32_t every = 1;
  net::Norm norm = net::Norm::none;
  net::Activation act = net::Activation::tanh;
  std::string name() const {
    return std::string(residual ? "residual" + std::to_string(every) : "plain") + "_" +
           std::string(net::to_string(norm)) + "_" + std::string(net::to_string(act));
  }
};

void PrintTo(const Blocks& b, std::ostream* os) {
  *os << b.name();
}

net::Scene block_scene(const Blocks& b) {
  net::Scene s;
  s.title = "blocks";
  s.network.input = 5;
  s.network.depth = 5;
  s.network.width = 7;  // not a multiple of 4
  s.network.output = 3;
  s.network.activation = b.act;
  s.network.sigma_w = 1.3;
  s.network.sigma_b = 0.3;
  s.network.seed = 17;
  s.network.residual = b.residual;
  s.network.residual_every = b.every;
  s.network.norm = b.norm;
  s.data.kind = net::DataKind::teacher;
  s.data.batch = 6;  // not a multiple of 4
  s.data.seed = 5;
  s.train.loss = net::Loss::mse;
  s.train.optimizer = net::Optimizer::sgd;
  s.train.lr = 0.05;
  return s;
}

// Mean and population standard deviation of a layer's activation outputs act(Y) (what the
// statistics describe: before a residual skip is added).
std::pair<double, double> mean_std(const std::vector<double>& a) {
  double m = 0, v = 0;
  for (double x : a)
    m += x;
  m /= double(a.size());
  for (double x : a)
    v += (x - m) * (x - m);
  return {m, std::sqrt(v / double(a.size()))};
}

// The rounding a float sum of these terms may carry (with room): 1e-6 of their absolute sum.
double db_atol(const std::vector<double>& delta) {
  double s = 0;
  for (double v : delta)
    s += std::abs(v);
  return 1e-6 * s + 1e-12;
}

// One step of the scene's network on the GPU against the reference: loss, every gradient,
// activations, per-layer and per-neuron statistics.
void check_step(const net::Scene& scene, gpu::Kernels kernels) {
  gpu::NetworkOptions options;
  options.kernels = kernels;
  gpu::Network gnet(test::context(), scene, options);
  const net::Params before = gnet.params();
  gnet.train(1);
  const net::ref::Net ref_net = net::ref::Net::from(scene.network, before);
  const net::ref::Batch batch = ref_batch(gnet.batch());
  const net::ref::Gradients ref = net::ref::backward(ref_net, batch, scene.train.loss);
  const net::ref::Forward f = net::ref::forward(ref_net, batch);
  EXPECT_NEAR(gnet.loss(), ref.loss, 1e-5 * std::max(1.0, std::abs(ref.loss)));
  const net::Params grads = gnet.grads();
  for (size_t l = 0; l < grads.size(); ++l) {
    SCOPED_TRACE("layer " + std::to_string(l));
    EXPECT_TRUE(close(grads[l].w, ref.dw[l], 5e-5));
    // Under batch norm db = sum_b dZ is 0 up to rounding: allowed the rounding of that sum.
    EXPECT_TRUE(close(grads[l].b, ref.db[l], 5e-5, db_atol(ref.delta[l])));
    EXPECT_TRUE(close(grads[l].gamma, ref.dgamma[l], 5e-5));
    EXPECT_TRUE(close(grads[l].beta, ref.dbeta[l], 5e-5));
    EXPECT_EQ(grads[l].gamma.empty(), !scene.network.normalized(uint32_t(l)));
  }
  for (uint32_t a = 1; a <= scene.network.depth; ++a)
    EXPECT_TRUE(close(gnet.activations(a), f.x[a], 2e-5)) << "X_" << a;

  net::ref::Net after = ref_net;
  net::ref::OptimizerState state;
  const std::vector<double> upd = net::ref::update(after, ref, state, scene.train);
  const std::vector<net::ref::LayerStats> want = net::ref::statistics(ref_net, ref, upd);
  const gpu::StepStats st = gnet.latest_stats();
  const std::vector<float> neurons = gnet.neuron_stats();
  size_t neuron = 0;
  for (size_t l = 0; l < st.layers.size(); ++l) {
    SCOPED_TRACE("stats of layer " + std::to_string(l));
    const shared::LayerStats& g = st.layers[l];
    const net::ref::LayerStats& r = want[l];
    EXPECT_NEAR(g.grad_w_norm, r.grad_w_norm, 5e-5 * r.grad_w_norm + 1e-12);
    EXPECT_NEAR(g.grad_b_norm, r.grad_b_norm,
                5e-5 * r.grad_b_norm +
                    std::sqrt(double(r.neuron_mean_abs_delta.size())) * db_atol(ref.delta[l]));
    EXPECT_NEAR(g.delta_rms, r.delta_rms, 5e-5 * r.delta_rms + 1e-12);
    EXPECT_NEAR(g.weight_norm, r.weight_norm, 1e-5 * r.weight_norm);
    EXPECT_NEAR(g.update_ratio, r.update_ratio, 1e-4 * r.update_ratio + 1e-12);
    const auto [mean, sd] = mean_std(f.a[l]);
    EXPECT_NEAR(g.act_mean, mean, 2e-5 * (1 + sd));
    EXPECT_NEAR(g.act_std, sd, 2e-5 * sd + 1e-7);
    for (double v : r.neuron_mean_abs_delta) {
      EXPECT_NEAR(neurons[neuron], v, 5e-5 * std::abs(v) + 1e-9) << "neuron " << neuron;
      ++neuron;
    }
  }
  EXPECT_GT(want[0].grad_w_norm, 1e-4) << "the comparison is not vacuous";
}

class BlockStep : public test::GpuTest,
                  public ::testing::WithParamInterface<std::tuple<Blocks, gpu::Kernels>> {};

TEST_P(BlockStep, GradientsAndStatisticsMatchTheReference) {
  const auto [blocks, kernels] = GetParam();
  check_step(block_scene(blocks), kernels);
}

// Networks only [[network.op]] can build (op_graph_scenes.hpp): skips of other spans and widths,
// norms of both kinds and activations differing per layer, run by the same fused kernels.
class GraphStep : public test::GpuTest,
                  public ::testing::WithParamInterface<std::tuple<test::GraphCase, gpu::Kernels>> {
};

TEST_P(GraphStep, GradientsAndStatisticsMatchTheReference) {
  const auto& [c, kernels] = GetParam();
  check_step(scene::parse(test::graph_scene_text(c), c.name + ".toml"), kernels);
}

INSTANTIATE_TEST_SUITE_P(Explicit, GraphStep,
                         ::testing::Combine(::testing::ValuesIn(test::graph_cases()),
                                            ::testing::Values(gpu::Kernels::texel,
                                                              gpu::Kernels::shared)),
                         [](const auto& p) {
                           return std::get<0>(p.param).name + "_" +
                                  gpu::to_string(std::get<1>(p.param));
                         });

INSTANTIATE_TEST_SUITE_P(Edge, GraphStep,
                         ::testing::Combine(::testing::ValuesIn(test::edge_graph_cases()),
                                            ::testing::Values(gpu::Kernels::texel,
                                                              gpu::Kernels::shared)),
                         [](const auto& p) {
                           return std::get<0>(p.param).name + "_" +
                                  gpu::to_string(std::get<1>(p.param));
                         });

// Several SGD steps of the edge graphs: the skip tensors, reused by every step's forward skips and
// backward carries, hold nothing stale into the next step.
TEST_P(GraphStep, ThreeStepsMatchTheReference) {
  const auto& [c, kernels] = GetParam();
  const net::Scene scene = scene::parse(test::graph_scene_text(c), c.name + ".toml");
  gpu::NetworkOptions options;
  options.kernels = kernels;
  gpu::Network gnet(test::context(), scene, options);
  net::ref::Net ref = net::ref::Net::from(scene.network, gnet.params());
  net::ref::OptimizerState state;
  for (uint32_t s = 0; s < 3; ++s) {
    SCOPED_TRACE("step " + std::to_string(s));
    gnet.train(1);
    const net::ref::Gradients g =
        net::ref::backward(ref, ref_batch(gnet.batch()), scene.train.loss);
    EXPECT_NEAR(gnet.loss(), g.loss, 2e-5 * std::max(1.0, g.loss));
    net::ref::update(ref, g, state, scene.train);
    const net::Params p = gnet.params();
    for (size_t l = 0; l < p.size(); ++l) {
      EXPECT_TRUE(close(p[l].w, ref.layers[l].w, 2e-5, 1e-7)) << "W of layer " << l;
      EXPECT_TRUE(close(p[l].gamma, ref.layers[l].gamma, 2e-5, 1e-7)) << "gamma of layer " << l;
    }
  }
}

std::vector<Blocks> step_cases() {
  std::vector<Blocks> out;
  for (net::Activation act :
       {net::Activation::tanh, net::Activation::gelu, net::Activation::relu}) {
    out.push_back({true, 1, net::Norm::none, act});
    out.push_back({true, 3, net::Norm::none, act});  // blocks 2..4 and the partial 5
  }
  out.push_back({true, 2, net::Norm::none, net::Activation::sigmoid});
  return out;
}

std::vector<Blocks> norm_cases() {
  std::vector<Blocks> out;
  for (net::Norm norm : {net::Norm::batch, net::Norm::layer}) {
    for (net::Activation act :
         {net::Activation::tanh, net::Activation::gelu, net::Activation::relu}) {
      out.push_back({false, 1, norm, act});
      out.push_back({true, 2, norm, act});
    }
  }
  return out;
}

INSTANTIATE_TEST_SUITE_P(Residual, BlockStep,
                         ::testing::Combine(::testing::ValuesIn(step_cases()),
                                            ::testing::Values(gpu::Kernels::texel,
                                                              gpu::Kernels::shared)),
                         [](const auto& p) {
                           return std::get<0>(p.param).name() + "_" +
                                  gpu::to_string(std::get<1>(p.param));
                         });

INSTANTIATE_TEST_SUITE_P(Norm, BlockStep,
                         ::testing::Combine(::testing::ValuesIn(norm_cases()),
                                            ::testing::Values(gpu::Kernels::texel,
                                                              gpu::Kernels::shared)),
                         [](const auto& p) {
                           return std::get<0>(p.param).name() + "_" +
                                  gpu::to_string(std::get<1>(p.param));
                         });

// Several optimizer steps: the reference trains alongside on the GPU's own batches.
class BlockTraining
    : public test::GpuTest,
      public ::testing::WithParamInterface<std::tuple<Blocks, net::Optimizer, bool>> {};

TEST_P(BlockTraining, StepsMatchTheReference) {
  const auto [blocks, opt, clip] = GetParam();
  net::Scene scene = block_scene(blocks);
  scene.train.optimizer = opt;
  scene.train.lr = opt == net::Optimizer::adam ? 0.01 : 0.05;
  if (clip) scene.train.clip_norm = 0.05;  // below the gradients' norm: every step is clipped
  gpu::Network gnet(test::context(), scene);
  net::ref::Net ref = net::ref::Net::from(scene.network, gnet.params());
  net::ref::OptimizerState state;
  for (uint32_t s = 0; s < 3; ++s) {
    SCOPED_TRACE("step " + std::to_string(s));
    gnet.train(1);
    const net::ref::Gradients g =
        net::ref::backward(ref, ref_batch(gnet.batch()), scene.train.loss);
    EXPECT_NEAR(gnet.loss(), g.loss, 2e-5 * std::max(1.0, g.loss));
    if (clip) {  // the clipping is active, and gamma and beta weigh in its norm
      double all = 0, norm_params = 0;
      for (const auto* set : {&g.dw, &g.db, &g.dgamma, &g.dbeta})
        for (const std::vector<double>& v : *set)
          for (double x : v)
            all += x * x;
      for (const auto* set : {&g.dgamma, &g.dbeta})
        for (const std::vector<double>& v : *set)
          for (double x : v)
            norm_params += x * x;
      EXPECT_GT(std::sqrt(all), 2 * scene.train.clip_norm);
      if (blocks.norm != net::Norm::none) {
        EXPECT_GT(norm_params, 1e-3 * all);
      }
    }
    net::ref::update(ref, g, state, scene.train);
    const double atol = opt == net::Optimizer::adam ? 4e-6 * scene.train.lr * (s + 1) : 1e-12;
    const net::Params p = gnet.params();
    for (size_t l = 0; l < p.size(); ++l) {
      EXPECT_TRUE(close(p[l].w, ref.layers[l].w, 2e-5, atol)) << "W of layer " << l;
      // Batch norm removes b exactly: its gradient is rounding noise (1e-17 in double, 1e-9 in
      // float), which Adam normalizes into steps of about lr of either sign. Not comparable.
      const bool b_is_dead = scene.network.norm == net::Norm::batch &&
                             scene.network.normalized(uint32_t(l)) && opt == net::Optimizer::adam;
      if (!b_is_dead) {
        EXPECT_TRUE(close(p[l].b, ref.layers[l].b, 2e-5, atol)) << "b of layer " << l;
      }
      EXPECT_TRUE(close(p[l].gamma, ref.layers[l].gamma, 2e-5, atol)) << "gamma of layer " << l;
      EXPECT_TRUE(close(p[l].beta, ref.layers[l].beta, 2e-5, atol)) << "beta of layer " << l;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(
    Residual, BlockTraining,
    ::testing::Combine(::testing::Values(Blocks{true, 2, net::Norm::none, net::Activation::tanh},
                                         Blocks{false, 1, net::Norm::batch, net::Activation::tanh},
                                         Blocks{true, 2, net::Norm::layer, net::Activation::gelu}),
                       ::testing::Values(net::Optimizer::sgd, net::Optimizer::momentum,
                                         net::Optimizer::adam),
                       ::testing::Bool()),
    [](const auto& p) {
      return std::get<0>(p.param).name() + "_" + std::string(net::to_string(std::get<1>(p.param))) +
             (std::get<2>(p.param) ? "_clip_norm" : "");
    });

template <typename T>
bool same_bits(const std::vector<T>& a, const std::vector<T>& b) {
  // memcmp may not be given an empty vector's data(), which may be null (gamma of a plain layer).
  return a.size() == b.size() &&
         (a.empty() || std::memcmp(a.data(), b.data(), a.size() * sizeof(T)) == 0);
}

// Everything a run leaves: parameters (gamma, beta too), gradients, statistics.
void expect_same_run(gpu::Network& a, gpu::Network& b) {
  const net::Params pa = a.params(), pb = b.params(), ga = a.grads(), gb = b.grads();
  ASSERT_EQ(pa.size(), pb.size());
  for (size_t l = 0; l < pa.size(); ++l) {
    SCOPED_TRACE("layer " + std::to_string(l));
    EXPECT_TRUE(same_bits(pa[l].w, pb[l].w));
    EXPECT_TRUE(same_bits(pa[l].b, pb[l].b));
    EXPECT_TRUE(same_bits(pa[l].gamma, pb[l].gamma));
    EXPECT_TRUE(same_bits(pa[l].beta, pb[l].beta));
    EXPECT_TRUE(same_bits(ga[l].w, gb[l].w));
    EXPECT_TRUE(same_bits(ga[l].gamma, gb[l].gamma));
  }
  const gpu::StepStats sa = a.latest_stats(), sb = b.latest_stats();
  EXPECT_EQ(sa.step, sb.step);
  EXPECT_TRUE(same_bits(sa.layers, sb.layers));
  EXPECT_TRUE(same_bits(a.neuron_stats(), b.neuron_stats()));
}

class BlockLayout : public test::GpuTest, public ::testing::WithParamInterface<net::Norm> {};

// The live view's pieces (the norm dispatches are operations of their own) and buffers split
// into small segments change nothing: bit-identical to whole steps in one segment.
TEST_P(BlockLayout, PiecesAndSegmentsAreBitIdentical) {
  net::Scene s = block_scene({true, 2, GetParam(), net::Activation::tanh});
  s.network.depth = 12;
  s.network.width = 24;
  s.data.batch = 10;
  s.train.optimizer = net::Optimizer::adam;
  s.train.lr = 0.01;
  s.train.clip_norm = 0.5;
  gpu::NetworkOptions small;
  small.max_segment_bytes = 4096;
  small.ring_len = 4;
  gpu::NetworkOptions big;
  big.ring_len = 4;
  gpu::Network whole(test::context(), s, big);
  gpu::Network cut(test::context(), s, big);
  gpu::Network seg(test::context(), s, small);
  EXPECT_GE(seg.plan().params.segment_floats.size(), 3u);
  EXPECT_GE(seg.plan().nhat.segment_floats.size(), GetParam() == net::Norm::none ? 0u : 2u);
  whole.train(3);
  seg.train(3);
  uint32_t calls = 0, steps = 0;
  while (steps < 3) {
    steps += cut.train_pieces(0.0);
    ++calls;
  }
  EXPECT_GT(calls, 3u * 8u);
  {
    SCOPED_TRACE("pieces");
    expect_same_run(whole, cut);
  }
  {
    SCOPED_TRACE("segments");
    expect_same_run(whole, seg);
  }
}

INSTANTIATE_TEST_SUITE_P(Norms, BlockLayout,
                         ::testing::Values(net::Norm::none, net::Norm::batch, net::Norm::layer),
                         [](const auto& p) { return std::string(net::to_string(p.param)); });

// The plan: gamma and beta in the parameter block, the skip and norm buffers in the memory
// total, and the delta halves alternating so that no pass reads the half it writes.
TEST(BlockPlan, LayoutAndMemory) {
  net::Scene s = block_scene({true, 2, net::Norm::layer, net::Activation::tanh});
  gpu::DeviceLimits limits;
  limits.max_segment_bytes = 1ull << 30;
  limits.device_memory_bytes = 1ull << 40;
  const gpu::Plan p = gpu::make_plan(s.network, s.data, s.train, limits);
  s.network.norm = net::Norm::none;
  s.network.residual = false;
  const gpu::Plan plain = gpu::make_plan(s.network, s.data, s.train, limits);
  const uint64_t ld = 8, pad = 8;  // width 7 and batch 6, padded to 4
  EXPECT_EQ(p.skip_floats, pad * ld);
  EXPECT_EQ(p.norm_layers, 5u);
  EXPECT_EQ(p.norm_stat_floats, 5 * pad);  // rstd per sample for layer norm
  uint64_t extra_params = 0;
  for (uint32_t l = 0; l < p.num_layers; ++l) {
    const shared::LayerDesc& d = p.layers[l];
    const bool norm = l + 1 < p.num_layers;
    EXPECT_EQ(d.param_floats, d.ld_out * d.ld_in + d.ld_out * (norm ? 3u : 1u));
    if (norm) {
      EXPECT_EQ(d.g_off, d.b_off + d.ld_out);
      EXPECT_EQ(d.be_off, d.g_off + d.ld_out);
      EXPECT_NE(d.dy_off, d.d_off);
      extra_params += 2 * d.ld_out;
      // Each norm keeps its own N-hat, one after the other in one segment.
      EXPECT_EQ(d.nhat_off, l * pad * ld);
      EXPECT_EQ(p.nhat_segment(l, false), 0u);
    }
    EXPECT_NE(d.d_off, d.d_prev_off);
    if (l > 0) {  // where layer l writes is where layer l - 1 (or its norm) reads
      const shared::LayerDesc& prev = p.layers[l - 1];
      EXPECT_EQ(d.d_prev_off, prev.flags & shared::GT_FLAG_NORM_LAYER ? prev.dy_off : prev.d_off);
    }
  }
  // depth 5, k = 2: X_1 starts, layers 3 and 5 (index 2, 4) end blocks, layer 3 starts the next.
  EXPECT_EQ(p.layers[0].flags & 3u, shared::GT_FLAG_SKIP_WRITE);
  EXPECT_EQ(p.layers[1].flags & 3u, 0u);
  EXPECT_EQ(p.layers[2].flags & 3u, shared::GT_FLAG_SKIP_WRITE | shared::GT_FLAG_SKIP_ADD);
  EXPECT_EQ(p.layers[4].flags & 3u, shared::GT_FLAG_SKIP_ADD);
  EXPECT_EQ(p.layers[5].flags & 3u, 0u);
  // N-hat of the 5 normalized layers only (not of the input or the output), in place of the plain
  // network's one-vec4 stand-in.
  const uint64_t nhat = 5 * pad * ld;
  ASSERT_EQ(p.nhat.segment_floats, std::vector<uint64_t>{nhat});
  ASSERT_EQ(plain.nhat.segment_floats, std::vector<uint64_t>{shared::GT_VEC});
  const uint64_t moments = 0;  // sgd
  EXPECT_EQ(p.total_bytes() - plain.total_bytes(),
            4 * ((2 + moments) * extra_params + nhat - shared::GT_VEC + p.skip_floats +
                 p.norm_stat_floats + 4 * (p.partial_vec4s - plain.partial_vec4s)));
}

// The ratio of the first layer's |dW| to the output layer's, after a few steps.
double first_to_last(const gpu::StepStats& st) {
  return double(st.layers.front().grad_w_norm) / double(st.layers.back().grad_w_norm);
}

using DeepBlocks = test::GpuTest;

TEST_F(DeepBlocks, ThousandResidualLayersKeepTheGradientThatPlainOnesLose) {
  net::Scene s = block_scene({true, 1, net::Norm::none, net::Activation::tanh});
  s.network.depth = 1000;
  s.network.width = 64;
  s.network.sigma_w = 0.8;  // ordered phase: chi_1 = 0.64 per layer without the skips
  s.network.sigma_b = 0.0;
  s.data.batch = 16;
  s.train.lr = 1e-3;
  gpu::Network residual(test::context(), s);
  residual.train(3);
  const gpu::StepStats r = residual.latest_stats();
  s.network.residual = false;
  gpu::Network plain(test::context(), s);
  plain.train(3);
  const gpu::StepStats p = plain.latest_stats();
  for (const shared::LayerStats& l : r.layers)
    ASSERT_TRUE(std::isfinite(l.grad_w_norm));
  EXPECT_TRUE(std::isfinite(residual.loss()));
  EXPECT_GT(first_to_last(r), 1e-3) << "the skips carry the gradient down 1,000 layers";
  EXPECT_LT(first_to_last(p), 1e-30) << "0.64^1000: vanished";
  EXPECT_GT(r.layers.front().grad_w_norm, 1e25 * p.layers.front().grad_w_norm);
}

TEST_F(DeepBlocks, BatchNormKeepsADeepTanhNetworkFlowing) {
  net::Scene s = block_scene({false, 1, net::Norm::batch, net::Activation::tanh});
  s.network.depth = 100;
  s.network.width = 32;
  s.network.sigma_w = 0.5;  // chi_1 = 0.25 per layer without norm: 1e-60 over 100 layers
  s.network.sigma_b = 0.0;
  s.data.batch = 16;
  s.train.lr = 1e-3;
  gpu::Network normed(test::context(), s);
  normed.train(3);
  const gpu::StepStats n = normed.latest_stats();
  s.network.norm = net::Norm::none;
  gpu::Network plain(test::context(), s);
  plain.train(3);
  const gpu::StepStats p = plain.latest_stats();
  for (const shared::LayerStats& l : n.layers)
    ASSERT_TRUE(std::isfinite(l.grad_w_norm));
  EXPECT_GT(first_to_last(n), 1e-2) << "batch norm rescales every layer's signal";
  EXPECT_LT(first_to_last(n), 1e4) << "and does not explode at this depth";
  EXPECT_LT(first_to_last(p), 1e-20) << "without it: vanished";
  EXPECT_GT(first_to_last(n), 1e18 * first_to_last(p));
}

// The theory strip and plot line claim no mean-field prediction for residual or normalized
// networks (the theory does not cover them).
TEST(BlocksTheory, NoPredictionDrawnForResidualOrNorm) {
  net::NetworkSpec spec = block_scene({}).network;
  std::vector<shared::LayerStats> measured(spec.num_layers());
  for (shared::LayerStats& l : measured) {
    l.grad_w_norm = 0.1f;
    l.delta_rms = 0.1f;
  }
  EXPECT_EQ(render::theory_log10(spec, measured, render::GT_METRIC_GRAD_W_NORM).size(),
            measured.size());
  spec.residual = true;
  EXPECT_TRUE(render::theory_log10(spec, measured, render::GT_METRIC_GRAD_W_NORM).empty());
  spec.residual = false;
  spec.norm = net::Norm::layer;
  EXPECT_TRUE(render::theory_log10(spec, measured, render::GT_METRIC_GRAD_W_NORM).empty());
}

}  // namespace
}  // namespace gt
