// The theory strip: beside each tower, a thin column coloured on the tower's scale with the
// mean-field prediction (engine/theory, docs/THEORY.md) of the tower's metric per layer at
// initialisation, anchored at the output layer's measured value. Where the tower and its strip
// agree in colour layer by layer, the theory explains the gradient flow; where they part, the
// network has left the regime the theory describes (training moved it, or the signal died).
#pragma once

#include <cstdint>
#include <vector>

#include "layout.h"
#include "net/spec.hpp"
#include "render/camera.hpp"
#include "render/label_place.hpp"
#include "render_layout.h"

struct ImDrawList;
struct ImFont;

namespace gt::render {

// log10 of the predicted metric per layer (layer 1 first); empty for the update ratio (no
// prediction) or when the output layer's measured value is not a positive finite number.
// Layers whose prediction is not finite (no finite fixed point) hold NaN.
//   grad_w_norm: |dW_N| 10^(log10 |dW_l| / |dW_N|, theory)
//   delta_rms:   rms_N (|delta_l| / |delta_N|)(theory) sqrt(n_N / n_l)
//   neuron mean |dL/dz|: the delta_rms prediction times sqrt(2 / pi) (the mean of |x| for a
//   gaussian x of that RMS)
std::vector<float> theory_log10(const net::NetworkSpec& spec,
                                const std::vector<shared::LayerStats>& measured, uint32_t metric);

// A recurrent first layer's time steps (render/tower.hpp: tower_slabs), then `layers_above`
// slabs: the linear part of backpropagation through time, ||dL/dh_t|| ~ rho^(T - t) (Pascanu,
// Mikolov & Bengio 2013; rho the spectral radius the op's init_hh gave W_hh), anchored at step T's
// measured value of the metric (per step: ||dL/dh_t||, the norm of step t's term of dW_hh, or the
// mean of its cells). NaN above the time steps; empty for the update ratio or no anchor.
std::vector<float> time_theory_log10(double rho, const std::vector<float>& measured_by_step,
                                     uint32_t metric, uint32_t layers_above);

// The strip's corners on screen, left of a tower (camera: that tower's matrix) in a width x
// height view.
std::vector<Pixel> theory_strip_corners(const Mat4& camera, uint32_t width, uint32_t height);

// Draws the strip, coloured on the tower's scale [log_lo, log_hi]; nothing for no values.
void draw_theory_strip(ImDrawList& dl, const Mat4& camera, const std::vector<float>& log10_values,
                       float log_lo, float log_hi, uint32_t width, uint32_t height);

// Draws the label "theory" by the strip with these corners: above it where that is clear of
// `taken`, else left of its top, below it, left of its foot or left of its middle (the first
// clear place inside the frame; the first inside the frame when none is clear). Returns where
// it went.
Box draw_theory_label(ImDrawList& dl, const std::vector<Pixel>& strip, const Occupied& taken,
                      uint32_t width, uint32_t height, ImFont* font, float font_size);

}  // namespace gt::render
