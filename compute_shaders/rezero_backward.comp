#version 450
// rezero after a weight layer (ops/rezero.cpp), backward. G = dL/d its output, which the next
// layer's dX left at LayerDesc::post_delta_off; A = act(Z), the branch's output (Z as the
// forward left it: the pre-activation, or Y of a norm layer). Two phases (push constant phase):
//   0, one workgroup:  dalpha = sum G A over the real batch and neurons, in a fixed order; its
//                      (scale, ssq) for the global gradient norm (PARTIALS, post_partial_off)
//   1, elementwise:    carry = G (dL/dS, added by the dX of the layer that reads S, when S is a
//                      hidden X: GT_FLAG_POST_CARRY); G := alpha G act'(Z) in place, this
//                      layer's dL/dZ (dL/dY of a norm layer)
// Phase 1 overwrites what phase 0 reads: the step puts a barrier between them.
#include "common.glsl"
#include "activation.glsl"
#include "norms.glsl"
#include "this_layer.glsl"

layout(set = 0, binding = GT_BIND_PARAMS, std430) readonly buffer ParamBuf { float params[]; };
layout(set = 0, binding = GT_BIND_GRADS, std430) writeonly buffer GradBuf { float grads[]; };
layout(set = 0, binding = GT_BIND_Z_OUT, std430) readonly buffer ZBuf { vec4 z_out[]; };
layout(set = 0, binding = GT_BIND_DELTA, std430) buffer DeltaBuf { vec4 delta[]; };
layout(set = 0, binding = GT_BIND_PARTIALS, std430) writeonly buffer PartialBuf { vec4 partials[]; };
layout(set = 0, binding = GT_BIND_SKIP, std430) writeonly buffer CarryBuf { vec4 carry[]; };

shared float red[GT_WG_SIZE];

// The real entries of vec4 v of [batch_pad][ld_out].
bvec4 real_of(LayerDesc L, uint v) {
  uint per_row = L.ld_out / 4u;
  uint b = v / per_row, n0 = (v % per_row) * 4u;
  return lessThan(uvec4(n0) + uvec4(0u, 1u, 2u, 3u), uvec4(b < g.batch ? L.out_dim : 0u));
}

void alpha_grad(LayerDesc L) {
  uint tid = gl_LocalInvocationID.x;
  uint count = g.batch_pad * (L.ld_out / 4u);
  float s = 0.0;
  for (uint v = tid; v < count; v += GT_WG_SIZE) {
    vec4 p = delta[L.post_delta_off / 4u + v] * act_apply4(L.act, z_out[L.x_out_off / 4u + v]);
    s += dot(mix(vec4(0.0), p, real_of(L, v)), vec4(1.0));
  }
  red[tid] = s;
  barrier();
  for (uint k = GT_WG_SIZE / 2u; k > 0u; k >>= 1u) {
    if (tid < k) red[tid] += red[tid + k];
    barrier();
  }
  if (tid != 0u) return;
  grads[L.post_param_off] = red[0];
  for (uint c = 1u; c < 4u; ++c) grads[L.post_param_off + c] = 0.0;  // padding
  partials[L.post_partial_off] = vec4(ssq_add(vec2(0.0), red[0]), 0.0, 0.0);
}

void to_layer(LayerDesc L) {
  uint v = gl_GlobalInvocationID.x;
  if (v >= g.batch_pad * (L.ld_out / 4u)) return;
  vec4 gy = delta[L.post_delta_off / 4u + v];
  if ((L.flags & GT_FLAG_POST_CARRY) != 0u) carry[L.skip_end_off / 4u + v] = gy;
  float alpha = params[L.post_param_off];
  vec4 d = alpha * gy * act_grad4(L.act, z_out[L.x_out_off / 4u + v]);
  delta[L.post_delta_off / 4u + v] = mix(vec4(0.0), d, real_of(L, v));
}

void main() {
  LayerDesc L = this_layer;
  if (pc.phase == 0u)
    alpha_grad(L);
  else
    to_layer(L);
}
