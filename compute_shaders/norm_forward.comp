#version 450
// Normalization of one layer's pre-activation, after its GEMM wrote Z (forward_main.glsl): one
// invocation per group, a neuron over the real batch (GT_FLAG_NORM_BATCH) or a sample over the
// layer's real neurons (GT_FLAG_NORM_LAYER), in training mode:
//   mean, var (biased) of Z over the group; rstd = 1 / sqrt(var + 1e-5); NHAT = (Z - mean) rstd
//   Y = gamma NHAT + beta, written over Z (the next layer's dX reads act'(Y) there)
//   X = act(Y) (+ skip at a residual block's end; skip = X at a block's start)
// and rstd per group (NORM_STATS) for the backward pass. Also the activation statistics of
// act(Y) per workgroup (count, mean, M2, saturated; act_stats.glsl), like the GEMM epilogue's.
// Padding stays exactly zero.
#include "common.glsl"
#include "activation.glsl"
#include "act_stats.glsl"
#include "this_layer.glsl"

layout(set = 0, binding = GT_BIND_PARAMS, std430) readonly buffer ParamBuf { float params[]; };
layout(set = 0, binding = GT_BIND_X_OUT, std430) writeonly buffer XOut { float x_out[]; };
layout(set = 0, binding = GT_BIND_Z_OUT, std430) buffer ZOut { float z_out[]; };
layout(set = 0, binding = GT_BIND_NHAT, std430) writeonly buffer NhatBuf { float nhat[]; };
layout(set = 0, binding = GT_BIND_NORM_STATS, std430) writeonly buffer NormBuf { float rstd_out[]; };
layout(set = 0, binding = GT_BIND_SKIP, std430) buffer SkipBuf { float skip[]; };
layout(set = 0, binding = GT_BIND_PARTIALS, std430) writeonly buffer PartialBuf { vec4 partials[]; };

shared vec4 red[GT_WG_SIZE];

void main() {
  LayerDesc L = this_layer;
  bool per_neuron = (L.flags & GT_FLAG_NORM_BATCH) != 0u;
  uint id = gl_WorkGroupID.x * GT_WG_SIZE + gl_LocalInvocationID.x;
  uint groups = per_neuron ? L.ld_out : g.batch_pad;                  // with padding
  bool real = per_neuron ? id < L.out_dim : id < g.batch;
  uint members = per_neuron ? g.batch : L.out_dim;                    // real members
  uint members_pad = per_neuron ? g.batch_pad : L.ld_out;
  // Element (group id, member m) of a [batch_pad][ld_out] array, relative to the layer's start.
  uint first = per_neuron ? id : id * L.ld_out;
  uint stride = per_neuron ? L.ld_out : 1u;
  vec4 st = vec4(0.0);  // (count, mean, M2, saturated) of act(Y), Welford
  if (id < groups) {
    uint count = 0u, saturated = 0u;
    float mean_a = 0.0, m2 = 0.0;
    float rstd = 0.0;
    if (real) {
      float sum = 0.0;
      for (uint m = 0u; m < members; ++m) sum += z_out[L.x_out_off + first + m * stride];
      float mean = sum / float(members);
      float var = 0.0;
      for (uint m = 0u; m < members; ++m) {
        float d = z_out[L.x_out_off + first + m * stride] - mean;
        var += d * d;
      }
      rstd = 1.0 / sqrt(var / float(members) + 1e-5);
      for (uint m = 0u; m < members; ++m) {
        uint e = first + m * stride;
        uint neuron = per_neuron ? id : m;
        float nh = (z_out[L.x_out_off + e] - mean) * rstd;
        float y = params[L.g_off + neuron] * nh + params[L.be_off + neuron];
        float a = act_apply(L.act, y);
        count += 1u;
        float delta = a - mean_a;
        mean_a += delta / float(count);
        m2 += delta * (a - mean_a);
        if (act_saturated(L.act, y, a)) saturated += 1u;
        // Each skip tensor has its source's shape, X's: the same index within it.
        float x = a;
        if ((L.flags & GT_FLAG_SKIP_ADD) != 0u) x += skip[L.skip_end_off + e];
        if ((L.flags & GT_FLAG_SKIP_WRITE) != 0u) skip[L.skip_start_off + e] = x;
        nhat[L.nhat_off + e] = nh;
        z_out[L.x_out_off + e] = y;
        x_out[L.x_out_off + e] = x;
      }
      st = vec4(uintBitsToFloat(count), mean_a, m2, uintBitsToFloat(saturated));
    }
    // Padding members of a real group, every member of a padding group: zero.
    for (uint m = real ? members : 0u; m < members_pad; ++m) {
      nhat[L.nhat_off + first + m * stride] = 0.0;
      uint e = L.x_out_off + first + m * stride;
      z_out[e] = 0.0;
      x_out[e] = 0.0;
    }
    rstd_out[L.stat_off + id] = rstd;
  }
  // Merged in a fixed tree order: bit-reproducible.
  uint tid = gl_LocalInvocationID.x;
  red[tid] = st;
  barrier();
  for (uint s = GT_WG_SIZE / 2u; s > 0u; s >>= 1u) {
    if (tid < s) red[tid] = act_merge(red[tid], red[tid + s]);
    barrier();
  }
  if (tid == 0u && gl_WorkGroupID.x < L.act_groups) partials[L.act_partial_off + gl_WorkGroupID.x] = red[0];
}
