// rezero on the GPU (gpu/ops/rezero.cpp, compute_shaders/rezero_*.comp) against the op-by-op CPU
// reference (ops/reference.hpp, which test_ops_rezero.cpp checks against finite differences), on
// both kernel variants: the loss, every layer's output, the gradients of W, b, gamma, beta and
// alpha, alpha's place in the global gradient norm (clip_norm), and the optimizer's update.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <tuple>

#include "gpu/network.hpp"
#include "gpu_fixture.hpp"
#include "ops/reference.hpp"
#include "post_op_step.hpp"
#include "scene/scene.hpp"

namespace gt {
namespace {

using test::ByOp;
using test::Case;
using test::check_step;
using test::expect_close;
using test::layers_of;
using test::scene_of;
using test::set_alphas;

// Widths not multiples of 4; 70 features x batch 6 passes 64 vec4s (alpha's reduction loops).
const std::vector<Case>& cases() {
  static const std::vector<Case> c = {
      {"blocks", R"(
[[network.op]]
kind = "dense"
units = 7
activation = "tanh"
[[network.op]]
kind = "repeat"
times = 3
ops = [ { kind = "dense", units = 7, activation = "tanh" },
        { kind = "rezero", from = "block" } ]
[[network.op]]
kind = "dense"
units = 3
)"},
      {"branch_from_input_and_wide", R"(
[[network.op]]
kind = "dense"
units = 9
activation = "gelu"
[[network.op]]
kind = "dense"
units = 5
activation = "tanh"
[[network.op]]
kind = "rezero"
from = "input"
[[network.op]]
kind = "dense"
units = 70
activation = "relu"
name = "wide"
[[network.op]]
kind = "dense"
units = 70
activation = "tanh"
[[network.op]]
kind = "rezero"
from = "wide"
[[network.op]]
kind = "dense"
units = 3
)"},
      {"norms_and_a_fused_skip", R"(
[[network.op]]
kind = "dense"
units = 6
activation = "tanh"
name = "stem"
[[network.op]]
kind = "dense"
units = 6
[[network.op]]
kind = "layer_norm"
activation = "tanh"
[[network.op]]
kind = "rezero"
from = "stem"
name = "a"
[[network.op]]
kind = "dense"
units = 6
[[network.op]]
kind = "batch_norm"
activation = "gelu"
[[network.op]]
kind = "residual_add"
from = "a"
name = "b"
[[network.op]]
kind = "dense"
units = 6
activation = "sigmoid"
[[network.op]]
kind = "rezero"
from = "b"
[[network.op]]
kind = "dense"
units = 2
)"},
      // Rezero skips crossing a fused one (each skip its own tensor): X_1 -> X_3 (rezero),
      // X_2 -> X_4 (residual_add), X_3 -> X_5 (rezero).
      {"across_a_fused_skip", R"(
[[network.op]]
kind = "dense"
units = 6
activation = "tanh"
name = "a"
[[network.op]]
kind = "dense"
units = 6
activation = "tanh"
name = "b"
[[network.op]]
kind = "dense"
units = 6
activation = "gelu"
[[network.op]]
kind = "rezero"
from = "a"
name = "c"
[[network.op]]
kind = "dense"
units = 6
activation = "tanh"
[[network.op]]
kind = "residual_add"
from = "b"
[[network.op]]
kind = "dense"
units = 6
activation = "tanh"
[[network.op]]
kind = "rezero"
from = "c"
[[network.op]]
kind = "dense"
units = 3
)"},
  };
  return c;
}

class RezeroStep : public test::GpuTest,
                   public ::testing::WithParamInterface<std::tuple<Case, gpu::Kernels>> {
 protected:
  gpu::NetworkOptions options() const {
    gpu::NetworkOptions o;
    o.kernels = std::get<1>(GetParam());
    return o;
  }
};

TEST_P(RezeroStep, MatchesTheOpReference) {
  check_step(scene_of(std::get<0>(GetParam())), std::get<1>(GetParam()), 2);
}

// clip_norm scales every gradient by clip / (||g|| + 1e-6), ||g|| over all parameters: with
// alpha's gradients in it, the update of alpha and of W shows the norm the reference computes.
TEST_P(RezeroStep, AlphaIsInTheGlobalGradientNorm) {
  // Updates of about 0.1, far above float rounding.
  const net::Scene scene =
      scene_of(std::get<0>(GetParam()), "optimizer = \"sgd\"\nlr = 1.0\nclip_norm = 0.1\n");
  gpu::Network gnet(test::context(), scene, options());
  set_alphas(gnet);
  const net::Params before = gnet.params();
  gnet.train(1);
  const ops::Graph graph = ops::graph_of(scene.network);
  const ops::GraphGradients want = ops::backward(graph, ops::params_from_layers(graph, before),
                                                 test::ref_batch(gnet.batch()), scene.train.loss);
  double ssq = 0, alpha_ssq = 0;
  for (size_t i = 0; i < graph.ops.size(); ++i)
    for (const std::vector<double>& t : want.grads[i])
      for (double v : t) {
        ssq += v * v;
        if (graph.ops[i].kind == ops::Kind::rezero) alpha_ssq += v * v;
      }
  const double norm = std::sqrt(ssq);
  ASSERT_GT(norm, 0.1) << "the clip must act";
  // Without alpha the norm would be at least 0.5% smaller: far more than the 1e-4 allowed.
  ASSERT_GT(alpha_ssq, 1e-2 * ssq) << "alpha's share must be visible in the norm";
  const double scale = 0.1 / (norm + 1e-6);
  const net::Params after = gnet.params();
  const ByOp m = layers_of(graph);
  for (size_t i = 0; i < graph.ops.size(); ++i) {
    const net::LayerParams &a = after[size_t(m.layer[i])], &b = before[size_t(m.layer[i])];
    if (graph.ops[i].kind == ops::Kind::rezero) {
      EXPECT_NEAR(a.post[0] - b.post[0], -scene.train.lr * scale * want.grads[i][0][0],
                  1e-4 * scene.train.lr * scale * std::abs(want.grads[i][0][0]) + 2e-7);
    }
    if (graph.ops[i].kind == ops::Kind::dense) {
      for (size_t k = 0; k < 3; ++k)
        EXPECT_NEAR(a.w[k] - b.w[k], -scene.train.lr * scale * want.grads[i][0][k],
                    1e-4 * scene.train.lr * scale * std::abs(want.grads[i][0][k]) + 4e-7);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Rezero, RezeroStep,
                         ::testing::Combine(::testing::ValuesIn(cases()),
                                            ::testing::Values(gpu::Kernels::texel,
                                                              gpu::Kernels::shared)),
                         [](const auto& p) {
                           return std::get<0>(p.param).name + "_" +
                                  gpu::to_string(std::get<1>(p.param));
                         });

class RezeroKernels : public test::GpuTest, public ::testing::WithParamInterface<gpu::Kernels> {
 protected:
  gpu::NetworkOptions options() const {
    gpu::NetworkOptions o;
    o.kernels = GetParam();
    return o;
  }
};

// At initialisation alpha = 0: every block is the identity, so the gradient reaches layer 1
// whole while the blocks' own weights get none yet; alpha's gradient is what moves first.
TEST_P(RezeroKernels, AtZeroOnlyTheAlphasAndTheEndsLearn) {
  const net::Scene scene = scene_of(cases()[0]);
  gpu::Network gnet(test::context(), scene, options());
  gnet.train(1);
  const net::Params g = gnet.grads();
  ASSERT_EQ(g.size(), 5u);
  const auto sumsq = [](const std::vector<float>& v) {
    double s = 0;
    for (float x : v)
      s += double(x) * x;
    return s;
  };
  EXPECT_GT(sumsq(g[0].w), 1e-8) << "layer 1: the skips carry the gradient down";
  for (size_t l = 1; l <= 3; ++l) {
    EXPECT_EQ(sumsq(g[l].w), 0.0) << "block " << l << ": alpha = 0 scales its branch to nothing";
    EXPECT_GT(std::abs(g[l].post[0]), 1e-6) << "block " << l;
  }
  EXPECT_GT(sumsq(g[4].w), 1e-8);
}

// Adam's first step moves every parameter by about lr against its gradient's sign (m / sqrt(v) =
// g / |g|): alpha's optimizer state is kept, like W's.
TEST_P(RezeroKernels, AdamMovesAlpha) {
  const net::Scene scene = scene_of(cases()[0], "lr = 0.01\noptimizer = \"adam\"\n");
  gpu::NetworkOptions o = options();
  gpu::Network gnet(test::context(), scene, o);
  set_alphas(gnet);
  const net::Params before = gnet.params();
  gnet.train(1);
  const net::Params g = gnet.grads(), after = gnet.params();
  uint32_t seen = 0;
  for (size_t l = 0; l < g.size(); ++l) {
    if (g[l].post.empty()) continue;
    ASSERT_GT(std::abs(g[l].post[0]), 1e-4f);
    const double want = -0.01 * (g[l].post[0] > 0 ? 1.0 : -1.0);
    EXPECT_NEAR(after[l].post[0] - before[l].post[0], want, 1e-4) << "layer " << l;
    ++seen;
  }
  EXPECT_EQ(seen, 3u);
}

// Activations and parameters split over several small segments (a rezero's source in another
// segment than its output), and the step cut into pieces for the live view: bit-identical to the
// whole step in one segment, over three Adam steps with clipping.
TEST_P(RezeroKernels, SegmentsAndPiecesAreBitIdentical) {
  const Case deep{"deep", R"(
[[network.op]]
kind = "dense"
units = 20
activation = "tanh"
[[network.op]]
kind = "repeat"
times = 8
ops = [ { kind = "dense", units = 20, activation = "tanh" },
        { kind = "rezero", from = "block" } ]
[[network.op]]
kind = "dense"
units = 3
)"};
  const net::Scene scene = scene_of(deep, "lr = 0.01\noptimizer = \"adam\"\nclip_norm = 0.5\n");
  gpu::NetworkOptions big = options(), small = options();
  small.max_segment_bytes = 4096;
  small.ring_len = big.ring_len = 4;  // the statistics ring in one small segment
  gpu::Network whole(test::context(), scene, big);
  gpu::Network seg(test::context(), scene, small);
  gpu::Network cut(test::context(), scene, big);
  ASSERT_GE(seg.plan().acts.segment_floats.size(), 2u);
  ASSERT_GE(seg.plan().params.segment_floats.size(), 3u);
  bool apart = false;  // some rezero reads a source in another segment than its output's
  for (uint32_t l = 0; l < seg.plan().num_layers; ++l) {
    const ops::FusedLayer& f = seg.plan().fused[l];
    if (f.post)
      apart = apart || seg.plan().acts.segment_of[uint32_t(f.post_source)] !=
                           seg.plan().acts.segment_of[l + 1];
  }
  EXPECT_TRUE(apart);
  for (gpu::Network* n : {&whole, &seg, &cut})
    set_alphas(*n);
  whole.train(3);
  seg.train(3);
  uint32_t steps = 0;
  while (steps < 3)
    steps += cut.train_pieces(0.0);
  for (gpu::Network* n : {&seg, &cut}) {
    EXPECT_EQ(n->loss(), whole.loss());
    const net::Params a = n->params(), b = whole.params();
    for (size_t l = 0; l < a.size(); ++l) {
      EXPECT_EQ(a[l].w, b[l].w) << "layer " << l;
      EXPECT_EQ(a[l].post, b[l].post) << "layer " << l;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Rezero, RezeroKernels,
                         ::testing::Values(gpu::Kernels::texel, gpu::Kernels::shared),
                         [](const auto& p) { return std::string(gpu::to_string(p.param)); });

}  // namespace
}  // namespace gt
