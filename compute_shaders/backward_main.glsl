// Backward pass of one layer (included after a gemm_*.glsl), three independent jobs in one
// dispatch, told apart by workgroup:
//   dW tiles:   dW[n][k] = sum_b D[b][n] X[b][k]            (+ per-tile statistics of dW)
//   dX tiles:   D_prev[b][k] = (sum_n D[b][n] W[n][k]) * act'(Z_prev[b][k])   (not for layer 0)
//               in a residual network G = sum_n D W + carry where X_prev starts a block, and
//               carry = G where X_prev ends one, before the act' (flags_prev)
//   columns:    db[n] = sum_b D[b][n]; mean_b |D[b][n]| per neuron; sums for delta_rms, |db|
// All read D (this layer's dL/dZ) and write disjoint places, so they need no ordering between
// them. Partial reductions go to PARTIALS in a fixed order; finalize.comp combines them.
#include "norms.glsl"
#include "this_layer.glsl"

layout(set = 0, binding = GT_BIND_GRADS, std430) writeonly buffer GradBuf { vec4 grads[]; };
layout(set = 0, binding = GT_BIND_Z_IN, std430) readonly buffer ZIn { vec4 z_in[]; };
layout(set = 0, binding = GT_BIND_PARTIALS, std430) writeonly buffer PartialBuf { vec4 partials[]; };
layout(set = 0, binding = GT_BIND_NEURON_STATS, std430) writeonly buffer NeuronBuf { float neuron[]; };
layout(set = 0, binding = GT_BIND_SKIP, std430) buffer CarryBuf { vec4 carry[]; };

shared vec4 red[GT_WG_SIZE];

// dW partials: (scale, ssq) of the finite entries (scale = their max |v|), sum of |v| over all
// entries (NaN when any entry is NaN), and the count of non-finite entries as uint bits (exact).
vec4 combine_dw(vec4 a, vec4 b) {
  return vec4(ssq_merge(a.xy, b.xy), a.z + b.z, uintBitsToFloat(floatBitsToUint(a.w) + floatBitsToUint(b.w)));
}
// Column partials: (scale, ssq) of delta, (scale, ssq) of db.
vec4 combine_col(vec4 a, vec4 b) { return vec4(ssq_merge(a.xy, b.xy), ssq_merge(a.zw, b.zw)); }

// Fixed order over the workgroup; `dw` picks the combiner. Returns the total in invocation 0.
// A tree where barriers are cheap; where they are not (the texel kernels, on lavapipe, where each
// barrier switches between the lanes' coroutines) one barrier, then invocation 0 merges in turn.
vec4 reduce(vec4 v, bool dw) {
  uint tid = gl_LocalInvocationID.x;
  red[tid] = v;
  barrier();
  if (kCheapBarriers) {
    for (uint s = GT_WG_SIZE / 2u; s > 0u; s >>= 1u) {
      if (tid < s) red[tid] = dw ? combine_dw(red[tid], red[tid + s]) : combine_col(red[tid], red[tid + s]);
      barrier();
    }
    return red[0];
  }
  vec4 total = red[0];
  if (tid == 0u)
    for (uint i = 1u; i < GT_WG_SIZE; ++i) total = dw ? combine_dw(total, red[i]) : combine_col(total, red[i]);
  return total;
}

void dw_tile(LayerDesc L, uint tile) {
  uint m_w = (tile / L.dw_tiles_x) * GT_WG_TILE, n_w = (tile % L.dw_tiles_x) * GT_WG_TILE;
  vec4 acc[4];
  gemm_dw(L, m_w, n_w, acc);
  uint n0 = m_w + tile_ly() * GT_TILE;  // neuron
  uint k0 = n_w + tile_lx() * GT_TILE;  // input feature
  vec4 st = vec4(0.0);
  if (k0 < L.ld_in && n0 < L.ld_out) {
    vec4 fin[4];  // the finite entries, for the underflow-free norm
    float sum_abs = 0.0;
    uint nonfinite = 0u;
    bvec4 col_ok = lessThan(uvec4(k0) + uvec4(0u, 1u, 2u, 3u), uvec4(L.in_dim));
    for (uint i = 0u; i < 4u; ++i) {
      vec4 v = acc[i];
      bool row_ok = n0 + i < L.out_dim;
      for (uint c = 0u; c < 4u; ++c)
        if (!row_ok || !col_ok[c]) v[c] = 0.0;
      grads[(L.w_off + (n0 + i) * L.ld_in + k0) / 4u] = v;
      vec4 a = abs(v);
      bvec4 ok = lessThanEqual(a, vec4(3.402823466e38));  // false for NaN and inf
      sum_abs += a.x + a.y + a.z + a.w;
      nonfinite += 4u - uint(dot(vec4(ok), vec4(1.0)));
      fin[i] = mix(vec4(0.0), v, ok);
    }
    st = vec4(ssq_block(fin[0], fin[1], fin[2], fin[3]), sum_abs, uintBitsToFloat(nonfinite));
  }
  vec4 total = reduce(st, true);
  if (gl_LocalInvocationID.x == 0u) partials[L.dw_partial_off + tile] = total;
}

void dx_tile(LayerDesc L, uint tile) {
  uint m_w = (tile / L.dx_tiles_x) * GT_WG_TILE, n_w = (tile % L.dx_tiles_x) * GT_WG_TILE;
  vec4 acc[4];
  gemm_dx(L, m_w, n_w, acc);
  uint b0 = m_w + tile_ly() * GT_TILE;  // sample
  uint k0 = n_w + tile_lx() * GT_TILE;  // input feature
  if (k0 >= L.ld_in || b0 >= g.batch_pad) return;
  bvec4 col_ok = lessThan(uvec4(k0) + uvec4(0u, 1u, 2u, 3u), uvec4(L.in_dim));
  for (uint i = 0u; i < 4u; ++i) {
    uint b = b0 + i;
    vec4 z = z_in[(L.x_in_off + b * L.ld_in + k0) / 4u];
    // G = dL/dX_prev: + the carry of the skip X_prev starts; G is the carry of the one it ends.
    // Each skip tensor has its source's shape, X_prev's here: the same index within it.
    vec4 gx = acc[i];
    uint ci = (b * L.ld_in + k0) / 4u;
    if ((L.flags_prev & GT_FLAG_SKIP_WRITE) != 0u) gx += carry[L.prev_skip_start_off / 4u + ci];
    for (uint c = 0u; c < 4u; ++c)
      if (b >= g.batch || !col_ok[c]) gx[c] = 0.0;
    if ((L.flags_prev & GT_FLAG_SKIP_ADD) != 0u) carry[L.prev_skip_end_off / 4u + ci] = gx;
    vec4 d = gx * act_grad4(L.act_prev, z);
    for (uint c = 0u; c < 4u; ++c)
      if (b >= g.batch || !col_ok[c]) d[c] = 0.0;
    delta[(L.d_prev_off + b * L.ld_in + k0) / 4u] = d;
  }
}

void columns(LayerDesc L, uint group) {
  uint n = group * GT_WG_SIZE + gl_LocalInvocationID.x;
  vec4 st = vec4(0.0);
  if (n < L.out_dim) {
    // First pass: sum (db), sum of |v|, largest finite |v|; second: squares scaled by it.
    // (a sum of finite values may overflow to inf; only a non-finite value makes the norm so)
    // Four samples per trip (see gemm_dw): the padding samples up to batch_pad are exact zeros,
    // which change none of these figures.
    float s = 0.0, a = 0.0, m = 0.0;
    bool nan_seen = false, inf_seen = false;
    uint idx = L.d_off + (n & ~3u), c = n % 4u;
    for (uint b = 0u; b < g.batch_pad; b += 4u) {
      float s4 = s, a4 = a, m4 = m;
      bool nan4 = nan_seen, inf4 = inf_seen;
      [[unroll]] for (uint u = 0u; u < 4u; ++u, idx += L.ld_out) {
        float v = delta_vec(idx)[c];
        s4 += v;
        a4 += abs(v);
        nan4 = nan4 || isnan(v);
        inf4 = inf4 || isinf(v);
        if (is_finite(v)) m4 = max(m4, abs(v));
      }
      s = s4;
      a = a4;
      m = m4;
      nan_seen = nan4;
      inf_seen = inf4;
    }
    vec2 q = vec2(0.0);
    if (nan_seen || inf_seen) {
      q = vec2(nan_seen ? uintBitsToFloat(0x7fc00000u) : uintBitsToFloat(0x7f800000u), 0.0);
    } else if (m > 0.0) {
      float up = m < 1.0e-30 ? 18446744073709551616.0 : 1.0;  // see ssq_block
      float r = 1.0 / (m * up);
      float sum = 0.0;
      idx = L.d_off + (n & ~3u);
      for (uint b = 0u; b < g.batch_pad; b += 4u) {
        float sum4 = sum;
        [[unroll]] for (uint u = 0u; u < 4u; ++u, idx += L.ld_out) {
          float v = (delta_vec(idx)[c] * up) * r;
          sum4 += v * v;
        }
        sum = sum4;
      }
      q = vec2(m, sum);
    }
    uint bi = L.b_off + n;
    grads[bi / 4u][bi % 4u] = s;
    neuron[L.neuron_off + n] = a / float(g.batch);
    st = vec4(q, ssq_add(vec2(0.0), s));
  }
  // Bias padding stays zero: written by the invocations that own a padding neuron.
  if (n >= L.out_dim && n < L.ld_out) {
    uint bi = L.b_off + n;
    grads[bi / 4u][bi % 4u] = 0.0;
  }
  vec4 total = reduce(st, false);
  if (gl_LocalInvocationID.x == 0u) partials[L.col_partial_off + group] = total;
}

void main() {
  LayerDesc L = this_layer;
  uint wg = gl_WorkGroupID.x;
  if (wg < L.dw_tiles) {
    dw_tile(L, wg);
  } else if (wg < L.dw_tiles + L.dx_tiles) {
    dx_tile(L, wg - L.dw_tiles);
  } else {
    columns(L, wg - L.dw_tiles - L.dx_tiles);
  }
}
