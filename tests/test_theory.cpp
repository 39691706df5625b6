// Mean-field theory at initialisation (engine/theory): the quadrature against moments known in
// closed form and against an independent integration, and the fixed point, chi1 and per-layer
// predictions against values derived by hand.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <numbers>
#include <string>
#include <utility>

#include "net/reference.hpp"
#include "theory/meanfield.hpp"

namespace gt::theory {
namespace {

using net::Activation;

// Trapezoid rule on [-12 sd, 12 sd]: independent of the Gauss rules, and (for integrands analytic
// near the real axis) exponentially accurate in the number of points.
double trapezoid_expect(const std::function<double(double)>& f, double variance) {
  const double sd = std::sqrt(variance);
  const int n = 200000;
  const double h = 24.0 * sd / n;
  double sum = 0;
  for (int i = 0; i <= n; ++i) {
    const double z = -12.0 * sd + i * h;
    sum += (i == 0 || i == n ? 0.5 : 1.0) * std::exp(-0.5 * z * z / variance) * f(z);
  }
  return sum * h / (sd * std::sqrt(2.0 * std::numbers::pi));
}

net::NetworkSpec spec(Activation a, double sigma_w, double sigma_b, uint32_t depth = 32) {
  net::NetworkSpec n;
  n.input = 2;
  n.depth = depth;
  n.width = 64;
  n.output = 3;
  n.activation = a;
  n.sigma_w = sigma_w;
  n.sigma_b = sigma_b;
  return n;
}

TEST(Quadrature, GaussHermiteRuleIsSymmetricAndIntegratesTheWeight) {
  const Rule r = gauss_hermite(kGaussHermitePoints);
  double sum = 0;
  for (size_t i = 0; i < r.x.size(); ++i) {
    sum += r.w[i];
    EXPECT_DOUBLE_EQ(r.x[i], -r.x[r.x.size() - 1 - i]);
  }
  EXPECT_NEAR(sum, std::sqrt(std::numbers::pi), 1e-13);
}

TEST(Quadrature, GaussianMomentsAreExact) {
  for (double var : {1e-6, 0.3, 1.0, 4.0, 50.0, 1e4}) {
    EXPECT_NEAR(gauss_expect([](double) { return 1.0; }, var), 1.0, 1e-13) << var;
    EXPECT_NEAR(gauss_expect([](double h) { return h * h; }, var), var, 1e-13 * var) << var;
    EXPECT_NEAR(gauss_expect([](double h) { return h * h * h * h; }, var), 3 * var * var,
                1e-12 * var * var)
        << var;
    EXPECT_NEAR(gauss_expect([](double h) { return h * h * h; }, var), 0.0, 1e-12 * var * var);
  }
  EXPECT_EQ(gauss_expect([](double h) { return h + 2; }, 0.0), 2.0);
  // A bump of width 1 under a very wide Gaussian: E = integral / sqrt(2 pi var) (1 + O(1 / var)).
  for (double var : {1e4, 1e8, 1e12}) {
    auto sech4 = [](double h) { return std::pow(std::cosh(h), -4); };  // integral 4/3
    EXPECT_NEAR(gauss_expect(sech4, var) * std::sqrt(2 * std::numbers::pi * var), 4.0 / 3,
                1.0 / var)
        << var;
  }
  EXPECT_THROW(gauss_expect([](double h) { return h; }, -1.0), std::invalid_argument);
}

// The fixed point and chi1 of tanh, sigmoid and gelu against the trapezoid: q* is a fixed point
// of the independently integrated length map, and chi1 is its integral of phi'^2.
TEST(Quadrature, AgreesWithAnIndependentIntegration) {
  for (Activation a : {Activation::tanh, Activation::sigmoid, Activation::gelu}) {
    for (auto [sw, sb] : {std::pair{0.9, 0.05}, {1.0, 0.0}, {1.3, 0.3}, {2.5, 0.1}, {4.0, 1.0}}) {
      const MeanField mf = mean_field(spec(a, sw, sb));
      SCOPED_TRACE(std::string(net::to_string(a)) + " sigma_w " + std::to_string(sw) + " sigma_b " +
                   std::to_string(sb));
      if (!mf.q_finite) {  // gelu above sigma_w^2 = 2 grows like relu
        EXPECT_EQ(a, Activation::gelu);
        EXPECT_GT(sw * sw, 2.0);
        EXPECT_DOUBLE_EQ(mf.chi1, sw * sw / 2);
        continue;
      }
      if (mf.q_star == 0) continue;  // checked by hand below
      auto phi2 = [a](double h) { return std::pow(net::ref::activate(a, h), 2); };
      auto dphi2 = [a](double h) { return std::pow(net::ref::activate_grad(a, h), 2); };
      const double q = mf.q_star;
      EXPECT_NEAR(sw * sw * trapezoid_expect(phi2, q) + sb * sb, q, 1e-9 * std::max(1.0, q));
      EXPECT_NEAR(sw * sw * trapezoid_expect(dphi2, q), mf.chi1, 1e-9);
      // And the moments themselves at a few variances, each side of the rules' switch.
      for (double var : {0.05, 0.5, 0.51, 1.0, 6.0, 40.0}) {
        EXPECT_NEAR(gauss_expect(phi2, var), trapezoid_expect(phi2, var), 1e-9 * (1 + var));
        EXPECT_NEAR(gauss_expect(dphi2, var), trapezoid_expect(dphi2, var), 1e-9);
      }
    }
  }
}

TEST(MeanField, HomogeneousActivationsHaveChi1InClosedForm) {
  for (double sw : {0.5, 1.0, 1.3, std::numbers::sqrt2, 2.0}) {
    for (double sb : {0.0, 0.2}) {
      EXPECT_DOUBLE_EQ(mean_field(spec(Activation::relu, sw, sb)).chi1, sw * sw / 2);
      EXPECT_DOUBLE_EQ(mean_field(spec(Activation::linear, sw, sb)).chi1, sw * sw);
      EXPECT_DOUBLE_EQ(mean_field(spec(Activation::leaky_relu, sw, sb)).chi1,
                       sw * sw * (1 + 0.01 * 0.01) / 2);
    }
  }
  // q* = sigma_b^2 / (1 - sigma_w^2 / 2) below the edge; none above it.
  const MeanField ordered = mean_field(spec(Activation::relu, 1.0, 0.1));
  EXPECT_NEAR(ordered.q_star, 0.02, 1e-15);
  EXPECT_FALSE(ordered.exploding);
  const MeanField chaotic = mean_field(spec(Activation::relu, 2.0, 0.0));
  EXPECT_FALSE(chaotic.q_finite);
  EXPECT_TRUE(std::isinf(chaotic.q_star));
  EXPECT_TRUE(chaotic.exploding);
  EXPECT_NEAR(chaotic.depth_scale, 1 / std::log(2.0), 1e-15);
  // He initialisation: sigma_w^2 = 2, the edge of chaos, every q a fixed point.
  net::NetworkSpec he = spec(Activation::relu, 1.0, 0.5);
  he.init = net::Init::he_normal;
  const MeanField edge = mean_field(he);
  EXPECT_TRUE(edge.critical);
  EXPECT_DOUBLE_EQ(edge.sigma_w, std::numbers::sqrt2);
  EXPECT_EQ(edge.sigma_b, 0.0);  // he_normal zeroes the biases
  EXPECT_DOUBLE_EQ(edge.q_star, 2.0);
  EXPECT_TRUE(std::isinf(edge.depth_scale));
}

// Orthogonal with gain sigma_w: fan_in Var(W) = sigma_w^2 fan_in / max(fan_in, fan_out), so
// hidden layers propagate as gaussian's; the first layer (2 -> 64, tall) keeps |x| exactly.
TEST(MeanField, OrthogonalPropagatesAsGaussianWithTheSameSigmas) {
  net::NetworkSpec o = spec(Activation::tanh, 1.3266, 0.2236);
  o.init = net::Init::orthogonal;
  const MeanField mo = mean_field(o);
  const MeanField mg = mean_field(spec(Activation::tanh, 1.3266, 0.2236));
  EXPECT_EQ(mo.sigma_w, mg.sigma_w);
  EXPECT_EQ(mo.sigma_b, 0.2236);  // orthogonal draws the biases as gaussian does
  EXPECT_NEAR(mo.q_star, mg.q_star, 1e-12 * mg.q_star);
  EXPECT_NEAR(mo.chi1, mg.chi1, 1e-12);
  EXPECT_NEAR(mo.q[0], 1.3266 * 1.3266 * 2.0 / 64.0 + 0.2236 * 0.2236, 1e-13);
  EXPECT_NEAR(mg.q[0], 1.3266 * 1.3266 + 0.2236 * 0.2236, 1e-13);
}

TEST(MeanField, TanhWithoutBiasHasItsEdgeOfChaosAtSigmaWOne) {
  const MeanField ordered = mean_field(spec(Activation::tanh, 0.8, 0.0));
  EXPECT_EQ(ordered.q_star, 0.0);
  EXPECT_DOUBLE_EQ(ordered.chi1, 0.64);  // phi'(0) = 1
  EXPECT_FALSE(ordered.exploding);
  EXPECT_NEAR(ordered.depth_scale, -1 / std::log(0.64), 1e-12);

  const MeanField edge = mean_field(spec(Activation::tanh, 1.0, 0.0));
  EXPECT_EQ(edge.q_star, 0.0);
  EXPECT_DOUBLE_EQ(edge.chi1, 1.0);
  EXPECT_TRUE(edge.critical);

  const MeanField chaotic = mean_field(spec(Activation::tanh, 1.2, 0.0));
  EXPECT_GT(chaotic.q_star, 0.1);
  EXPECT_GT(chaotic.chi1, 1.0);
  EXPECT_TRUE(chaotic.exploding);
  EXPECT_NEAR(length_map(Activation::tanh, 1.2, 0.0, chaotic.q_star), chaotic.q_star, 1e-13);
}

// Per layer: the length map from q^1 = sigma_w^2 E[x^2] + sigma_b^2, chi at each q^l, and the
// input-size factor of |dW_l| = |delta_l| |x_{l-1}|.
TEST(MeanField, PerLayerPredictionsFollowTheFormulas) {
  const net::NetworkSpec n = spec(Activation::sigmoid, 1.0, 0.0);
  const MeanField mf = mean_field(n);
  const size_t layers = n.num_layers();
  ASSERT_EQ(mf.q.size(), layers);
  EXPECT_DOUBLE_EQ(mf.q[0], 1.0);
  EXPECT_NEAR(mf.q[1], length_map(Activation::sigmoid, 1.0, 0.0, mf.q[0]), 1e-15);
  EXPECT_NEAR(mf.q[layers - 2], mf.q_star, 1e-12);  // deep layers sit at the fixed point
  EXPECT_EQ(mf.log10_grad_ratio.back(), 0.0);
  EXPECT_EQ(mf.log10_grad_ratio_fixed.back(), 0.0);
  for (size_t l = 1; l <= layers; ++l)
    EXPECT_NEAR(mf.log10_grad_ratio_fixed[l - 1], double(layers - l) * std::log10(mf.chi1) / 2,
                1e-12);
  // Between hidden layers, one step down is chi^l, halved in decades (chi multiplies |dW|^2);
  // at the fixed point that is the fixed-point slope.
  for (size_t l = 2; l < layers; ++l) {
    const double step = mf.log10_grad_ratio[l - 1] - mf.log10_grad_ratio[l];
    const double inputs = 0.5 * std::log10(mf.q[l - 1] / mf.q[l]);  // E[x^2] ratio, no bias
    EXPECT_NEAR(step, 0.5 * std::log10(mf.chi[l - 1]) + inputs, 1e-9) << l;
  }
  EXPECT_NEAR(mf.log10_grad_ratio[10] - mf.log10_grad_ratio[11], mf.decades_per_layer, 1e-9);
  EXPECT_NEAR(
      mf.chi1,
      trapezoid_expect(
          [](double h) { return std::pow(net::ref::activate_grad(Activation::sigmoid, h), 2); },
          mf.q_star),
      1e-9);
}

// Homogeneous activations without biases: |delta| changes by chi per layer and |x| by exactly the
// inverse, so every hidden layer gets the same |dW| (layer 1 differs by its fan-in of 2), whatever
// chi1. Depths where q under- or overflows a double still give finite ratios (computed in logs).
TEST(MeanField, HomogeneousNetworksWithoutBiasGiveEveryHiddenLayerTheSameGradient) {
  for (auto [a, sw] : {std::pair{Activation::relu, 2.0},
                       {Activation::relu, 1.0},
                       {Activation::linear, 0.5},
                       {Activation::leaky_relu, 1.7}}) {
    const MeanField mf = mean_field(spec(a, sw, 0.0, 5000));
    SCOPED_TRACE(std::string(net::to_string(a)) + " sigma_w " + std::to_string(sw));
    EXPECT_NEAR(mf.log10_grad_ratio[0], 0.5 * std::log10(2.0 / 64.0), 1e-9);
    for (size_t l = 2; l <= mf.q.size(); ++l)
      ASSERT_NEAR(mf.log10_grad_ratio[l - 1], 0.0, 1e-9) << l;
    EXPECT_TRUE(mf.q[4999] == 0 || std::isinf(mf.q[4999]));  // out of a double's range
  }
  for (auto [a, sw] : {std::pair{Activation::tanh, 0.5}, {Activation::gelu, 2.0}}) {
    const MeanField mf = mean_field(spec(a, sw, 0.0, 5000));
    for (double r : mf.log10_grad_ratio)
      ASSERT_TRUE(std::isfinite(r)) << net::to_string(a);
  }
  EXPECT_THROW(mean_field(spec(Activation::relu, 1.0, 0.0), {.input_second_moment = 0}),
               std::invalid_argument);
}

}  // namespace
}  // namespace gt::theory

namespace gt::theory {
namespace {

TEST(TheoryScope, ResidualAndNormAreNotCovered) {
  net::NetworkSpec n;
  EXPECT_FALSE(not_covered(n));
  n.residual = true;
  ASSERT_TRUE(not_covered(n));
  EXPECT_NE(not_covered(n)->find("residual connections"), std::string::npos);
  n.residual = false;
  n.norm = net::Norm::batch;
  ASSERT_TRUE(not_covered(n));
  EXPECT_NE(not_covered(n)->find("batch normalization"), std::string::npos);
  EXPECT_NE(not_covered(n)->find("no prediction"), std::string::npos);
}

}  // namespace
}  // namespace gt::theory
