#version 450
// The global norm of all gradients of the step (every layer's dW and db, dgamma and dbeta of
// normalized layers, and the parameters of standalone ops such as rezero's alpha), from the
// partial sums backward.comp, norm_backward.comp and those ops' kernels left, and the factor
// clip_norm applies to every gradient before the update:
// clip_norm / (norm + 1e-6) when the norm exceeds clip_norm (as torch.nn.utils.clip_grad_norm_;
// a non-finite norm gives a non-finite factor, so the update shows it), else 1. One workgroup,
// a fixed order of merges: bit-reproducible.
#include "common.glsl"
#include "norms.glsl"

layout(set = 0, binding = GT_BIND_PARTIALS, std430) readonly buffer PartialBuf { vec4 partials[]; };
layout(set = 0, binding = GT_BIND_HEADER, std430) buffer HeaderBuf { StatsHeader header; };

shared vec2 red_ssq[GT_WG_SIZE];
shared uint red_nonfinite[GT_WG_SIZE];
shared float red_sum_abs[GT_WG_SIZE];

void main() {
  uint tid = gl_LocalInvocationID.x;
  vec2 ssq = vec2(0.0);
  uint nonfinite = 0u;
  float sum_abs = 0.0;  // NaN when a dW entry is NaN (as finalize.comp decides NaN vs inf)
  for (uint layer = tid; layer < g.num_layers; layer += GT_WG_SIZE) {
    LayerDesc L = layers[layer];
    // dW partials: (scale, ssq, sum |v|, non-finite count); columns: (delta pair, db pair).
    for (uint i = 0u; i < L.dw_tiles; ++i) {
      vec4 p = partials[L.dw_partial_off + i];
      ssq = ssq_merge(ssq, p.xy);
      sum_abs += p.z;
      nonfinite += floatBitsToUint(p.w);
    }
    for (uint i = 0u; i < L.col_groups; ++i) ssq = ssq_merge(ssq, partials[L.col_partial_off + i].zw);
    // A normalized layer's dgamma and dbeta (norm_backward.comp), per 64 neurons.
    if ((L.flags & (GT_FLAG_NORM_BATCH | GT_FLAG_NORM_LAYER)) != 0u) {
      for (uint i = 0u; i < (L.out_dim + GT_WG_SIZE - 1u) / GT_WG_SIZE; ++i) {
        vec4 p = partials[L.norm_partial_off + i];
        ssq = ssq_merge(ssq_merge(ssq, p.xy), p.zw);
      }
    }
    // The standalone op after the layer (LayerDesc::post_*): one (scale, ssq) for its parameters.
    if ((L.flags & GT_FLAG_POST) != 0u) ssq = ssq_merge(ssq, partials[L.post_partial_off].xy);
  }
  red_ssq[tid] = ssq;
  red_nonfinite[tid] = nonfinite;
  red_sum_abs[tid] = sum_abs;
  barrier();
  for (uint s = GT_WG_SIZE / 2u; s > 0u; s >>= 1u) {
    if (tid < s) {
      red_ssq[tid] = ssq_merge(red_ssq[tid], red_ssq[tid + s]);
      red_nonfinite[tid] += red_nonfinite[tid + s];
      red_sum_abs[tid] += red_sum_abs[tid + s];
    }
    barrier();
  }
  if (tid != 0u) return;
  float norm = ssq_norm(red_ssq[0]);
  if (red_nonfinite[0] != 0u)
    norm = isnan(red_sum_abs[0]) ? uintBitsToFloat(0x7fc00000u) : uintBitsToFloat(0x7f800000u);
  header.grad_norm = norm;
  bool clip = g.clip_norm > 0.0 && !(norm <= g.clip_norm);
  header.grad_scale = clip ? g.clip_norm / (norm + 1e-6) : 1.0;
}
