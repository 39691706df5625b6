#include "render/overlay.hpp"
#include "render/overlay_text.hpp"

#include <imgui.h>

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <stdexcept>

#include "render/colormap.hpp"
#include "render/imgui_canvas.hpp"
#include "render/label_place.hpp"
#include "render/theory_strip.hpp"
#include "render_layout.h"

namespace gt::render {
namespace {

ImU32 color(const Rgb& c, float alpha = 1.0f) {
  const auto b = to_bytes(c);
  return IM_COL32(b[0], b[1], b[2], int(alpha * 255));
}

const char* metric_name(uint32_t m) {
  switch (m) {
    case GT_METRIC_GRAD_W_NORM:
      return "per-layer |dW| (Frobenius norm)";
    case GT_METRIC_DELTA_RMS:
      return "per-layer RMS of dL/dz";
    case GT_METRIC_UPDATE_RATIO:
      return "per-layer update ratio |dW step| / |W|";
    default:
      return "per-neuron mean |dL/dz| over the batch";
  }
}

// render::project (camera.hpp) as an ImGui point.
ImVec2 screen_point(const Mat4& m, float x, float y, float z, uint32_t w, uint32_t h) {
  const Pixel p = render::project(m, x, y, z, w, h);
  return {p.x, p.y};
}

// A round step (1, 2 or 5 times a power of ten) giving at most `most` ticks over `n` layers.
uint32_t tick_step(uint32_t n, uint32_t most) {
  for (uint32_t p = 1;; p *= 10)
    for (uint32_t f : {1u, 2u, 5u})
      if (n / (f * p) < most) return f * p;
}

// Draws text and marks its box taken, for the labels placed last (the theory strips').
void text(ImDrawList& dl, Occupied& taken, ImFont* font, float size, ImVec2 at, ImU32 colour,
          const char* s) {
  const ImVec2 extent = font->CalcTextSizeA(size, FLT_MAX, 0, s);
  dl.AddText(font, size, at, colour, s);
  taken.add(Box{at.x, at.y, at.x + extent.x, at.y + extent.y});
}

// The corners of a tower on screen.
std::vector<Pixel> tower_corners(const Mat4& m, uint32_t w, uint32_t h) {
  std::vector<Pixel> out;
  for (float x : {-kTowerHalfWidth, kTowerHalfWidth})
    for (float y : {0.0f, kTowerHeight})
      for (float z : {-kTowerHalfDepth, kTowerHalfDepth})
        out.push_back(project(m, x, y, z, w, h));
  return out;
}

std::string sci(double v) {
  return number_text(v, "%.2e");
}

}  // namespace

std::string overlay_font_path() {
  for (const char* p :
       {"/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", "/usr/share/fonts/TTF/DejaVuSans.ttf"})
    if (std::filesystem::exists(p)) return p;
  throw std::runtime_error(
      "the overlay font DejaVuSans.ttf is missing (apt-get install fonts-dejavu-core)");
}

Overlay::Overlay(vk::Context& ctx, VkRenderPass render_pass, uint32_t width, uint32_t height)
    : width_(width),
      height_(height),
      big_(std::max(12.0f, float(height) / 24.0f)),
      small_(std::max(10.0f, float(height) / 40.0f)),
      canvas_(std::make_unique<ImGuiCanvas>(ctx, render_pass, std::vector<float>{big_, small_})) {}

Overlay::~Overlay() = default;

void Overlay::draw(VkCommandBuffer cmd, const OverlayInfo& info, VkOffset2D origin) {
  ImDrawList* dl = &canvas_->begin(width_, height_);
  ImFont* big = canvas_->font(0);
  ImFont* small = canvas_->font(1);
  const float W = float(width_), H = float(height_), pad = small_ * 0.8f;
  const ImU32 white = IM_COL32(235, 235, 240, 255), grey = IM_COL32(170, 170, 180, 255);

  Occupied taken;  // what the theory labels, placed last, must leave alone

  // Title, step, loss, metric: top left.
  text(*dl, taken, big, big_, {pad, pad}, white, info.title.c_str());
  char line[256];
  const bool single = info.runs.size() == 1;
  if (!info.step)
    std::snprintf(line, sizeof line, "before the first step");
  else if (single)
    std::snprintf(line, sizeof line, "step %u    loss %s", *info.step,
                  number_text(info.runs[0].loss, "%.5g").c_str());
  else
    std::snprintf(line, sizeof line, "step %u", *info.step);
  text(*dl, taken, small, small_, {pad, pad + big_ * 1.15f}, white, line);
  text(*dl, taken, small, small_, {pad, pad + big_ * 1.15f + small_ * 1.2f}, grey,
       metric_name(info.metric));

  // The range of per-layer |dW| (largest, smallest, their ratio): bottom left for one run,
  // under each tower for several.
  const uint32_t towers = uint32_t(info.runs.size());
  const Mat4 camera = camera_matrix(info.camera, width_, height_, std::max(towers, 1u),
                                    info.pose.yaw, info.pose.pitch, info.pose.zoom);
  for (uint32_t r = 0; r < towers; ++r) {
    const RunInfo& run = info.runs[r];
    if (run.layers.empty()) continue;
    std::vector<float> norms(run.layers.size());
    for (size_t l = 0; l < norms.size(); ++l)
      norms[l] = run.layers[l].grad_w_norm;
    const auto [hi, lo] = dw_extremes(norms);
    const double a = norms[hi], b = norms[lo];
    const std::string ratio = ratio_text(a, b);
    if (single) {
      std::snprintf(line, sizeof line, "|dW| largest %s (layer %zu), smallest %s (layer %zu)",
                    sci(a).c_str(), hi + 1, sci(b).c_str(), lo + 1);
      text(*dl, taken, small, small_, {pad, H - pad - small_ * 2.3f}, white, line);
      std::snprintf(line, sizeof line, "ratio largest / smallest: %s", ratio.c_str());
      text(*dl, taken, small, small_, {pad, H - pad - small_ * 1.1f}, white, line);
      continue;
    }
    // Under the tower: its label, loss, and |dW| ratio, centred on its base.
    const ImVec2 base = screen_point(with_offset(camera, tower_offset(r, towers)), 0, 0,
                                     kTowerHalfDepth, width_, height_);
    char loss_line[64], ratio_line[64];
    std::snprintf(loss_line, sizeof loss_line, "loss %s", number_text(run.loss, "%.4g").c_str());
    std::snprintf(ratio_line, sizeof ratio_line, "|dW| max/min %s", ratio.c_str());
    float y = std::min(base.y + small_ * 0.4f, H - small_ * 3.6f);
    for (const std::string& t : {run.label, std::string(loss_line), std::string(ratio_line)}) {
      const ImVec2 size = small->CalcTextSizeA(small_, FLT_MAX, 0, t.c_str());
      text(*dl, taken, small, small_, {base.x - size.x / 2, y}, t == run.label ? white : grey,
           t.c_str());
      y += small_ * 1.15f;
    }
  }

  // Colour bar with decade labels: right edge.
  const float bx0 = W - pad - small_ * 5.5f, bx1 = bx0 + small_ * 1.1f;
  const float by0 = H * 0.18f, by1 = H * 0.72f;
  const int segments = 64;
  for (int s = 0; s < segments; ++s) {
    const float t0 = float(s) / segments, t1 = float(s + 1) / segments;
    const float y0 = by1 - (by1 - by0) * t1, y1 = by1 - (by1 - by0) * t0;
    dl->AddRectFilledMultiColor({bx0, y0}, {bx1, y1}, color(viridis(t1)), color(viridis(t1)),
                                color(viridis(t0)), color(viridis(t0)));
  }
  dl->AddRect({bx0, by0}, {bx1, by1}, grey);
  taken.add(Box{bx0, by0, bx1, by1});
  const int decades = int(std::lround(info.log_hi - info.log_lo));
  const int every = std::max(1, decades / 8);
  for (int d = 0; d <= decades; d += every) {
    const float t = float(d) / float(std::max(decades, 1));
    const float y = by1 - (by1 - by0) * t;
    std::snprintf(line, sizeof line, "1e%d", int(std::lround(info.log_lo)) + d);
    dl->AddLine({bx1, y}, {bx1 + small_ * 0.3f, y}, grey);
    text(*dl, taken, small, small_, {bx1 + small_ * 0.4f, y - small_ * 0.5f}, white, line);
  }
  const struct {
    const char* name;
    Rgb c;
  } specials[] = {{"NaN", {1, 0, 1}}, {"+inf", {1, 1, 1}}, {"-inf", {0, 1, 1}}, {"0", {0, 0, 0}}};
  float sy = by1 + small_ * 0.8f;
  for (const auto& s : specials) {
    dl->AddRectFilled({bx0, sy}, {bx1, sy + small_}, color(s.c));
    dl->AddRect({bx0, sy}, {bx1, sy + small_}, grey);
    taken.add(Box{bx0, sy, bx1, sy + small_});
    text(*dl, taken, small, small_, {bx1 + small_ * 0.4f, sy}, white, s.name);
    sy += small_ * 1.3f;
  }

  // Layer ticks along the right edge of the rightmost tower (the input is layer 1, at the bottom).
  const uint32_t n = towers ? info.runs.back().slabs : 0;
  const uint32_t time_steps = towers ? info.runs.back().time_steps : 0;
  if (n > 0) {
    const Mat4 m = with_offset(camera, tower_offset(towers - 1, towers));
    const uint32_t step = tick_step(n, 10);
    std::vector<uint32_t> ticks{1};
    for (uint32_t l = step; l < n; l += step)
      ticks.push_back(l);
    if (ticks.back() != n) ticks.push_back(n);
    // Labels kept apart: a tick too close to the one below is left out, except the last layer's,
    // which takes the place of the one below it instead.
    std::vector<std::pair<uint32_t, ImVec2>> kept;
    for (uint32_t t : ticks) {
      const float y = (float(t) - 0.5f) / float(n) * kTowerHeight;
      // Right of both right-hand corners, so labels never cover a slab's side face.
      const ImVec2 front = screen_point(m, kTowerHalfWidth, y, kTowerHalfDepth, width_, height_);
      const ImVec2 back = screen_point(m, kTowerHalfWidth, y, -kTowerHalfDepth, width_, height_);
      const ImVec2 p{std::max(front.x, back.x) + small_ * 0.2f,
                     front.x > back.x ? front.y : back.y};
      if (!kept.empty() && std::abs(p.y - kept.back().second.y) < small_ * 1.1f) {
        if (t == n && kept.size() > 1) kept.back() = {t, p};
        continue;
      }
      kept.push_back({t, p});
    }
    for (const auto& [t, p] : kept) {
      dl->AddLine(p, {p.x + small_ * 0.6f, p.y}, grey);
      // A recurrent layer's time steps are labelled t = ..., the layers above by their number.
      if (t <= time_steps)
        std::snprintf(line, sizeof line, "t=%u", t);
      else
        std::snprintf(line, sizeof line, "%u", time_steps > 0 ? t - time_steps + 1 : t);
      text(*dl, taken, small, small_, {p.x + small_ * 0.8f, p.y - small_ * 0.5f}, grey, line);
      taken.add(Box{p.x, p.y - 0.5f, p.x + small_ * 0.6f, p.y + 0.5f});  // the tick
    }
  }

  // The theory strip beside each tower (the mean-field prediction in the same colours), then
  // each strip's label, clear of the towers, the strips, the text and each other.
  std::vector<std::vector<Pixel>> strips(towers);
  for (uint32_t r = 0; r < towers; ++r) {
    const Mat4 m = with_offset(camera, tower_offset(r, towers));
    taken.add(tower_corners(m, width_, height_));
    if (info.runs[r].theory_log10.empty()) continue;
    draw_theory_strip(*dl, m, info.runs[r].theory_log10, info.log_lo, info.log_hi, width_, height_);
    strips[r] = theory_strip_corners(m, width_, height_);
    taken.add(strips[r]);
  }
  for (uint32_t r = 0; r < towers; ++r)
    if (!strips[r].empty())
      taken.add(draw_theory_label(*dl, strips[r], taken, width_, height_, small, small_));
  canvas_->end(cmd, origin);
}

}  // namespace gt::render
