// Shared by the CPU reference's tests: random networks and batches, and the comparison with
// finite differences.
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "net/reference.hpp"

namespace gt::test {

// A batch of `size` samples for `in` inputs and `out` outputs (targets in [-1, 1] for mse,
// one-hot for cross-entropy), fixed by the seed.
inline net::ref::Batch random_batch(uint32_t size, uint32_t in, uint32_t out, net::Loss loss,
                                    uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> u(-1.0, 1.0);
  net::ref::Batch batch{size, {}, {}};
  for (uint32_t k = 0; k < size * in; ++k)
    batch.input.push_back(1.5 * u(rng));
  for (uint32_t b = 0; b < size; ++b)
    for (uint32_t j = 0; j < out; ++j)
      batch.target.push_back(loss == net::Loss::mse ? u(rng)
                                                    : (j == (b * 7 + 1) % out ? 1.0 : 0.0));
  return batch;
}

// The layer sizes (input first) and the fixes of a random test network.
struct NetShape {
  std::vector<uint32_t> sizes;
  bool residual = false;
  uint32_t every = 1;  // residual_every
  net::Norm norm = net::Norm::none;
};

// Random weights in +-1.5/sqrt(fan_in), biases in +-0.5, and for normalized layers gamma in
// [0.5, 1.5], beta in [-0.5, 0.5] (not the identity init, so a wrong use of either shows). The
// draws of a plain network do not depend on the fixes' fields.
inline net::ref::Net random_net(const NetShape& shape, net::Activation hidden,
                                net::Activation output, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> u(-1.0, 1.0);
  net::ref::Net net;
  net.hidden = hidden;
  net.output = output;
  net.norm = shape.norm;
  net.residual = shape.residual;
  net.residual_every = shape.every;
  const std::vector<uint32_t>& sizes = shape.sizes;
  for (size_t i = 0; i + 1 < sizes.size(); ++i) {
    net::ref::Layer l{sizes[i], sizes[i + 1], {}, {}};
    const double scale = 1.5 / std::sqrt(static_cast<double>(l.in));
    for (uint32_t k = 0; k < l.in * l.out; ++k)
      l.w.push_back(u(rng) * scale);
    for (uint32_t k = 0; k < l.out; ++k)
      l.b.push_back(0.5 * u(rng));
    if (shape.norm != net::Norm::none && i + 2 < sizes.size()) {
      for (uint32_t k = 0; k < l.out; ++k) {
        l.gamma.push_back(1.0 + 0.5 * u(rng));
        l.beta.push_back(0.5 * u(rng));
      }
    }
    net.layers.push_back(std::move(l));
  }
  return net;
}

// Central differences with h = 1e-6 are accurate to ~1e-10 here (rounding of the loss / h).
inline void expect_close_to_fd(const std::vector<double>& analytic, const std::vector<double>& fd,
                               const std::string& what) {
  ASSERT_EQ(analytic.size(), fd.size()) << what;
  for (size_t k = 0; k < fd.size(); ++k)
    EXPECT_NEAR(analytic[k], fd[k], 1e-7 + 1e-6 * std::abs(fd[k])) << what << "[" << k << "]";
}

}  // namespace gt::test
