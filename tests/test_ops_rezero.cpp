// The rezero op kind (ops/rezero.cpp; Bachlechner et al. 2020): its CPU reference against
// central finite differences, how the graph places it, alpha starting at 0, its checkpoint name.
// The GPU against this reference: test_gpu_rezero.cpp.
#include <gtest/gtest.h>

#include <filesystem>
#include <stdexcept>
#include <string>

#include "io/checkpoint.hpp"
#include "io/safetensors.hpp"
#include "net/init.hpp"
#include "ops/graph.hpp"
#include "ops/kind.hpp"
#include "ops_fd.hpp"
#include "scene/scene.hpp"

namespace gt {
namespace {

using net::Activation;
using ops::dense_op;
using ops::Kind;

ops::Op rezero_op(int32_t from) {
  ops::Op op;
  op.kind = Kind::rezero;
  op.from = from;
  return op;
}

ops::Graph graph(uint32_t input, std::vector<ops::Op> list) {
  ops::Graph g;
  g.input = input;
  g.ops = std::move(list);
  return g;
}

const Activation lin = Activation::linear, tanh_ = Activation::tanh, gelu = Activation::gelu;

// Blocks of one layer from the previous block's output; a branch of two layers from the input;
// a norm before the rezero; a fused residual_add next to a rezero block, and across one.
std::vector<std::pair<std::string, ops::Graph>> rezero_graphs() {
  return {
      {"one-layer blocks", graph(4, {dense_op(6, tanh_), dense_op(6, tanh_), rezero_op(0),
                                     dense_op(6, gelu), rezero_op(2), dense_op(3, lin)})},
      {"two-layer branch from the input",
       graph(5, {dense_op(7, gelu), dense_op(5, tanh_), rezero_op(ops::kInput), dense_op(2, lin)})},
      {"norm before the rezero",
       graph(3, {dense_op(6, tanh_), dense_op(6, lin), ops::norm_op(Kind::layer_norm, tanh_),
                 rezero_op(0), dense_op(6, lin), ops::norm_op(Kind::batch_norm, gelu), rezero_op(3),
                 dense_op(2, lin)})},
      {"next to a residual_add",
       graph(4, {dense_op(5, tanh_), dense_op(5, tanh_), ops::residual_op(0), dense_op(5, gelu),
                 rezero_op(2), dense_op(3, lin)})},
      // X_1 -> X_3 (rezero) crossing X_2 -> X_4 (residual_add).
      {"across a residual_add",
       graph(4, {dense_op(5, tanh_), dense_op(5, tanh_), dense_op(5, gelu), rezero_op(0),
                 dense_op(5, tanh_), ops::residual_op(1), dense_op(3, lin)})},
  };
}

TEST(OpsRezero, ReferenceMatchesFiniteDifferences) {
  for (const auto& [name, g] : rezero_graphs()) {
    SCOPED_TRACE(name);
    for (net::Loss loss : {net::Loss::mse, net::Loss::cross_entropy})
      test::expect_matches_finite_differences(g, loss);
  }
}

TEST(OpsRezero, ReferenceIsTheReZeroEquation) {
  // y = s + alpha x, checked by hand on one row.
  const ops::KindInfo& k = ops::kind_of(Kind::rezero);
  const ops::Tensor x{1, 3, {1.0, -2.0, 0.5}}, s{1, 3, {0.25, 0.0, 4.0}};
  ops::Saved saved;
  const ops::Tensor y = k.forward(rezero_op(0), {&x, &s}, {{0.5}}, saved);
  EXPECT_EQ(y.v, (std::vector<double>{0.75, -1.0, 4.25}));
  ops::OpParams grads{{0.0}};
  const ops::Tensor dy{1, 3, {1.0, 2.0, -1.0}};
  const std::vector<ops::Tensor> d = k.backward(rezero_op(0), {&x, &s}, {{0.5}}, saved, dy, grads);
  EXPECT_EQ(d[0].v, (std::vector<double>{0.5, 1.0, -0.5}));  // alpha dY
  EXPECT_EQ(d[1].v, dy.v);                                   // the skip: dY unchanged
  EXPECT_DOUBLE_EQ(grads[0][0], 1.0 - 4.0 - 0.5);            // sum dY x
}

TEST(OpsRezero, FusePlacesItAfterItsLayer) {
  const std::vector<ops::FusedLayer> l = ops::fuse(rezero_graphs()[0].second);
  ASSERT_EQ(l.size(), 4u);
  EXPECT_FALSE(l[0].post);
  ASSERT_TRUE(l[1].post);
  EXPECT_EQ(*l[1].post, Kind::rezero);
  EXPECT_EQ(l[1].post_source, 1);  // X_1, layer 0's output
  EXPECT_TRUE(l[0].carry_in);
  EXPECT_TRUE(l[1].carry_in) << "layer 1's output is the next block's skip";
  EXPECT_EQ(l[2].post_source, 2);
  EXPECT_FALSE(l[2].carry_in);
  EXPECT_EQ(l[1].skip_source, -1) << "not a fused skip";
  const std::vector<ops::FusedLayer> in = ops::fuse(rezero_graphs()[1].second);
  EXPECT_EQ(in[1].post_source, 0) << "a rezero may start at the input";
}

TEST(OpsRezero, FuseRefusesWhatItCannotRun) {
  const auto error = [](const ops::Graph& g) {
    try {
      ops::fuse(g);
    } catch (const ops::GraphError& e) {
      return std::string(e.what());
    }
    return std::string("<no error>");
  };
  EXPECT_EQ(error(graph(4, {dense_op(4, tanh_), dense_op(4, tanh_), rezero_op(0), rezero_op(0),
                            dense_op(2, lin)})),
            "op 4 (rezero): a rezero must follow a dense layer or a norm");
  EXPECT_EQ(error(graph(4, {dense_op(4, tanh_), dense_op(4, tanh_), dense_op(4, tanh_),
                            ops::residual_op(0), rezero_op(1), dense_op(2, lin)})),
            "op 5 (rezero): a rezero must follow a dense layer or a norm");
  // From the start of a fused skip: one output starts at most one skip.
  EXPECT_EQ(
      error(graph(4, {dense_op(4, tanh_), dense_op(4, tanh_), dense_op(4, tanh_),
                      ops::residual_op(0), dense_op(4, tanh_), rezero_op(0), dense_op(2, lin)})),
      "op 6 (rezero): `from` is already the start of another skip (an output starts at most one "
      "skip or post op)");
  EXPECT_EQ(error(graph(4, {dense_op(4, lin), ops::norm_op(Kind::batch_norm, tanh_),
                            dense_op(4, tanh_), rezero_op(0), dense_op(2, lin)})),
            "op 4 (rezero): `from` must be the last op of a layer (the op right before a dense)");
  EXPECT_EQ(error(graph(4, {dense_op(4, lin), ops::norm_op(Kind::layer_norm, lin),
                            dense_op(4, tanh_), rezero_op(0), dense_op(2, lin)})),
            "op 4 (rezero): a rezero cannot start before a layer_norm run after its layer (it "
            "reads the layer's output as the norm leaves it)");
  EXPECT_EQ(
      error(graph(4, {dense_op(4, tanh_), dense_op(5, tanh_), rezero_op(0), dense_op(2, lin)})),
      "op 3 (rezero): adds a skip of 4 features to 5 features; both sides of a rezero need "
      "one width");
}

const char* kScene = R"(title = "rezero"
[network]
input = 3
seed = 4
[[network.op]]
kind = "dense"
units = 5
activation = "tanh"
[[network.op]]
kind = "repeat"
times = 3
ops = [ { kind = "dense", units = 5, activation = "tanh" },
        { kind = "rezero", from = "block" } ]
[[network.op]]
kind = "dense"
units = 2
[data]
kind = "teacher"
batch = 4
)";

TEST(OpsRezero, AlphaStartsAtZeroAndIsCheckpointedAsPyTorch) {
  const net::Scene s = scene::parse(kScene, "rezero.toml");
  net::Params p = net::init_params(s.network);
  ASSERT_EQ(p.size(), 5u);
  EXPECT_TRUE(p[0].post.empty());
  for (size_t l = 1; l <= 3; ++l) {
    EXPECT_EQ(p[l].post, std::vector<float>{0.0f}) << "layer " << l;
    EXPECT_EQ(p[l].post_kind, "rezero");
  }
  EXPECT_TRUE(p[4].post.empty());
  p[2].post = {0.375f};
  const std::vector<io::Tensor> t = io::params_to_tensors(p);
  const auto named = [&](const std::string& n) -> const io::Tensor* {
    for (const io::Tensor& x : t)
      if (x.name == n) return &x;
    return nullptr;
  };
  const io::Tensor* alpha = named("layers.2.rezero.alpha");
  ASSERT_NE(alpha, nullptr);
  EXPECT_EQ(alpha->shape, (std::vector<int64_t>{1})) << "nn.Parameter(torch.zeros(1))";
  EXPECT_EQ(alpha->data, std::vector<float>{0.375f});
  EXPECT_EQ(named("layers.0.rezero.alpha"), nullptr);
  EXPECT_EQ(named("layers.4.rezero.alpha"), nullptr);

  const auto file = std::filesystem::temp_directory_path() / "gt_rezero_alpha.safetensors";
  io::write_safetensors(file, t);
  const net::Params back = io::read_params(file, s.network);
  EXPECT_EQ(back[2].post, std::vector<float>{0.375f});
  EXPECT_EQ(back[2].post_kind, "rezero");
  std::vector<io::Tensor> missing;
  for (const io::Tensor& x : t)
    if (x.name != "layers.3.rezero.alpha") missing.push_back(x);
  io::write_safetensors(file, missing);
  try {
    io::read_params(file, s.network);
    ADD_FAILURE() << "a missing alpha must be an error";
  } catch (const std::exception& e) {
    EXPECT_EQ(std::string(e.what()), file.string() +
                                         ": tensor layers.3.rezero.alpha is missing (the scene's "
                                         "network has a rezero op after layer 3)");
  }
  std::filesystem::remove(file);
  // Parameters of a post op without its kind cannot be named: an error, not a checkpoint that
  // silently lacks them.
  p[2].post_kind.clear();
  EXPECT_THROW(io::params_to_tensors(p), std::runtime_error);
}

TEST(OpsRezero, SceneNeedsFrom) {
  std::string text = kScene;
  text.replace(text.find(R"(, from = "block")"), 16, "");
  try {
    scene::parse(text, "rezero.toml");
    ADD_FAILURE() << "a rezero without from must be an error";
  } catch (const std::exception& e) {
    EXPECT_EQ(std::string(e.what()),
              "rezero.toml:13: network.op[1].ops[1].from: missing; a rezero needs `from`: the op "
              "whose output it adds (a name, \"block\" inside a repeat, or \"input\")");
  }
}

}  // namespace
}  // namespace gt
