#version 450
// Per-layer statistics of the step, one workgroup per layer: combines the partial sums left by
// backward.comp and update.comp (in a fixed order: bit-reproducible), writes the current
// LayerStats and the same figures into the ring slot of this step.
#include "common.glsl"

layout(set = 0, binding = GT_BIND_PARTIALS, std430) readonly buffer PartialBuf { vec4 partials[]; };
layout(set = 0, binding = GT_BIND_HEADER, std430) buffer HeaderBuf {
  StatsHeader header;
  StepRecord ring_steps[];
};
layout(set = 0, binding = GT_BIND_LAYER_STATS, std430) writeonly buffer StatsBuf { LayerStats stats[]; };

shared vec4 red_dw[GT_WG_SIZE];
shared vec4 red_rest[GT_WG_SIZE];

void main() {
  uint layer = gl_WorkGroupID.y * gl_NumWorkGroups.x + gl_WorkGroupID.x;
  if (layer >= g.num_layers) return;  // uniform across the workgroup
  LayerDesc L = layers[layer];
  uint tid = gl_LocalInvocationID.x;
  // dW: (sum sq, sum abs, max abs, non-finite); rest: (sum delta^2, sum db^2, sum dW_upd^2, sum W^2)
  vec4 dw = vec4(0.0);
  for (uint i = tid; i < L.dw_tiles; i += GT_WG_SIZE) {
    vec4 p = partials[L.dw_partial_off + i];
    dw = vec4(dw.x + p.x, dw.y + p.y, max(dw.z, p.z), dw.w + p.w);
  }
  vec4 rest = vec4(0.0);
  for (uint i = tid; i < L.col_groups; i += GT_WG_SIZE) rest.xy += partials[L.col_partial_off + i].xy;
  for (uint i = tid; i < L.upd_chunks; i += GT_WG_SIZE) rest.zw += partials[L.upd_partial_off + i].xy;
  red_dw[tid] = dw;
  red_rest[tid] = rest;
  barrier();
  for (uint s = GT_WG_SIZE / 2u; s > 0u; s >>= 1u) {
    if (tid < s) {
      vec4 a = red_dw[tid], b = red_dw[tid + s];
      red_dw[tid] = vec4(a.x + b.x, a.y + b.y, max(a.z, b.z), a.w + b.w);
      red_rest[tid] += red_rest[tid + s];
    }
    barrier();
  }
  if (tid != 0u) return;
  dw = red_dw[0];
  rest = red_rest[0];
  LayerStats s;
  s.grad_w_norm = sqrt(dw.x);
  s.grad_w_mean_abs = dw.y / float(L.in_dim * L.out_dim);
  s.grad_w_max_abs = dw.z;
  s.grad_b_norm = sqrt(rest.y);
  s.delta_rms = sqrt(rest.x / float(g.batch * L.out_dim));
  s.weight_norm = sqrt(rest.w);
  s.update_ratio = sqrt(rest.z) / s.weight_norm;
  s.nonfinite = uint(dw.w);
  uint slot = header.step % g.ring_len;
  stats[layer] = s;
  stats[g.num_layers + slot * g.num_layers + layer] = s;
  if (layer == 0u) {
    StepRecord r;
    r.step = header.step;
    r.loss = header.loss;
    r.valid = 1u;
    r.pad0 = 0u;
    ring_steps[slot] = r;
  }
}
