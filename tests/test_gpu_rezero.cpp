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
#include "scene/scene.hpp"

namespace gt {
namespace {

struct Case {
  std::string name;
  std::string ops;
};

void PrintTo(const Case& c, std::ostream* os) {
  *os << c.name;
}

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

// Post-norm (Xiong et al. 2020's Post-LN, LN(x + f(x))): a layer_norm after a fused residual add,
// run by its own kernels (gpu/ops/layer_norm.cpp). Blocks from the previous block's norm; 70-wide
// blocks (more neurons than a workgroup's invocations: dgamma's loop).
const std::vector<Case>& post_norm_cases() {
  static const std::vector<Case> c = {
      {"post_norm_blocks", R"(
[[network.op]]
kind = "dense"
units = 6
activation = "tanh"
[[network.op]]
kind = "repeat"
times = 3
ops = [ { kind = "dense", units = 6, activation = "gelu" },
        { kind = "residual_add", from = "block" },
        { kind = "layer_norm" } ]
[[network.op]]
kind = "dense"
units = 3
)"},
      {"post_norm_wide", R"(
[[network.op]]
kind = "dense"
units = 70
activation = "tanh"
name = "stem"
[[network.op]]
kind = "dense"
units = 70
activation = "relu"
[[network.op]]
kind = "residual_add"
from = "stem"
[[network.op]]
kind = "layer_norm"
name = "a"
[[network.op]]
kind = "dense"
units = 70
activation = "sigmoid"
[[network.op]]
kind = "residual_add"
from = "a"
[[network.op]]
kind = "layer_norm"
[[network.op]]
kind = "dense"
units = 2
)"},
      // Pre-norm (Xiong et al.'s Pre-LN, x + f(LN(x))): the skip starts before the norm. A linear
      // stem (its norm would fuse, but the skip reads the value before it), two-layer branches.
      {"pre_norm_blocks", R"(
[[network.op]]
kind = "dense"
units = 6
[[network.op]]
kind = "repeat"
times = 3
ops = [ { kind = "layer_norm" },
        { kind = "dense", units = 9, activation = "relu" },
        { kind = "dense", units = 6 },
        { kind = "residual_add", from = "block" } ]
[[network.op]]
kind = "dense"
units = 3
)"},
      // A nonlinear stem then its norm (no skip); pre-norm 70-wide blocks ending in a final norm.
      {"pre_norm_wide_and_final_norm", R"(
[[network.op]]
kind = "dense"
units = 70
activation = "tanh"
[[network.op]]
kind = "layer_norm"
[[network.op]]
kind = "dense"
units = 70
name = "x"
[[network.op]]
kind = "layer_norm"
[[network.op]]
kind = "dense"
units = 70
activation = "gelu"
[[network.op]]
kind = "residual_add"
from = "x"
[[network.op]]
kind = "layer_norm"
[[network.op]]
kind = "dense"
units = 2
)"},
      // A normalized layer followed by a layer_norm of its own kernels: each keeps its own N-hat
      // and rstd. Post-norm after a batch-normalized branch; pre-norm after a layer-normalized
      // stem (the skip reads the value between the two norms).
      {"normalized_then_post_norm", R"(
[[network.op]]
kind = "dense"
units = 6
activation = "tanh"
[[network.op]]
kind = "repeat"
times = 2
ops = [ { kind = "dense", units = 6 },
        { kind = "batch_norm", activation = "gelu" },
        { kind = "residual_add", from = "block" },
        { kind = "layer_norm" } ]
[[network.op]]
kind = "dense"
units = 3
)"},
      {"normalized_then_pre_norm_wide", R"(
[[network.op]]
kind = "dense"
units = 70
[[network.op]]
kind = "layer_norm"
activation = "tanh"
name = "x"
[[network.op]]
kind = "layer_norm"
[[network.op]]
kind = "dense"
units = 70
activation = "gelu"
[[network.op]]
kind = "residual_add"
from = "x"
[[network.op]]
kind = "dense"
units = 2
)"},
      // A pre-norm block nested in a plain residual one: the inner skip is taken before the
      // layer_norm, the outer spans both.
      {"pre_norm_inside_a_skip", R"(
[[network.op]]
kind = "dense"
units = 6
activation = "tanh"
name = "outer"
[[network.op]]
kind = "dense"
units = 6
name = "inner"
[[network.op]]
kind = "layer_norm"
[[network.op]]
kind = "dense"
units = 6
activation = "gelu"
[[network.op]]
kind = "residual_add"
from = "inner"
[[network.op]]
kind = "dense"
units = 6
activation = "tanh"
[[network.op]]
kind = "residual_add"
from = "outer"
[[network.op]]
kind = "dense"
units = 3
)"},
  };
  return c;
}

net::Scene scene_of(const Case& c,
                    const std::string& train_extra = "optimizer = \"sgd\"\nlr = 0.05\n") {
  const std::string text = "title = \"" + c.name +
                           "\"\n[network]\ninput = 5\nsigma_w = 1.3\nsigma_b = 0.3\nseed = 17\n" +
                           c.ops +
                           "\n[data]\nkind = \"teacher\"\nbatch = 6\nseed = 5\n[train]\n"
                           "loss = \"mse\"\n" +
                           train_extra;
  return scene::parse(text, c.name + ".toml");
}

// |a - b| <= rtol * max |b| + atol, entry by entry.
void expect_close(const std::vector<float>& a, const std::vector<double>& b, double rtol,
                  const std::string& what, double atol = 1e-9) {
  ASSERT_EQ(a.size(), b.size()) << what;
  double scale = 0;
  for (double v : b)
    scale = std::max(scale, std::abs(v));
  for (size_t k = 0; k < a.size(); ++k)
    EXPECT_NEAR(a[k], b[k], rtol * scale + atol) << what << " [" << k << "]";
}

// Each layer's parameters as the reference's, op by op (a dense op starts a layer).
struct ByOp {
  std::vector<int32_t> layer;  // per op
};
ByOp layers_of(const ops::Graph& g) {
  ByOp m;
  int32_t l = -1;
  for (const ops::Op& op : g.ops) {
    if (op.kind == ops::Kind::dense) ++l;
    m.layer.push_back(l);
  }
  return m;
}

// Nonzero alphas (at 0 the branches' gradients vanish and would test little); a post-norm's
// gamma and beta away from 1 and 0.
void set_alphas(gpu::Network& gnet) {
  net::Params p = gnet.params();
  for (size_t l = 0; l < p.size(); ++l) {
    if (p[l].post_kind == "rezero") p[l].post[0] = 0.4f + 0.15f * float(l);
    if (p[l].post_kind == "layer_norm")
      for (size_t k = 0; k < p[l].post.size(); ++k)
        p[l].post[k] += 0.05f * float((k * 7 + l) % 9) - 0.2f;
  }
  gnet.set_params(p);
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

// One SGD step on the GPU against ops::reference: loss, every layer's output, every gradient,
// the update of the post ops' parameters. `alphas`: rezero ops the graph must hold at least.
void check_step(const net::Scene& scene, gpu::Kernels kernels, uint32_t min_alphas) {
  gpu::NetworkOptions options;
  options.kernels = kernels;
  gpu::Network gnet(test::context(), scene, options);
  set_alphas(gnet);
  const net::Params before = gnet.params();
  gnet.train(1);
  const ops::Graph graph = ops::graph_of(scene.network);
  const ops::GraphParams p = ops::params_from_layers(graph, before);
  const net::ref::Batch batch = test::ref_batch(gnet.batch());
  const ops::GraphGradients want = ops::backward(graph, p, batch, scene.train.loss);
  EXPECT_NEAR(gnet.loss(), want.loss, 1e-5 * std::max(1.0, want.loss));

  // Every layer's output (after its rezero) against the last op of that layer.
  const ops::GraphForward f =
      ops::forward(graph, p, ops::Tensor{batch.size, graph.input, batch.input});
  const ByOp m = layers_of(graph);
  for (size_t i = 0; i + 1 < graph.ops.size(); ++i)
    if (graph.ops[i + 1].kind == ops::Kind::dense)
      expect_close(gnet.activations(uint32_t(m.layer[i]) + 1), f.out[i].v, 2e-5,
                   "X_" + std::to_string(m.layer[i] + 1));

  const net::Params grads = gnet.grads();
  const std::vector<ops::FusedLayer> fused = ops::fuse(graph);
  uint32_t alphas = 0, post_norms = 0;
  for (size_t i = 0; i < graph.ops.size(); ++i) {
    const net::LayerParams& g = grads[size_t(m.layer[i])];
    const std::string op = "op " + std::to_string(i);
    switch (graph.ops[i].kind) {
      case ops::Kind::dense:
        expect_close(g.w, want.grads[i][0], 5e-5, "dW of " + op);
        expect_close(g.b, want.grads[i][1], 5e-5, "db of " + op, 1e-6);
        break;
      case ops::Kind::layer_norm:
      case ops::Kind::batch_norm:
        if (fused[size_t(m.layer[i])].post_op == int32_t(i)) {  // run after its layer
          std::vector<double> gb = want.grads[i][0];
          gb.insert(gb.end(), want.grads[i][1].begin(), want.grads[i][1].end());
          expect_close(g.post, gb, 5e-5, "dgamma, dbeta of post-norm " + op, 1e-6);
          ++post_norms;
          break;
        }
        expect_close(g.gamma, want.grads[i][0], 5e-5, "dgamma of " + op);
        expect_close(g.beta, want.grads[i][1], 5e-5, "dbeta of " + op, 1e-6);
        break;
      case ops::Kind::rezero:
        expect_close(g.post, want.grads[i][0], 5e-5, "dalpha of " + op, 1e-7);
        EXPECT_GT(std::abs(want.grads[i][0][0]), 1e-4) << "not vacuous: " << op;
        ++alphas;
        break;
      case ops::Kind::residual_add:
        break;
    }
  }
  EXPECT_GE(alphas, min_alphas);
  EXPECT_GE(alphas + post_norms, 1u);

  // SGD: every parameter, the post ops' too, moved by -lr g.
  const net::Params after = gnet.params();
  for (size_t l = 0; l < after.size(); ++l)
    for (size_t k = 0; k < after[l].post.size(); ++k)
      EXPECT_NEAR(after[l].post[k], before[l].post[k] - scene.train.lr * grads[l].post[k], 1e-6);
}

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

class PostNormStep : public RezeroStep {};

TEST_P(PostNormStep, MatchesTheOpReference) {
  check_step(scene_of(std::get<0>(GetParam())), std::get<1>(GetParam()), 0);
}

INSTANTIATE_TEST_SUITE_P(PostNorm, PostNormStep,
                         ::testing::Combine(::testing::ValuesIn(post_norm_cases()),
                                            ::testing::Values(gpu::Kernels::texel,
                                                              gpu::Kernels::shared)),
                         [](const auto& p) {
                           return std::get<0>(p.param).name + "_" +
                                  gpu::to_string(std::get<1>(p.param));
                         });

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
