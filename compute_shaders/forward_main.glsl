// Forward pass of one layer, GEMM + bias + activation fused (included after a gemm_*.glsl):
//   Z[b][n] = sum_k X[b][k] W[n][k] + bias[n],  X_out = act(Z)
// Residual blocks (LayerDesc::flags): at a block's end X_out = skip + act(Z); at a block's start
// skip = X_out (the same element, read then written by one invocation). A normalized layer
// writes Z only; norm_forward.comp makes X_out from it.
// Padding is written as zero. Each workgroup also leaves the statistics of act(Z) over the
// entries it wrote (padding excluded, before any skip is added) in PARTIALS; finalize.comp
// combines them into act_mean, act_std and the saturated fraction.
#include "act_stats.glsl"
#include "this_layer.glsl"

layout(set = 0, binding = GT_BIND_X_OUT, std430) writeonly buffer XOut { vec4 x_out[]; };
layout(set = 0, binding = GT_BIND_Z_OUT, std430) writeonly buffer ZOut { vec4 z_out[]; };
layout(set = 0, binding = GT_BIND_PARTIALS, std430) writeonly buffer PartialBuf { vec4 partials[]; };
layout(set = 0, binding = GT_BIND_SKIP, std430) buffer SkipBuf { vec4 skip[]; };

shared vec4 act_red[GT_WG_SIZE];

void main() {
  LayerDesc L = this_layer;
  uint m_w = gl_WorkGroupID.y * GT_WG_TILE, n_w = gl_WorkGroupID.x * GT_WG_TILE;
  vec4 acc[4];
  gemm_forward(L, m_w, n_w, acc);
  uint b0 = m_w + tile_ly() * GT_TILE, n0 = n_w + tile_lx() * GT_TILE;
  vec4 st = vec4(0.0);  // this invocation's (count, mean, M2, saturated), see act_stats.glsl
  // No early return: every invocation takes part in the reduction below.
  bool norm = (L.flags & (GT_FLAG_NORM_BATCH | GT_FLAG_NORM_LAYER)) != 0u;
  if (n0 < L.ld_out && b0 < g.batch_pad) {
    vec4 bias = layer_bias(L, n0);
    // Padding neurons and padding samples stay exactly zero (never act(bias)), so they cannot
    // turn into NaN through 0 * inf in the backward pass of an exploding network.
    bvec4 col_ok = lessThan(uvec4(n0) + uvec4(0u, 1u, 2u, 3u), uvec4(L.out_dim));
    uint ob = (L.x_out_off + b0 * L.ld_out + n0) / 4u;
    uint ov = L.ld_out / 4u;
    vec4 xs[4];
    bvec4 oks[4];
    uint count = 0u, saturated = 0u;
    float sum = 0.0;
    for (uint i = 0u; i < 4u; ++i) {
      bool row_ok = b0 + i < g.batch;
      vec4 z = acc[i] + bias;
      vec4 x = act_apply4(L.act, z);
      for (uint c = 0u; c < 4u; ++c) {
        if (!row_ok || !col_ok[c]) {
          z[c] = 0.0;
          x[c] = 0.0;
        } else {
          count += 1u;
          sum += x[c];
          if (act_saturated(L.act, z[c], x[c])) saturated += 1u;
        }
      }
      z_out[ob + i * ov] = z;
      xs[i] = x;
      if (!norm) {
        // Each skip tensor has its source's shape, X_out's: the same index within it.
        uint si = (b0 + i) * ov + n0 / 4u;
        if ((L.flags & GT_FLAG_SKIP_ADD) != 0u) x += skip[L.skip_end_off / 4u + si];
        if ((L.flags & GT_FLAG_SKIP_WRITE) != 0u) skip[L.skip_start_off / 4u + si] = x;
        x_out[ob + i * ov] = x;
      }
      oks[i] = bvec4(row_ok && col_ok.x, row_ok && col_ok.y, row_ok && col_ok.z, row_ok && col_ok.w);
    }
    if (count > 0u) {
      // Two passes over the registers: deviations from this block's own mean.
      float mean = sum / float(count);
      float m2 = 0.0;
      for (uint i = 0u; i < 4u; ++i) {
        vec4 d = mix(vec4(0.0), xs[i] - mean, oks[i]);
        m2 += dot(d, d);
      }
      st = vec4(uintBitsToFloat(count), mean, m2, uintBitsToFloat(saturated));
    }
  }
  // Merged in a fixed order (bit-reproducible): a tree, or where barriers are expensive (the
  // texel kernels, on lavapipe) one barrier and invocation 0 merging all in turn.
  uint tid = gl_LocalInvocationID.x;
  act_red[tid] = st;
  barrier();
  if (kCheapBarriers) {
    for (uint s = GT_WG_SIZE / 2u; s > 0u; s >>= 1u) {
      if (tid < s) act_red[tid] = act_merge(act_red[tid], act_red[tid + s]);
      barrier();
    }
  } else if (tid == 0u) {
    for (uint i = 1u; i < GT_WG_SIZE; ++i) act_red[0] = act_merge(act_red[0], act_red[i]);
  }
  uint group = gl_WorkGroupID.y * gl_NumWorkGroups.x + gl_WorkGroupID.x;
  if (tid == 0u && group < L.act_groups && !norm) partials[L.act_partial_off + group] = act_red[0];
}
