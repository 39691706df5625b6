#include "render/theory_strip.hpp"

#include <imgui.h>

#include <algorithm>
#include <cmath>

#include "render/camera.hpp"
#include "render/colormap.hpp"
#include "theory/meanfield.hpp"

namespace gt::render {
namespace {

// render::project (camera.hpp) as an ImGui point.
ImVec2 screen_point(const Mat4& m, float x, float y, float z, uint32_t w, uint32_t h) {
  const Pixel p = render::project(m, x, y, z, w, h);
  return {p.x, p.y};
}

// The strip's place: left of the tower's front-left edge, in the front plane.
constexpr float kStripGap = 0.04f, kStripWidth = 0.06f;

}  // namespace

std::vector<float> theory_log10(const net::NetworkSpec& spec,
                                const std::vector<shared::LayerStats>& measured, uint32_t metric) {
  if (metric == GT_METRIC_UPDATE_RATIO || measured.empty() || theory::not_covered(spec)) return {};
  const bool weights = metric == GT_METRIC_GRAD_W_NORM;
  const double anchor = weights ? measured.back().grad_w_norm : measured.back().delta_rms;
  if (!std::isfinite(anchor) || anchor <= 0) return {};
  const theory::MeanField mf = theory::mean_field(spec);
  const size_t n = measured.size();
  if (mf.log10_grad_ratio.size() != n || mf.chi.size() != n) return {};
  const std::vector<uint32_t> sizes = spec.sizes();  // sizes[l] = neurons of layer l (1-based)
  std::vector<float> out(n);
  double delta = 0;  // log10 |delta_l| / |delta_N|, summed from the output down
  for (size_t i = n; i-- > 0;) {
    if (i + 1 < n) delta += 0.5 * std::log10(mf.chi[i]);
    double v = weights ? mf.log10_grad_ratio[i]
                       : delta + 0.5 * std::log10(double(sizes[n]) / double(sizes[i + 1]));
    if (metric == GT_METRIC_NEURON_DELTA) v += 0.5 * std::log10(2.0 / M_PI);
    v += std::log10(anchor);
    out[i] = std::isfinite(v) ? float(v) : NAN;
  }
  return out;
}

std::vector<float> time_theory_log10(double rho, const std::vector<float>& measured_by_step,
                                     uint32_t metric, uint32_t layers_above) {
  if (metric == GT_METRIC_UPDATE_RATIO || measured_by_step.empty() || !(rho > 0)) return {};
  const double anchor = measured_by_step.back();
  if (!std::isfinite(anchor) || anchor <= 0) return {};
  const size_t steps = measured_by_step.size();
  std::vector<float> out(steps + layers_above, NAN);
  for (size_t t = 1; t <= steps; ++t)
    out[t - 1] = float(std::log10(anchor) + double(steps - t) * std::log10(rho));
  return out;
}

std::vector<Pixel> theory_strip_corners(const Mat4& camera, uint32_t width, uint32_t height) {
  const float x1 = -kTowerHalfWidth - kStripGap, x0 = x1 - kStripWidth, z = kTowerHalfDepth;
  return {project(camera, x0, 0, z, width, height), project(camera, x1, 0, z, width, height),
          project(camera, x1, kTowerHeight, z, width, height),
          project(camera, x0, kTowerHeight, z, width, height)};
}

void draw_theory_strip(ImDrawList& dl, const Mat4& camera, const std::vector<float>& log10_values,
                       float log_lo, float log_hi, uint32_t width, uint32_t height) {
  const size_t n = log10_values.size();
  if (n == 0) return;
  const float x1 = -kTowerHalfWidth - kStripGap, x0 = x1 - kStripWidth, z = kTowerHalfDepth;
  const float pitch = kTowerHeight / float(n), span = std::max(log_hi - log_lo, 1e-6f);
  for (size_t l = 0; l < n; ++l) {
    if (std::isnan(log10_values[l])) continue;
    const float t = std::clamp((log10_values[l] - log_lo) / span, 0.0f, 1.0f);
    const auto b = to_bytes(viridis(t));
    const float y0 = float(l) * pitch, y1 = y0 + pitch;
    dl.AddQuadFilled(screen_point(camera, x0, y0, z, width, height),
                     screen_point(camera, x1, y0, z, width, height),
                     screen_point(camera, x1, y1, z, width, height),
                     screen_point(camera, x0, y1, z, width, height),
                     IM_COL32(b[0], b[1], b[2], 255));
  }
}

Box draw_theory_label(ImDrawList& dl, const std::vector<Pixel>& strip, const Occupied& taken,
                      uint32_t width, uint32_t height, ImFont* font, float font_size) {
  Box s{strip[0].x, strip[0].y, strip[0].x, strip[0].y};
  for (const Pixel& p : strip)
    s = {std::min(s.x0, p.x), std::min(s.y0, p.y), std::max(s.x1, p.x), std::max(s.y1, p.y)};
  const char* label = "theory";
  const ImVec2 size = font->CalcTextSizeA(font_size, 1e9f, 0, label);
  const float w = size.x, h = size.y, gap = font_size * 0.3f, cx = 0.5f * (s.x0 + s.x1),
              cy = 0.5f * (s.y0 + s.y1);
  const Box at = place_label({{cx - w / 2, s.y0 - gap - h, cx + w / 2, s.y0 - gap},
                              {s.x0 - gap - w, s.y0, s.x0 - gap, s.y0 + h},
                              {cx - w / 2, s.y1 + gap, cx + w / 2, s.y1 + gap + h},
                              {s.x0 - gap - w, s.y1 - h, s.x0 - gap, s.y1},
                              {s.x0 - gap - w, cy - h / 2, s.x0 - gap, cy + h / 2}},
                             taken, float(width), float(height));
  dl.AddText(font, font_size, {at.x0, at.y0}, IM_COL32(170, 170, 180, 255), label);
  return at;
}

}  // namespace gt::render
