// The CPU reference's residual connections and layer/batch normalization against central finite
// differences (dW, db, dgamma, dbeta, dL/dinput), their forward definitions checked directly, and
// the optimizer and clip_norm covering gamma and beta.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "net/init.hpp"
#include "net/reference.hpp"
#include "ref_test_util.hpp"

namespace gt::net {
namespace {

using test::expect_close_to_fd;
using test::random_batch;

using Shape = test::NetShape;

// A random network of `shape` with a linear output layer.
ref::Net random_net(const Shape& shape, Activation act, uint64_t seed) {
  return test::random_net(shape, act, Activation::linear, seed);
}

// Every gradient of the network (and dL/dinput) against finite differences; returns the largest
// |dW| of the first layer, so callers can check the comparison was not vacuous.
double check_against_fd(const ref::Net& net, const ref::Batch& batch, Loss loss) {
  const double h = 1e-6;
  const ref::Gradients g = ref::backward(net, batch, loss);
  EXPECT_DOUBLE_EQ(g.loss, ref::loss(net, batch, loss));
  for (uint32_t i = 0; i < net.layers.size(); ++i) {
    const std::string at = " of layer " + std::to_string(i);
    expect_close_to_fd(g.dw[i], ref::finite_difference_dw(net, batch, loss, i, h), "dW" + at);
    expect_close_to_fd(g.db[i], ref::finite_difference_db(net, batch, loss, i, h), "db" + at);
    expect_close_to_fd(g.dgamma[i], ref::finite_difference_dgamma(net, batch, loss, i, h),
                       "dgamma" + at);
    expect_close_to_fd(g.dbeta[i], ref::finite_difference_dbeta(net, batch, loss, i, h),
                       "dbeta" + at);
    EXPECT_EQ(g.dgamma[i].empty(), net.layers[i].gamma.empty());
  }
  const std::vector<double> fd_dx0 = ref::finite_difference_dx0(net, batch, loss, h);
  expect_close_to_fd(g.dx0, fd_dx0, "dL/dinput");
  double largest = 0.0;
  for (double v : g.dw[0])
    largest = std::max(largest, std::abs(v));
  return largest;
}

constexpr Activation kSmooth[] = {Activation::linear, Activation::tanh, Activation::sigmoid,
                                  Activation::gelu};

TEST(ReferenceResidual, SkipSourcesFollowTheBlocks) {
  ref::Net net = random_net({{3, 4, 4, 4, 4, 4, 4, 4, 4, 2}, true, 3}, Activation::tanh, 1);
  // depth 8, k = 3: blocks of hidden layers 2..4, 5..7 and the partial 8..8, adding X_1, X_4, X_7
  // (layer index i = hidden layer - 1).
  const std::vector<int> want = {-1, -1, -1, 1, -1, -1, 4, 7, -1};
  for (size_t i = 0; i < net.layers.size(); ++i)
    EXPECT_EQ(ref::skip_source(net, i), want[i]) << "layer " << i;
  net.residual_every = 1;
  for (size_t i = 0; i < net.layers.size(); ++i)
    EXPECT_EQ(ref::skip_source(net, i), i >= 1 && i < 8 ? int(i) : -1) << "layer " << i;
  net.residual = false;
  for (size_t i = 0; i < net.layers.size(); ++i)
    EXPECT_EQ(ref::skip_source(net, i), -1);
}

TEST(ReferenceResidual, ForwardAddsTheBlockInput) {
  const ref::Net net = random_net({{3, 4, 4, 4, 4, 2}, true, 2}, Activation::tanh, 2);
  const ref::Batch batch = random_batch(5, 3, 2, Loss::mse, 3);
  const ref::Forward f = ref::forward(net, batch);
  // depth 4, k = 2: X_3 = X_1 + A_3, X_4 = X_3 + A_4; X_1, X_2 plain.
  for (size_t k = 0; k < f.x[1].size(); ++k) {
    EXPECT_EQ(f.x[1][k], f.a[0][k]);
    EXPECT_EQ(f.x[2][k], f.a[1][k]);
    EXPECT_EQ(f.x[3][k], f.x[1][k] + f.a[2][k]);
    EXPECT_EQ(f.x[4][k], f.x[3][k] + f.a[3][k]);
  }
}

TEST(ReferenceResidual, GradientsMatchFiniteDifferences) {
  for (const Shape& shape : {Shape{{3, 5, 5, 5, 5, 3}, true, 1},
                             Shape{{3, 5, 5, 5, 5, 5, 5, 3}, true, 3},  // blocks 2..4, 5..6
                             Shape{{3, 5, 5, 3}, true, 4}}) {           // one partial block
    for (Activation act : kSmooth) {
      for (Loss loss : {Loss::mse, Loss::cross_entropy}) {
        SCOPED_TRACE(std::string(to_string(act)) + " / " + std::string(to_string(loss)) +
                     " / every " + std::to_string(shape.every));
        const ref::Net net = random_net(shape, act, 7);
        const ref::Batch batch = random_batch(4, 3, 3, loss, 11);
        EXPECT_GT(check_against_fd(net, batch, loss), 1e-3);
      }
    }
  }
}

TEST(ReferenceNorm, NormalizedGroupsHaveZeroMeanUnitVariance) {
  for (Norm norm : {Norm::batch, Norm::layer}) {
    SCOPED_TRACE(std::string(to_string(norm)));
    const ref::Net net = random_net({{3, 6, 6, 2}, false, 1, norm}, Activation::tanh, 5);
    const uint32_t batch_size = 7, out = 6;
    const ref::Forward f = ref::forward(net, random_batch(batch_size, 3, 2, Loss::mse, 6));
    for (size_t i = 0; i < 2; ++i) {
      const bool batch = norm == Norm::batch;
      for (uint32_t grp = 0; grp < (batch ? out : batch_size); ++grp) {
        const uint32_t m = batch ? batch_size : out;
        double mean = 0, var = 0, zmean = 0, zvar = 0;
        auto at = [&](uint32_t k) { return batch ? size_t(k) * out + grp : size_t(grp) * out + k; };
        for (uint32_t k = 0; k < m; ++k) {
          mean += f.nhat[i][at(k)] / m;
          zmean += f.z[i][at(k)] / m;
        }
        for (uint32_t k = 0; k < m; ++k) {
          var += (f.nhat[i][at(k)] - mean) * (f.nhat[i][at(k)] - mean) / m;
          zvar += (f.z[i][at(k)] - zmean) * (f.z[i][at(k)] - zmean) / m;
        }
        EXPECT_NEAR(mean, 0.0, 1e-12);
        EXPECT_NEAR(var, zvar / (zvar + kNormEps), 1e-12);  // biased variance, eps 1e-5
        for (uint32_t k = 0; k < m; ++k) {
          const uint32_t neuron = static_cast<uint32_t>(at(k) % out);
          EXPECT_DOUBLE_EQ(f.y[i][at(k)], net.layers[i].gamma[neuron] * f.nhat[i][at(k)] +
                                              net.layers[i].beta[neuron]);
        }
      }
    }
    EXPECT_TRUE(f.nhat[2].empty()) << "the output layer is never normalized";
  }
}

TEST(ReferenceNorm, GradientsMatchFiniteDifferences) {
  for (Norm norm : {Norm::batch, Norm::layer}) {
    for (bool residual : {false, true}) {
      for (Activation act : kSmooth) {
        for (Loss loss : {Loss::mse, Loss::cross_entropy}) {
          SCOPED_TRACE(std::string(to_string(norm)) + (residual ? " residual / " : " / ") +
                       std::string(to_string(act)) + " / " + std::string(to_string(loss)));
          const ref::Net net = random_net({{3, 5, 5, 5, 3}, residual, 2, norm}, act, 9);
          const ref::Batch batch = random_batch(4, 3, 3, loss, 13);
          EXPECT_GT(check_against_fd(net, batch, loss), 1e-4);
        }
      }
    }
  }
}

TEST(ReferenceNorm, InitIsTheIdentityAndSgdMovesGammaAndBeta) {
  NetworkSpec spec;
  spec.input = 3;
  spec.depth = 2;
  spec.width = 4;
  spec.output = 2;
  spec.norm = Norm::layer;
  const Params p = init_params(spec);
  ASSERT_EQ(p.size(), 3u);
  EXPECT_EQ(p[0].gamma, std::vector<float>(4, 1.0f));
  EXPECT_EQ(p[1].beta, std::vector<float>(4, 0.0f));
  EXPECT_TRUE(p[2].gamma.empty() && p[2].beta.empty());

  ref::Net net = ref::Net::from(spec, p);
  const ref::Batch batch = random_batch(3, 3, 2, Loss::mse, 4);
  const ref::Gradients g = ref::backward(net, batch, Loss::mse);
  TrainSpec train;
  train.optimizer = Optimizer::sgd;
  train.lr = 0.5;
  ref::OptimizerState state;
  const ref::Net before = net;
  ref::update(net, g, state, train);
  for (size_t k = 0; k < 4; ++k) {
    EXPECT_DOUBLE_EQ(net.layers[1].gamma[k], before.layers[1].gamma[k] - 0.5 * g.dgamma[1][k]);
    EXPECT_DOUBLE_EQ(net.layers[1].beta[k], before.layers[1].beta[k] - 0.5 * g.dbeta[1][k]);
  }
}

TEST(ReferenceNorm, ClipNormCountsGammaAndBeta) {
  // A network whose only non-zero gradients are dgamma and dbeta: clip_norm must still scale.
  ref::Net net = random_net({{2, 3, 2}, false, 1, Norm::batch}, Activation::tanh, 3);
  ref::Gradients g;
  g.dw = {std::vector<double>(6, 0.0), std::vector<double>(6, 0.0)};
  g.db = {std::vector<double>(3, 0.0), std::vector<double>(2, 0.0)};
  g.dgamma = {{3.0, 0.0, 0.0}, {}};
  g.dbeta = {{0.0, 4.0, 0.0}, {}};
  TrainSpec train;
  train.optimizer = Optimizer::sgd;
  train.lr = 1.0;
  train.clip_norm = 1.0;
  ref::OptimizerState state;
  const double gamma0 = net.layers[0].gamma[0], beta1 = net.layers[0].beta[1];
  ref::update(net, g, state, train);
  const double scale = 1.0 / (5.0 + 1e-6);  // the global norm is 5
  EXPECT_DOUBLE_EQ(net.layers[0].gamma[0], gamma0 - 3.0 * scale);
  EXPECT_DOUBLE_EQ(net.layers[0].beta[1], beta1 - 4.0 * scale);
}

}  // namespace
}  // namespace gt::net
