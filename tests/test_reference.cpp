// The Philox generator, parameter initialisation and the double-precision CPU reference, each
// against independent truth: published known-answer vectors, statistics, finite differences and
// values derived by hand.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>
#include <random>
#include <vector>

#include "net/init.hpp"
#include "net/philox.hpp"
#include "net/reference.hpp"
#include "ref_test_util.hpp"

namespace gt::net {
namespace {

using test::expect_close_to_fd;
using test::random_batch;

// ---------------------------------------------------------------------------------------------
// Philox

void expect_u32x4(const U32x4& got, const U32x4& want) {
  for (int k = 0; k < 4; ++k)
    EXPECT_EQ(got.v[k], want.v[k]) << "word " << k;
}

TEST(Philox, Random123KnownAnswers) {
  expect_u32x4(philox4x32_10(U32x4{{0, 0, 0, 0}}, 0, 0),
               U32x4{{0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8}});
  expect_u32x4(philox4x32_10(U32x4{{0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff}}, 0xffffffff,
                             0xffffffff),
               U32x4{{0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd}});
  expect_u32x4(philox4x32_10(U32x4{{0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344}}, 0xa4093822,
                             0x299f31d0),
               U32x4{{0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1}});
}

TEST(Philox, UniformEndpoints) {
  EXPECT_EQ(u01_open_closed(0), 0x1p-32);
  EXPECT_EQ(u01_open_closed(0xffffffffu), 1.0);
  EXPECT_EQ(u01_closed_open(0), 0.0);
  EXPECT_EQ(u01_closed_open(0x80000000u), 0.5);
  EXPECT_LT(u01_closed_open(0xffffffffu), 1.0);
}

// ---------------------------------------------------------------------------------------------
// Init

struct Moments {
  double mean = 0.0;
  double var = 0.0;
};

Moments moments(const std::vector<float>& v) {
  Moments m;
  for (float x : v)
    m.mean += x;
  m.mean /= static_cast<double>(v.size());
  for (float x : v)
    m.var += (x - m.mean) * (x - m.mean);
  m.var /= static_cast<double>(v.size());
  return m;
}

// Layer 0 is 256 -> 1024 (262144 weights), non-square so fan_in and fan_out rules differ.
NetworkSpec wide_spec(Init init) {
  NetworkSpec s;
  s.input = 256;
  s.width = 1024;
  s.depth = 1;
  s.output = 4;
  s.init = init;
  s.seed = 12345;
  return s;
}

// Sample variance of N normal draws has relative standard error sqrt(2/N); allow ~7 of them.
void expect_weight_moments(const LayerParams& p, double want_var) {
  const Moments m = moments(p.w);
  const double n = static_cast<double>(p.w.size());
  EXPECT_NEAR(m.mean, 0.0, 5.0 * std::sqrt(want_var / n));
  EXPECT_NEAR(m.var / want_var, 1.0, 7.0 * std::sqrt(2.0 / n));
}

TEST(Init, ShapesFollowSpec) {
  NetworkSpec s;
  s.input = 3;
  s.depth = 2;
  s.width = 7;
  s.output = 5;
  const Params p = init_params(s);
  ASSERT_EQ(p.size(), 3u);
  const uint32_t want[][2] = {{3, 7}, {7, 7}, {7, 5}};
  for (size_t i = 0; i < p.size(); ++i) {
    EXPECT_EQ(p[i].in, want[i][0]);
    EXPECT_EQ(p[i].out, want[i][1]);
    EXPECT_EQ(p[i].w.size(), size_t{want[i][0]} * want[i][1]);
    EXPECT_EQ(p[i].b.size(), size_t{want[i][1]});
  }
}

TEST(Init, DeterministicPerSeed) {
  NetworkSpec s;
  s.sigma_b = 0.3;
  const Params a = init_params(s);
  const Params b = init_params(s);
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].w, b[i].w);
    EXPECT_EQ(a[i].b, b[i].b);
  }
  // Both halves of the 64-bit seed are part of the key.
  for (uint64_t other : {uint64_t{2}, uint64_t{1} + (uint64_t{1} << 32)}) {
    NetworkSpec t = s;
    t.seed = other;
    const Params c = init_params(t);
    size_t same = 0;
    size_t total = 0;
    for (size_t i = 0; i < a.size(); ++i) {
      for (size_t k = 0; k < a[i].w.size(); ++k)
        same += a[i].w[k] == c[i].w[k];
      for (size_t k = 0; k < a[i].b.size(); ++k)
        same += a[i].b[k] == c[i].b[k];
      total += a[i].w.size() + a[i].b.size();
    }
    EXPECT_LT(same, total / 100) << "seed " << other;
  }
}

// The counter layout is a contract with the GPU's generator: {element, layer, stream, 0}.
TEST(Init, CounterLayout) {
  NetworkSpec s;
  s.input = 4;
  s.width = 6;
  s.depth = 2;
  s.sigma_w = 1.7;
  s.sigma_b = 0.4;
  s.seed = 0x0123456789abcdefull;
  const Params p = init_params(s);
  const auto normal = [&](uint32_t e, uint32_t layer, uint32_t stream) {
    const U32x4 r = philox4x32_10(U32x4{{e, layer, stream, 0}}, 0x89abcdefu, 0x01234567u);
    return std::sqrt(-2.0 * std::log(u01_open_closed(r.v[0]))) *
           std::cos(2.0 * std::numbers::pi * u01_closed_open(r.v[1]));
  };
  // Layer 1 is 6 -> 6; element 2 * 6 + 5 is row 2, column 5.
  EXPECT_EQ(p[1].w[17], static_cast<float>(normal(17, 1, 0) * 1.7 / std::sqrt(6.0)));
  EXPECT_EQ(p[0].w[0], static_cast<float>(normal(0, 0, 0) * 1.7 / std::sqrt(4.0)));
  EXPECT_EQ(p[1].b[3], static_cast<float>(normal(3, 1, 1) * 0.4));
  EXPECT_EQ(p[2].b[1], static_cast<float>(normal(1, 2, 1) * 0.4));
}

TEST(Init, GaussianVariance) {
  NetworkSpec s = wide_spec(Init::gaussian);
  s.sigma_w = 2.0;
  s.sigma_b = 0.5;
  const Params p = init_params(s);
  expect_weight_moments(p[0], 4.0 / 256.0);
  expect_weight_moments(p[1], 4.0 / 1024.0);
  const Moments b = moments(p[0].b);  // 1024 biases
  EXPECT_NEAR(b.var / 0.25, 1.0, 7.0 * std::sqrt(2.0 / 1024.0));

  s.sigma_b = 0.0;
  for (const LayerParams& l : init_params(s)) {
    EXPECT_TRUE(std::all_of(l.b.begin(), l.b.end(), [](float x) { return x == 0.0f; }));
  }
}

TEST(Init, XavierUniformRangeAndVariance) {
  const Params p = init_params(wide_spec(Init::xavier_uniform));
  const double a = std::sqrt(6.0 / (256.0 + 1024.0));
  const auto [lo, hi] = std::minmax_element(p[0].w.begin(), p[0].w.end());
  EXPECT_GE(*lo, -a);
  EXPECT_LE(*hi, a);
  EXPECT_LT(*lo, -0.999 * a);
  EXPECT_GT(*hi, 0.999 * a);
  // Uniform variance a^2 / 3; the estimator's relative error is sqrt(0.8 / N).
  const Moments m = moments(p[0].w);
  EXPECT_NEAR(m.var / (a * a / 3.0), 1.0, 7.0 * std::sqrt(0.8 / 262144.0));
}

TEST(Init, XavierNormalVariance) {
  const Params p = init_params(wide_spec(Init::xavier_normal));
  expect_weight_moments(p[0], 2.0 / (256.0 + 1024.0));
}

TEST(Init, HeNormalVariance) {
  const Params p = init_params(wide_spec(Init::he_normal));
  expect_weight_moments(p[0], 2.0 / 256.0);
  expect_weight_moments(p[1], 2.0 / 1024.0);
}

TEST(Init, NonGaussianBiasesAreZero) {
  for (Init init : {Init::xavier_uniform, Init::xavier_normal, Init::he_normal}) {
    NetworkSpec s;
    s.init = init;
    s.sigma_b = 1.0;  // ignored by these rules
    for (const LayerParams& l : init_params(s)) {
      EXPECT_TRUE(std::all_of(l.b.begin(), l.b.end(), [](float x) { return x == 0.0f; }))
          << to_string(init);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Reference

constexpr Activation kAllActivations[] = {Activation::linear,     Activation::relu,
                                          Activation::leaky_relu, Activation::tanh,
                                          Activation::sigmoid,    Activation::gelu};

ref::Net random_net(const std::vector<uint32_t>& sizes, Activation hidden, Activation output,
                    uint64_t seed) {
  return test::random_net({sizes}, hidden, output, seed);
}

TEST(Reference, ActivationValuesAndDerivatives) {
  EXPECT_EQ(ref::activate(Activation::relu, -2.0), 0.0);
  EXPECT_EQ(ref::activate_grad(Activation::relu, 0.0), 0.0);
  EXPECT_EQ(ref::activate(Activation::leaky_relu, -2.0), -0.02);
  EXPECT_EQ(ref::activate_grad(Activation::leaky_relu, 0.0), 0.01);
  EXPECT_EQ(ref::activate(Activation::sigmoid, 0.0), 0.5);
  EXPECT_NEAR(ref::activate(Activation::gelu, 1.0), 0.8413447460685429, 1e-15);  // Phi(1)
  EXPECT_NEAR(ref::activate(Activation::gelu, -1.0), -0.15865525393145707, 1e-15);
  for (Activation a : kAllActivations) {
    for (double z : {-2.3, -0.7, 0.4, 1.9}) {
      const double h = 1e-6;
      const double fd = (ref::activate(a, z + h) - ref::activate(a, z - h)) / (2.0 * h);
      EXPECT_NEAR(ref::activate_grad(a, z), fd, 1e-8) << to_string(a) << " z=" << z;
    }
  }
}

TEST(Reference, LossHandValues) {
  // One linear layer 1 -> 2 with w = 0 and b = logits, so the outputs are the biases.
  ref::Net net;
  net.hidden = net.output = Activation::linear;
  net.layers.push_back(ref::Layer{1, 2, {0.0, 0.0}, {1.0, 2.0}});
  ref::Batch batch{1, {0.3}, {0.0, 1.0}};
  EXPECT_NEAR(ref::loss(net, batch, Loss::cross_entropy), std::log(1.0 + std::exp(-1.0)), 1e-15);
  EXPECT_NEAR(ref::loss(net, batch, Loss::mse), (1.0 + 1.0) / 2.0, 1e-15);
  // Log-sum-exp keeps large logits finite: -log softmax_1 = 1000 + log(1 + e^-1000).
  net.layers[0].b = {1000.0, 0.0};
  EXPECT_NEAR(ref::loss(net, batch, Loss::cross_entropy), 1000.0, 1e-9);
  // MSE averages over batch and outputs: rows (1000-0, 0-1) and (1000-1, 0-0).
  batch = ref::Batch{2, {0.3, -0.1}, {0.0, 1.0, 1.0, 0.0}};
  EXPECT_NEAR(ref::loss(net, batch, Loss::mse), (1e6 + 1.0 + 999.0 * 999.0) / 4.0, 1e-6);
}

TEST(Reference, TinyNetHandGradient) {
  // x -> z0 = w0 x + b0 -> a = sigmoid(z0) -> z1 = w1 a + b1 (linear output), L = (z1 - y)^2.
  const double x = 0.5, w0 = 0.8, b0 = -0.3, w1 = 1.5, b1 = 0.2, y = 0.7;
  ref::Net net;
  net.hidden = Activation::sigmoid;
  net.output = Activation::linear;
  net.layers = {ref::Layer{1, 1, {w0}, {b0}}, ref::Layer{1, 1, {w1}, {b1}}};
  const ref::Batch batch{1, {x}, {y}};

  const double z0 = w0 * x + b0;
  const double a = 1.0 / (1.0 + std::exp(-z0));
  const double z1 = w1 * a + b1;
  const double d1 = 2.0 * (z1 - y);
  const double d0 = d1 * w1 * a * (1.0 - a);

  const ref::Gradients g = ref::backward(net, batch, Loss::mse);
  EXPECT_NEAR(g.loss, (z1 - y) * (z1 - y), 1e-12);
  EXPECT_NEAR(g.delta[1][0], d1, 1e-12);
  EXPECT_NEAR(g.dw[1][0], d1 * a, 1e-12);
  EXPECT_NEAR(g.db[1][0], d1, 1e-12);
  EXPECT_NEAR(g.delta[0][0], d0, 1e-12);
  EXPECT_NEAR(g.dw[0][0], d0 * x, 1e-12);
  EXPECT_NEAR(g.db[0][0], d0, 1e-12);
  ASSERT_EQ(g.dx0.size(), 1u);
  EXPECT_NEAR(g.dx0[0], d0 * w0, 1e-12);
}

TEST(Reference, CrossEntropyGradientIsSoftmaxMinusTargetOverBatch) {
  ref::Net net;
  net.hidden = net.output = Activation::linear;
  net.layers.push_back(ref::Layer{1, 3, {0.0, 0.0, 0.0}, {0.5, -1.0, 2.0}});
  const ref::Batch batch{2, {1.0, -1.0}, {0, 1, 0, 1, 0, 0}};
  const double e[3] = {std::exp(0.5), std::exp(-1.0), std::exp(2.0)};
  const double sum = e[0] + e[1] + e[2];
  const ref::Gradients g = ref::backward(net, batch, Loss::cross_entropy);
  for (uint32_t b = 0; b < 2; ++b) {
    for (uint32_t j = 0; j < 3; ++j) {
      EXPECT_NEAR(g.delta[0][b * 3 + j], (e[j] / sum - batch.target[b * 3 + j]) / 2.0, 1e-15);
    }
  }
}

TEST(Reference, GradientsMatchFiniteDifferences) {
  const std::vector<uint32_t> sizes = {3, 5, 4, 3};
  const double h = 1e-6;
  for (Activation act : kAllActivations) {
    for (Loss loss : {Loss::mse, Loss::cross_entropy}) {
      SCOPED_TRACE(std::string(to_string(act)) + " / " + std::string(to_string(loss)));
      const ref::Net net = random_net(sizes, act, act, 7);
      const ref::Batch batch = random_batch(4, 3, 3, loss, 11);
      // Finite differences across a relu kink would be wrong; these draws stay clear of them.
      const ref::Forward f = ref::forward(net, batch);
      for (const std::vector<double>& z : f.z) {
        for (double v : z)
          ASSERT_GT(std::abs(v), 1e-3);
      }

      const ref::Gradients g = ref::backward(net, batch, loss);
      EXPECT_DOUBLE_EQ(g.loss, ref::loss(net, batch, loss));
      double largest = 0.0;
      for (uint32_t i = 0; i < net.layers.size(); ++i) {
        expect_close_to_fd(g.dw[i], ref::finite_difference_dw(net, batch, loss, i, h), "dw");
        expect_close_to_fd(g.db[i], ref::finite_difference_db(net, batch, loss, i, h), "db");
        for (double v : g.dw[i])
          largest = std::max(largest, std::abs(v));
      }
      EXPECT_GT(largest, 1e-3);  // the comparison is not vacuous

      const std::vector<double> fd_dx0 = ref::finite_difference_dx0(net, batch, loss, h);
      expect_close_to_fd(g.dx0, fd_dx0, "dx0");
    }
  }
}

// One weight (w = 1) and one bias (b = 0) fed hand-made gradients g_w = 0.5, -0.2, 0.3 and
// g_b = -g_w, with lr = 0.1.
struct OneParam {
  ref::Net net;
  ref::OptimizerState state;
  TrainSpec train;
  std::vector<double> norms;

  explicit OneParam(Optimizer opt) {
    net.layers.push_back(ref::Layer{1, 1, {1.0}, {0.0}});
    train.optimizer = opt;
    train.lr = 0.1;
  }
  void step(double gw) {
    ref::Gradients g;
    g.dw = {{gw}};
    g.db = {{-gw}};
    norms = ref::update(net, g, state, train);
  }
  double w() const { return net.layers[0].w[0]; }
  double b() const { return net.layers[0].b[0]; }
};

TEST(Reference, SgdSteps) {
  OneParam p(Optimizer::sgd);
  p.step(0.5);
  EXPECT_NEAR(p.w(), 0.95, 1e-15);
  EXPECT_NEAR(p.b(), 0.05, 1e-15);
  ASSERT_EQ(p.norms.size(), 1u);
  EXPECT_NEAR(p.norms[0], 0.05, 1e-15);
  p.step(-0.2);
  EXPECT_NEAR(p.w(), 0.97, 1e-15);
  EXPECT_NEAR(p.b(), 0.03, 1e-15);
  EXPECT_NEAR(p.norms[0], 0.02, 1e-15);
}

TEST(Reference, MomentumSteps) {
  OneParam p(Optimizer::momentum);
  p.train.momentum = 0.9;
  p.step(0.5);  // v = 0.5
  EXPECT_NEAR(p.w(), 0.95, 1e-15);
  p.step(-0.2);  // v = 0.45 - 0.2 = 0.25
  EXPECT_NEAR(p.w(), 0.925, 1e-15);
  EXPECT_NEAR(p.norms[0], 0.025, 1e-15);
  p.step(0.3);  // v = 0.225 + 0.3 = 0.525
  EXPECT_NEAR(p.w(), 0.8725, 1e-15);
  EXPECT_NEAR(p.b(), 0.1275, 1e-15);
}

TEST(Reference, AdamSteps) {
  OneParam p(Optimizer::adam);  // beta1 0.9, beta2 0.999, eps 1e-8
  // t=1: m = 0.05, v = 0.00025; m_hat = 0.5, v_hat = 0.25.
  p.step(0.5);
  EXPECT_EQ(p.state.t, 1u);
  EXPECT_NEAR(p.w(), 1.0 - 0.1 * 0.5 / (0.5 + 1e-8), 1e-15);
  EXPECT_NEAR(p.b(), 0.1 * 0.5 / (0.5 + 1e-8), 1e-15);
  // t=2: m = 0.045 - 0.02 = 0.025, v = 0.00024975 + 0.00004 = 0.00028975.
  p.step(-0.2);
  const double w2 = 0.900000002 - 0.1 * (0.025 / 0.19) / (std::sqrt(0.00028975 / 0.001999) + 1e-8);
  EXPECT_NEAR(p.w(), w2, 1e-12);
  EXPECT_NEAR(p.w(), 0.8654394181165108, 1e-12);
  // t=3: m = 0.0225 + 0.03 = 0.0525, v = 0.00028946025 + 0.00009 = 0.00037946025.
  p.step(0.3);
  const double w3 = w2 - 0.1 * (0.0525 / 0.271) / (std::sqrt(0.00037946025 / 0.002997001) + 1e-8);
  EXPECT_NEAR(p.w(), w3, 1e-12);
  EXPECT_NEAR(p.w(), 0.8109953836811554, 1e-12);
  EXPECT_NEAR(p.b(), 1.0 - 0.8109953836811554, 1e-12);  // mirror image: g_b = -g_w
  EXPECT_EQ(p.state.t, 3u);
}

TEST(Reference, StatisticsOnHandMadeGradients) {
  ref::Net net;
  net.layers.push_back(ref::Layer{2, 1, {0.6, 0.8}, {0.0}});
  net.layers.push_back(ref::Layer{1, 2, {2.0, 0.0}, {0.0, 0.0}});
  const double nan = std::numeric_limits<double>::quiet_NaN();
  ref::Gradients g;
  g.dw = {{3.0, -4.0}, {nan, 1.0}};
  g.db = {{12.0}, {3.0, 4.0}};
  g.delta = {{1.0, -3.0}, {1.0, -2.0, -3.0, 0.0}};  // batch 2
  const std::vector<ref::LayerStats> s = ref::statistics(net, g, {0.01, 0.5});
  ASSERT_EQ(s.size(), 2u);

  EXPECT_DOUBLE_EQ(s[0].grad_w_norm, 5.0);
  EXPECT_DOUBLE_EQ(s[0].grad_w_mean_abs, 3.5);
  EXPECT_DOUBLE_EQ(s[0].grad_w_max_abs, 4.0);
  EXPECT_DOUBLE_EQ(s[0].grad_b_norm, 12.0);
  EXPECT_DOUBLE_EQ(s[0].delta_rms, std::sqrt(5.0));
  EXPECT_DOUBLE_EQ(s[0].weight_norm, 1.0);
  EXPECT_DOUBLE_EQ(s[0].update_ratio, 0.01);
  EXPECT_EQ(s[0].nonfinite, 0u);
  EXPECT_EQ(s[0].neuron_mean_abs_delta, std::vector<double>({2.0}));

  EXPECT_EQ(s[1].nonfinite, 1u);
  EXPECT_TRUE(std::isnan(s[1].grad_w_norm));
  EXPECT_DOUBLE_EQ(s[1].grad_b_norm, 5.0);
  EXPECT_DOUBLE_EQ(s[1].delta_rms, std::sqrt(14.0 / 4.0));
  EXPECT_DOUBLE_EQ(s[1].weight_norm, 2.0);
  EXPECT_DOUBLE_EQ(s[1].update_ratio, 0.25);
  EXPECT_EQ(s[1].neuron_mean_abs_delta, std::vector<double>({2.0, 1.0}));
}

TEST(Reference, ParamsRoundTrip) {
  NetworkSpec spec;
  spec.input = 3;
  spec.depth = 2;
  spec.width = 4;
  spec.output = 2;
  spec.activation = Activation::gelu;
  spec.output_activation = Activation::sigmoid;
  spec.sigma_b = 0.2;
  const Params p = init_params(spec);
  const ref::Net net = ref::Net::from(spec, p);
  EXPECT_EQ(net.hidden, Activation::gelu);
  EXPECT_EQ(net.output, Activation::sigmoid);
  ASSERT_EQ(net.layers.size(), 3u);
  EXPECT_EQ(net.layers[1].w[5], static_cast<double>(p[1].w[5]));
  const Params back = net.to_params();
  for (size_t i = 0; i < p.size(); ++i) {
    EXPECT_EQ(back[i].in, p[i].in);
    EXPECT_EQ(back[i].out, p[i].out);
    EXPECT_EQ(back[i].w, p[i].w);
    EXPECT_EQ(back[i].b, p[i].b);
  }
}

}  // namespace
}  // namespace gt::net
