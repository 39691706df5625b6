#version 450
// layer_norm run after a fused residual add (post-norm, LN(x + f(x)); ops/norm.cpp has its
// reference), forward, in place over the layer's output X' = skip + act(Z): one invocation per
// sample, over the layer's real neurons (as nn.LayerNorm, biased variance, eps 1e-5):
//   rstd = 1 / sqrt(var(X') + 1e-5);  N = (X' - mean) rstd;  X' := gamma N + beta
// gamma, beta: the layer's post parameters (LayerDesc::post_param_off: gamma [out], beta [out]).
// N goes to NHAT (its own tensor, post_nhat_off) and rstd to NORM_STATS (post_stat_off) for the
// backward; where X' starts a fused skip from the norm's output (post-norm) its skip tensor is
// rewritten with the normalized value; from before the norm (pre-norm, GT_FLAG_SKIP_BEFORE_POST)
// it keeps what the layer's epilogue wrote. Padding stays exactly zero.
#include "common.glsl"
#include "this_layer.glsl"

layout(set = 0, binding = GT_BIND_PARAMS, std430) readonly buffer ParamBuf { float params[]; };
layout(set = 0, binding = GT_BIND_X_OUT, std430) buffer XOut { float x_out[]; };
layout(set = 0, binding = GT_BIND_NHAT, std430) writeonly buffer NhatBuf { float nhat[]; };
layout(set = 0, binding = GT_BIND_NORM_STATS, std430) writeonly buffer NormBuf { float rstd_out[]; };
layout(set = 0, binding = GT_BIND_SKIP, std430) writeonly buffer SkipBuf { float skip[]; };

void main() {
  LayerDesc L = this_layer;
  uint b = gl_GlobalInvocationID.x;
  if (b >= g.batch_pad) return;
  uint row = b * L.ld_out;  // relative to the layer's output
  float rstd = 0.0;
  if (b < g.batch) {
    float sum = 0.0;
    for (uint n = 0u; n < L.out_dim; ++n) sum += x_out[L.x_out_off + row + n];
    float mean = sum / float(L.out_dim);
    float var = 0.0;
    for (uint n = 0u; n < L.out_dim; ++n) {
      float d = x_out[L.x_out_off + row + n] - mean;
      var += d * d;
    }
    rstd = 1.0 / sqrt(var / float(L.out_dim) + 1e-5);
    for (uint n = 0u; n < L.out_dim; ++n) {
      float nh = (x_out[L.x_out_off + row + n] - mean) * rstd;
      float y = params[L.post_param_off + n] * nh + params[L.post_param_off + L.out_dim + n];
      nhat[L.post_nhat_off + row + n] = nh;
      x_out[L.x_out_off + row + n] = y;
      // The skip X' starts has X's shape: the same index within it.
      if ((L.flags & (GT_FLAG_SKIP_WRITE | GT_FLAG_SKIP_BEFORE_POST)) == GT_FLAG_SKIP_WRITE)
        skip[L.skip_start_off + row + n] = y;
    }
  }
  for (uint n = b < g.batch ? L.out_dim : 0u; n < L.ld_out; ++n) {
    nhat[L.post_nhat_off + row + n] = 0.0;
    x_out[L.x_out_off + row + n] = 0.0;
  }
  rstd_out[L.post_stat_off + b] = rstd;
}
