// The op-by-op CPU reference (engine/ops/reference.hpp, each kind's reference in its own file):
// equal to the layer reference (net::ref) on every graph the fused kernels run, and against
// central finite differences on graphs they cannot (pre-norm, post-norm, a skip from the input).
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "net/init.hpp"
#include "op_graph_scenes.hpp"
#include "ops/reference.hpp"
#include "ops_fd.hpp"
#include "ref_test_util.hpp"
#include "scene/scene.hpp"

namespace gt {
namespace {

using test::expect_matches_finite_differences;

using net::Activation;
using ops::Kind;

void expect_near_rel(const std::vector<double>& a, const std::vector<double>& b,
                     const std::string& what) {
  ASSERT_EQ(a.size(), b.size()) << what;
  double scale = 0;  // the largest entry; sums that cancel to ~0 (db under batch norm) get 1e-14
  for (double v : b)
    scale = std::max(scale, std::abs(v));
  for (size_t k = 0; k < a.size(); ++k)
    EXPECT_NEAR(a[k], b[k], 1e-12 * scale + 1e-14) << what << " [" << k << "]";
}

void expect_agrees_with_layer_reference(const net::NetworkSpec& spec, net::Loss loss) {
  const net::Params params = net::init_params(spec);
  const net::ref::Net net = net::ref::Net::from(spec, params);
  const uint32_t out = spec.sizes().back();
  const net::ref::Batch batch = test::random_batch(6, spec.sizes().front(), out, loss, 3);
  const net::ref::Gradients want = net::ref::backward(net, batch, loss);
  const ops::Graph graph = ops::graph_of(spec);
  const ops::GraphGradients got =
      ops::backward(graph, ops::params_from_layers(graph, params), batch, loss);
  EXPECT_NEAR(got.loss, want.loss, 1e-12 * std::abs(want.loss));
  size_t layer = 0;
  for (size_t i = 0; i < graph.ops.size(); ++i) {
    const Kind k = graph.ops[i].kind;
    if (k == Kind::residual_add) continue;
    if (k == Kind::dense) {
      if (i > 0) layer += 1;
      expect_near_rel(got.grads[i][0], want.dw[layer], "dW of op " + std::to_string(i));
      expect_near_rel(got.grads[i][1], want.db[layer], "db of op " + std::to_string(i));
    } else {
      expect_near_rel(got.grads[i][0], want.dgamma[layer], "dgamma of op " + std::to_string(i));
      expect_near_rel(got.grads[i][1], want.dbeta[layer], "dbeta of op " + std::to_string(i));
    }
  }
  EXPECT_EQ(layer + 1, want.dw.size());
  expect_near_rel(got.dinput.v, want.dx0, "dL/dinput");
}

TEST(OpsReference, AgreesWithTheLayerReferenceOnEveryFusedGraph) {
  for (const test::GraphCase& c : test::graph_cases()) {
    SCOPED_TRACE(c.name);
    const net::Scene s = scene::parse(test::graph_scene_text(c), c.name + ".toml");
    expect_agrees_with_layer_reference(s.network, net::Loss::mse);
  }
  for (net::Norm norm : {net::Norm::none, net::Norm::layer, net::Norm::batch})
    for (uint32_t every : {1u, 2u}) {
      SCOPED_TRACE(std::string(net::to_string(norm)) + " every " + std::to_string(every));
      net::NetworkSpec spec;
      spec.input = 3;
      spec.depth = 5;
      spec.width = 6;
      spec.output = 4;
      spec.activation = Activation::gelu;
      spec.sigma_w = 1.2;
      spec.sigma_b = 0.2;
      spec.residual = true;
      spec.residual_every = every;
      spec.norm = norm;
      expect_agrees_with_layer_reference(spec, net::Loss::cross_entropy);
    }
}

ops::Graph graph(uint32_t input, std::vector<ops::Op> list) {
  ops::Graph g;
  g.input = input;
  g.ops = std::move(list);
  return g;
}

TEST(OpsReference, GraphsTheFusedKernelsCannotRunMatchFiniteDifferences) {
  using ops::dense_op, ops::norm_op, ops::residual_op;
  const Activation lin = Activation::linear, tanh = Activation::tanh, gelu = Activation::gelu;
  // Pre-norm blocks (Xiong et al. 2020): x + W2 gelu(W1 LN(x)), twice.
  const ops::Graph pre =
      graph(4, {dense_op(6, lin), norm_op(Kind::layer_norm, lin), dense_op(7, gelu),
                dense_op(6, lin), residual_op(0), norm_op(Kind::layer_norm, lin), dense_op(7, gelu),
                dense_op(6, lin), residual_op(4), dense_op(3, lin)});
  // Post-norm blocks: LN(x + W2 gelu(W1 x)), twice.
  const ops::Graph post =
      graph(4, {dense_op(6, tanh), dense_op(7, gelu), dense_op(6, lin), residual_op(0),
                norm_op(Kind::layer_norm, lin), dense_op(7, gelu), dense_op(6, lin), residual_op(4),
                norm_op(Kind::batch_norm, tanh), dense_op(3, lin)});
  // A skip from the input, and a norm after a nonlinear dense.
  const ops::Graph other =
      graph(5, {dense_op(5, tanh), norm_op(Kind::batch_norm, gelu), dense_op(5, tanh),
                residual_op(ops::kInput), dense_op(2, lin)});
  // A normalized layer, then a layer_norm after the add: two norms in one fused layer.
  const ops::Graph twice =
      graph(4, {dense_op(6, tanh), dense_op(6, lin), norm_op(Kind::batch_norm, tanh),
                residual_op(0), norm_op(Kind::layer_norm, lin), dense_op(3, lin)});
  for (const auto& [name, g] : {std::pair{"pre-norm", pre}, std::pair{"post-norm", post},
                                std::pair{"input skip", other}, std::pair{"two norms", twice}}) {
    SCOPED_TRACE(name);
    for (net::Loss loss : {net::Loss::mse, net::Loss::cross_entropy})
      expect_matches_finite_differences(g, loss);
  }
}

TEST(OpsReference, EveryKindNamesItsParametersAsPyTorch) {
  const ops::Op dense = ops::dense_op(3, Activation::tanh);
  const std::vector<ops::ParamInfo> d = ops::kind_of(Kind::dense).params(dense, 5);
  ASSERT_EQ(d.size(), 2u);
  EXPECT_EQ(d[0].name, "weight");
  EXPECT_EQ(d[0].rows * 10 + d[0].cols, 35u) << "nn.Linear's weight is [out][in]";
  EXPECT_EQ(d[1].name, "bias");
  const std::vector<ops::ParamInfo> n =
      ops::kind_of(Kind::batch_norm).params(ops::norm_op(Kind::batch_norm, Activation::tanh), 5);
  ASSERT_EQ(n.size(), 2u);
  EXPECT_EQ(n[0].name + n[1].name, "weightbias");
  EXPECT_TRUE(ops::kind_of(Kind::residual_add).params(ops::residual_op(0), 5).empty());
}

// What each kind keeps on the GPU for its backward, which the plan sizes its tensors from: the
// norms N-hat [rows][width] and rstd per sample (layer_norm) or per feature (batch_norm); the
// others nothing beyond their output.
TEST(OpsReference, EachKindDeclaresWhatItKeepsOnTheGpu) {
  const ops::KeptState ln = ops::kept_state(Kind::layer_norm, 8, 12);
  EXPECT_EQ(ln.tensor_floats, 96u);
  EXPECT_EQ(ln.stat_floats, 8u);
  const ops::KeptState bn = ops::kept_state(Kind::batch_norm, 8, 12);
  EXPECT_EQ(bn.tensor_floats, 96u);
  EXPECT_EQ(bn.stat_floats, 12u);
  for (Kind k : {Kind::dense, Kind::residual_add, Kind::rezero}) {
    const ops::KeptState none = ops::kept_state(k, 8, 12);
    EXPECT_EQ(none.tensor_floats + none.stat_floats, 0u) << ops::to_string(k);
  }
}

}  // namespace
}  // namespace gt
