// Activation functions and their derivatives, by GT_ACT_* code. Formulations are chosen to stay
// finite where the math is: tanh and sigmoid never divide inf by inf.

// erf by Abramowitz & Stegun 7.1.26 (absolute error below 1.5e-7); GLSL has no erf.
float gt_erf(float x) {
  float s = sign(x);
  float a = abs(x);
  float t = 1.0 / (1.0 + 0.3275911 * a);
  float y = 1.0 - (((((1.061405429 * t - 1.453152027) * t) + 1.421413741) * t - 0.284496736) * t +
                   0.254829592) * t * exp(-a * a);
  return s * y;
}

float gt_tanh(float z) {
  // Near 0, (1 - e) cancels: below |z| ~ 1.5e-8 it gives exactly 0, and is off by 10-50% around
  // 1e-7, where vanishing signals live. The odd series is exact to float there (next term
  // 62 z^9 / 2835: 1e-9 relative at |z| = 0.125).
  float a = abs(z);
  if (a < 0.125) {
    float z2 = z * z;
    return z * (1.0 + z2 * (-1.0 / 3.0 + z2 * (2.0 / 15.0 + z2 * (-17.0 / 315.0))));
  }
  float e = exp(-2.0 * a);
  return sign(z) * (1.0 - e) / (1.0 + e);
}

float gt_sigmoid(float z) { return 1.0 / (1.0 + exp(-z)); }

float act_apply(uint act, float z) {
  switch (act) {
    case GT_ACT_RELU: return max(z, 0.0);
    case GT_ACT_LEAKY_RELU: return z > 0.0 ? z : GT_LEAKY_SLOPE * z;
    case GT_ACT_TANH: return gt_tanh(z);
    case GT_ACT_SIGMOID: return gt_sigmoid(z);
    case GT_ACT_GELU: return 0.5 * z * (1.0 + gt_erf(z * 0.70710678118654752));
    default: return z;
  }
}

float act_grad(uint act, float z) {
  switch (act) {
    case GT_ACT_RELU: return z > 0.0 ? 1.0 : 0.0;
    case GT_ACT_LEAKY_RELU: return z > 0.0 ? 1.0 : GT_LEAKY_SLOPE;
    case GT_ACT_TANH: {
      float t = gt_tanh(z);
      return 1.0 - t * t;
    }
    case GT_ACT_SIGMOID: {
      float s = gt_sigmoid(z);
      return s * (1.0 - s);
    }
    case GT_ACT_GELU: {
      float cdf = 0.5 * (1.0 + gt_erf(z * 0.70710678118654752));
      float pdf = 0.39894228040143268 * exp(-0.5 * z * z);
      return cdf + z * pdf;
    }
    default: return 1.0;
  }
}

vec4 act_apply4(uint act, vec4 z) {
  return vec4(act_apply(act, z.x), act_apply(act, z.y), act_apply(act, z.z), act_apply(act, z.w));
}

vec4 act_grad4(uint act, vec4 z) {
  return vec4(act_grad(act, z.x), act_grad(act, z.y), act_grad(act, z.z), act_grad(act, z.w));
}
