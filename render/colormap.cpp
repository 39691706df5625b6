#include "render/colormap.hpp"

#include <algorithm>
#include <cmath>

namespace gt::render {

Rgb viridis(float t) {
  t = std::clamp(t, 0.0f, 1.0f);
  // Degree-6 polynomial fit of matplotlib's viridis (Matt Zucker, CC0); as colormap.glsl.
  static constexpr float c[7][3] = {
      {0.2777273272234177f, 0.005407344544966578f, 0.3340998053353061f},
      {0.1050930431085774f, 1.404613529898575f, 1.384590162594685f},
      {-0.3308618287255563f, 0.214847559468213f, 0.09509516302823659f},
      {-4.634230498983486f, -5.799100973351585f, -19.33244095627987f},
      {6.228269936347081f, 14.17993336680509f, 56.69055260068105f},
      {4.776384997670288f, -13.74514537774601f, -65.35303263337234f},
      {-5.435455855934631f, 4.645852612178535f, 26.3124352495832f}};
  Rgb out{};
  for (int ch = 0; ch < 3; ++ch) {
    float v = c[6][ch];
    for (int i = 5; i >= 0; --i)
      v = c[i][ch] + t * v;
    out[ch] = v;
  }
  return out;
}

Rgb value_color(float v, float log_lo, float log_hi) {
  if (std::isnan(v)) return {1, 0, 1};
  if (std::isinf(v)) return v > 0 ? Rgb{1, 1, 1} : Rgb{0, 1, 1};
  const float a = std::abs(v);
  if (a == 0) return {0, 0, 0};
  return viridis((std::log10(a) - log_lo) / (log_hi - log_lo));
}

std::array<uint8_t, 3> to_bytes(const Rgb& c) {
  std::array<uint8_t, 3> out{};
  for (int i = 0; i < 3; ++i)
    out[i] = static_cast<uint8_t>(std::lround(std::clamp(c[i], 0.0f, 1.0f) * 255.0f));
  return out;
}

}  // namespace gt::render
