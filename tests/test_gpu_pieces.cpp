// Training in pieces (the live view's way of bounding the work per frame): bit-identical to whole
// steps, and between pieces the statistics buffers still describe the latest complete step.
#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#include "gpu/network.hpp"
#include "gpu_fixture.hpp"
#include "test_printers.hpp"

namespace gt {
namespace {

net::Scene pieces_scene(net::Optimizer opt) {
  net::Scene s;
  s.title = "pieces";
  s.network.input = 5;
  s.network.depth = 40;  // long enough to be cut into many pieces
  s.network.width = 24;
  s.network.output = 3;
  s.network.activation = net::Activation::tanh;
  s.network.sigma_w = 1.2;
  s.network.sigma_b = 0.1;
  s.network.seed = 3;
  s.data.kind = net::DataKind::teacher;
  s.data.batch = 9;
  s.data.fixed = false;  // a fresh batch each step: the data generation is cut too
  s.data.seed = 11;
  s.train.loss = net::Loss::mse;
  s.train.optimizer = opt;
  s.train.lr = 0.01;
  return s;
}

bool same_bits(const std::vector<float>& a, const std::vector<float>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * 4) == 0;
}

bool same_stats(const gpu::StepStats& a, const gpu::StepStats& b) {
  return a.step == b.step && std::memcmp(&a.loss, &b.loss, 4) == 0 &&
         a.layers.size() == b.layers.size() &&
         std::memcmp(a.layers.data(), b.layers.data(),
                     a.layers.size() * sizeof(shared::LayerStats)) == 0;
}

class Pieces : public test::GpuTest, public ::testing::WithParamInterface<net::Optimizer> {};

TEST_P(Pieces, BitIdenticalToWholeSteps) {
  const net::Scene scene = pieces_scene(GetParam());
  gpu::Network whole(test::context(), scene);
  gpu::Network cut(test::context(), scene);
  whole.train(3);
  // A zero budget runs one piece per call.
  uint32_t calls = 0, steps = 0;
  while (steps < 3) {
    steps += cut.train_pieces(0.0);
    ++calls;
  }
  EXPECT_GT(calls, 3u * 8u) << "a step of 40 layers should be cut into many pieces";
  EXPECT_FALSE(cut.mid_step());
  EXPECT_EQ(cut.steps_done(), 3u);
  const net::Params pw = whole.params(), pc = cut.params();
  const net::Params gw = whole.grads(), gc = cut.grads();
  for (size_t l = 0; l < pw.size(); ++l) {
    EXPECT_TRUE(same_bits(pw[l].w, pc[l].w)) << "weights of layer " << l;
    EXPECT_TRUE(same_bits(pw[l].b, pc[l].b)) << "biases of layer " << l;
    EXPECT_TRUE(same_bits(gw[l].w, gc[l].w)) << "weight gradients of layer " << l;
  }
  EXPECT_TRUE(same_stats(whole.latest_stats(), cut.latest_stats()));
  EXPECT_TRUE(same_bits(whole.neuron_stats(), cut.neuron_stats()));
  const auto hw = whole.history(), hc = cut.history();
  ASSERT_EQ(hw.size(), hc.size());
  for (size_t i = 0; i < hw.size(); ++i)
    EXPECT_TRUE(same_stats(hw[i], hc[i])) << "ring entry " << i;
}

INSTANTIATE_TEST_SUITE_P(Optimizers, Pieces,
                         ::testing::Values(net::Optimizer::sgd, net::Optimizer::adam),
                         [](const auto& p) { return std::string(net::to_string(p.param)); });

// Every piece boundary inside a step: the published statistics stay those of the previous step,
// and change exactly when the step's last piece runs.
using PiecesPublish = test::GpuTest;

TEST_F(PiecesPublish, OnlyAtTheEndOfAStep) {
  const net::Scene scene = pieces_scene(net::Optimizer::momentum);
  gpu::Network net(test::context(), scene);
  net.train(1);
  const gpu::StepStats before = net.latest_stats();
  const std::vector<float> neurons_before = net.neuron_stats();
  uint32_t pieces = 0;
  while (net.train_pieces(0.0) == 0) {
    ++pieces;
    ASSERT_TRUE(net.mid_step());
    EXPECT_TRUE(same_stats(net.latest_stats(), before)) << "after piece " << pieces;
    EXPECT_TRUE(same_bits(net.neuron_stats(), neurons_before)) << "after piece " << pieces;
  }
  EXPECT_GT(pieces, 8u);
  const gpu::StepStats after = net.latest_stats();
  EXPECT_EQ(after.step, before.step + 1);
  EXPECT_FALSE(same_bits(net.neuron_stats(), neurons_before));
  // finish_step completes a step begun in pieces; train() then continues whole.
  net.train_pieces(0.0);
  EXPECT_TRUE(net.mid_step());
  net.train(1);
  EXPECT_FALSE(net.mid_step());
  EXPECT_EQ(net.steps_done(), 4u);
  EXPECT_EQ(net.latest_stats().step, 3u);
}

// One piece at a time (how runs side by side keep in lockstep): at_last_piece says which piece
// completes the step, and only that one does.
TEST_F(PiecesPublish, TheLastPieceIsKnownBeforeItRuns) {
  gpu::Network net(test::context(), pieces_scene(net::Optimizer::sgd));
  for (uint32_t step = 1; step <= 2; ++step) {
    uint32_t pieces = 0;
    for (;;) {
      const bool last = net.at_last_piece();
      const bool completed = net.train_piece();
      ++pieces;
      EXPECT_EQ(completed, last) << "piece " << pieces << " of step " << step;
      if (completed) break;
      ASSERT_LT(pieces, 1000u);
    }
    EXPECT_GT(pieces, 8u);
    EXPECT_EQ(net.steps_done(), step);
    EXPECT_FALSE(net.mid_step());
  }
}

}  // namespace
}  // namespace gt
