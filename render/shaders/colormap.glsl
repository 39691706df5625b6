// The tower's colours. Finite positive values map through log10 onto viridis (perceptually
// uniform); NaN, +inf, -inf and exact zero each get a colour of their own, outside viridis.
// Viridis: degree-6 polynomial fit of matplotlib's table by Matt Zucker (CC0). Must match
// render/colormap.cpp, which the tests and the legend use.
vec3 viridis(float t) {
  t = clamp(t, 0.0, 1.0);
  const vec3 c0 = vec3(0.2777273272234177, 0.005407344544966578, 0.3340998053353061);
  const vec3 c1 = vec3(0.1050930431085774, 1.404613529898575, 1.384590162594685);
  const vec3 c2 = vec3(-0.3308618287255563, 0.214847559468213, 0.09509516302823659);
  const vec3 c3 = vec3(-4.634230498983486, -5.799100973351585, -19.33244095627987);
  const vec3 c4 = vec3(6.228269936347081, 14.17993336680509, 56.69055260068105);
  const vec3 c5 = vec3(4.776384997670288, -13.74514537774601, -65.35303263337234);
  const vec3 c6 = vec3(-5.435455855934631, 4.645852612178535, 26.3124352495832);
  return c0 + t * (c1 + t * (c2 + t * (c3 + t * (c4 + t * (c5 + t * c6)))));
}

const vec3 kColorNaN = vec3(1.0, 0.0, 1.0);      // magenta
const vec3 kColorPosInf = vec3(1.0, 1.0, 1.0);   // white
const vec3 kColorNegInf = vec3(0.0, 1.0, 1.0);   // cyan
const vec3 kColorZero = vec3(0.0, 0.0, 0.0);     // black

vec3 value_color(float v, float log_lo, float log_hi) {
  if (isnan(v)) return kColorNaN;
  if (isinf(v)) return v > 0.0 ? kColorPosInf : kColorNegInf;
  float a = abs(v);
  if (a == 0.0) return kColorZero;
  return viridis((log2(a) * 0.30102999566398120 - log_lo) / (log_hi - log_lo));
}
