#version 450
// Forward pass of one layer, GEMM + bias + activation fused:
//   Z[b][n] = sum_k X[b][k] W[n][k] + bias[n],  X_out = act(Z)
// Register-tiled: each invocation computes a 4x4 block (4 samples x 4 neurons) from vec4 texel
// fetches of X and W (both contiguous along k), no shared memory. Padding is written as zero.
#include "common.glsl"
#include "activation.glsl"

layout(set = 0, binding = GT_BIND_PARAMS_TEX) uniform samplerBuffer params_tex;
layout(set = 0, binding = GT_BIND_X_IN_TEX) uniform samplerBuffer x_tex;
layout(set = 0, binding = GT_BIND_X_OUT, std430) writeonly buffer XOut { vec4 x_out[]; };
layout(set = 0, binding = GT_BIND_Z_OUT, std430) writeonly buffer ZOut { vec4 z_out[]; };

void main() {
  LayerDesc L = layers[pc.layer];
  uint lx = gl_LocalInvocationID.x % GT_WG_SIDE;
  uint ly = gl_LocalInvocationID.x / GT_WG_SIDE;
  uint n0 = gl_WorkGroupID.x * GT_WG_TILE + lx * GT_TILE;  // neuron
  uint b0 = gl_WorkGroupID.y * GT_WG_TILE + ly * GT_TILE;  // sample
  if (n0 >= L.ld_out || b0 >= g.batch_pad) return;

  int kv = int(L.ld_in / 4u);
  int xb = int((L.x_in_off + b0 * L.ld_in) / 4u);
  int wb = int((L.w_off + n0 * L.ld_in) / 4u);
  vec4 acc0 = vec4(0.0), acc1 = vec4(0.0), acc2 = vec4(0.0), acc3 = vec4(0.0);
  for (int k = 0; k < kv; ++k) {
    vec4 a0 = texelFetch(x_tex, xb + k);
    vec4 a1 = texelFetch(x_tex, xb + kv + k);
    vec4 a2 = texelFetch(x_tex, xb + 2 * kv + k);
    vec4 a3 = texelFetch(x_tex, xb + 3 * kv + k);
    vec4 w0 = texelFetch(params_tex, wb + k);
    vec4 w1 = texelFetch(params_tex, wb + kv + k);
    vec4 w2 = texelFetch(params_tex, wb + 2 * kv + k);
    vec4 w3 = texelFetch(params_tex, wb + 3 * kv + k);
    acc0 += vec4(dot(a0, w0), dot(a0, w1), dot(a0, w2), dot(a0, w3));
    acc1 += vec4(dot(a1, w0), dot(a1, w1), dot(a1, w2), dot(a1, w3));
    acc2 += vec4(dot(a2, w0), dot(a2, w1), dot(a2, w2), dot(a2, w3));
    acc3 += vec4(dot(a3, w0), dot(a3, w1), dot(a3, w2), dot(a3, w3));
  }
  vec4 bias = texelFetch(params_tex, int((L.b_off + n0) / 4u));
  // Padding neurons and padding samples stay exactly zero (never act(bias)), so they cannot
  // turn into NaN through 0 * inf in the backward pass of an exploding network.
  bvec4 col_ok = lessThan(uvec4(n0) + uvec4(0u, 1u, 2u, 3u), uvec4(L.out_dim));
  vec4 acc[4] = vec4[4](acc0, acc1, acc2, acc3);
  uint ob = (L.x_out_off + b0 * L.ld_out + n0) / 4u;
  uint ov = L.ld_out / 4u;
  for (uint i = 0u; i < 4u; ++i) {
    bool row_ok = b0 + i < g.batch;
    vec4 z = acc[i] + bias;
    vec4 x = act_apply4(L.act, z);
    for (uint c = 0u; c < 4u; ++c) {
      if (!row_ok || !col_ok[c]) {
        z[c] = 0.0;
        x[c] = 0.0;
      }
    }
    z_out[ob + i * ov] = z;
    x_out[ob + i * ov] = x;
  }
}
