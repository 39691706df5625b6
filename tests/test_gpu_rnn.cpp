// The rnn op on the GPU (rnn_forward.comp, rnn_backward.comp) against its double-precision CPU
// reference (ops/rnn.hpp): one training step's loss, every gradient (dW_ih, dW_hh, db_ih, db_hh
// and the head's), the SGD update, and the per-time-step figures (|dL/dh_t| per unit, ||dL/dh_t||,
// the norm of each step's term of dW_hh), on both kernel variants.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <tuple>
#include <vector>

#include "gpu/network.hpp"
#include "gpu_fixture.hpp"
#include "ops/reference.hpp"
#include "ops/rnn.hpp"
#include "scene/scene.hpp"

namespace gt {
namespace {

struct RnnCase {
  std::string name;
  uint32_t steps, features, hidden, batch;
  std::string activation, init_hh;
  double rho;
  std::string loss;
  uint32_t outputs;
};

void PrintTo(const RnnCase& c, std::ostream* os) {
  *os << c.name;
}

net::Scene scene_of(const RnnCase& c,
                    const std::string& train = "optimizer = \"sgd\"\nlr = 0.05\n") {
  const std::string text =
      "title = \"" + c.name + "\"\n[network]\ninput = " + std::to_string(c.steps * c.features) +
      "\nseed = 11\n[[network.op]]\nkind = \"rnn\"\nunits = " + std::to_string(c.hidden) +
      "\nsteps = " + std::to_string(c.steps) + "\nactivation = \"" + c.activation +
      "\"\ninit_hh = \"" + c.init_hh + "\"\nrho = " + std::to_string(c.rho) +
      "\n[[network.op]]\nkind = \"dense\"\nunits = " + std::to_string(c.outputs) +
      "\n[data]\nkind = \"teacher\"\nbatch = " + std::to_string(c.batch) +
      "\nseed = 5\n[train]\nloss = \"" + c.loss + "\"\n" + train;
  return scene::parse(text, c.name + ".toml");
}

std::vector<RnnCase> cases() {
  return {
      // Odd sizes: F, H and the batch not multiples of 4, H past one 32-wide tile.
      {"tanh_odd", 7, 3, 37, 5, "tanh", "gaussian", 1.1, "mse", 2},
      {"relu_identity", 9, 2, 6, 6, "relu", "identity", 0.9, "mse", 3},
      {"tanh_xent", 5, 5, 10, 7, "tanh", "orthogonal", 1.3, "cross_entropy", 4},
      {"tanh_long", 64, 1, 8, 3, "tanh", "uniform", 1.0, "mse", 1},
      // The bar: T = 200 at rho = 0.9, every gradient within 1e-4 (relative to its
      // largest entry; the test's 2e-5 is tighter).
      {"tanh_200_rho09", 200, 2, 16, 4, "tanh", "orthogonal", 0.9, "mse", 1},
  };
}

// The reference's trace of the rnn (op 0): dL/dh_steps from the head's backward.
ops::RnnTrace trace_of(const ops::Graph& g, const ops::GraphParams& p, const net::ref::Batch& batch,
                       net::Loss loss) {
  const ops::Tensor x{batch.size, g.input, batch.input};
  const ops::GraphForward f = ops::forward(g, p, x);
  const ops::Tensor dout{f.out[1].rows, f.out[1].cols,
                         net::ref::output_loss_grad(f.out[1].v, batch, f.out[1].cols, loss)};
  ops::GraphParams scratch = ops::zero_params(g);
  const std::vector<ops::Tensor> dh =
      ops::kind_of(g.ops[1].kind)
          .backward(g.ops[1], {&f.out[0]}, p[1], f.saved[1], dout, scratch[1]);
  ops::Tensor dx{x.rows, x.cols, std::vector<double>(x.v.size(), 0.0)};
  return ops::rnn_backward(g.ops[0], x, p[0], f.saved[0][0], dh[0], scratch[0], dx);
}

class RnnStep : public test::GpuTest,
                public ::testing::WithParamInterface<std::tuple<RnnCase, gpu::Kernels>> {};

// The checks run on the third step: two steps before it moved every parameter (and left their
// tensors behind), so what a step reads is its own.
TEST_P(RnnStep, MatchesTheReference) {
  const RnnCase& c = std::get<0>(GetParam());
  const net::Scene scene = scene_of(c);
  gpu::NetworkOptions options;
  options.kernels = std::get<1>(GetParam());
  gpu::Network gnet(test::context(), scene, options);
  gnet.train(2);
  const net::Params before = gnet.params();
  ASSERT_EQ(before.size(), 2u);
  EXPECT_EQ(before[0].steps, c.steps);
  gnet.train(1);
  const ops::Graph graph = ops::graph_of(scene.network);
  const ops::GraphParams p = ops::params_from_layers(graph, before);
  const net::ref::Batch batch = test::ref_batch(gnet.batch());
  const ops::GraphGradients want = ops::backward(graph, p, batch, scene.train.loss);
  EXPECT_NEAR(gnet.loss(), want.loss, 1e-5 * std::max(1.0, want.loss));

  const net::Params grads = gnet.grads();
  const std::vector<double>&dwih = want.grads[0][0], &dwhh = want.grads[0][1];
  std::vector<double> dw = dwih;
  dw.insert(dw.end(), dwhh.begin(), dwhh.end());
  std::vector<double> db = want.grads[0][2];
  db.insert(db.end(), want.grads[0][3].begin(), want.grads[0][3].end());
  EXPECT_TRUE(test::close(grads[0].w, dw, 2e-5)) << "dW_ih, dW_hh";
  EXPECT_TRUE(test::close(grads[0].b, db, 2e-5)) << "db_ih, db_hh";
  EXPECT_TRUE(test::close(grads[1].w, want.grads[1][0], 2e-5)) << "the head's dW";
  EXPECT_TRUE(test::close(grads[1].b, want.grads[1][1], 2e-5)) << "the head's db";
  double dhh = 0;
  for (double v : dwhh)
    dhh = std::max(dhh, std::abs(v));
  EXPECT_GT(dhh, 1e-6) << "not vacuous: W_hh gets a gradient";
  // The layer's statistics cover both weight matrices and both biases: every dW tile's partials
  // (W_ih's and W_hh's) in their own slots.
  double ssq_w = 0, ssq_b = 0, max_w = 0;
  for (double v : dw) {
    ssq_w += v * v;
    max_w = std::max(max_w, std::abs(v));
  }
  for (double v : db)
    ssq_b += v * v;
  const shared::LayerStats st = gnet.latest_stats().layers[0];
  EXPECT_NEAR(st.grad_w_norm, std::sqrt(ssq_w), 2e-5 * std::sqrt(ssq_w));
  EXPECT_NEAR(st.grad_w_max_abs, max_w, 2e-5 * max_w);
  EXPECT_NEAR(st.grad_b_norm, std::sqrt(ssq_b), 2e-5 * std::sqrt(ssq_b) + 1e-12);

  // SGD moved every parameter by -lr g.
  const net::Params after = gnet.params();
  for (size_t k = 0; k < after[0].w.size(); ++k)
    EXPECT_NEAR(after[0].w[k], before[0].w[k] - scene.train.lr * grads[0].w[k], 1e-6);

  // The per-time figures of step t = 1..steps.
  const ops::RnnTrace tr = trace_of(graph, p, batch, scene.train.loss);
  const gpu::TimeStats ts = gnet.time_stats(0);
  ASSERT_EQ(ts.steps, c.steps);
  ASSERT_EQ(ts.units, c.hidden);
  std::vector<double> cells(size_t(c.steps) * c.hidden, 0.0), norms(c.steps, 0.0);
  for (uint32_t t = 0; t < c.steps; ++t)
    for (uint32_t b = 0; b < c.batch; ++b)
      for (uint32_t j = 0; j < c.hidden; ++j) {
        const double v = tr.dh[(size_t(t) * c.batch + b) * c.hidden + j];
        cells[size_t(t) * c.hidden + j] += std::abs(v) / c.batch;
        norms[t] += v * v;
      }
  for (double& v : norms)
    v = std::sqrt(v);
  EXPECT_TRUE(test::close(ts.cells, cells, 2e-5)) << "mean |dL/dh_t| per unit";
  for (uint32_t t = 0; t < c.steps; ++t) {
    EXPECT_NEAR(ts.grad_h_norm[t], norms[t], 2e-5 * norms[t] + 1e-12) << "||dL/dh_t||, t " << t + 1;
    EXPECT_NEAR(ts.dwhh_term_norm[t], tr.dwhh_term_norm[t], 1e-4 * tr.dwhh_term_norm[t] + 1e-12)
        << "step " << t + 1 << "'s term of dW_hh";
  }
  EXPECT_GT(norms.front(), 0.0);
}

INSTANTIATE_TEST_SUITE_P(Rnn, RnnStep,
                         ::testing::Combine(::testing::ValuesIn(cases()),
                                            ::testing::Values(gpu::Kernels::texel,
                                                              gpu::Kernels::shared)),
                         [](const auto& p) {
                           return std::get<0>(p.param).name + "_" +
                                  gpu::to_string(std::get<1>(p.param));
                         });

class RnnClip : public test::GpuTest, public ::testing::WithParamInterface<gpu::Kernels> {};

// clip_norm scales every gradient by clip / (||g|| + 1e-6), ||g|| over all parameters: the
// update of W_ih, W_hh and the head shows the norm of the reference's gradients, both matrices'
// tiles in it.
TEST_P(RnnClip, TheGlobalNormCoversBothWeightMatrices) {
  const RnnCase c{"clip", 6, 3, 37, 5, "tanh", "gaussian", 1.2, "mse", 2};
  const net::Scene scene = scene_of(c, "optimizer = \"sgd\"\nlr = 1.0\nclip_norm = 0.01\n");
  gpu::NetworkOptions options;
  options.kernels = GetParam();
  gpu::Network gnet(test::context(), scene, options);
  const net::Params before = gnet.params();
  gnet.train(1);
  const ops::Graph graph = ops::graph_of(scene.network);
  const ops::GraphGradients want = ops::backward(graph, ops::params_from_layers(graph, before),
                                                 test::ref_batch(gnet.batch()), scene.train.loss);
  double ssq = 0;
  for (const ops::OpParams& op : want.grads)
    for (const std::vector<double>& t : op)
      for (double v : t)
        ssq += v * v;
  ASSERT_GT(std::sqrt(ssq), 0.1) << "the clip must act";
  const double scale = 0.01 / (std::sqrt(ssq) + 1e-6);
  const net::Params after = gnet.params();
  std::vector<double> dw = want.grads[0][0];
  dw.insert(dw.end(), want.grads[0][1].begin(), want.grads[0][1].end());
  for (size_t k = 0; k < dw.size(); ++k)
    EXPECT_NEAR(after[0].w[k] - before[0].w[k], -scale * dw[k],
                1e-4 * scale * std::abs(dw[k]) + 2e-7)
        << k;
}

INSTANTIATE_TEST_SUITE_P(Rnn, RnnClip, ::testing::Values(gpu::Kernels::texel, gpu::Kernels::shared),
                         [](const auto& p) { return std::string(gpu::to_string(p.param)); });

class RnnData : public test::GpuTest {};

// The adding problem, generated on the GPU: per sequence of T steps (value, marker), exactly two
// markers, one in each half, values in [0, 1), the target their sum; a new batch every step.
TEST_F(RnnData, TheAddingProblemMarksOneStepInEachHalf) {
  std::string text =
      "[network]\ninput = 60\n[[network.op]]\nkind = \"rnn\"\nunits = 8\nsteps = "
      "30\n[[network.op]]\nkind = \"dense\"\nunits = 1\n[data]\nkind = "
      "\"adding\"\nbatch = 9\nseed = 4\n[train]\nloss = \"mse\"\n";
  gpu::Network gnet(test::context(), scene::parse(text, "adding.toml"), gpu::NetworkOptions{});
  std::vector<float> first;
  for (int step = 0; step < 2; ++step) {
    gnet.train(1);
    const gpu::Batch b = gnet.batch();
    ASSERT_EQ(b.size, 9u);
    for (uint32_t r = 0; r < b.size; ++r) {
      std::vector<uint32_t> marked;
      double sum = 0;
      for (uint32_t t = 0; t < 30; ++t) {
        const float v = b.input[r * 60 + 2 * t], m = b.input[r * 60 + 2 * t + 1];
        EXPECT_GE(v, 0.0f);
        EXPECT_LT(v, 1.0f);
        EXPECT_TRUE(m == 0.0f || m == 1.0f);
        if (m == 1.0f) {
          marked.push_back(t);
          sum += v;
        }
      }
      ASSERT_EQ(marked.size(), 2u) << "sample " << r;
      EXPECT_LT(marked[0], 15u);
      EXPECT_GE(marked[1], 15u);
      EXPECT_NEAR(b.target[r], sum, 1e-6);
    }
    if (step == 0)
      first = b.input;
    else
      EXPECT_NE(first, b.input) << "a new batch every step";
  }
}

// Every hidden state is kept for backpropagation through time: a T that cannot fit one buffer is
// refused before any allocation, saying which T would.
TEST(RnnPlan, ATooLongSequenceIsRefusedWithTheStepsThatFit) {
  const std::string text =
      "[network]\ninput = 200000\n[[network.op]]\nkind = \"rnn\"\nunits = 256\nsteps = "
      "100000\n[[network.op]]\nkind = \"dense\"\nunits = 1\n[data]\nkind = \"adding\"\n"
      "batch = 64\n[train]\nloss = \"mse\"\n";
  const net::Scene scene = scene::parse(text, "long.toml");
  gpu::DeviceLimits limits;
  limits.max_segment_bytes = 128ull << 20;
  limits.device_memory_bytes = 8ull << 30;
  try {
    gpu::make_plan(scene.network, scene.data, scene.train, limits);
    FAIL() << "planned";
  } catch (const gpu::PlanError& e) {
    const std::string m = e.what();
    // 128 MiB = 33,554,432 floats: the hidden states allow 2,047 steps of 64 x 256, the
    // per-time figures (64 x 256 + 3 x 256 + 4 floats a step) 1,955.
    EXPECT_NE(m.find("up to 1955 steps fit"), std::string::npos) << m;
    EXPECT_NE(m.find("every hidden state"), std::string::npos) << m;
  }
  // The T it names plans.
  const net::Scene fits = scene::parse(
      "[network]\ninput = 3910\n[[network.op]]\nkind = \"rnn\"\nunits = 256\nsteps = "
      "1955\n[[network.op]]\nkind = \"dense\"\nunits = 1\n[data]\nkind = \"adding\"\n"
      "batch = 64\n[train]\nloss = \"mse\"\n",
      "fits.toml");
  EXPECT_EQ(gpu::make_plan(fits.network, fits.data, fits.train, limits).layers[0].steps, 1955u);
  // 1,000 steps (hidden 256, batch 64: the scale) fit the same device.
  const net::Scene ok = scene::parse(
      "[network]\ninput = 2000\n[[network.op]]\nkind = \"rnn\"\nunits = 256\nsteps = "
      "1000\n[[network.op]]\nkind = \"dense\"\nunits = 1\n[data]\nkind = \"adding\"\n"
      "batch = 64\n[train]\nloss = \"mse\"\n",
      "ok.toml");
  const gpu::Plan p = gpu::make_plan(ok.network, ok.data, ok.train, limits);
  EXPECT_EQ(p.layers[0].steps, 1000u);
}

}  // namespace
}  // namespace gt
