#include "theory/meanfield.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>
#include <stdexcept>
#include <string>
#include <utility>

#include "net/init.hpp"
#include "net/reference.hpp"
#include "ops/graph.hpp"
#include "ops/kind.hpp"

namespace gt::theory {
namespace {

using net::Activation;
constexpr double kInf = std::numeric_limits<double>::infinity();

// ln(e^a + e^b), exact for a or b = -inf.
double log_add(double a, double b) {
  if (a < b) std::swap(a, b);
  if (b == -kInf) return a;
  return a + std::log1p(std::exp(b - a));
}

// Positively homogeneous activations: E[phi(h)^2] = c q and E[phi'(h)^2] = c, c below.
bool homogeneous(Activation a, double* c) {
  switch (a) {
    case Activation::linear:
      *c = 1.0;
      return true;
    case Activation::relu:
      *c = 0.5;
      return true;
    case Activation::leaky_relu:
      *c = 0.5 * (1.0 + net::kLeakyReluSlope * net::kLeakyReluSlope);
      return true;
    case Activation::tanh:
    case Activation::sigmoid:
    case Activation::gelu:
      return false;
  }
  throw std::invalid_argument("mean field: unknown activation");
}

// Past this variance gelu is relu to within q^{-3/2} relative (its transition is of width 1 in
// h); below kTinyQ, phi(h)^2 = phi'(0)^2 h^2 (1 + O(h)) for the activations with phi(0) = 0.
constexpr double kGeluRelu = 1e12;
constexpr double kTinyQ = 1e-200;

// ln E[phi(h)^2], h ~ N(0, e^lq): in logs so that depths where q under- or overflows a double
// still give finite ratios.
double log_phi2_moment(Activation a, double lq) {
  double c = 0;
  if (homogeneous(a, &c)) return std::log(c) + lq;
  if (a == Activation::gelu && lq > std::log(kGeluRelu)) return std::log(0.5) + lq;
  if (a != Activation::sigmoid && lq < std::log(kTinyQ))
    return 2.0 * std::log(net::ref::activate_grad(a, 0.0)) + lq;
  return std::log(
      gauss_expect([a](double h) { return std::pow(net::ref::activate(a, h), 2); }, std::exp(lq)));
}

// E[phi'(h)^2], h ~ N(0, q), q possibly +inf.
double dphi2_moment(Activation a, double q) {
  double c = 0;
  if (homogeneous(a, &c)) return c;
  if (a == Activation::gelu && q > kGeluRelu) return 0.5;
  if (std::isinf(q)) return 0.0;  // tanh, sigmoid: saturated (q is bounded for them anyway)
  return gauss_expect([a](double h) { return std::pow(net::ref::activate_grad(a, h), 2); }, q);
}

// The fixed point of q -> s E[phi^2](q) + b2 that the iteration from q1 reaches: the map is
// increasing in q, so q^l moves monotonically toward the nearest root in the direction of
// F(q1) - q1, or to 0 or +inf when there is none.
double solve_fixed_point(Activation a, double s, double b2, double q1) {
  double c = 0;
  if (homogeneous(a, &c)) {
    const double k = s * c;  // F(q) = k q + b2
    if (std::abs(k - 1.0) <= 1e-12) return b2 == 0 ? q1 : kInf;
    return k < 1.0 ? b2 / (1.0 - k) : kInf;
  }
  auto g = [&](double q) { return s * std::exp(log_phi2_moment(a, std::log(q))) + b2 - q; };
  const double g1 = g(q1);
  if (std::abs(g1) <= 4 * std::numeric_limits<double>::epsilon() * q1) return q1;
  double lo = q1, hi = q1;  // invariant once bracketed: g(lo) >= 0 >= g(hi)
  if (g1 > 0) {
    do {
      lo = hi;
      hi *= 2;
      if (hi > 1e300) return kInf;
    } while (g(hi) > 0);
  } else {
    do {
      hi = lo;
      lo /= 2;
      if (lo < 1e-300) return 0.0;
    } while (g(lo) < 0);
  }
  for (int i = 0; i < 200 && hi > lo * (1 + 1e-15); ++i) {
    const double mid = std::sqrt(lo * hi);
    (g(mid) >= 0 ? lo : hi) = mid;
  }
  const double root = 0.5 * (lo + hi);
  // With phi(0) = 0 and no bias, 0 is a fixed point; g(q) then loses its sign to rounding below
  // ~1e-15 (tanh at sigma_w = 1: g = -2 q^2), so a root that small is that one.
  if (b2 == 0 && net::ref::activate(a, 0.0) == 0.0 && root < 1e-12) return 0.0;
  return root;
}

// fan_in Var(W) of a layer from fan_in to fan_out. Orthogonal with gain sigma_w: every entry
// has variance sigma_w^2 / max(fan_in, fan_out), so a hidden layer's is sigma_w^2, as gaussian's.
// The mean field treats its weights as independent: it predicts the same q^l and chi for both;
// the orthogonal matrix's exactly flat singular values (dynamical isometry, Saxe et al. 2014,
// Pennington et al. 2017) are beyond it.
double weight_gain(const net::NetworkSpec& n, double fan_in, double fan_out) {
  switch (n.init) {
    case net::Init::gaussian:
      return n.sigma_w * n.sigma_w;
    case net::Init::orthogonal:
      return n.sigma_w * n.sigma_w * fan_in / std::max(fan_in, fan_out);
    case net::Init::xavier_uniform:
    case net::Init::xavier_normal:
      return 2.0 * fan_in / (fan_in + fan_out);
    case net::Init::he_normal:
      return 2.0;
  }
  throw std::invalid_argument("mean field: unknown init");
}

}  // namespace

Rule gauss_hermite(int n) {
  if (n < 1 || n > 150) throw std::invalid_argument("gauss_hermite: n must be in 1..150");
  Rule r{std::vector<double>(n), std::vector<double>(n)};
  const double pim4 = 1.0 / std::sqrt(std::sqrt(std::numbers::pi));
  double z = 0;
  for (int i = 0; i < (n + 1) / 2; ++i) {
    // Initial guesses for the largest roots first (Numerical Recipes, gauher).
    if (i == 0)
      z = std::sqrt(2.0 * n + 1) - 1.85575 * std::pow(2.0 * n + 1, -0.16667);
    else if (i == 1)
      z -= 1.14 * std::pow(n, 0.426) / z;
    else if (i == 2)
      z = 1.86 * z - 0.86 * r.x[0];
    else if (i == 3)
      z = 1.91 * z - 0.91 * r.x[1];
    else
      z = 2.0 * z - r.x[i - 2];
    double dp = 0;
    for (int it = 0; it < 100; ++it) {
      double p1 = pim4, p2 = 0;  // orthonormal Hermite functions without the Gaussian factor
      for (int j = 0; j < n; ++j) {
        const double p3 = p2;
        p2 = p1;
        p1 = z * std::sqrt(2.0 / (j + 1)) * p2 - std::sqrt(double(j) / (j + 1)) * p3;
      }
      dp = std::sqrt(2.0 * n) * p2;
      const double step = p1 / dp;
      z -= step;
      if (std::abs(step) <= 1e-15 * std::max(1.0, std::abs(z))) break;
    }
    r.x[i] = z;
    r.x[n - 1 - i] = -z;
    r.w[i] = r.w[n - 1 - i] = 2.0 / (dp * dp);
  }
  return r;
}

Rule gauss_legendre(int n) {
  if (n < 1) throw std::invalid_argument("gauss_legendre: n must be positive");
  Rule r{std::vector<double>(n), std::vector<double>(n)};
  for (int i = 0; i < (n + 1) / 2; ++i) {
    double z = std::cos(std::numbers::pi * (i + 0.75) / (n + 0.5));
    double dp = 0;
    for (int it = 0; it < 100; ++it) {
      double p1 = 1, p2 = 0;
      for (int j = 0; j < n; ++j) {
        const double p3 = p2;
        p2 = p1;
        p1 = ((2.0 * j + 1) * z * p2 - j * p3) / (j + 1);
      }
      dp = n * (z * p1 - p2) / (z * z - 1);
      const double step = p1 / dp;
      z -= step;
      if (std::abs(step) <= 1e-16) break;
    }
    r.x[i] = -z;
    r.x[n - 1 - i] = z;
    r.w[i] = r.w[n - 1 - i] = 2.0 / ((1 - z * z) * dp * dp);
  }
  return r;
}

double gauss_expect(const std::function<double(double)>& f, double variance) {
  if (!(variance >= 0) || std::isinf(variance))
    throw std::invalid_argument("gauss_expect: variance must be finite and >= 0, got " +
                                std::to_string(variance));
  if (variance == 0) return f(0.0);
  double sum = 0;
  if (variance <= kGaussHermiteMaxVariance) {
    static const Rule r = gauss_hermite(kGaussHermitePoints);
    const double scale = std::sqrt(2.0 * variance);
    for (size_t i = 0; i < r.x.size(); ++i)
      sum += r.w[i] * f(scale * r.x[i]);
    return sum / std::sqrt(std::numbers::pi);
  }
  // Panels of width 1 near 0, where the activations bend, widening with |h| (they are smooth far
  // out: saturated or linear) up to sd / 2, where the Gaussian needs them no wider.
  const double sd = std::sqrt(variance);
  const double half = 14.0 * sd;  // the Gaussian is below e^-98 beyond
  static const Rule r = gauss_legendre(16);
  for (double a = 0; a < half;) {
    const double b = std::min(half, a + std::min(std::max(1.0, a / 8), sd / 2));
    const double mid = 0.5 * (a + b), radius = 0.5 * (b - a);
    double panel = 0;
    for (size_t i = 0; i < r.x.size(); ++i) {
      const double h = mid + radius * r.x[i];
      panel += r.w[i] * std::exp(-0.5 * h * h / variance) * (f(h) + f(-h));
    }
    sum += panel * radius;
    a = b;
  }
  return sum / (sd * std::sqrt(2.0 * std::numbers::pi));
}

double length_map(Activation a, double sigma_w, double sigma_b, double q) {
  return sigma_w * sigma_w * std::exp(log_phi2_moment(a, std::log(q))) + sigma_b * sigma_b;
}

double chi(Activation a, double sigma_w, double q) {
  return sigma_w * sigma_w * dphi2_moment(a, q);
}

MeanField mean_field(const net::NetworkSpec& n, const MeanFieldOptions& options) {
  const double m0 = options.input_second_moment;
  if (!(m0 > 0) || std::isinf(m0))
    throw std::invalid_argument("the input's E[x^2] must be positive and finite, got " +
                                std::to_string(m0));
  const Activation a = n.activation;
  const std::vector<uint32_t> sizes = n.sizes();
  const size_t layers = n.num_layers();
  const double b2 = net::init_draws_biases(n.init) ? n.sigma_b * n.sigma_b : 0.0;
  const double s_hidden = weight_gain(n, n.width, n.width);
  auto gain = [&](size_t l) { return weight_gain(n, sizes[l - 1], sizes[l]); };  // layer l

  MeanField mf;
  mf.sigma_w = std::sqrt(s_hidden);
  mf.sigma_b = std::sqrt(b2);
  // Forward: q^l and ln E[x_l^2] (x_0 the input); backward factors chi^l. Once q^l repeats
  // exactly (the fixed point in double), the moments repeat too.
  mf.q.resize(layers);
  mf.chi.assign(layers, 1.0);
  std::vector<double> log_m(layers);  // log_m[l] = ln E[x_l^2], l = 0..N-1
  log_m[0] = std::log(m0);
  double prev_lq = std::numeric_limits<double>::quiet_NaN(), prev_lm = 0, prev_chi = 0;
  for (size_t l = 1; l <= layers; ++l) {
    const double lq = log_add(std::log(gain(l)) + log_m[l - 1], std::log(b2));
    mf.q[l - 1] = std::exp(lq);
    if (l == layers) break;
    if (lq != prev_lq) {
      prev_lm = log_phi2_moment(a, lq);
      prev_chi = dphi2_moment(a, mf.q[l - 1]);
      prev_lq = lq;
    }
    log_m[l] = prev_lm;
    mf.chi[l - 1] = gain(l + 1) * prev_chi;
  }

  // The fixed point reached from q^1 (= s E[x^2] + sigma_b^2 but for xavier's first layer).
  mf.q_star = solve_fixed_point(a, s_hidden, b2, mf.q[0]);
  mf.q_finite = std::isfinite(mf.q_star);
  mf.chi1 = s_hidden * dphi2_moment(a, mf.q_star);
  const double ln_chi1 = std::log(mf.chi1);
  mf.critical = std::abs(ln_chi1) <= 1e-9;
  mf.exploding = mf.chi1 > 1 && !mf.critical;
  mf.depth_scale = mf.critical ? kInf : 1.0 / std::abs(ln_chi1);
  mf.decades_per_layer = 0.5 * std::log10(mf.chi1);

  // |dW_l|^2 = |delta_l|^2 |x_{l-1}|^2 per sample, |delta_l|^2 = chi^l |delta_{l+1}|^2.
  mf.log10_grad_ratio.assign(layers, 0.0);
  mf.log10_grad_ratio_fixed.assign(layers, 0.0);
  const double last = std::log(double(sizes[layers - 1])) + log_m[layers - 1];
  double sum_ln_chi = 0;
  for (size_t l = layers; l >= 1; --l) {
    if (l < layers) sum_ln_chi += std::log(mf.chi[l - 1]);
    const double input = std::log(double(sizes[l - 1])) + log_m[l - 1];
    mf.log10_grad_ratio[l - 1] = 0.5 * (sum_ln_chi + input - last) / std::numbers::ln10;
    if (l < layers) mf.log10_grad_ratio_fixed[l - 1] = double(layers - l) * mf.decades_per_layer;
  }
  return mf;
}

std::optional<std::string> not_covered(const net::NetworkSpec& n) {
  std::string what;
  if (n.residual) what = "residual connections (network.residual)";
  if (n.norm != net::Norm::none)
    what += (what.empty() ? "" : " and ") + std::string(net::to_string(n.norm)) +
            " normalization (network.norm)";
  // An explicit op list ([[network.op]]) leaves residual and norm off: its ops carry them.
  std::string skips;  // the kinds of skip ops present ("residual_add", "rezero")
  bool layer_norm = false, batch_norm = false, recurrent = false;
  for (const ops::Op& op : n.ops) {
    recurrent |= ops::kind_of(op.kind).role == ops::Role::recurrent;
    const std::string_view kind = ops::to_string(op.kind);
    if (ops::reads_from(ops::kind_of(op.kind).role) && skips.find(kind) == std::string::npos)
      skips += (skips.empty() ? "" : " and ") + std::string(kind);
    layer_norm |= op.kind == ops::Kind::layer_norm;
    batch_norm |= op.kind == ops::Kind::batch_norm;
  }
  const auto add = [&](const std::string& part) { what += (what.empty() ? "" : " and ") + part; };
  if (!skips.empty()) add("residual connections (" + skips + " ops)");
  if (layer_norm) add("layer normalization (layer_norm ops)");
  if (batch_norm) add("batch normalization (batch_norm ops)");
  if (recurrent) add("recurrent layers (rnn ops: their time axis has a prediction of its own)");
  if (!n.ops.empty()) {
    const std::vector<ops::FusedLayer> layers = ops::fused_layers(n);
    for (size_t l = 0; l + 1 < layers.size(); ++l)
      if (layers[l].act != layers[0].act) {
        add("hidden layers of different activations");
        break;
      }
  }
  if (what.empty()) return std::nullopt;
  return "mean-field theory covers plain fully connected networks, not " + what + ": no prediction";
}

}  // namespace gt::theory
