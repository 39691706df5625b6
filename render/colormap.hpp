// The tower's colour scale on the host: the same mapping as render/shaders/colormap.glsl, for
// legends and for tests that check rendered pixels.
#pragma once

#include <array>
#include <cstdint>

namespace gt::render {

using Rgb = std::array<float, 3>;  // 0..1, sRGB-encoded

Rgb viridis(float t);
// NaN, +inf, -inf and zero get their own colours; finite values map log10(|v|) from
// [log_lo, log_hi] onto viridis.
Rgb value_color(float v, float log_lo, float log_hi);
std::array<uint8_t, 3> to_bytes(const Rgb& c);

}  // namespace gt::render
