// The rnn op kind (ops/rnn.cpp: torch.nn.RNN, one layer, batch-first): its CPU reference against
// central finite differences (tanh and relu, T up to 64, MSE and cross-entropy) and against the
// equations by hand, backpropagation through time's trace, how the graph places it and what it
// refuses, the scene's keys, the initialisation of W_hh, and its checkpoint names (PyTorch's).
// The GPU against this reference: test_gpu_rnn.cpp.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <string>

#include <unistd.h>

#include "io/checkpoint.hpp"
#include "net/init.hpp"
#include "net/reference.hpp"
#include "ops/graph.hpp"
#include "ops/kind.hpp"
#include "ops/rnn.hpp"
#include "ops_fd.hpp"
#include "scene/scene.hpp"
#include "teach/walkthrough.hpp"

namespace gt {
namespace {

using net::Activation;

ops::Op rnn_op(uint32_t hidden, uint32_t steps, Activation act = Activation::tanh) {
  ops::Op op;
  op.kind = ops::Kind::rnn;
  op.units = hidden;
  op.steps = steps;
  op.activation = act;
  return op;
}

ops::Graph graph(uint32_t input, std::vector<ops::Op> list) {
  ops::Graph g;
  g.input = input;
  g.ops = std::move(list);
  return g;
}

TEST(OpsRnn, ReferenceMatchesFiniteDifferences) {
  struct Case {
    const char* name;
    ops::Graph g;
  };
  const Case cases[] = {
      {"tanh, 3 steps of 2", graph(6, {rnn_op(4, 3), ops::dense_op(2, Activation::linear)})},
      {"relu, 5 steps of 3",
       graph(15, {rnn_op(5, 5, Activation::relu), ops::dense_op(3, Activation::linear)})},
      {"tanh, 64 steps of 1", graph(64, {rnn_op(3, 64), ops::dense_op(2, Activation::tanh),
                                         ops::dense_op(2, Activation::linear)})},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    for (net::Loss loss : {net::Loss::mse, net::Loss::cross_entropy})
      test::expect_matches_finite_differences(c.g, loss);
  }
}

// H = 1, F = 1, T = 2 by hand: h1 = tanh(a x1 + c), h2 = tanh(a x2 + w h1 + c), c = b_ih + b_hh.
TEST(OpsRnn, ReferenceIsTheRnnEquation) {
  const ops::Op op = rnn_op(1, 2);
  const ops::KindInfo& k = ops::kind_of(ops::Kind::rnn);
  const double a = 0.5, w = -0.75, bi = 0.1, bh = 0.2;
  const ops::OpParams p{{a}, {w}, {bi}, {bh}};
  const ops::Tensor x{1, 2, {1.0, -2.0}};
  ops::Saved saved;
  const ops::Tensor y = k.forward(op, {&x}, p, saved);
  const double h1 = std::tanh(a * 1.0 + 0.3), h2 = std::tanh(a * -2.0 + w * h1 + 0.3);
  ASSERT_EQ(y.v.size(), 1u);
  EXPECT_NEAR(y.v[0], h2, 1e-15);
  // dL/dh2 = 1: dz2 = 1 - h2^2, dh1 = dz2 w, dz1 = dh1 (1 - h1^2).
  ops::OpParams g{{0.0}, {0.0}, {0.0}, {0.0}};
  const std::vector<ops::Tensor> d = k.backward(op, {&x}, p, saved, ops::Tensor{1, 1, {1.0}}, g);
  const double dz2 = 1 - h2 * h2, dz1 = dz2 * w * (1 - h1 * h1);
  EXPECT_NEAR(g[0][0], dz1 * 1.0 + dz2 * -2.0, 1e-15);  // dW_ih: summed over both steps
  EXPECT_NEAR(g[1][0], dz2 * h1, 1e-15);                // dW_hh: h_0 = 0 adds nothing
  EXPECT_NEAR(g[2][0], dz1 + dz2, 1e-15);
  EXPECT_NEAR(g[3][0], dz1 + dz2, 1e-15);
  EXPECT_NEAR(d[0].v[0], dz1 * a, 1e-15);
  EXPECT_NEAR(d[0].v[1], dz2 * a, 1e-15);
}

// The trace's terms of dW_hh sum to dW_hh, and for a linear-ish small-signal RNN (identity W_hh
// scaled by rho, tanh near 0) ||dL/dh_t|| goes like rho^(T - t).
TEST(OpsRnn, TraceShowsTheGradientThroughTime) {
  const uint32_t T = 12, H = 3;
  const ops::Op op = rnn_op(H, T);
  const double rho = 0.8;
  ops::OpParams p{std::vector<double>(H, 0.0), std::vector<double>(H * H, 0.0),
                  std::vector<double>(H, 0.0), std::vector<double>(H, 0.0)};
  for (uint32_t j = 0; j < H; ++j) {
    p[0][j] = 1e-3;
    p[1][j * H + j] = rho;
  }
  const ops::Tensor x{1, T, std::vector<double>(T, 1.0)};
  const std::vector<double> h = ops::rnn_hidden(op, x, p);
  ops::OpParams g{std::vector<double>(H, 0.0), std::vector<double>(H * H, 0.0),
                  std::vector<double>(H, 0.0), std::vector<double>(H, 0.0)};
  ops::Tensor dx{1, T, std::vector<double>(T, 0.0)};
  const ops::RnnTrace tr =
      ops::rnn_backward(op, x, p, h, ops::Tensor{1, H, {1.0, 1.0, 1.0}}, g, dx);
  for (uint32_t t = 1; t < T; ++t) {
    const double ratio = tr.dh[size_t(t - 1) * H] / tr.dh[size_t(t) * H];
    EXPECT_NEAR(ratio, rho, 1e-4) << "step " << t;  // times 1 - h_t^2, h_t below 0.005
  }
  double sum = 0;
  for (double v : tr.dwhh_term_norm)
    sum += v;
  EXPECT_GT(sum, 0.0);
  EXPECT_EQ(tr.dwhh_term_norm.front(), 0.0) << "h_0 = 0: step 1 adds nothing to dW_hh";
}

TEST(OpsRnn, GraphPlacesItAsALayerOfItsOwn) {
  const std::vector<ops::FusedLayer> f =
      ops::fuse(graph(12, {rnn_op(7, 4), ops::dense_op(2, Activation::linear)}));
  ASSERT_EQ(f.size(), 2u);
  EXPECT_EQ(f[0].kind, ops::Kind::rnn);
  EXPECT_EQ(f[0].steps, 4u);
  EXPECT_EQ(f[0].in, 12u);
  EXPECT_EQ(f[0].out, 7u);
  EXPECT_EQ(ops::output_sink(f[0]).act, Activation::linear) << "its backward applies act'";
  const std::vector<ops::ParamInfo> params = ops::kind_of(ops::Kind::rnn).params(rnn_op(7, 4), 12);
  ASSERT_EQ(params.size(), 4u);
  EXPECT_EQ(params[0].name, "weight_ih_l0");
  EXPECT_EQ(params[0].cols, 3u);
  EXPECT_EQ(params[1].name, "weight_hh_l0");
  EXPECT_EQ(params[2].name, "bias_ih_l0");
  EXPECT_EQ(params[3].name, "bias_hh_l0");
}

std::string error_of(const std::string& text) {
  try {
    scene::parse(text, "rnn.toml");
  } catch (const std::exception& e) {
    return e.what();
  }
  return "";
}

std::string scene_text(const std::string& rnn, uint32_t input = 12,
                       const std::string& before = "") {
  return "[network]\ninput = " + std::to_string(input) + "\n" + before +
         "[[network.op]]\nkind = \"rnn\"\n" + rnn +
         "[[network.op]]\nkind = \"dense\"\nunits = 1\n[data]\nkind = \"teacher\"\n[train]\nloss = "
         "\"mse\"\n";
}

TEST(OpsRnn, SceneKeys) {
  const net::Scene s = scene::parse(
      scene_text(
          "units = 5\nsteps = 4\nactivation = \"relu\"\ninit_hh = \"orthogonal\"\nrho = 1.5\n"),
      "rnn.toml");
  ASSERT_EQ(s.network.ops.size(), 2u);
  const ops::Op& op = s.network.ops[0];
  EXPECT_EQ(op.kind, ops::Kind::rnn);
  EXPECT_EQ(op.units, 5u);
  EXPECT_EQ(op.steps, 4u);
  EXPECT_EQ(op.activation, Activation::relu);
  EXPECT_EQ(op.init_hh, ops::InitHH::orthogonal);
  EXPECT_EQ(op.rho, 1.5);
  EXPECT_EQ(s.network.sizes(), (std::vector<uint32_t>{12, 5, 1}));
  // tanh by default, as torch.nn.RNN.
  EXPECT_EQ(
      scene::parse(scene_text("units = 5\nsteps = 4\n"), "rnn.toml").network.ops[0].activation,
      Activation::tanh);
}

TEST(OpsRnn, SceneErrorsNameTheKey) {
  const auto expect = [](const std::string& text, const std::string& part) {
    const std::string e = error_of(text);
    EXPECT_NE(e.find(part), std::string::npos) << "got: " << e;
  };
  expect(scene_text("units = 5\n"), "network.op[0].steps: missing");
  expect(scene_text("steps = 4\n"), "network.op[0].units: missing");
  expect(scene_text("units = 5\nsteps = 5\n"), "are not 5 time steps of equal width");
  expect(scene_text("units = 5\nsteps = 4\nactivation = \"sigmoid\"\n"), "tanh or relu");
  expect(scene_text("units = 5\nsteps = 4\ninit_hh = \"eye\"\n"),
         "network.op[0].init_hh: unknown value");
  expect(scene_text("units = 5\nsteps = 4\nrho = -1\n"), "network.op[0].rho");
  expect(scene_text("units = 5\nsteps = 0\n"), "network.op[0].steps");
  // Not the first op: not built yet, said so at the op's line.
  const std::string second =
      "[network]\ninput = 12\n[[network.op]]\nkind = \"dense\"\nunits = 12\n[[network.op]]\n"
      "kind = \"rnn\"\nunits = 4\nsteps = 3\n[[network.op]]\nkind = \"dense\"\nunits = 1\n";
  expect(second, "rnn.toml:6");
  expect(second, "must be the network's first op");
}

TEST(OpsRnn, InitAsPyTorchAndWhhBySpectralRadius) {
  const auto params_of = [](const std::string& init_hh, double rho) {
    const net::Scene s = scene::parse(scene_text("units = 16\nsteps = 4\ninit_hh = \"" + init_hh +
                                                 "\"\nrho = " + std::to_string(rho) + "\n"),
                                      "rnn.toml");
    return net::init_params(s.network);
  };
  const net::Params u = params_of("uniform", 1.0);
  ASSERT_EQ(u[0].steps, 4u);
  ASSERT_EQ(u[0].w.size(), 16u * (3 + 16));
  ASSERT_EQ(u[0].b.size(), 32u);
  double largest = 0;
  for (float v : u[0].w)
    largest = std::max(largest, double(std::abs(v)));
  EXPECT_LE(largest, 0.25);  // U(-1/sqrt(16), 1/sqrt(16))
  EXPECT_GT(largest, 0.2);
  // Orthogonal times rho: W_hh W_hh^T = rho^2 I.
  const net::Params o = params_of("orthogonal", 1.5);
  const float* w = o[0].w.data() + 16 * 3;
  for (int i = 0; i < 16; ++i)
    for (int j = 0; j < 16; ++j) {
      double s = 0;
      for (int k = 0; k < 16; ++k)
        s += double(w[i * 16 + k]) * w[j * 16 + k];
      EXPECT_NEAR(s, i == j ? 2.25 : 0.0, 1e-5);
    }
  const net::Params id = params_of("identity", 0.9);
  EXPECT_FLOAT_EQ(id[0].w[16 * 3], 0.9f);
  EXPECT_FLOAT_EQ(id[0].w[16 * 3 + 1], 0.0f);
  EXPECT_FLOAT_EQ(id[0].w[16 * 3 + 17], 0.9f);
  // W_ih and the biases are the same draws whatever init_hh says.
  EXPECT_EQ(std::vector<float>(u[0].w.begin(), u[0].w.begin() + 48),
            std::vector<float>(o[0].w.begin(), o[0].w.begin() + 48));
  EXPECT_EQ(u[0].b, o[0].b);
}

TEST(OpsRnn, CheckpointUsesPyTorchNames) {
  const net::Scene s = scene::parse(scene_text("units = 5\nsteps = 4\n"), "rnn.toml");
  const net::Params p = net::init_params(s.network);
  const std::vector<io::Tensor> t = io::params_to_tensors(p);
  ASSERT_EQ(t.size(), 6u);
  EXPECT_EQ(t[0].name, "rnn.weight_ih_l0");
  EXPECT_EQ(t[0].shape, (std::vector<int64_t>{5, 3}));
  EXPECT_EQ(t[1].name, "rnn.weight_hh_l0");
  EXPECT_EQ(t[1].shape, (std::vector<int64_t>{5, 5}));
  EXPECT_EQ(t[2].name, "rnn.bias_ih_l0");
  EXPECT_EQ(t[3].name, "rnn.bias_hh_l0");
  EXPECT_EQ(t[4].name, "layers.1.weight");
  // And back: the same parameters.
  const std::filesystem::path file = std::filesystem::temp_directory_path() /
                                     ("gt_rnn_ckpt_" + std::to_string(::getpid()) + ".safetensors");
  io::write_safetensors(file, t);
  const net::Params back = io::read_params(file, s.network);
  std::filesystem::remove(file);
  ASSERT_EQ(back.size(), 2u);
  EXPECT_EQ(back[0].w, p[0].w);
  EXPECT_EQ(back[0].b, p[0].b);
  EXPECT_EQ(back[0].steps, 4u);
  EXPECT_EQ(back[1].w, p[1].w);
}

// The tools built on the dense layer reference (why, the walkthrough) and the exact
// [[network.layer]] parameters refuse an rnn, naming it, before any work.
TEST(OpsRnn, DenseOnlyToolsRefuseIt) {
  const net::Scene s = scene::parse(scene_text("units = 5\nsteps = 4\n"), "rnn.toml");
  EXPECT_THROW(net::ref::Net::from(s.network, net::init_params(s.network)), std::invalid_argument);
  const net::Scene small = scene::parse(
      "[network]\ninput = 4\n[[network.op]]\nkind = \"rnn\"\nunits = 2\nsteps = 2\n"
      "[[network.op]]\nkind = \"dense\"\nunits = 1\n[data]\nkind = \"teacher\"\nbatch = 4\n"
      "[train]\nloss = \"mse\"\n",
      "small.toml");
  const std::string walk = teach::walk_limits_error(small);
  EXPECT_NE(walk.find("layer 1 is an rnn"), std::string::npos) << walk;
  const std::string exact =
      error_of(scene_text("units = 2\nsteps = 2\n", 2) +
               "[[network.layer]]\nweight = [[1.0, 2.0], [3.0, 4.0]]\nbias = [0.0, 0.0]\n"
               "[[network.layer]]\nweight = [[1.0, 2.0]]\nbias = [0.0]\n");
  EXPECT_NE(exact.find("the network's first layer is an rnn"), std::string::npos) << exact;
}

}  // namespace
}  // namespace gt
