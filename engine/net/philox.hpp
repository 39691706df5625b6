// Philox4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3"; constants from
// Random123). Counter-based, so every parameter draws from its own (counter, key) and the result
// does not depend on order. compute_shaders has a GLSL copy that must produce identical integers.
#pragma once

#include <cstdint>

namespace gt::net {

struct U32x4 {
  uint32_t v[4];
};

namespace philox_detail {

inline constexpr uint32_t kM0 = 0xD2511F53u;
inline constexpr uint32_t kM1 = 0xCD9E8D57u;
inline constexpr uint32_t kW0 = 0x9E3779B9u;
inline constexpr uint32_t kW1 = 0xBB67AE85u;

inline U32x4 round(U32x4 c, uint32_t k0, uint32_t k1) {
  const uint64_t p0 = static_cast<uint64_t>(kM0) * c.v[0];
  const uint64_t p1 = static_cast<uint64_t>(kM1) * c.v[2];
  const auto hi0 = static_cast<uint32_t>(p0 >> 32);
  const auto lo0 = static_cast<uint32_t>(p0);
  const auto hi1 = static_cast<uint32_t>(p1 >> 32);
  const auto lo1 = static_cast<uint32_t>(p1);
  return U32x4{{hi1 ^ c.v[1] ^ k0, lo1, hi0 ^ c.v[3] ^ k1, lo0}};
}

}  // namespace philox_detail

inline U32x4 philox4x32_10(U32x4 counter, uint32_t key0, uint32_t key1) {
  for (int r = 0; r < 10; ++r) {
    if (r > 0) {
      key0 += philox_detail::kW0;
      key1 += philox_detail::kW1;
    }
    counter = philox_detail::round(counter, key0, key1);
  }
  return counter;
}

// Uniform in (0, 1]: never 0, so log() of it is finite.
inline double u01_open_closed(uint32_t x) {
  return (static_cast<double>(x) + 1.0) * 0x1p-32;
}

// Uniform in [0, 1).
inline double u01_closed_open(uint32_t x) {
  return static_cast<double>(x) * 0x1p-32;
}

}  // namespace gt::net
