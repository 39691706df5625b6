// Sums of squares that do not underflow: a sum is kept as (scale, ssq) meaning scale^2 * ssq,
// with scale the largest |v| seen (as LAPACK's nrm2 does). Vanishing gradients of 1e-25 have
// squares below the smallest float; their norms must still come out as 1e-25, not 0.
// A non-finite value makes the scale that value (NaN wins over inf), and the norm is the scale.

float worst(float a, float b) {
  if (isnan(a) || isnan(b)) return uintBitsToFloat(0x7fc00000u);
  return max(a, b);
}

vec2 ssq_add(vec2 acc, float v) {
  float x = abs(v);
  if (!is_finite(x) || !is_finite(acc.x)) return vec2(worst(acc.x, x), 0.0);
  if (x == 0.0) return acc;
  if (x > acc.x) {
    float r = acc.x / x;
    return vec2(x, 1.0 + acc.y * r * r);
  }
  float r = x / acc.x;
  return vec2(acc.x, acc.y + r * r);
}

vec2 ssq_merge(vec2 a, vec2 b) {
  if (!is_finite(a.x) || !is_finite(b.x)) return vec2(worst(a.x, b.x), 0.0);
  if (a.x == 0.0) return b;
  if (b.x == 0.0) return a;
  if (a.x >= b.x) {
    float r = b.x / a.x;
    return vec2(a.x, a.y + b.y * r * r);
  }
  float r = a.x / b.x;
  return vec2(b.x, b.y + a.y * r * r);
}

float ssq_norm(vec2 a) { return is_finite(a.x) ? a.x * sqrt(a.y) : a.x; }

// (scale, ssq) of 16 values held in registers: one max, one reciprocal, then plain squares.
// Much cheaper than ssq_add per value; same underflow-free result.
vec2 ssq_block(vec4 v0, vec4 v1, vec4 v2, vec4 v3) {
  if (any(isnan(v0)) || any(isnan(v1)) || any(isnan(v2)) || any(isnan(v3)))
    return vec2(uintBitsToFloat(0x7fc00000u), 0.0);
  vec4 m4 = max(max(abs(v0), abs(v1)), max(abs(v2), abs(v3)));
  float s = max(max(m4.x, m4.y), max(m4.z, m4.w));
  if (!is_finite(s)) return vec2(s, 0.0);
  if (s == 0.0) return vec2(0.0);
  // 1/s overflows for denormal s: bring tiny values up by 2^64 first (exact, a power of two).
  float up = s < 1.0e-30 ? 18446744073709551616.0 : 1.0;
  float r = 1.0 / (s * up);
  v0 = (v0 * up) * r;
  v1 = (v1 * up) * r;
  v2 = (v2 * up) * r;
  v3 = (v3 * up) * r;
  return vec2(s, dot(v0, v0) + dot(v1, v1) + dot(v2, v2) + dot(v3, v3));
}

// (scale, ssq) of GT_UPDATE_VECS_PER_INVOCATION vec4s in registers, as ssq_block.
vec2 ssq_array(vec4 v[GT_UPDATE_VECS_PER_INVOCATION]) {
  vec4 m4 = vec4(0.0);
  bool nan_seen = false;
  for (uint i = 0u; i < GT_UPDATE_VECS_PER_INVOCATION; ++i) {
    nan_seen = nan_seen || any(isnan(v[i]));
    m4 = max(m4, abs(v[i]));
  }
  if (nan_seen) return vec2(uintBitsToFloat(0x7fc00000u), 0.0);
  float s = max(max(m4.x, m4.y), max(m4.z, m4.w));
  if (!is_finite(s)) return vec2(s, 0.0);
  if (s == 0.0) return vec2(0.0);
  float up = s < 1.0e-30 ? 18446744073709551616.0 : 1.0;  // as in ssq_block
  float r = 1.0 / (s * up);
  float q = 0.0;
  for (uint i = 0u; i < GT_UPDATE_VECS_PER_INVOCATION; ++i) {
    vec4 x = (v[i] * up) * r;
    q += dot(x, x);
  }
  return vec2(s, q);
}
