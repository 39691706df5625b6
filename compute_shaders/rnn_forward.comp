#version 450
// rnn forward (ops/rnn.hpp, the CPU reference there), unrolled over the layer's steps:
//   phase 0, workgroups (batch_pad x ld_out / 64, steps): every step's input projection
//     P_t = x_t W_ih^T + b_ih + b_hh into the slot of h_t (NHAT, LayerDesc::seq_h_off), and
//     h_0 = 0;
//   phase 1, step t = pc.layer_begin (1..steps): h_t = act(P_t + h_{t-1} W_hh^T) in place; at
//     t = steps also X_out = h_steps and the activation statistics of X_out (as forward.comp's).
// One invocation per (sample, unit) of [batch_pad][ld_out]; padding written as exactly zero.
#include "common.glsl"
#include "this_layer.glsl"
#include "activation.glsl"
#include "act_stats.glsl"

layout(set = 0, binding = GT_BIND_PARAMS, std430) readonly buffer ParamBuf { vec4 params[]; };
layout(set = 0, binding = GT_BIND_X_IN, std430) readonly buffer XIn { float x_in[]; };
layout(set = 0, binding = GT_BIND_X_OUT, std430) writeonly buffer XOut { float x_out[]; };
layout(set = 0, binding = GT_BIND_NHAT, std430) buffer HBuf { vec4 hs[]; };
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

void step(LayerDesc L, uint t) {
  uint e = gl_GlobalInvocationID.x;
  bool inside = e < g.batch_pad * L.ld_out;
  uint b = e / L.ld_out, j = e % L.ld_out;
  bool real = inside && b < g.batch && j < L.out_dim;
  uint at = L.seq_h_off + t * g.batch_pad * L.ld_out + e;
  float z = 0.0, h = 0.0;
  if (real) {
    // The padding of h_{t-1} and of W_hh's rows is exactly zero.
    uint prev = (L.seq_h_off + ((t - 1u) * g.batch_pad + b) * L.ld_out) / 4u;
    uint w = (L.whh_off + j * L.ld_out) / 4u;
    vec4 acc = vec4(0.0);
    for (uint k = 0u; k < L.ld_out / 4u; ++k) acc += hs[prev + k] * params[w + k];
    z = h_at(at) + ((acc.x + acc.y) + (acc.z + acc.w));
    h = act_apply(L.act, z);
  }
  if (inside) set_h(at, h);
  if (t != L.steps) return;  // uniform: the push constant
  if (inside) x_out[L.x_out_off + e] = h;
  // The statistics of X_out = h_steps, per workgroup, merged in a fixed order.
  red[gl_LocalInvocationID.x] =
      real ? vec4(uintBitsToFloat(1u), h, 0.0, uintBitsToFloat(act_saturated(L.act, z, h) ? 1u : 0u))
           : vec4(0.0);
  barrier();
  for (uint s = GT_WG_SIZE / 2u; s > 0u; s >>= 1u) {
    if (gl_LocalInvocationID.x < s)
      red[gl_LocalInvocationID.x] = act_merge(red[gl_LocalInvocationID.x], red[gl_LocalInvocationID.x + s]);
    barrier();
  }
  if (gl_LocalInvocationID.x == 0u) partials[L.act_partial_off + gl_WorkGroupID.x] = red[0];
}

void main() {
  LayerDesc L = this_layer;
  if (pc.phase == 0u)
    project(L);
  else
    step(L, pc.layer_begin);
}
