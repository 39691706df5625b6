// Philox4x32-10 (Salmon et al., Random123): a counter-based generator, so every random number
// is a pure function of (counter, key), independent of dispatch order. Must equal
// engine/net/philox.hpp bit for bit (tested).
uvec4 philox4x32_10(uvec4 ctr, uvec2 key) {
  for (int round = 0; round < 10; ++round) {
    uint hi0, lo0, hi1, lo1;
    umulExtended(0xD2511F53u, ctr.x, hi0, lo0);
    umulExtended(0xCD9E8D57u, ctr.z, hi1, lo1);
    ctr = uvec4(hi1 ^ ctr.y ^ key.x, lo1, hi0 ^ ctr.w ^ key.y, lo0);
    key += uvec2(0x9E3779B9u, 0xBB67AE85u);
  }
  return ctr;
}

// Uniform in [0, 1) and in (0, 1] from 32 random bits (24 significant bits, exact in float).
float u01_closed_open(uint x) { return float(x >> 8) * (1.0 / 16777216.0); }
float u01_open_closed(uint x) { return (float(x >> 8) + 1.0) * (1.0 / 16777216.0); }

// A standard normal pair by Box-Muller.
vec2 normal2(uint a, uint b) {
  float r = sqrt(-2.0 * log(u01_open_closed(a)));
  float t = 2.0 * kPi * u01_closed_open(b);
  return vec2(r * cos(t), r * sin(t));
}
