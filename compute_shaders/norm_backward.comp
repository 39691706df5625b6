#version 450
// Backward pass through one layer's normalization, between the next layer's dX (which wrote
// dY = dL/dY at dy_off) and this layer's own backward pass (which reads dZ at d_off):
//   dgamma[n] = sum_b dY NHAT, dbeta[n] = sum_b dY    (column workgroups, one neuron each)
//   dN = dY gamma; over each group of size M (a neuron's batch, or a sample's neurons):
//   dZ = rstd / M (M dN - sum dN - NHAT sum(dN NHAT))
// Column workgroups come first; with batch norm they also write dZ of their column, with layer
// norm row workgroups (one sample each) follow and write dZ of their row. Each column workgroup
// leaves (scale, ssq) of its dgamma and dbeta in PARTIALS for the global gradient norm
// (gradnorm.comp). Padding stays exactly zero.
#include "common.glsl"
#include "norms.glsl"
#include "this_layer.glsl"

layout(set = 0, binding = GT_BIND_PARAMS, std430) readonly buffer ParamBuf { float params[]; };
layout(set = 0, binding = GT_BIND_GRADS, std430) writeonly buffer GradBuf { float grads[]; };
layout(set = 0, binding = GT_BIND_DELTA, std430) buffer DeltaBuf { float delta[]; };
layout(set = 0, binding = GT_BIND_NHAT, std430) readonly buffer NhatBuf { float nhat[]; };
layout(set = 0, binding = GT_BIND_NORM_STATS, std430) readonly buffer NormBuf { float rstd_in[]; };
layout(set = 0, binding = GT_BIND_PARTIALS, std430) writeonly buffer PartialBuf { vec4 partials[]; };

shared vec4 red[GT_WG_SIZE];

// dZ of one group: elements first + m * stride for m < members, rstd of the group.
void group_dz(LayerDesc L, uint first, uint stride, uint members, bool per_neuron, uint id,
              float rstd) {
  float sum = 0.0, sum_n = 0.0;
  for (uint m = 0u; m < members; ++m) {
    uint e = first + m * stride;
    float dn = delta[L.dy_off + e] * params[L.g_off + (per_neuron ? id : m)];
    sum += dn;
    sum_n += dn * nhat[L.nhat_off + e];
  }
  float size = float(members);
  for (uint m = 0u; m < members; ++m) {
    uint e = first + m * stride;
    float dn = delta[L.dy_off + e] * params[L.g_off + (per_neuron ? id : m)];
    delta[L.d_off + e] = rstd / size * (size * dn - sum - nhat[L.nhat_off + e] * sum_n);
  }
}

void main() {
  LayerDesc L = this_layer;
  bool per_neuron = (L.flags & GT_FLAG_NORM_BATCH) != 0u;
  uint col_groups = (L.ld_out + GT_WG_SIZE - 1u) / GT_WG_SIZE;
  uint tid = gl_LocalInvocationID.x;
  if (gl_WorkGroupID.x >= col_groups) {
    // Layer norm: one sample per invocation.
    uint b = (gl_WorkGroupID.x - col_groups) * GT_WG_SIZE + tid;
    if (b >= g.batch_pad) return;
    if (b < g.batch) group_dz(L, b * L.ld_out, 1u, L.out_dim, false, b, rstd_in[L.stat_off + b]);
    for (uint n = b < g.batch ? L.out_dim : 0u; n < L.ld_out; ++n) delta[L.d_off + b * L.ld_out + n] = 0.0;
    return;
  }
  uint n = gl_WorkGroupID.x * GT_WG_SIZE + tid;
  vec4 st = vec4(0.0);
  if (n < L.out_dim) {
    float dg = 0.0, dbe = 0.0;
    for (uint b = 0u; b < g.batch; ++b) {
      uint e = b * L.ld_out + n;
      float dy = delta[L.dy_off + e];
      dg += dy * nhat[L.nhat_off + e];
      dbe += dy;
    }
    grads[L.g_off + n] = dg;
    grads[L.be_off + n] = dbe;
    st = vec4(ssq_add(vec2(0.0), dg), ssq_add(vec2(0.0), dbe));
    if (per_neuron) {
      group_dz(L, n, L.ld_out, g.batch, true, n, rstd_in[L.stat_off + n]);
      for (uint b = g.batch; b < g.batch_pad; ++b) delta[L.d_off + b * L.ld_out + n] = 0.0;
    }
  } else if (n < L.ld_out) {
    grads[L.g_off + n] = 0.0;
    grads[L.be_off + n] = 0.0;
    if (per_neuron)
      for (uint b = 0u; b < g.batch_pad; ++b) delta[L.d_off + b * L.ld_out + n] = 0.0;
  }
  red[tid] = st;
  barrier();
  for (uint s = GT_WG_SIZE / 2u; s > 0u; s >>= 1u) {
    if (tid < s) red[tid] = vec4(ssq_merge(red[tid].xy, red[tid + s].xy), ssq_merge(red[tid].zw, red[tid + s].zw));
    barrier();
  }
  if (tid == 0u && n - tid < L.out_dim) partials[L.norm_partial_off + gl_WorkGroupID.x] = red[0];
}
