// "Why backwards" (engine/net/why): finite differences and backprop agree on every parameter of a
// small network, the pass counts are exactly 2P and 1 + 1, and with --max-params the sampled
// parameters are spread over the layers and the extrapolation is measured * P / N.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <set>
#include <vector>

#include "net/init.hpp"
#include "net/reference.hpp"
#include "net/why.hpp"

namespace gt::net {
namespace {

// 3 -> 5 -> 4 -> 2: P = (15 + 5) + (20 + 4) + (8 + 2) = 54.
NetworkSpec tiny_spec(Activation act) {
  NetworkSpec s;
  s.input = 3;
  s.depth = 2;
  s.width = 5;
  s.output = 2;
  s.activation = act;
  s.init = Init::gaussian;
  s.sigma_w = 1.5;
  s.sigma_b = 0.3;
  s.seed = 11;
  return s;
}

ref::Net tiny_net(Activation act) {
  NetworkSpec s = tiny_spec(act);
  ref::Net net = ref::Net::from(s, init_params(s));
  net.layers[1].out = 4;  // a layer of another width, so shares differ per layer
  net.layers[1].w.resize(4 * 5);
  net.layers[1].b.resize(4);
  net.layers[2].in = 4;
  net.layers[2].w.resize(2 * 4);
  return net;
}

ref::Batch random_batch(uint32_t size, uint32_t in, uint32_t out, bool one_hot) {
  std::mt19937 rng(5);
  std::normal_distribution<double> normal;
  ref::Batch b;
  b.size = size;
  for (uint32_t k = 0; k < size * in; ++k)
    b.input.push_back(normal(rng));
  for (uint32_t i = 0; i < size; ++i)
    for (uint32_t j = 0; j < out; ++j)
      b.target.push_back(one_hot ? double(j == i % out) : normal(rng));
  return b;
}

TEST(Why, FiniteDifferencesAgreeWithBackpropOnEveryParameter) {
  for (Activation act : {Activation::tanh, Activation::sigmoid, Activation::gelu}) {
    for (Loss loss : {Loss::mse, Loss::cross_entropy}) {
      const ref::Net net = tiny_net(act);
      const ref::Batch batch = random_batch(6, 3, 2, loss == Loss::cross_entropy);
      const WhyReport r = why_backwards(net, batch, loss);
      ASSERT_EQ(r.params, 54u);
      EXPECT_EQ(r.differenced, 54u);
      EXPECT_FALSE(r.extrapolated);
      ASSERT_EQ(r.samples.size(), 54u);
      EXPECT_GT(r.max_abs_grad, 1e-3);
      EXPECT_LT(r.relative_diff(), 1e-6) << "activation " << to_string(act);
      EXPECT_DOUBLE_EQ(r.loss, ref::loss(net, batch, loss));
      // Every parameter once, each against backward()'s own gradient.
      const ref::Gradients g = ref::backward(net, batch, loss);
      std::set<std::pair<uint32_t, uint64_t>> seen;
      for (const WhySample& s : r.samples) {
        seen.insert({s.param.layer, s.param.index});
        const ref::Layer& l = net.layers[s.param.layer];
        const uint64_t weights = uint64_t(l.out) * l.in;
        const double want = s.param.index < weights ? g.dw[s.param.layer][s.param.index]
                                                    : g.db[s.param.layer][s.param.index - weights];
        EXPECT_EQ(s.backprop, want);
        EXPECT_NEAR(s.finite_difference, want, 1e-6 * r.max_abs_grad);
      }
      EXPECT_EQ(seen.size(), 54u);
    }
  }
}

TEST(Why, PassCountsAreTwoPerParameterAgainstOnePlusOne) {
  const ref::Net net = tiny_net(Activation::tanh);
  const ref::Batch batch = random_batch(4, 3, 2, false);
  const WhyReport r = why_backwards(net, batch, Loss::mse);
  EXPECT_EQ(r.finite_differences.forward, 2 * r.params);
  EXPECT_EQ(r.finite_differences.backward, 0u);
  EXPECT_EQ(r.finite_differences_all.forward, 2 * r.params);
  EXPECT_EQ(r.finite_differences_all.seconds, r.finite_differences.seconds);
  EXPECT_EQ(r.backprop.forward, 1u);
  EXPECT_EQ(r.backprop.backward, 1u);
  EXPECT_GT(r.finite_differences.seconds, 0.0);
  EXPECT_GT(r.backprop.seconds, 0.0);
}

// The CLI prints progress from this: one call per parameter differenced, the last (N, N).
TEST(Why, ReportsProgressAfterEveryParameter) {
  const ref::Net net = tiny_net(Activation::tanh);
  const ref::Batch batch = random_batch(4, 3, 2, false);
  std::vector<std::pair<uint64_t, uint64_t>> calls;
  WhyOptions options;
  options.max_params = 10;
  options.progress = [&](uint64_t done, uint64_t total) { calls.push_back({done, total}); };
  const WhyReport r = why_backwards(net, batch, Loss::mse, options);
  ASSERT_EQ(calls.size(), 10u);
  for (size_t i = 0; i < calls.size(); ++i)
    EXPECT_EQ(calls[i], (std::pair<uint64_t, uint64_t>{i + 1, 10}));
  EXPECT_EQ(r.differenced, 10u);
}

// Normalized layers' scale and shift are parameters too: counted, differenced and matched.
TEST(Why, CoversGammaAndBetaOfNormalizedLayers) {
  for (Norm norm : {Norm::batch, Norm::layer}) {
    NetworkSpec s = tiny_spec(Activation::tanh);
    s.norm = norm;
    const ref::Net net = ref::Net::from(s, init_params(s));
    uint64_t wb = 0, gb = 0;
    for (const ref::Layer& l : net.layers) {
      wb += uint64_t(l.out) * l.in + l.out;
      gb += l.gamma.size() + l.beta.size();
    }
    ASSERT_GT(gb, 0u);
    const WhyReport r = why_backwards(net, random_batch(6, 3, 2, false), Loss::mse);
    EXPECT_EQ(r.params, wb + gb);
    EXPECT_EQ(r.differenced, r.params);
    EXPECT_LT(r.relative_diff(), 1e-6) << to_string(norm);
    // The last parameters of layer 0 are its beta: differenced, and not all zero gradients.
    double beta_grad = 0;
    for (const WhySample& w : r.samples)
      if (w.param.layer == 0 &&
          w.param.index >= uint64_t(net.layers[0].out) * (net.layers[0].in + 2))
        beta_grad += std::abs(w.backprop);
    EXPECT_GT(beta_grad, 0) << to_string(norm);
  }
}

TEST(Why, SampleSpreadsOverLayersAndExtrapolates) {
  const ref::Net net = tiny_net(Activation::tanh);  // layers of 20, 24 and 10 parameters
  const ref::Batch batch = random_batch(4, 3, 2, false);
  WhyOptions o;
  o.max_params = 9;
  const WhyReport r = why_backwards(net, batch, Loss::mse, o);
  EXPECT_EQ(r.differenced, 9u);
  EXPECT_TRUE(r.extrapolated);
  EXPECT_EQ(r.differenced_per_layer, (std::vector<uint64_t>{3, 3, 3}));
  EXPECT_EQ(r.finite_differences.forward, 18u);
  EXPECT_EQ(r.finite_differences_all.forward, 2 * 54u);
  EXPECT_DOUBLE_EQ(r.finite_differences_all.seconds, r.finite_differences.seconds * 54.0 / 9.0);
  EXPECT_EQ(r.backprop.forward + r.backprop.backward, 2u);
  EXPECT_LT(r.relative_diff(), 1e-6);

  // A layer smaller than its share gives the rest to the others: shares of 13 first, layer 2
  // (10 parameters) is whole, and the 4 left go 2 and 2 to layers 0 and 1.
  const std::vector<ParamRef> p = sample_params(net, 40);
  ASSERT_EQ(p.size(), 40u);
  std::vector<uint64_t> per(3, 0);
  for (const ParamRef& q : p)
    ++per[q.layer];
  EXPECT_EQ(per, (std::vector<uint64_t>{15, 15, 10}));
  // Distinct, in range, in order, reaching both ends of each layer's span.
  for (size_t i = 1; i < p.size(); ++i) {
    if (p[i].layer == p[i - 1].layer) {
      EXPECT_LT(p[i - 1].index, p[i].index);
    }
  }
  EXPECT_EQ(p.back().index, 9u);  // layer 2 is whole: its last bias
  // Evenly spaced and centred: 3 of 24 are 3, 11 and 19.
  const std::vector<ParamRef> three = sample_params(net, 9);
  EXPECT_EQ(three[3], (ParamRef{1, 3}));
  EXPECT_EQ(three[4], (ParamRef{1, 11}));
  EXPECT_EQ(three[5], (ParamRef{1, 19}));
  // 0 and anything at least P: every parameter.
  EXPECT_EQ(sample_params(net, 0).size(), 54u);
  EXPECT_EQ(sample_params(net, 54).size(), 54u);
  EXPECT_EQ(sample_params(net, 1000).size(), 54u);
  // Fewer than the layers: one each from the first.
  const std::vector<ParamRef> two = sample_params(net, 2);
  ASSERT_EQ(two.size(), 2u);
  EXPECT_EQ(two[0].layer, 0u);
  EXPECT_EQ(two[1].layer, 1u);
}

// The default scene's shape, sampled: a deep network costs FD its P, backprop one pass each way.
TEST(Why, DeepNetworkCountsAreExact) {
  NetworkSpec s;
  s.input = 2;
  s.depth = 6;
  s.width = 8;
  s.output = 3;
  s.activation = Activation::sigmoid;
  const ref::Net net = ref::Net::from(s, init_params(s));
  const ref::Batch batch = random_batch(5, 2, 3, true);
  WhyOptions o;
  o.max_params = 35;  // 5 per layer
  const WhyReport r = why_backwards(net, batch, Loss::cross_entropy, o);
  const uint64_t p = (2 * 8 + 8) + 5 * (8 * 8 + 8) + (8 * 3 + 3);
  EXPECT_EQ(r.params, p);
  EXPECT_EQ(r.differenced, 35u);
  EXPECT_TRUE(std::all_of(r.differenced_per_layer.begin(), r.differenced_per_layer.end(),
                          [](uint64_t n) { return n == 5; }));
  EXPECT_EQ(r.finite_differences.forward, 70u);
  EXPECT_EQ(r.finite_differences_all.forward, 2 * p);
  EXPECT_LT(r.relative_diff(), 1e-6);
}

}  // namespace
}  // namespace gt::net
