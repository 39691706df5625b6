// Mean-field theory of signal and gradient propagation at initialisation (Poole et al. 2016,
// Schoenholz et al. 2017) for a scene's fully connected network: the length map and its fixed
// point q*, the gradient factor chi1, the depth scale, and the predicted per-layer |dW| relative
// to the output layer. docs/THEORY.md explains the formulas and how to read them.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "net/spec.hpp"

namespace gt::theory {

// E_{h ~ N(0, variance)} f(h), in double. Variance <= kGaussHermiteMaxVariance: Gauss-Hermite
// with kGaussHermitePoints nodes. Larger variance: composite 16-point Gauss-Legendre over
// [-14 sd, 14 sd], in panels of width 1 near 0 widening with |h| up to sd / 2. The activations
// bend on the scale of 1 in h (tanh, sigmoid, gelu), while a Gauss-Hermite rule spreads its nodes
// over the scale of sd: 128 nodes are 1e-11 right for tanh at variance 1, 1e-4 at variance 10.
// Both are ~1e-13 right for functions analytic within ~1 of the real axis near 0 (within ~|h|/8
// far out) and growing at most polynomially. Variance 0: f(0).
inline constexpr int kGaussHermitePoints = 128;
inline constexpr double kGaussHermiteMaxVariance = 0.5;
double gauss_expect(const std::function<double(double)>& f, double variance);

// A quadrature rule: sum_i w[i] f(x[i]).
struct Rule {
  std::vector<double> x, w;
};
// Gauss-Hermite (weight e^{-x^2} on the real line), nodes by Newton's method on the orthonormal
// Hermite recurrence; n up to 150.
Rule gauss_hermite(int n);
// Gauss-Legendre on [-1, 1], nodes by Newton's method on the Legendre recurrence.
Rule gauss_legendre(int n);

struct MeanFieldOptions {
  // E[x^2] of one input feature: q^1 = s_1 E[x^2] + sigma_b^2, s_1 = fan_in Var(W_1).
  double input_second_moment = 1.0;
};

// Layers are numbered 1..N from the input, N = depth + 1 the output layer, as in the statistics
// CSV. Vectors below hold layer l at index l - 1.
struct MeanField {
  // Effective initialisation of a hidden (width -> width) layer: sigma_w^2 = fan_in Var(W), the
  // scene's sigma_w for the gaussian and orthogonal inits, 1 for xavier_*, sqrt(2) for
  // he_normal; sigma_b is 0 unless the init is gaussian or orthogonal (the others zero the
  // biases).
  double sigma_w = 0, sigma_b = 0;
  double q_star = 0;     // fixed point of the length map; +inf when q^l grows without bound
  bool q_finite = true;  // false: no finite fixed point reached from q^1
  double chi1 = 0;       // sigma_w^2 E[phi'(h)^2], h ~ N(0, q*): the per-layer factor of |delta|^2
  double depth_scale = 0;  // |1 / ln chi1| layers (inf at chi1 = 1): e-folding depth of |delta|^2
  bool exploding = false;  // chi1 > 1: gradients grow toward the input
  bool critical = false;   // chi1 == 1 up to rounding: the edge of chaos
  // Predicted change of log10 |dW| per layer toward the input at the fixed point: log10(chi1) / 2
  // (chi1 multiplies the squared norm).
  double decades_per_layer = 0;
  std::vector<double> q;    // q^l: variance of layer l's pre-activation z_l (0 or inf: under-
                            // or overflow of the double; the ratios below are computed in logs)
  std::vector<double> chi;  // chi^l = s_{l+1} E[phi'(z_l)^2]: |delta_l|^2 / |delta_{l+1}|^2;
                            // chi^N = 1
  // log10(|dW_l| / |dW_N|) from the chi of each layer's own q^l and the size of each layer's
  // input: (sum_{k=l}^{N-1} log10 chi^k + log10(n_{l-1} E[x_{l-1}^2] / (n_{N-1} E[x_{N-1}^2])))
  // / 2.
  std::vector<double> log10_grad_ratio;
  // The same at the fixed point alone: (N - l) log10(chi1) / 2.
  std::vector<double> log10_grad_ratio_fixed;
};

MeanField mean_field(const net::NetworkSpec& n, const MeanFieldOptions& options = {});

// Why the theory above says nothing about this network, or nullopt when it applies. It covers
// plain fully connected layers: residual connections (the signal's length and the gradient are
// summed over paths) and normalization (the length map is reset every layer) are outside it.
std::optional<std::string> not_covered(const net::NetworkSpec& n);

// sigma_w^2 E[phi(h)^2] + sigma_b^2 with h ~ N(0, q): one step of the length map.
double length_map(net::Activation a, double sigma_w, double sigma_b, double q);
// sigma_w^2 E[phi'(h)^2], h ~ N(0, q).
double chi(net::Activation a, double sigma_w, double q);

}  // namespace gt::theory
