// The op graph (engine/ops/graph.hpp): the classic keys build the graph they describe, and
// fuse() gives back exactly the layers (activations, norms, skips) the classic formulas did.
#include <gtest/gtest.h>

#include <filesystem>

#include "io/checkpoint.hpp"
#include "io/safetensors.hpp"
#include "net/init.hpp"
#include "net/reference.hpp"
#include "net/spec.hpp"
#include "op_graph_scenes.hpp"
#include "ops/graph.hpp"
#include "ref_test_util.hpp"
#include "scene/scene.hpp"

namespace gt {
namespace {

using net::Activation;
using ops::Kind;

net::NetworkSpec classic(uint32_t depth, bool residual, uint32_t every, net::Norm norm) {
  net::NetworkSpec s;
  s.input = 3;
  s.depth = depth;
  s.width = 8;
  s.output = 2;
  s.activation = Activation::relu;
  s.output_activation = Activation::sigmoid;
  s.residual = residual;
  s.residual_every = every;
  s.norm = norm;
  return s;
}

TEST(OpsGraph, PlainKeysAreDenseOpsWithTheirActivations) {
  const ops::Graph g = ops::graph_of(classic(3, false, 1, net::Norm::none));
  EXPECT_EQ(g.input, 3u);
  ASSERT_EQ(g.ops.size(), 4u);
  for (int i = 0; i < 3; ++i)
    EXPECT_EQ(g.ops[i], ops::dense_op(8, Activation::relu)) << i;
  EXPECT_EQ(g.ops[3], ops::dense_op(2, Activation::sigmoid));
}

TEST(OpsGraph, NormKeysPutALinearDenseBeforeEachNorm) {
  const ops::Graph g = ops::graph_of(classic(2, false, 1, net::Norm::batch));
  ASSERT_EQ(g.ops.size(), 5u);
  EXPECT_EQ(g.ops[0], ops::dense_op(8, Activation::linear));
  EXPECT_EQ(g.ops[1], ops::norm_op(Kind::batch_norm, Activation::relu));
  EXPECT_EQ(g.ops[4], ops::dense_op(2, Activation::sigmoid));
  const std::vector<ops::FusedLayer> l = ops::fuse(g);
  ASSERT_EQ(l.size(), 3u);
  EXPECT_EQ(l[0].norm, net::Norm::batch);
  EXPECT_EQ(l[0].act, Activation::relu);
  EXPECT_EQ(l[2].norm, net::Norm::none) << "the output layer is never normalized";
}

// The classic residual rule (docs/SCENES.md), written out again here independently.
int classic_skip_source(uint32_t depth, uint32_t k, uint32_t layer) {
  const uint32_t h = layer + 1;
  if (depth < 2 || h < 2 || h > depth) return -1;
  const bool end = (h - 1) % k == 0 || h == depth;
  return end ? int(1 + (h - 2) / k * k) : -1;
}

TEST(OpsGraph, ResidualKeysFuseToTheClassicSkips) {
  for (net::Norm norm : {net::Norm::none, net::Norm::layer})
    for (uint32_t depth = 1; depth <= 12; ++depth)
      for (uint32_t k = 1; k <= 5; ++k) {
        const std::vector<ops::FusedLayer> l = ops::fused_layers(classic(depth, true, k, norm));
        ASSERT_EQ(l.size(), depth + 1);
        for (uint32_t i = 0; i <= depth; ++i) {
          const int s = classic_skip_source(depth, k, i);
          EXPECT_EQ(l[i].skip_source, s) << "depth " << depth << " every " << k << " layer " << i;
          // The old plan: X_out starts a block at hidden layer 1 and at every block end but the
          // last.
          const uint32_t h = i + 1;
          const bool start = depth >= 2 && h < depth && (h == 1 || s >= 0);
          EXPECT_EQ(l[i].skip_start, start)
              << "depth " << depth << " every " << k << " layer " << i;
          EXPECT_EQ(l[i].act, i == depth ? Activation::sigmoid : Activation::relu);
        }
      }
}

TEST(OpsGraph, ReferenceSkipsFromTheGraphMatchTheClassicFields) {
  net::NetworkSpec s = classic(7, true, 3, net::Norm::none);
  net::ref::Net classic_net;
  classic_net.residual = true;
  classic_net.residual_every = 3;
  classic_net.layers.resize(8);
  net::ref::Net graph_net = classic_net;
  graph_net.fused = ops::fused_layers(s);
  for (size_t i = 0; i < 8; ++i)
    EXPECT_EQ(net::ref::skip_source(graph_net, i), net::ref::skip_source(classic_net, i)) << i;
}

ops::Op rezero_from(int32_t from) {
  ops::Op op;
  op.kind = Kind::rezero;
  op.from = from;
  return op;
}

ops::Graph graph(std::vector<ops::Op> list) {
  ops::Graph g;
  g.input = 4;
  g.ops = std::move(list);
  return g;
}

void expect_refused(const ops::Graph& g, const std::string& part) {
  try {
    ops::fuse(g);
    ADD_FAILURE() << "accepted; expected an error with: " << part;
  } catch (const ops::GraphError& e) {
    EXPECT_NE(std::string(e.what()).find(part), std::string::npos) << e.what();
  }
}

TEST(OpsGraph, ShapesAndOrderAreChecked) {
  using ops::dense_op, ops::norm_op, ops::residual_op;
  const Activation lin = Activation::linear, tanh = Activation::tanh;
  expect_refused(graph({}), "no ops");
  expect_refused(graph({dense_op(4, tanh), norm_op(Kind::layer_norm, tanh)}), "last op must be");
  expect_refused(graph({dense_op(0, tanh), dense_op(2, lin)}), "units must be at least 1");
  expect_refused(graph({dense_op(8, tanh), dense_op(6, tanh), residual_op(0), dense_op(2, lin)}),
                 "adds a skip of 8 features to 6 features");
  expect_refused(graph({dense_op(8, tanh), residual_op(1), dense_op(2, lin)}),
                 "`from` must name an op before");
  // Valid graphs the fused kernels cannot run (yet): each with its reason.
  expect_refused(graph({dense_op(8, tanh), norm_op(Kind::layer_norm, tanh), dense_op(2, lin)}),
                 "must be linear");
  expect_refused(graph({norm_op(Kind::batch_norm, tanh), dense_op(2, lin)}),
                 "must follow a dense layer directly");
  expect_refused(graph({dense_op(4, tanh), residual_op(ops::kInput), dense_op(2, lin)}),
                 "from the network's input");
  // A layer_norm run after its layer (pre-norm, post-norm) carries no activation; a batch_norm
  // cannot run there yet.
  expect_refused(graph({dense_op(8, tanh), norm_op(Kind::layer_norm, tanh), dense_op(8, tanh),
                        residual_op(0), dense_op(2, lin)}),
                 "must be linear");
  expect_refused(graph({dense_op(8, tanh), dense_op(8, tanh), residual_op(0),
                        norm_op(Kind::batch_norm, lin), dense_op(2, lin)}),
                 "must follow a dense layer directly");
  // Two adds at one layer: 0 -> 3 and 1 -> 3.
  expect_refused(graph({dense_op(8, tanh), dense_op(8, tanh), dense_op(8, tanh), residual_op(0),
                        residual_op(1), dense_op(2, lin)}),
                 "a residual_add must follow a dense layer or a norm");
  // Two skips from one output (X_1 -> X_3 and X_1 -> X_4), fused or a rezero's.
  expect_refused(graph({dense_op(8, tanh), dense_op(8, tanh), dense_op(8, tanh), residual_op(0),
                        dense_op(8, tanh), residual_op(0), dense_op(2, lin)}),
                 "`from` is already the start of another skip");
  expect_refused(graph({dense_op(8, tanh), dense_op(8, tanh), residual_op(0), dense_op(8, tanh),
                        rezero_from(0), dense_op(2, lin)}),
                 "`from` is already the start of another skip");
}

// Each layer's output sink (what the next layer's dX applies as it writes dL/dX): the layer's
// act' and the carries of the skips its output starts and ends; a post op takes dL/dX as it is
// (linear), and a layer_norm after its layer adds (pre-norm) or stores (post-norm) the carry
// itself.
TEST(OpsGraph, EachLayerDeclaresTheSinkOfItsOutput) {
  using ops::dense_op, ops::norm_op, ops::residual_op;
  const Activation tanh = Activation::tanh, lin = Activation::linear, gelu = Activation::gelu;
  const auto sinks = [](const ops::Graph& g) {
    std::vector<std::tuple<Activation, bool, bool>> out;
    for (const ops::FusedLayer& l : ops::fuse(g)) {
      const ops::OutputSink s = ops::output_sink(l);
      out.emplace_back(s.act, s.add_carry, s.store_carry);
    }
    return out;
  };
  using S = std::tuple<Activation, bool, bool>;
  // Plain; a block X_1 -> X_3 through a normalized layer; X_3 starts X_3 -> X_4.
  EXPECT_EQ(sinks(graph({dense_op(8, tanh), dense_op(8, gelu), dense_op(8, lin),
                         norm_op(Kind::batch_norm, tanh), residual_op(0), dense_op(8, tanh),
                         residual_op(4), dense_op(2, lin)})),
            (std::vector<S>{{tanh, true, false},
                            {gelu, false, false},
                            {tanh, true, true},
                            {tanh, false, true},
                            {lin, false, false}}));
  // Pre-norm (the skip from before the layer_norm: the norm adds its carry) and post-norm (the
  // norm after the add stores the carry; the next skip starts from its output).
  EXPECT_EQ(
      sinks(graph({dense_op(8, lin), norm_op(Kind::layer_norm, lin), dense_op(8, tanh),
                   residual_op(0), norm_op(Kind::layer_norm, lin), dense_op(8, tanh),
                   residual_op(4), dense_op(2, lin)})),
      (std::vector<S>{
          {lin, false, false}, {lin, true, false}, {tanh, false, true}, {lin, false, false}}));
  // A rezero's layer: linear (its backward applies act'); its source adds the carry.
  EXPECT_EQ(sinks(graph({dense_op(8, tanh), dense_op(8, gelu), rezero_from(0), dense_op(2, lin)})),
            (std::vector<S>{{tanh, true, false}, {lin, false, false}, {lin, false, false}}));
}

// Skips that nest or cross fuse with each layer's own source and end (each skip is its own
// tensor on the GPU).
TEST(OpsGraph, SkipsMayNestAndCross) {
  using ops::dense_op, ops::residual_op;
  const Activation tanh = Activation::tanh, lin = Activation::linear;
  // Crossing: X_1 -> X_3 and X_2 -> X_4.
  const std::vector<ops::FusedLayer> cross =
      ops::fuse(graph({dense_op(8, tanh), dense_op(8, tanh), dense_op(8, tanh), residual_op(0),
                       dense_op(8, tanh), residual_op(1), dense_op(2, lin)}));
  ASSERT_EQ(cross.size(), 5u);
  EXPECT_TRUE(cross[0].skip_start && cross[1].skip_start);
  EXPECT_FALSE(cross[2].skip_start);
  EXPECT_EQ(cross[2].skip_source, 1);
  EXPECT_EQ(cross[3].skip_source, 2);
  // Nested: X_1 -> X_5 around X_2 -> X_4; a rezero from X_1 to X_3 crossing X_2 -> X_4.
  const std::vector<ops::FusedLayer> nest =
      ops::fuse(graph({dense_op(8, tanh), dense_op(8, tanh), dense_op(8, tanh), dense_op(8, tanh),
                       residual_op(1), dense_op(8, tanh), residual_op(0), dense_op(2, lin)}));
  ASSERT_EQ(nest.size(), 6u);
  EXPECT_EQ(nest[3].skip_source, 2);
  EXPECT_EQ(nest[4].skip_source, 1);
  EXPECT_TRUE(nest[0].skip_start && nest[1].skip_start);
  const std::vector<ops::FusedLayer> mixed =
      ops::fuse(graph({dense_op(8, tanh), dense_op(8, tanh), dense_op(8, tanh), rezero_from(0),
                       dense_op(8, tanh), residual_op(1), dense_op(2, lin)}));
  ASSERT_EQ(mixed.size(), 5u);
  EXPECT_EQ(mixed[2].post_source, 1);
  EXPECT_TRUE(mixed[0].carry_in);
  EXPECT_EQ(mixed[3].skip_source, 2);
  EXPECT_TRUE(mixed[1].skip_start);
}

// Where a layer_norm runs after its layer (its own kernels): pre-norm, where a skip starts from
// the value before it, and post-norm, after a fused add; the skip's side is kept.
TEST(OpsGraph, PreAndPostNormRunAfterTheirLayer) {
  using ops::dense_op, ops::norm_op, ops::residual_op;
  const Activation lin = Activation::linear, tanh = Activation::tanh;
  const std::vector<ops::FusedLayer> pre = ops::fuse(
      graph({dense_op(8, lin), norm_op(Kind::layer_norm, lin), dense_op(8, tanh), residual_op(0),
             norm_op(Kind::layer_norm, lin), dense_op(8, tanh), residual_op(3), dense_op(2, lin)}));
  ASSERT_EQ(pre.size(), 4u);
  EXPECT_EQ(pre[0].norm, net::Norm::none) << "not fused: the skip reads the value before it";
  EXPECT_EQ(pre[0].post, Kind::layer_norm);
  EXPECT_EQ(pre[0].post_op, 1);
  EXPECT_TRUE(pre[0].skip_start && pre[0].skip_before_post);
  EXPECT_EQ(pre[1].skip_source, 1);
  EXPECT_EQ(pre[1].post, Kind::layer_norm);
  EXPECT_TRUE(pre[1].skip_start && pre[1].skip_before_post);
  EXPECT_EQ(pre[2].skip_source, 2);
  const std::vector<ops::FusedLayer> post = ops::fuse(
      graph({dense_op(8, tanh), dense_op(8, tanh), residual_op(0), norm_op(Kind::layer_norm, lin),
             dense_op(8, tanh), residual_op(3), dense_op(2, lin)}));
  ASSERT_EQ(post.size(), 4u);
  EXPECT_EQ(post[1].post, Kind::layer_norm);
  EXPECT_EQ(post[1].post_op, 3);
  EXPECT_TRUE(post[1].skip_start);
  EXPECT_FALSE(post[1].skip_before_post) << "the next skip starts from the norm's output";
  // A normalized layer, then a layer_norm after its add: the first norm fuses, the second is the
  // layer's post op (each keeps its own N-hat on the GPU).
  const std::vector<ops::FusedLayer> twice =
      ops::fuse(graph({dense_op(8, tanh), dense_op(8, lin), norm_op(Kind::layer_norm, tanh),
                       residual_op(0), norm_op(Kind::layer_norm, lin), dense_op(2, lin)}));
  ASSERT_EQ(twice.size(), 3u);
  EXPECT_EQ(twice[1].norm, net::Norm::layer);
  EXPECT_EQ(twice[1].post, Kind::layer_norm);
  EXPECT_EQ(twice[1].post_op, 4);
  EXPECT_EQ(twice[0].post_op, -1);
  // Without a skip reading it, a norm after a linear dense still fuses.
  EXPECT_EQ(ops::fuse(graph({dense_op(8, lin), norm_op(Kind::layer_norm, tanh), dense_op(2, lin)}))
                .front()
                .norm,
            net::Norm::layer);
  // Both sides of one norm as skip starts: refused.
  expect_refused(graph({dense_op(8, tanh), dense_op(8, tanh), residual_op(0),
                        norm_op(Kind::layer_norm, lin), dense_op(8, tanh), residual_op(2),
                        dense_op(8, tanh), residual_op(3), dense_op(2, lin)}),
                 "skips start from both sides of one layer_norm");
}

// A norm run after its layer keeps gamma and beta with the layer's post parameters: they start
// at 1 and 0 (as nn.LayerNorm) and are checkpointed as layers.{i}.layer_norm.weight and .bias.
TEST(OpsGraph, NormsAfterTheirLayerStartAsTheIdentityAndAreNamed) {
  const net::Scene scene = scene::parse(R"(title = "t"
[network]
input = 2
[[network.op]]
kind = "dense"
units = 4
activation = "tanh"
[[network.op]]
kind = "dense"
units = 4
activation = "tanh"
name = "stem"
[[network.op]]
kind = "dense"
units = 4
activation = "tanh"
[[network.op]]
kind = "residual_add"
from = "stem"
[[network.op]]
kind = "layer_norm"
[[network.op]]
kind = "dense"
units = 2
)",
                                        "t.toml");
  const net::NetworkSpec& spec = scene.network;
  const net::Params p = net::init_params(spec);
  ASSERT_EQ(p.size(), 4u);
  EXPECT_TRUE(p[2].gamma.empty()) << "not a fused norm";
  EXPECT_EQ(p[2].post, (std::vector<float>{1, 1, 1, 1, 0, 0, 0, 0}));
  EXPECT_EQ(p[2].post_kind, "layer_norm");
  EXPECT_TRUE(p[1].post.empty());
  std::vector<std::string> names;
  for (const io::Tensor& t : io::params_to_tensors(p))
    if (t.name.rfind("layers.2.", 0) == 0) names.push_back(t.name);
  EXPECT_EQ(names,
            (std::vector<std::string>{"layers.2.weight", "layers.2.bias",
                                      "layers.2.layer_norm.weight", "layers.2.layer_norm.bias"}));
}

// A normalized layer with a layer_norm after its add: both norms' gamma and beta, each under its
// own name, and a checkpoint of them reads back into the same places.
TEST(OpsGraph, ANormalizedLayerWithAPostNormKeepsBothNorms) {
  const net::Scene scene = scene::parse(R"(title = "t"
[network]
input = 2
[[network.op]]
kind = "dense"
units = 4
activation = "tanh"
name = "stem"
[[network.op]]
kind = "dense"
units = 4
[[network.op]]
kind = "batch_norm"
activation = "tanh"
[[network.op]]
kind = "residual_add"
from = "stem"
[[network.op]]
kind = "layer_norm"
[[network.op]]
kind = "dense"
units = 2
)",
                                        "t.toml");
  net::Params p = net::init_params(scene.network);
  ASSERT_EQ(p.size(), 3u);
  EXPECT_EQ(p[1].gamma, std::vector<float>(4, 1.0f));
  EXPECT_EQ(p[1].post, (std::vector<float>{1, 1, 1, 1, 0, 0, 0, 0}));
  for (size_t k = 0; k < 4; ++k) {
    p[1].gamma[k] = 0.5f + float(k);
    p[1].post[k] = -1.0f - float(k);
  }
  std::vector<std::string> names;
  for (const io::Tensor& t : io::params_to_tensors(p))
    if (t.name.rfind("layers.1.", 0) == 0) names.push_back(t.name);
  EXPECT_EQ(names,
            (std::vector<std::string>{"layers.1.weight", "layers.1.bias", "layers.1.norm.weight",
                                      "layers.1.norm.bias", "layers.1.layer_norm.weight",
                                      "layers.1.layer_norm.bias"}));
  const auto file = std::filesystem::temp_directory_path() / "gt_two_norms.safetensors";
  io::write_safetensors(file, io::params_to_tensors(p));
  const net::Params back = io::read_params(file, scene.network);
  std::filesystem::remove(file);
  EXPECT_EQ(back[1].gamma, p[1].gamma);
  EXPECT_EQ(back[1].post, p[1].post);
  EXPECT_EQ(back[1].post_kind, "layer_norm");
}

TEST(OpsGraph, ErrorsStartWithWhereTheSceneDeclaredTheOp) {
  ops::Op bad = ops::dense_op(0, Activation::tanh);
  bad.where = "net.toml:12";
  try {
    ops::fuse(graph({bad, ops::dense_op(2, Activation::linear)}));
    FAIL();
  } catch (const ops::GraphError& e) {
    EXPECT_EQ(std::string(e.what()), "net.toml:12: op 1 (dense): units must be at least 1");
  }
}

TEST(OpsGraph, SkipsMaySpanAnyNumberOfLayersAndDifferInWidth) {
  using ops::dense_op, ops::residual_op;
  const Activation tanh = Activation::tanh;
  // 8-wide block of three layers, then a 6-wide block of one.
  const std::vector<ops::FusedLayer> l = ops::fuse(graph(
      {dense_op(8, tanh), dense_op(8, tanh), dense_op(8, tanh), dense_op(8, tanh), residual_op(0),
       dense_op(6, tanh), dense_op(6, tanh), residual_op(5), dense_op(2, Activation::linear)}));
  ASSERT_EQ(l.size(), 7u);
  EXPECT_TRUE(l[0].skip_start);
  EXPECT_EQ(l[3].skip_source, 1);
  EXPECT_TRUE(l[4].skip_start);
  EXPECT_EQ(l[5].skip_source, 5);
  for (size_t i : {1, 2, 3, 5, 6})
    EXPECT_FALSE(l[i].skip_start) << i;
}

// The reference on graphs the classic keys cannot describe, against central finite differences
// (the GPU is checked against it in test_gpu_blocks.cpp).
TEST(OpsGraph, ReferenceGradientsOnExplicitGraphsMatchFiniteDifferences) {
  for (const test::GraphCase& c : test::graph_cases()) {
    SCOPED_TRACE(c.name);
    const net::Scene scene = scene::parse(test::graph_scene_text(c), c.name + ".toml");
    const net::ref::Net net = net::ref::Net::from(scene.network, net::init_params(scene.network));
    const net::ref::Batch batch = test::random_batch(6, 5, 3, net::Loss::mse, 11);
    const net::ref::Gradients g = net::ref::backward(net, batch, net::Loss::mse);
    const double h = 1e-6;
    bool some_skip = false, some_norm = false;
    for (uint32_t i = 0; i < net.layers.size(); ++i) {
      const std::string at = " of layer " + std::to_string(i);
      test::expect_close_to_fd(
          g.dw[i], net::ref::finite_difference_dw(net, batch, net::Loss::mse, i, h), "dW" + at);
      test::expect_close_to_fd(
          g.db[i], net::ref::finite_difference_db(net, batch, net::Loss::mse, i, h), "db" + at);
      test::expect_close_to_fd(g.dgamma[i],
                               net::ref::finite_difference_dgamma(net, batch, net::Loss::mse, i, h),
                               "dgamma" + at);
      some_skip = some_skip || net::ref::skip_source(net, i) >= 0;
      some_norm = some_norm || !net.layers[i].gamma.empty();
    }
    test::expect_close_to_fd(g.dx0, net::ref::finite_difference_dx0(net, batch, net::Loss::mse, h),
                             "dL/dinput");
    EXPECT_TRUE(c.name == "mixed_norms" ? some_norm && some_skip : some_skip);
  }
}

}  // namespace
}  // namespace gt
