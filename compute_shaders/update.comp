#version 450
// Optimizer step over the layers of one parameter segment: workgroup (chunk, layer) updates
// GT_UPDATE_CHUNK parameters of that layer (weights then biases; padding has zero gradient and
// stays zero) and leaves (scale, ssq) sums for ||W_new - W_old|| and ||W_old|| (weights only)
// in PARTIALS.
//   sgd:      W -= lr g
//   momentum: m = mu m + g;  W -= lr m
//   adam:     m = b1 m + (1-b1) g;  v = b2 v + (1-b2) g^2;  W -= lr mhat / (sqrt(vhat) + eps)
#include "common.glsl"
#include "norms.glsl"

layout(set = 0, binding = GT_BIND_PARAMS, std430) buffer ParamBuf { vec4 params[]; };
layout(set = 0, binding = GT_BIND_GRADS, std430) readonly buffer GradBuf { vec4 grads[]; };
layout(set = 0, binding = GT_BIND_OPT_M, std430) buffer MBuf { vec4 opt_m[]; };
layout(set = 0, binding = GT_BIND_OPT_V, std430) buffer VBuf { vec4 opt_v[]; };
layout(set = 0, binding = GT_BIND_PARTIALS, std430) writeonly buffer PartialBuf { vec4 partials[]; };
layout(set = 0, binding = GT_BIND_HEADER, std430) readonly buffer HeaderBuf { StatsHeader header; };

shared vec4 red[GT_WG_SIZE];

// 1 - exp(x) for x <= 0 without cancellation near 0 (GLSL has no expm1): a series for small |x|.
float one_minus_exp(float x) {
  if (abs(x) < 0.1) return -x * (1.0 + x * (0.5 + x * (1.0 / 6.0 + x * (1.0 / 24.0 + x * (1.0 / 120.0 + x / 720.0)))));
  return 1.0 - exp(x);
}

void main() {
  uint layer = pc.layer_begin + gl_WorkGroupID.y;
  LayerDesc L = layers[layer];
  uint chunk = gl_WorkGroupID.x;
  if (chunk >= L.upd_chunks) return;  // uniform across the workgroup
  uint total4 = (L.ld_out * L.ld_in + L.ld_out) / 4u;
  uint weights4 = (L.ld_out * L.ld_in) / 4u;
  uint base4 = L.w_off / 4u;
  // Adam's bias corrections 1 - beta^t, t counted from the last reset of the optimizer state.
  float t = float(header.step - header.opt_step0 + 1u);
  float c1 = one_minus_exp(t * g.log_beta1);
  float c2 = one_minus_exp(t * g.log_beta2);
  // Weight entries of this invocation: the update and the old value, zero elsewhere.
  vec4 dv[GT_UPDATE_VECS_PER_INVOCATION];
  vec4 wv[GT_UPDATE_VECS_PER_INVOCATION];
  for (uint r = 0u; r < GT_UPDATE_VECS_PER_INVOCATION; ++r) {
    dv[r] = vec4(0.0);
    wv[r] = vec4(0.0);
    uint i = chunk * (GT_UPDATE_CHUNK / 4u) + r * GT_WG_SIZE + gl_LocalInvocationID.x;
    if (i >= total4) continue;
    uint at = base4 + i;
    vec4 w = params[at];
    vec4 gr = grads[at] * header.grad_scale;  // clip_norm's factor (1 when off)
    if (g.clip_value > 0.0) {
      // clamp() of NaN is undefined in GLSL: NaN stays NaN, as in PyTorch.
      bvec4 nan = isnan(gr);
      vec4 c = clamp(gr, -g.clip_value, g.clip_value);
      gr = vec4(nan.x ? gr.x : c.x, nan.y ? gr.y : c.y, nan.z ? gr.z : c.z, nan.w ? gr.w : c.w);
    }
    vec4 step;
    if (g.optimizer == GT_OPT_SGD) {
      step = g.lr * gr;
    } else if (g.optimizer == GT_OPT_MOMENTUM) {
      vec4 m = g.momentum * opt_m[at] + gr;
      opt_m[at] = m;
      step = g.lr * m;
    } else {
      vec4 m = g.beta1 * opt_m[at] + (1.0 - g.beta1) * gr;
      vec4 v = g.beta2 * opt_v[at] + (1.0 - g.beta2) * gr * gr;
      opt_m[at] = m;
      opt_v[at] = v;
      step = g.lr * (m / c1) / (sqrt(v / c2) + g.eps);
    }
    vec4 w_new = w - step;
    params[at] = w_new;
    if (i < weights4) {
      dv[r] = w_new - w;
      wv[r] = w;
    }
  }
  vec4 st = vec4(ssq_array(dv), ssq_array(wv));
  uint tid = gl_LocalInvocationID.x;
  red[tid] = st;
  barrier();
  for (uint s = GT_WG_SIZE / 2u; s > 0u; s >>= 1u) {
    if (tid < s) red[tid] = vec4(ssq_merge(red[tid].xy, red[tid + s].xy), ssq_merge(red[tid].zw, red[tid + s].zw));
    barrier();
  }
  if (tid == 0u) partials[L.upd_partial_off + chunk] = red[0];
}
