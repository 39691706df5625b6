// Forward pass of one layer, GEMM + bias + activation fused (included after a gemm_*.glsl):
//   Z[b][n] = sum_k X[b][k] W[n][k] + bias[n],  X_out = act(Z)
// Padding is written as zero.
layout(set = 0, binding = GT_BIND_X_OUT, std430) writeonly buffer XOut { vec4 x_out[]; };
layout(set = 0, binding = GT_BIND_Z_OUT, std430) writeonly buffer ZOut { vec4 z_out[]; };

void main() {
  LayerDesc L = layers[pc.layer];
  uint m_w = gl_WorkGroupID.y * GT_WG_TILE, n_w = gl_WorkGroupID.x * GT_WG_TILE;
  vec4 acc[4];
  gemm_forward(L, m_w, n_w, acc);
  uint b0 = m_w + tile_ly() * GT_TILE, n0 = n_w + tile_lx() * GT_TILE;
  if (n0 >= L.ld_out || b0 >= g.batch_pad) return;
  vec4 bias = layer_bias(L, n0);
  // Padding neurons and padding samples stay exactly zero (never act(bias)), so they cannot
  // turn into NaN through 0 * inf in the backward pass of an exploding network.
  bvec4 col_ok = lessThan(uvec4(n0) + uvec4(0u, 1u, 2u, 3u), uvec4(L.out_dim));
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
