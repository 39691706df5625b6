#version 450
// rnn forward (ops/rnn.hpp, the CPU reference there), unrolled over the layer's steps:
//   phase 0, workgroups (batch_pad x ld_out / 64, steps): every step's input projection
//     P_t = x_t W_ih^T + b_ih + b_hh into the slot of h_t (NHAT, LayerDesc::seq_h_off), and
//     h_0 = 0;
//   phase 1, step t = pc.layer_begin (1..steps), workgroups (ld_out / 4 / 64, batch_pad / 4):
//     four samples' 256 units per workgroup, 4 x 4 per invocation: h_t = act(P_t + h_{t-1}
//     W_hh^T) in place, h_{t-1} and W_hh read through texel views (no shared memory: the texel
//     kernels' way, fastest on CPU drivers); at t = steps also X_out = h_steps and the activation
//     statistics of X_out.
// Padding (units, samples) written as exactly zero.
#include "common.glsl"
#include "this_layer.glsl"
#include "activation.glsl"
#include "act_stats.glsl"

layout(set = 0, binding = GT_BIND_PARAMS, std430) readonly buffer ParamBuf { vec4 params[]; };
layout(set = 0, binding = GT_BIND_X_IN, std430) readonly buffer XIn { float x_in[]; };
layout(set = 0, binding = GT_BIND_PARAMS_TEX, rgba32f) readonly uniform imageBuffer params_tex;
layout(set = 0, binding = GT_BIND_X_OUT, std430) writeonly buffer XOut { vec4 x_out[]; };
layout(set = 0, binding = GT_BIND_NHAT, std430) buffer HBuf { vec4 hs[]; };
layout(set = 0, binding = GT_BIND_NHAT_TEX, rgba32f) readonly uniform imageBuffer hs_tex;
layout(set = 0, binding = GT_BIND_PARTIALS, std430) writeonly buffer PartialBuf { vec4 partials[]; };

shared vec4 red[GT_WG_SIZE];

float param(uint i) { return params[i / 4u][i % 4u]; }
float h_at(uint i) { return hs[i / 4u][i % 4u]; }
void set_h(uint i, float v) { hs[i / 4u][i % 4u] = v; }

void project(LayerDesc L) {
  uint e = gl_GlobalInvocationID.x, t = gl_WorkGroupID.y;  // the input of step t + 1
  if (e >= g.batch_pad * L.ld_out) return;  // no barrier in this phase
  uint b = e / L.ld_out, j = e % L.ld_out;
  float z = 0.0;
  if (b < g.batch && j < L.out_dim) {
    z = param(L.b_off + j) + param(L.bhh_off + j);
    uint xb = L.x_in_off + b * L.ld_in + t * L.seq_in, wb = L.w_off + j * L.ld_seq_in;
    for (uint f = 0u; f < L.seq_in; ++f) z += x_in[xb + f] * param(wb + f);
  }
  set_h(L.seq_h_off + (t + 1u) * g.batch_pad * L.ld_out + e, z);
  if (t == 0u) set_h(L.seq_h_off + e, 0.0);
}

// Four samples (kSamples) x four units per invocation: each W_hh texel feeds four samples.
const uint kSamples = 4u;

void step(LayerDesc L, uint t) {
  uint lid = gl_LocalInvocationID.x, b0 = gl_WorkGroupID.y * kSamples, quads = L.ld_out / 4u;
  uint q = gl_WorkGroupID.x * GT_WG_SIZE + lid;  // units 4q .. 4q + 3
  bool inside = q < quads;
  uint prev = L.seq_h_off / 4u + ((t - 1u) * g.batch_pad + b0) * quads;
  // W_hh row r at texel whh_off / 4 + r quads: rows 4q + c here.
  uint w = L.whh_off / 4u + 4u * q * quads;
  vec4 acc[kSamples][4];
  for (uint s = 0u; s < kSamples; ++s)
    for (uint c = 0u; c < 4u; ++c) acc[s][c] = vec4(0.0);
  // Padding samples read h_{t-1} = 0 (written so by the step before; h_0 = 0).
  for (uint k4 = 0u; inside && k4 < quads; ++k4) {
    vec4 wv[4];
    [[unroll]] for (uint c = 0u; c < 4u; ++c) wv[c] = imageLoad(params_tex, int(w + c * quads + k4));
    [[unroll]] for (uint s = 0u; s < kSamples; ++s) {
      vec4 hv = imageLoad(hs_tex, int(prev + s * quads + k4));
      [[unroll]] for (uint c = 0u; c < 4u; ++c) acc[s][c] += hv * wv[c];
    }
  }
  vec4 st = vec4(0.0);  // the statistics of X_out at t = steps
  for (uint s = 0u; s < kSamples; ++s) {
    uint b = b0 + s;
    bool row = b < g.batch;
    uint at = L.seq_h_off / 4u + (t * g.batch_pad + b) * quads + q;
    vec4 z = vec4(0.0), h = vec4(0.0);
    if (inside && row) {
      vec4 p = hs[at];
      for (uint c = 0u; c < 4u; ++c) {
        z[c] = p[c] + ((acc[s][c].x + acc[s][c].y) + (acc[s][c].z + acc[s][c].w));
        h[c] = 4u * q + c < L.out_dim ? act_apply(L.act, z[c]) : 0.0;
      }
    }
    if (inside) hs[at] = h;
    if (t != L.steps || !inside) continue;
    x_out[L.x_out_off / 4u + b * quads + q] = h;
    for (uint c = 0u; c < 4u; ++c)
      if (row && 4u * q + c < L.out_dim)
        st = act_merge(st, vec4(uintBitsToFloat(1u), h[c], 0.0, uintBitsToFloat(act_saturated(L.act, z[c], h[c]) ? 1u : 0u)));
  }
  if (t != L.steps) return;  // uniform: the push constant
  // Per workgroup, merged in a fixed order.
  red[lid] = st;
  barrier();
  for (uint s = GT_WG_SIZE / 2u; s > 0u; s >>= 1u) {
    if (lid < s) red[lid] = act_merge(red[lid], red[lid + s]);
    barrier();
  }
  if (lid == 0u) partials[L.act_partial_off + gl_WorkGroupID.y * gl_NumWorkGroups.x + gl_WorkGroupID.x] = red[0];
}

void main() {
  LayerDesc L = this_layer;
  if (pc.phase == 0u)
    project(L);
  else
    step(L, pc.layer_begin);
}
