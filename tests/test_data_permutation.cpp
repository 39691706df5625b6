// The epoch permutation (data/permutation.hpp): a bijection of [0, rows) for every size around
// the powers of 4 where its domain changes, different per epoch and seed, and close to uniform.
#include <gtest/gtest.h>

#include <cstdint>
#include <utility>
#include <vector>

#include "data/permutation.hpp"

namespace gt::data {
namespace {

std::vector<uint32_t> epoch_order(uint32_t rows, uint32_t epoch, uint64_t seed) {
  const uint32_t h = permutation_half_bits(rows);
  std::vector<uint32_t> out(rows);
  for (uint32_t p = 0; p < rows; ++p)
    out[p] = permuted_sample(p, rows, h, epoch, seed);
  return out;
}

TEST(DataPermutation, HalfBitsAreTheLeastWhoseDomainHoldsTheRows) {
  EXPECT_EQ(permutation_half_bits(1), 1u);
  EXPECT_EQ(permutation_half_bits(4), 1u);
  EXPECT_EQ(permutation_half_bits(5), 2u);
  EXPECT_EQ(permutation_half_bits(16), 2u);
  EXPECT_EQ(permutation_half_bits(17), 3u);
  EXPECT_EQ(permutation_half_bits(60000), 8u);
  EXPECT_EQ(permutation_half_bits(65537), 9u);
  EXPECT_EQ(permutation_half_bits(1u << 30), 15u);
}

TEST(DataPermutation, EverySampleOncePerEpoch) {
  for (const uint32_t rows : {1u, 2u, 3u, 4u, 5u, 15u, 16u, 17u, 63u, 64u, 65u, 1000u, 4097u}) {
    for (uint32_t epoch = 0; epoch < 3; ++epoch) {
      std::vector<int> seen(rows, 0);
      for (const uint32_t s : epoch_order(rows, epoch, 7)) {
        ASSERT_LT(s, rows);
        ++seen[s];
      }
      for (uint32_t i = 0; i < rows; ++i)
        ASSERT_EQ(seen[i], 1) << "rows " << rows << " epoch " << epoch << " sample " << i;
    }
  }
}

TEST(DataPermutation, EpochsAndSeedsGiveOtherOrders) {
  const std::vector<uint32_t> a = epoch_order(1000, 0, 1);
  EXPECT_NE(a, epoch_order(1000, 1, 1));
  EXPECT_NE(a, epoch_order(1000, 0, 2));
  EXPECT_NE(a, epoch_order(1000, 0, 1ull << 32));  // the seed's high half is part of the key
  EXPECT_EQ(a, epoch_order(1000, 0, 1));
  // Not the identity, nor close to it: few samples stay in place (about 1 expected).
  int fixed = 0;
  for (uint32_t p = 0; p < 1000; ++p)
    fixed += a[p] == p;
  EXPECT_LT(fixed, 8);
}

// Where sample 0 lands over many epochs: in each tenth of the positions about equally often, by a
// chi-square test at 9 degrees of freedom against its 0.1% point, 27.9. The smallest domains are
// where a Feistel network of too few rounds is uneven (4 rounds: 73 at 10 samples).
TEST(DataPermutation, PositionsAreCloseToUniform) {
  for (const auto& [rows, epochs] : {std::pair<uint32_t, uint32_t>{10, 20000}, {1000, 2000}}) {
    std::vector<double> count(10, 0);
    const uint32_t h = permutation_half_bits(rows);
    for (uint32_t e = 0; e < epochs; ++e)
      for (uint32_t p = 0; p < rows; ++p)
        if (permuted_sample(p, rows, h, e, 3) == 0) ++count[p * 10 / rows];
    double chi2 = 0;
    const double expected = double(epochs) / 10;
    for (const double c : count)
      chi2 += (c - expected) * (c - expected) / expected;
    EXPECT_LT(chi2, 27.9) << rows << " samples";
  }
}

}  // namespace
}  // namespace gt::data
