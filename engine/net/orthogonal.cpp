#include "net/orthogonal.hpp"

#include <cmath>
#include <stdexcept>
#include <utility>

namespace gt::net {
namespace {

// A tall matrix, m >= n, column-major (each column contiguous, as the reflections walk them):
// at(i, j) is row i, column j.
struct Tall {
  uint32_t m = 0, n = 0;
  std::vector<double> v;
  double& at(uint32_t i, uint32_t j) { return v[size_t(j) * m + i]; }
};

std::vector<double> transposed(const std::vector<double>& a, uint32_t rows, uint32_t cols) {
  std::vector<double> t(a.size());
  for (uint32_t i = 0; i < rows; ++i)
    for (uint32_t j = 0; j < cols; ++j)
      t[size_t(j) * rows + i] = a[size_t(i) * cols + j];
  return t;
}

// Applies H = I - 2 u u^T / (u^T u), u = the reflector of column k (rows k..m-1), to columns
// j0..n-1 of `x`. unorm2 == 0 means H = I.
void reflect(Tall& x, const std::vector<double>& u, double unorm2, uint32_t k, uint32_t j0) {
  if (unorm2 == 0) return;
  for (uint32_t j = j0; j < x.n; ++j) {
    double dot = 0;
    for (uint32_t i = k; i < x.m; ++i)
      dot += u[i - k] * x.at(i, j);
    const double f = 2.0 * dot / unorm2;
    for (uint32_t i = k; i < x.m; ++i)
      x.at(i, j) -= f * u[i - k];
  }
}

// Householder QR of the tall `a`: returns Q (m x n, orthonormal columns) with every column
// multiplied by the sign of R's diagonal entry, so R's diagonal is positive.
Tall q_positive_r(Tall a) {
  const uint32_t m = a.m, n = a.n;
  std::vector<std::vector<double>> us(n);
  std::vector<double> unorm2(n, 0.0), r_diag(n, 0.0);
  for (uint32_t k = 0; k < n; ++k) {
    std::vector<double>& u = us[k];
    u.resize(m - k);
    double norm2 = 0;
    for (uint32_t i = k; i < m; ++i) {
      u[i - k] = a.at(i, k);
      norm2 += u[i - k] * u[i - k];
    }
    // LAPACK's choice: beta = -sign(x0) ||x||, so u = x - beta e1 does not cancel.
    const double beta = u[0] > 0 ? -std::sqrt(norm2) : std::sqrt(norm2);
    u[0] -= beta;
    unorm2[k] = norm2 == 0 ? 0.0 : norm2 - 2.0 * beta * a.at(k, k) + beta * beta;
    reflect(a, u, unorm2[k], k, k);
    r_diag[k] = unorm2[k] == 0 ? a.at(k, k) : beta;
  }
  // Q = H_0 H_1 ... H_{n-1} applied to the first n columns of the identity.
  Tall q{m, n, std::vector<double>(size_t(m) * n, 0.0)};
  for (uint32_t j = 0; j < n; ++j)
    q.at(j, j) = 1.0;
  for (uint32_t k = n; k-- > 0;)
    reflect(q, us[k], unorm2[k], k, k);
  for (uint32_t j = 0; j < n; ++j) {
    if (r_diag[j] >= 0) continue;
    for (uint32_t i = 0; i < m; ++i)
      q.at(i, j) = -q.at(i, j);
  }
  return q;
}

}  // namespace

std::vector<double> orthogonal_from(std::vector<double> a, uint32_t rows, uint32_t cols) {
  if (a.size() != size_t(rows) * cols || rows == 0 || cols == 0)
    throw std::invalid_argument("orthogonal_from: a must hold rows * cols > 0 values");
  // As torch, a wide matrix is decomposed transposed. Row-major A is column-major A^T, so the
  // wide case needs no copy either way; the tall case is transposed in and out.
  const bool wide = rows < cols;
  Tall t{wide ? cols : rows, wide ? rows : cols, wide ? std::move(a) : transposed(a, rows, cols)};
  Tall q = q_positive_r(std::move(t));
  return wide ? std::move(q.v) : transposed(q.v, q.n, q.m);
}

}  // namespace gt::net
