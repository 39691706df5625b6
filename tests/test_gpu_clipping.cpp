// Gradient clipping (train.clip_norm, train.clip_value) against the CPU reference: the global
// norm of all gradients, the factor applied, the clamped entries, over several steps; the
// statistics keep showing the gradients as computed; clipping can be changed without a rebuild.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "gpu/network.hpp"
#include "gpu_fixture.hpp"
#include "net/reference.hpp"

namespace gt {
namespace {

using test::ref_batch;

// An exploding start (sigma_w 2.5, tanh, linear output, MSE on a teacher): gradients large enough
// that clipping acts from the first step.
net::Scene clip_scene(net::Optimizer opt, double clip_norm, double clip_value) {
  net::Scene s;
  s.title = "clipping";
  s.network.input = 6;
  s.network.depth = 6;
  s.network.width = 20;
  s.network.output = 3;
  s.network.activation = net::Activation::tanh;
  s.network.sigma_w = 2.5;
  s.network.sigma_b = 0.3;
  s.network.seed = 8;
  s.data.kind = net::DataKind::teacher;
  s.data.batch = 16;
  s.data.seed = 2;
  s.train.loss = net::Loss::mse;
  s.train.optimizer = opt;
  s.train.lr = 0.05;
  s.train.clip_norm = clip_norm;
  s.train.clip_value = clip_value;
  return s;
}

std::vector<double> flat(const net::ref::Net& n) {
  std::vector<double> out;
  for (const auto& l : n.layers) {
    out.insert(out.end(), l.w.begin(), l.w.end());
    out.insert(out.end(), l.b.begin(), l.b.end());
  }
  return out;
}

std::vector<double> flat(const net::Params& p) {
  std::vector<double> out;
  for (const auto& l : p) {
    out.insert(out.end(), l.w.begin(), l.w.end());
    out.insert(out.end(), l.b.begin(), l.b.end());
  }
  return out;
}

double global_norm(const net::ref::Gradients& g) {
  double sq = 0;
  for (const auto& w : g.dw)
    for (double v : w)
      sq += v * v;
  for (const auto& b : g.db)
    for (double v : b)
      sq += v * v;
  return std::sqrt(sq);
}

// Trains GPU and reference side by side; returns the reference's gradient norm of step 0.
double check_against_reference(const net::Scene& scene, uint32_t steps) {
  gpu::Network gnet(test::context(), scene);
  net::ref::Net ref = net::ref::Net::from(scene.network, gnet.params());
  net::ref::OptimizerState state;
  double first_norm = 0;
  for (uint32_t s = 0; s < steps; ++s) {
    gnet.train(1);
    const net::ref::Gradients g =
        net::ref::backward(ref, ref_batch(gnet.batch()), scene.train.loss);
    if (s == 0) first_norm = global_norm(g);
    // The statistics show the gradients before clipping.
    double q = 0;
    for (double v : g.dw[0])
      q += v * v;
    EXPECT_NEAR(gnet.latest_stats().layers[0].grad_w_norm, std::sqrt(q), 2e-4 * std::sqrt(q))
        << "step " << s;
    net::ref::update(ref, g, state, scene.train);
    EXPECT_TRUE(test::close(flat(gnet.params()), flat(ref), 2e-5)) << "after step " << s;
  }
  return first_norm;
}

class Clipping : public test::GpuTest {};

TEST_F(Clipping, NormClippingMatchesReference) {
  for (net::Optimizer opt : {net::Optimizer::sgd, net::Optimizer::adam}) {
    const double norm = check_against_reference(clip_scene(opt, 0.5, 0), 4);
    EXPECT_GT(norm, 5.0) << "the test wants gradients far above the clipping norm";
  }
}

TEST_F(Clipping, ValueClippingMatchesReference) {
  check_against_reference(clip_scene(net::Optimizer::sgd, 0, 0.01), 4);
  check_against_reference(clip_scene(net::Optimizer::momentum, 1.0, 0.02), 3);  // both
}

TEST_F(Clipping, ClippingChangesTheUpdateAndItsRatio) {
  // The same start with and without clipping: SGD's first update is exactly lr * g scaled by
  // clip / |g|, so the weight change shrinks by that factor (the update ratio shows it).
  gpu::Network plain(test::context(), clip_scene(net::Optimizer::sgd, 0, 0));
  gpu::Network clipped(test::context(), clip_scene(net::Optimizer::sgd, 0.5, 0));
  const net::Params before = plain.params();
  plain.train(1);
  clipped.train(1);
  net::ref::Net ref = net::ref::Net::from(clip_scene(net::Optimizer::sgd, 0, 0).network, before);
  const double total =
      global_norm(net::ref::backward(ref, ref_batch(plain.batch()), net::Loss::mse));
  const double factor = 0.5 / (total + 1e-6);
  const auto a = plain.latest_stats(), b = clipped.latest_stats();
  for (size_t l = 0; l < a.layers.size(); ++l) {
    EXPECT_FLOAT_EQ(a.layers[l].grad_w_norm, b.layers[l].grad_w_norm) << "layer " << l;
    EXPECT_NEAR(b.layers[l].update_ratio / a.layers[l].update_ratio, factor, 1e-4 * factor)
        << "layer " << l;
  }
}

TEST_F(Clipping, SetTrainTurnsClippingOnWithoutRebuilding) {
  net::Scene scene = clip_scene(net::Optimizer::sgd, 0, 0);
  gpu::Network gnet(test::context(), scene);
  net::ref::Net ref = net::ref::Net::from(scene.network, gnet.params());
  net::ref::OptimizerState state;
  gnet.train(1);
  net::ref::update(ref, net::ref::backward(ref, ref_batch(gnet.batch()), scene.train.loss), state,
                   scene.train);
  scene.train.clip_norm = 0.25;
  gnet.set_train(scene.train);
  gnet.train(1);
  net::ref::update(ref, net::ref::backward(ref, ref_batch(gnet.batch()), scene.train.loss), state,
                   scene.train);
  EXPECT_TRUE(test::close(flat(gnet.params()), flat(ref), 2e-5));
}

TEST_F(Clipping, NonFiniteGradientsStayVisible) {
  // Weights so large the tanh saturates and the loss overflows: the norm is not finite, the
  // factor is not finite, the update shows it; nothing crashes, the count is reported.
  net::Scene scene = clip_scene(net::Optimizer::sgd, 1.0, 0);
  scene.network.sigma_w = 1e30;
  scene.network.activation = net::Activation::linear;
  scene.network.depth = 4;
  gpu::Network gnet(test::context(), scene);
  gnet.train(1);
  const gpu::StepStats st = gnet.latest_stats();
  uint32_t nonfinite = 0;
  for (const auto& l : st.layers)
    nonfinite += l.nonfinite;
  EXPECT_GT(nonfinite, 0u);
  bool any_nan = false;
  for (double v : flat(gnet.params()))
    any_nan |= std::isnan(v);
  EXPECT_TRUE(any_nan) << "a non-finite global norm reaches the parameters, as in PyTorch";
}

}  // namespace
}  // namespace gt
