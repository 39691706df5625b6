// The order of one epoch: a pseudo-random permutation of the samples [0, rows), keyed by (data
// seed, epoch), computed per position with no state, so that every GPU invocation finds its own
// sample (batch_gather.comp, permutation.glsl) and the CPU finds the same one here (tested).
//
// A balanced Feistel network of 8 rounds over 2 * half_bits bits, each round's function Philox
// (net/philox.hpp) of (half, round, epoch): a bijection of [0, 4^half_bits). Positions that land
// past `rows` walk on (cycle walking: apply it again until below `rows`), which keeps it a
// bijection of [0, rows). half_bits is the least with 4^half_bits >= rows, so the domain is under
// 4 rows and a walk takes under 4 applications on average.
#pragma once

#include <cstdint>

namespace gt::data {

// Philox stream of the permutation's round function (the data generator uses 2 and 3, the teacher 4
// and 5).
inline constexpr uint32_t kStreamPermutation = 6;

// The least h >= 1 with 4^h >= rows.
uint32_t permutation_half_bits(uint32_t rows);

// The sample at `position` (< rows) of epoch `epoch`.
uint32_t permuted_sample(uint32_t position, uint32_t rows, uint32_t half_bits, uint32_t epoch,
                         uint64_t seed);

}  // namespace gt::data
