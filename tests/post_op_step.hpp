// One training step of a network with post ops (rezero, a layer_norm run after its layer) on the
// GPU against the op-by-op CPU reference (ops/reference.hpp): the loss, every layer's output, the
// gradients of W, b, gamma, beta and the post ops' parameters, and the SGD update. Shared by
// test_gpu_rezero.cpp and test_gpu_post_norm.cpp.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <ostream>
#include <string>
#include <vector>

#include "gpu/network.hpp"
#include "gpu_fixture.hpp"
#include "ops/reference.hpp"
#include "scene/scene.hpp"

namespace gt::test {

// A network's [[network.op]] tables, named for the test.
struct Case {
  std::string name;
  std::string ops;
};

inline void PrintTo(const Case& c, std::ostream* os) {
  *os << c.name;
}

inline net::Scene scene_of(const Case& c,
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
inline void expect_close(const std::vector<float>& a, const std::vector<double>& b, double rtol,
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
inline ByOp layers_of(const ops::Graph& g) {
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
inline void set_alphas(gpu::Network& gnet) {
  net::Params p = gnet.params();
  for (size_t l = 0; l < p.size(); ++l) {
    if (p[l].post_kind == "rezero") p[l].post[0] = 0.4f + 0.15f * float(l);
    if (p[l].post_kind == "layer_norm")
      for (size_t k = 0; k < p[l].post.size(); ++k)
        p[l].post[k] += 0.05f * float((k * 7 + l) % 9) - 0.2f;
  }
  gnet.set_params(p);
}

// One SGD step on the GPU against ops::reference: loss, every layer's output, every gradient,
// the update of the post ops' parameters. `alphas`: rezero ops the graph must hold at least.
inline void check_step(const net::Scene& scene, gpu::Kernels kernels, uint32_t min_alphas) {
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
      case ops::Kind::rnn:  // test_gpu_rnn.cpp
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

}  // namespace gt::test
