#version 450
// layer_norm run after a fused residual add (post-norm), backward. G = dL/dY of its output, which
// the next layer's dX left at LayerDesc::post_delta_off (with the carry added where Y starts a
// skip). Two phases (push constant phase):
//   0, one workgroup:  dgamma[n] = sum_b G N, dbeta[n] = sum_b G over the real batch, in a fixed
//                      order; their (scale, ssq) for the global gradient norm (post_partial_off)
//   1, per sample:     dN = G gamma;  dX' = rstd (dN - mean(dN) - N mean(dN N)) over the real
//                      neurons; + the carry where a skip starts at X' before the norm (pre-norm:
//                      GT_FLAG_SKIP_BEFORE_POST, the next layer's dX leaves it alone); the carry =
//                      dX' where X' ends a fused skip (GT_FLAG_SKIP_ADD), then G := dX' act'(Z)
//                      in place, this layer's dL/dZ
// Phase 1 overwrites what phase 0 reads: the step puts a barrier between them.
#include "common.glsl"
#include "activation.glsl"
#include "norms.glsl"
#include "this_layer.glsl"

layout(set = 0, binding = GT_BIND_PARAMS, std430) readonly buffer ParamBuf { float params[]; };
layout(set = 0, binding = GT_BIND_GRADS, std430) writeonly buffer GradBuf { float grads[]; };
layout(set = 0, binding = GT_BIND_Z_OUT, std430) readonly buffer ZBuf { float z_out[]; };
layout(set = 0, binding = GT_BIND_NHAT, std430) readonly buffer NhatBuf { float nhat[]; };
layout(set = 0, binding = GT_BIND_NORM_STATS, std430) readonly buffer NormBuf { float rstd_in[]; };
layout(set = 0, binding = GT_BIND_DELTA, std430) buffer DeltaBuf { float delta[]; };
layout(set = 0, binding = GT_BIND_PARTIALS, std430) writeonly buffer PartialBuf { vec4 partials[]; };
layout(set = 0, binding = GT_BIND_SKIP, std430) buffer CarryBuf { float carry[]; };

shared vec2 red[GT_WG_SIZE];

void param_grads(LayerDesc L) {
  uint tid = gl_LocalInvocationID.x;
  vec2 ssq = vec2(0.0);
  for (uint n = tid; n < L.out_dim; n += GT_WG_SIZE) {
    float dg = 0.0, db = 0.0;
    for (uint b = 0u; b < g.batch; ++b) {
      uint e = b * L.ld_out + n;
      float gy = delta[L.post_delta_off + e];
      dg += gy * nhat[L.post_nhat_off + e];
      db += gy;
    }
    grads[L.post_param_off + n] = dg;
    grads[L.post_param_off + L.out_dim + n] = db;
    ssq = ssq_add(ssq_add(ssq, dg), db);
  }
  // The block's padding up to whole vec4s has zero gradient.
  uint used = 2u * L.out_dim, padded = (used + 3u) / 4u * 4u;
  if (tid < padded - used) grads[L.post_param_off + used + tid] = 0.0;
  red[tid] = ssq;
  barrier();
  for (uint s = GT_WG_SIZE / 2u; s > 0u; s >>= 1u) {
    if (tid < s) red[tid] = ssq_merge(red[tid], red[tid + s]);
    barrier();
  }
  if (tid == 0u) partials[L.post_partial_off] = vec4(red[0], 0.0, 0.0);
}

void to_layer(LayerDesc L) {
  uint b = gl_GlobalInvocationID.x;
  if (b >= g.batch_pad) return;
  uint row = b * L.ld_out;
  if (b < g.batch) {
    float rstd = rstd_in[L.post_stat_off + b];
    float m1 = 0.0, m2 = 0.0;
    for (uint n = 0u; n < L.out_dim; ++n) {
      float dn = delta[L.post_delta_off + row + n] * params[L.post_param_off + n];
      m1 += dn;
      m2 += dn * nhat[L.post_nhat_off + row + n];
    }
    m1 /= float(L.out_dim);
    m2 /= float(L.out_dim);
    for (uint n = 0u; n < L.out_dim; ++n) {
      uint e = row + n;
      float dn = delta[L.post_delta_off + e] * params[L.post_param_off + n];
      float dx = rstd * (dn - m1 - nhat[L.post_nhat_off + e] * m2);
      // Pre-norm: the skip from X' brings its gradient back here (the next layer's dX left it).
      bool before = (L.flags & GT_FLAG_SKIP_BEFORE_POST) != 0u;
      if (before && (L.flags & GT_FLAG_SKIP_WRITE) != 0u) dx += carry[L.skip_start_off + e];
      if ((L.flags & GT_FLAG_SKIP_ADD) != 0u) carry[L.skip_end_off + e] = dx;
      delta[L.post_delta_off + e] = dx * act_grad(L.act, z_out[L.x_out_off + e]);
    }
  }
  for (uint n = b < g.batch ? L.out_dim : 0u; n < L.ld_out; ++n) delta[L.post_delta_off + row + n] = 0.0;
}

void main() {
  LayerDesc L = this_layer;
  if (pc.phase == 0u)
    param_grads(L);
  else
    to_layer(L);
}
