// The sample at a position of an epoch: a Feistel permutation with cycle walking, keyed by (data
// seed, epoch). Must equal engine/data/permutation.cpp bit for bit (that file says why it is a
// permutation; tested against it).
const uint kStreamPermutation = 6u;

uint feistel(uint x, uint half_bits, uint epoch, uvec2 key) {
  uint mask = (1u << half_bits) - 1u;
  uint left = x >> half_bits;
  uint right = x & mask;
  for (uint round = 0u; round < 8u; ++round) {
    uint f = philox4x32_10(uvec4(right, round, epoch, kStreamPermutation), key).x & mask;
    uint next = left ^ f;
    left = right;
    right = next;
  }
  return (left << half_bits) | right;
}

uint permuted_sample(uint position, uint rows, uint half_bits, uint epoch, uvec2 key) {
  uint x = position;
  do {
    x = feistel(x, half_bits, epoch, key);
  } while (x >= rows);
  return x;
}
