#version 450
// Per-layer statistics of the step, one workgroup per layer: combines the partial sums left by
// the forward passes, backward.comp and update.comp (in a fixed order: bit-reproducible), writes
// the current LayerStats and the same figures into the ring slot of this step, and stamps the
// layer's pending |dW| histogram (update.comp) with the step and its range.
#include "common.glsl"
#include "norms.glsl"
#include "act_stats.glsl"

layout(set = 0, binding = GT_BIND_PARTIALS, std430) readonly buffer PartialBuf { vec4 partials[]; };
layout(set = 0, binding = GT_BIND_HEADER, std430) buffer HeaderBuf {
  StatsHeader header;
  StepRecord ring_steps[];
};
layout(set = 0, binding = GT_BIND_LAYER_STATS, std430) writeonly buffer StatsBuf { LayerStats stats[]; };
layout(set = 0, binding = GT_BIND_HIST, std430) buffer HistBuf { uint hist[]; };

shared vec4 red_dw[GT_WG_SIZE];
shared vec4 red_col[GT_WG_SIZE];
shared vec4 red_upd[GT_WG_SIZE];
shared vec4 red_act[GT_WG_SIZE];

// Partials (see backward.comp, update.comp): dW (scale, ssq, sum |v|, non-finite count);
// columns ((scale, ssq) of delta, of db); update ((scale, ssq) of W_new - W_old, of W_old).
vec4 merge_dw(vec4 a, vec4 b) {
  return vec4(ssq_merge(a.xy, b.xy), a.z + b.z, uintBitsToFloat(floatBitsToUint(a.w) + floatBitsToUint(b.w)));
}
vec4 merge_pairs(vec4 a, vec4 b) { return vec4(ssq_merge(a.xy, b.xy), ssq_merge(a.zw, b.zw)); }

void main() {
  uint layer = gl_WorkGroupID.y * gl_NumWorkGroups.x + gl_WorkGroupID.x;
  if (layer >= g.num_layers) return;  // uniform across the workgroup
  LayerDesc L = layers[layer];
  uint tid = gl_LocalInvocationID.x;
  vec4 dw = vec4(0.0), col = vec4(0.0), upd = vec4(0.0), act = vec4(0.0);
  for (uint i = tid; i < L.dw_tiles; i += GT_WG_SIZE) dw = merge_dw(dw, partials[L.dw_partial_off + i]);
  for (uint i = tid; i < L.col_groups; i += GT_WG_SIZE) col = merge_pairs(col, partials[L.col_partial_off + i]);
  for (uint i = tid; i < L.upd_chunks; i += GT_WG_SIZE) upd = merge_pairs(upd, partials[L.upd_partial_off + i]);
  for (uint i = tid; i < L.act_groups; i += GT_WG_SIZE) act = act_merge(act, partials[L.act_partial_off + i]);
  red_dw[tid] = dw;
  red_col[tid] = col;
  red_upd[tid] = upd;
  red_act[tid] = act;
  barrier();
  for (uint s = GT_WG_SIZE / 2u; s > 0u; s >>= 1u) {
    if (tid < s) {
      red_dw[tid] = merge_dw(red_dw[tid], red_dw[tid + s]);
      red_col[tid] = merge_pairs(red_col[tid], red_col[tid + s]);
      red_upd[tid] = merge_pairs(red_upd[tid], red_upd[tid + s]);
      red_act[tid] = act_merge(red_act[tid], red_act[tid + s]);
    }
    barrier();
  }
  if (tid != 0u) return;
  dw = red_dw[0];
  col = red_col[0];
  upd = red_upd[0];
  act = red_act[0];
  // Non-finite dW entries make the norm and the max NaN (when any entry is NaN, which makes the
  // sum of |dW| NaN) or +inf. Decided by their count: a sum of large finite entries may overflow.
  float sum_abs = dw.z;
  uint nonfinite = floatBitsToUint(dw.w);
  float worst_value = isnan(sum_abs) ? uintBitsToFloat(0x7fc00000u) : uintBitsToFloat(0x7f800000u);
  LayerStats s;
  s.grad_w_norm = nonfinite == 0u ? ssq_norm(dw.xy) : worst_value;
  s.grad_w_mean_abs = sum_abs / float(L.w_count);
  s.grad_w_max_abs = nonfinite == 0u ? dw.x : worst_value;
  s.grad_b_norm = ssq_norm(col.zw);
  // Over the batch, the neurons and (a recurrent layer) its time steps.
  s.delta_rms = ssq_norm(col.xy) / sqrt(float(g.batch * L.out_dim * L.steps));
  s.weight_norm = ssq_norm(upd.zw);
  // No update is a ratio of 0 even for zero weights; an update of zero weights is infinite.
  float upd_norm = ssq_norm(upd.xy);
  s.update_ratio = upd_norm == 0.0 ? 0.0 : upd_norm / s.weight_norm;
  s.nonfinite = nonfinite;
  // Population statistics over the batch and the layer's neurons.
  float count = float(floatBitsToUint(act.x));
  s.act_mean = act.y;
  s.act_std = sqrt(act.z / count);
  s.saturated = float(floatBitsToUint(act.w)) / count;
  s.pad0 = 0u;
  uint h = layer * GT_HIST_STRIDE;
  // update.comp counted the padding of W (exact zeros) as zeros.
  hist[h + GT_HIST_ZERO] -= L.w_floats - L.w_count;
  hist[h + GT_HIST_STEP] = header.step;
  hist[h + GT_HIST_LO] = floatBitsToUint(g.hist_lo);
  hist[h + GT_HIST_HI] = floatBitsToUint(g.hist_hi);
  uint slot = header.step % g.ring_len;
  stats[layer] = s;
  stats[g.num_layers + slot * g.num_layers + layer] = s;
  if (layer == 0u) {
    StepRecord r;
    r.step = header.step;
    r.loss = header.loss;
    r.valid = 1u;
    r.accuracy = header.accuracy;
    ring_steps[slot] = r;
  }
}
