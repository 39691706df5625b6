// Any op graph's CPU reference (engine/ops/reference.hpp) against central finite differences:
// every parameter of every op and the input, at random parameters. Shared by the reference's tests
// and each op kind's own.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "ops/reference.hpp"
#include "ref_test_util.hpp"

namespace gt::test {

// Random parameters for any graph: weights ~ U(-0.8, 0.8), gamma ~ 1 + U(-0.3, 0.3), an rnn's
// all ~ U(-1.4, 1.4) / sqrt(H).
inline ops::GraphParams random_params(const ops::Graph& g, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> u(-0.8, 0.8);
  ops::GraphParams p = ops::zero_params(g);
  for (size_t i = 0; i < g.ops.size(); ++i)
    for (size_t t = 0; t < p[i].size(); ++t)
      for (double& v : p[i][t]) {
        if (g.ops[i].kind == ops::Kind::rnn)  // ~U(-1.4, 1.4) / sqrt(H): W_hh's radius about 1
          v = 1.75 * u(rng) / std::sqrt(double(g.ops[i].units));
        else
          v = (g.ops[i].kind != ops::Kind::dense && t == 0) ? 1.0 + 0.375 * u(rng) : u(rng);
      }
  return p;
}

inline void expect_matches_finite_differences(const ops::Graph& g, net::Loss loss) {
  ops::GraphParams p = random_params(g, 21);
  const uint32_t out = ops::output_widths(g).back();
  const net::ref::Batch batch = test::random_batch(5, g.input, out, loss, 8);
  const ops::GraphGradients grads = ops::backward(g, p, batch, loss);
  EXPECT_DOUBLE_EQ(grads.loss, ops::loss(g, p, batch, loss));
  const double h = 1e-6;
  double largest = 0;
  for (size_t i = 0; i < g.ops.size(); ++i)
    for (size_t t = 0; t < p[i].size(); ++t) {
      std::vector<double> fd(p[i][t].size());
      for (size_t e = 0; e < fd.size(); ++e) {
        const double keep = p[i][t][e];
        p[i][t][e] = keep + h;
        const double plus = ops::loss(g, p, batch, loss);
        p[i][t][e] = keep - h;
        const double minus = ops::loss(g, p, batch, loss);
        p[i][t][e] = keep;
        fd[e] = (plus - minus) / (2 * h);
      }
      test::expect_close_to_fd(grads.grads[i][t], fd,
                               "param " + std::to_string(t) + " of op " + std::to_string(i));
      for (double v : grads.grads[i][t])
        largest = std::max(largest, std::abs(v));
    }
  std::vector<double> fd(batch.input.size());
  for (size_t e = 0; e < fd.size(); ++e) {
    net::ref::Batch b = batch;
    b.input[e] += h;
    const double plus = ops::loss(g, p, b, loss);
    b.input[e] -= 2 * h;
    fd[e] = (plus - ops::loss(g, p, b, loss)) / (2 * h);
  }
  test::expect_close_to_fd(grads.dinput.v, fd, "dL/dinput");
  EXPECT_GT(largest, 1e-4) << "not vacuous";
}

}  // namespace gt::test
