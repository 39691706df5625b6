#version 450
// rezero after a weight layer (ops/rezero.cpp), forward, in place over the layer's output:
//   X_out = S + alpha * X_out,  S = X[post_source] (LayerDesc::post_src_off, bound as X_IN)
// and, where X_out starts a fused skip (GT_FLAG_SKIP_WRITE: the layer's epilogue wrote its skip
// tensor before this op changed X_out), that skip tensor again. One invocation per vec4 of
// [batch_pad][ld_out]; padding is written as exactly zero (a non-finite alpha must not turn it
// into NaN).
#include "common.glsl"
#include "this_layer.glsl"

layout(set = 0, binding = GT_BIND_PARAMS, std430) readonly buffer ParamBuf { float params[]; };
layout(set = 0, binding = GT_BIND_X_IN, std430) readonly buffer SrcBuf { vec4 x_src[]; };
layout(set = 0, binding = GT_BIND_X_OUT, std430) buffer XOut { vec4 x_out[]; };
layout(set = 0, binding = GT_BIND_SKIP, std430) writeonly buffer SkipBuf { vec4 skip[]; };

void main() {
  LayerDesc L = this_layer;
  uint v = gl_GlobalInvocationID.x;  // vec4 of the activation
  uint per_row = L.ld_out / 4u;
  if (v >= g.batch_pad * per_row) return;
  uint b = v / per_row, n0 = (v % per_row) * 4u;
  float alpha = params[L.post_param_off];
  vec4 y = x_src[L.post_src_off / 4u + v] + alpha * x_out[L.x_out_off / 4u + v];
  for (uint c = 0u; c < 4u; ++c)
    if (b >= g.batch || n0 + c >= L.out_dim) y[c] = 0.0;
  x_out[L.x_out_off / 4u + v] = y;
  // The skip X_out starts has X_out's shape: the same index within it.
  if ((L.flags & GT_FLAG_SKIP_WRITE) != 0u) skip[L.skip_start_off / 4u + v] = y;
}
