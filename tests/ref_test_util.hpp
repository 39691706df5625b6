// Shared by the CPU reference's tests: the finite-difference comparison, and a random batch for a
// network of `in` inputs and `out` outputs (targets in [-1, 1] for mse, one-hot for cross-entropy),
// fixed by the seed.
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "net/reference.hpp"

namespace gt::test {

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

// Central differences with h = 1e-6 are accurate to ~1e-10 here (rounding of the loss / h).
inline void expect_close_to_fd(const std::vector<double>& analytic, const std::vector<double>& fd,
                               const std::string& what) {
  ASSERT_EQ(analytic.size(), fd.size()) << what;
  for (size_t k = 0; k < fd.size(); ++k)
    EXPECT_NEAR(analytic[k], fd[k], 1e-7 + 1e-6 * std::abs(fd[k])) << what << "[" << k << "]";
}

}  // namespace gt::test
