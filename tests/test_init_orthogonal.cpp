// network.init = "orthogonal" (torch.nn.init.orthogonal_ with gain sigma_w): orthonormal rows or
// columns times the gain for every shape, the same bits for the same seed, Q equal to an
// independent modified Gram-Schmidt of the very normals drawn (which fixes R's diagonal
// positive, as torch's sign correction does), and biases and norm parameters as gaussian's.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numbers>
#include <stdexcept>
#include <vector>

#include "net/init.hpp"
#include "net/orthogonal.hpp"
#include "net/philox.hpp"

namespace gt::net {
namespace {

constexpr double kGain = 1.3;

// Weight shapes [out][in]: 1x5, 3x1, 7x3, 3x7, 64x3, 64x64, 2x64.
NetworkSpec shapes_spec() {
  NetworkSpec s;
  s.explicit_sizes = {5, 1, 3, 7, 3, 64, 64, 2};
  s.init = Init::orthogonal;
  s.sigma_w = kGain;
  s.sigma_b = 0.25;
  s.seed = 0x0123456789abcdefull;
  return s;
}

// The gaussian init's standard normal for weight e of `layer` (stream 0), written out again.
double weight_normal(uint64_t seed, uint32_t e, uint32_t layer) {
  const U32x4 r = philox4x32_10(U32x4{{e, layer, 0, 0}}, static_cast<uint32_t>(seed),
                                static_cast<uint32_t>(seed >> 32));
  return std::sqrt(-2.0 * std::log(u01_open_closed(r.v[0]))) *
         std::cos(2.0 * std::numbers::pi * u01_closed_open(r.v[1]));
}

// Gram matrix of the rows (W W^T, when out <= in) or of the columns (W^T W), in double.
std::vector<double> gram(const LayerParams& l) {
  const bool rows = l.out <= l.in;
  const uint32_t n = rows ? l.out : l.in, len = rows ? l.in : l.out;
  auto at = [&](uint32_t vec, uint32_t k) {
    return double(rows ? l.w[size_t(vec) * l.in + k] : l.w[size_t(k) * l.in + vec]);
  };
  std::vector<double> g(size_t(n) * n);
  for (uint32_t i = 0; i < n; ++i)
    for (uint32_t j = 0; j < n; ++j) {
      double s = 0;
      for (uint32_t k = 0; k < len; ++k)
        s += at(i, k) * at(j, k);
      g[size_t(i) * n + j] = s;
    }
  return g;
}

// Modified Gram-Schmidt on the columns of the [m][n] row-major `a`, m >= n: the Q whose R has
// a positive diagonal (unique for a full-rank a).
std::vector<double> gram_schmidt_q(std::vector<double> a, uint32_t m, uint32_t n) {
  for (uint32_t j = 0; j < n; ++j) {
    double norm2 = 0;
    for (uint32_t i = 0; i < m; ++i)
      norm2 += a[size_t(i) * n + j] * a[size_t(i) * n + j];
    const double norm = std::sqrt(norm2);
    for (uint32_t i = 0; i < m; ++i)
      a[size_t(i) * n + j] /= norm;
    for (uint32_t k = j + 1; k < n; ++k) {
      double dot = 0;
      for (uint32_t i = 0; i < m; ++i)
        dot += a[size_t(i) * n + j] * a[size_t(i) * n + k];
      for (uint32_t i = 0; i < m; ++i)
        a[size_t(i) * n + k] -= dot * a[size_t(i) * n + j];
    }
  }
  return a;
}

std::vector<double> transposed(const std::vector<double>& a, uint32_t rows, uint32_t cols) {
  std::vector<double> t(a.size());
  for (uint32_t i = 0; i < rows; ++i)
    for (uint32_t j = 0; j < cols; ++j)
      t[size_t(j) * rows + i] = a[size_t(i) * cols + j];
  return t;
}

TEST(OrthogonalInit, RowsOrColumnsOrthonormalTimesTheGain) {
  const Params p = init_params(shapes_spec());
  ASSERT_EQ(p.size(), 7u);
  for (const LayerParams& l : p) {
    const uint32_t n = std::min(l.out, l.in);
    const std::vector<double> g = gram(l);
    double worst = 0;
    for (uint32_t i = 0; i < n; ++i)
      for (uint32_t j = 0; j < n; ++j)
        worst = std::max(worst, std::abs(g[size_t(i) * n + j] - (i == j ? kGain * kGain : 0.0)));
    EXPECT_LE(worst, 1e-5 * kGain * kGain) << l.out << "x" << l.in;
  }
}

TEST(OrthogonalInit, EqualsGramSchmidtOfTheSameNormals) {
  const NetworkSpec s = shapes_spec();
  const Params p = init_params(s);
  for (uint32_t layer = 0; layer < p.size(); ++layer) {
    const LayerParams& l = p[layer];
    std::vector<double> a(l.w.size());
    for (uint32_t e = 0; e < a.size(); ++e)
      a[e] = weight_normal(s.seed, e, layer);
    // As torch: a wide [out][in] matrix is decomposed transposed.
    const bool wide = l.out < l.in;
    std::vector<double> q =
        wide ? transposed(gram_schmidt_q(transposed(a, l.out, l.in), l.in, l.out), l.in, l.out)
             : gram_schmidt_q(a, l.out, l.in);
    double worst = 0;
    for (size_t e = 0; e < q.size(); ++e)
      worst = std::max(worst, std::abs(double(l.w[e]) - kGain * q[e]));
    EXPECT_LE(worst, 1e-6) << l.out << "x" << l.in;
  }
}

// Worked by hand: a single column is a / |a| (R = |a| > 0); Householder alone gives -a / |a|
// for [3, 4] (R = -5), which the sign correction flips.
TEST(OrthogonalInit, SignCorrectionByHand) {
  auto expect_eq = [](const std::vector<double>& got, const std::vector<double>& want) {
    ASSERT_EQ(got.size(), want.size());
    for (size_t i = 0; i < got.size(); ++i)
      EXPECT_NEAR(got[i], want[i], 1e-15) << i;
  };
  expect_eq(orthogonal_from({3, 4}, 2, 1), {0.6, 0.8});
  expect_eq(orthogonal_from({-3, -4}, 2, 1), {-0.6, -0.8});
  expect_eq(orthogonal_from({3, -4}, 1, 2), {0.6, -0.8});
  // [[2, 1], [0, 3]] is already Q R with Q = I and a positive diagonal.
  expect_eq(orthogonal_from({2, 1, 0, 3}, 2, 2), {1, 0, 0, 1});
  // [[-2, 1], [0, -3]] = diag(-1, -1) [[2, -1], [0, 3]].
  expect_eq(orthogonal_from({-2, 1, 0, -3}, 2, 2), {-1, 0, 0, -1});
  EXPECT_THROW(orthogonal_from({1, 2, 3}, 2, 2), std::invalid_argument);
}

TEST(OrthogonalInit, SameSeedSameBitsOtherSeedOthers) {
  const NetworkSpec s = shapes_spec();
  const Params a = init_params(s);
  const Params b = init_params(s);
  NetworkSpec t = s;
  t.seed = s.seed + 1;
  const Params c = init_params(t);
  size_t same = 0, total = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].w, b[i].w) << "layer " << i;
    EXPECT_EQ(a[i].b, b[i].b) << "layer " << i;
    for (size_t k = 0; k < a[i].w.size(); ++k)
      same += a[i].w[k] == c[i].w[k];
    total += a[i].w.size();
  }
  EXPECT_LT(same, total / 100);
}

TEST(OrthogonalInit, BiasesAndNormParametersAsGaussian) {
  NetworkSpec s = shapes_spec();
  s.explicit_sizes = {};
  s.input = 2;
  s.depth = 3;
  s.width = 16;
  s.output = 3;
  s.norm = Norm::layer;
  NetworkSpec g = s;
  g.init = Init::gaussian;
  const Params po = init_params(s);
  const Params pg = init_params(g);
  ASSERT_EQ(po.size(), pg.size());
  for (size_t i = 0; i < po.size(); ++i) {
    EXPECT_EQ(po[i].b, pg[i].b) << "layer " << i;
    EXPECT_EQ(po[i].gamma, pg[i].gamma) << "layer " << i;
    EXPECT_EQ(po[i].beta, pg[i].beta) << "layer " << i;
    EXPECT_NE(po[i].b, std::vector<float>(po[i].out, 0.0f)) << "layer " << i;
  }
  EXPECT_EQ(po[0].gamma, std::vector<float>(16, 1.0f));
  EXPECT_TRUE(init_draws_biases(Init::orthogonal));
}

}  // namespace
}  // namespace gt::net
