// Statistics of a layer's outputs X = act(Z) over batch and neurons, as partial sums
// (forward_main.glsl) merged in a fixed order (finalize.comp): a vec4 of (count as uint bits,
// mean, M2 = sum of squared deviations from the mean, saturated count as uint bits), combined as
// Chan, Golub and LeVeque's parallel variance, so a small spread around a large mean (sigmoid
// outputs near 0.5) keeps its digits.

// Saturated (tanh, sigmoid: in the flat tails) or inactive (relu, leaky_relu, gelu: z <= 0).
// A linear layer never saturates. NaN is never counted.
bool act_saturated(uint act, float z, float x) {
  switch (act) {
    case GT_ACT_TANH: return abs(x) > 0.99;
    case GT_ACT_SIGMOID: return x < 0.01 || x > 0.99;
    case GT_ACT_RELU:
    case GT_ACT_LEAKY_RELU:
    case GT_ACT_GELU: return z <= 0.0;
    default: return false;
  }
}

vec4 act_merge(vec4 a, vec4 b) {
  uint na = floatBitsToUint(a.x), nb = floatBitsToUint(b.x);
  if (na == 0u) return b;
  if (nb == 0u) return a;
  float fa = float(na), fb = float(nb), n = fa + fb;
  float d = b.y - a.y;
  float mean = a.y + d * (fb / n);
  float m2 = a.z + b.z + d * d * (fa * (fb / n));
  return vec4(uintBitsToFloat(na + nb), mean, m2, uintBitsToFloat(floatBitsToUint(a.w) + floatBitsToUint(b.w)));
}
