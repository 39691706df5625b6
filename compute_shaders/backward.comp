#version 450
// Backward pass of one layer, three independent jobs in one dispatch (told apart by workgroup):
//   dW tiles:   dW[n][k] = sum_b D[b][n] X[b][k]            (+ per-tile statistics of dW)
//   dX tiles:   D_prev[b][k] = (sum_n D[b][n] W[n][k]) * act'(Z_prev[b][k])   (not for layer 0)
//   columns:    db[n] = sum_b D[b][n]; mean_b |D[b][n]| per neuron; sums for delta_rms, |db|
// All read D (this layer's dL/dZ) and write disjoint places, so they need no ordering between
// them. Partial reductions go to PARTIALS in a fixed order; finalize.comp combines them.
#include "common.glsl"
#include "activation.glsl"
#include "norms.glsl"

layout(set = 0, binding = GT_BIND_PARAMS_TEX) uniform samplerBuffer params_tex;
layout(set = 0, binding = GT_BIND_X_IN_TEX) uniform samplerBuffer x_tex;
layout(set = 0, binding = GT_BIND_DELTA_TEX) uniform samplerBuffer delta_tex;
layout(set = 0, binding = GT_BIND_GRADS, std430) writeonly buffer GradBuf { vec4 grads[]; };
layout(set = 0, binding = GT_BIND_Z_IN, std430) readonly buffer ZIn { vec4 z_in[]; };
layout(set = 0, binding = GT_BIND_DELTA, std430) buffer DeltaBuf { vec4 delta[]; };
layout(set = 0, binding = GT_BIND_PARTIALS, std430) writeonly buffer PartialBuf { vec4 partials[]; };
layout(set = 0, binding = GT_BIND_NEURON_STATS, std430) writeonly buffer NeuronBuf { float neuron[]; };

shared vec4 red[GT_WG_SIZE];

// dW partials: (scale, ssq) of the finite entries (scale = their max |v|), sum of |v| over all
// entries (IEEE: inf or NaN when any entry is), count of non-finite entries.
vec4 combine_dw(vec4 a, vec4 b) {
  return vec4(ssq_merge(a.xy, b.xy), a.z + b.z, a.w + b.w);
}
// Column partials: (scale, ssq) of delta, (scale, ssq) of db.
vec4 combine_col(vec4 a, vec4 b) { return vec4(ssq_merge(a.xy, b.xy), ssq_merge(a.zw, b.zw)); }

// Fixed-order tree over the workgroup; `dw` picks the combiner. Returns the total in invocation 0.
vec4 reduce(vec4 v, bool dw) {
  uint tid = gl_LocalInvocationID.x;
  red[tid] = v;
  barrier();
  for (uint s = GT_WG_SIZE / 2u; s > 0u; s >>= 1u) {
    if (tid < s) red[tid] = dw ? combine_dw(red[tid], red[tid + s]) : combine_col(red[tid], red[tid + s]);
    barrier();
  }
  return red[0];
}

void dw_tile(LayerDesc L, uint tile) {
  uint lx = gl_LocalInvocationID.x % GT_WG_SIDE;
  uint ly = gl_LocalInvocationID.x / GT_WG_SIDE;
  uint k0 = (tile % L.dw_tiles_x) * GT_WG_TILE + lx * GT_TILE;  // input feature
  uint n0 = (tile / L.dw_tiles_x) * GT_WG_TILE + ly * GT_TILE;  // neuron
  vec4 st = vec4(0.0);
  if (k0 < L.ld_in && n0 < L.ld_out) {
    int dstride = int(L.ld_out / 4u);
    int xstride = int(L.ld_in / 4u);
    int di = int((L.d_off + n0) / 4u);
    int xi = int((L.x_in_off + k0) / 4u);
    vec4 acc0 = vec4(0.0), acc1 = vec4(0.0), acc2 = vec4(0.0), acc3 = vec4(0.0);
    for (uint b = 0u; b < g.batch; ++b) {
      vec4 d = texelFetch(delta_tex, di);
      vec4 x = texelFetch(x_tex, xi);
      acc0 += d.x * x;
      acc1 += d.y * x;
      acc2 += d.z * x;
      acc3 += d.w * x;
      di += dstride;
      xi += xstride;
    }
    vec4 acc[4] = vec4[4](acc0, acc1, acc2, acc3);
    vec4 fin[4];  // the finite entries, for the underflow-free norm
    float sum_abs = 0.0, nonfinite = 0.0;
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
      nonfinite += 4.0 - dot(vec4(ok), vec4(1.0));
      fin[i] = mix(vec4(0.0), v, ok);
    }
    st = vec4(ssq_block(fin[0], fin[1], fin[2], fin[3]), sum_abs, nonfinite);
  }
  vec4 total = reduce(st, true);
  if (gl_LocalInvocationID.x == 0u) partials[L.dw_partial_off + tile] = total;
}

void dx_tile(LayerDesc L, uint tile) {
  uint lx = gl_LocalInvocationID.x % GT_WG_SIDE;
  uint ly = gl_LocalInvocationID.x / GT_WG_SIDE;
  uint k0 = (tile % L.dx_tiles_x) * GT_WG_TILE + lx * GT_TILE;  // input feature
  uint b0 = (tile / L.dx_tiles_x) * GT_WG_TILE + ly * GT_TILE;  // sample
  if (k0 >= L.ld_in || b0 >= g.batch_pad) return;
  int nv = int(L.ld_out / 4u);
  int kv = int(L.ld_in / 4u);
  int db = int((L.d_off + b0 * L.ld_out) / 4u);
  int wb = int((L.w_off + k0) / 4u);
  vec4 acc0 = vec4(0.0), acc1 = vec4(0.0), acc2 = vec4(0.0), acc3 = vec4(0.0);
  for (int n = 0; n < nv; ++n) {
    vec4 d0 = texelFetch(delta_tex, db + n);
    vec4 d1 = texelFetch(delta_tex, db + nv + n);
    vec4 d2 = texelFetch(delta_tex, db + 2 * nv + n);
    vec4 d3 = texelFetch(delta_tex, db + 3 * nv + n);
    int w = wb + 4 * n * kv;
    vec4 w0 = texelFetch(params_tex, w);
    vec4 w1 = texelFetch(params_tex, w + kv);
    vec4 w2 = texelFetch(params_tex, w + 2 * kv);
    vec4 w3 = texelFetch(params_tex, w + 3 * kv);
    acc0 += d0.x * w0 + d0.y * w1 + d0.z * w2 + d0.w * w3;
    acc1 += d1.x * w0 + d1.y * w1 + d1.z * w2 + d1.w * w3;
    acc2 += d2.x * w0 + d2.y * w1 + d2.z * w2 + d2.w * w3;
    acc3 += d3.x * w0 + d3.y * w1 + d3.z * w2 + d3.w * w3;
  }
  vec4 acc[4] = vec4[4](acc0, acc1, acc2, acc3);
  bvec4 col_ok = lessThan(uvec4(k0) + uvec4(0u, 1u, 2u, 3u), uvec4(L.in_dim));
  for (uint i = 0u; i < 4u; ++i) {
    uint b = b0 + i;
    vec4 z = z_in[(L.x_in_off + b * L.ld_in + k0) / 4u];
    vec4 d = acc[i] * act_grad4(L.act_prev, z);
    for (uint c = 0u; c < 4u; ++c)
      if (b >= g.batch || !col_ok[c]) d[c] = 0.0;
    delta[(L.d_prev_off + b * L.ld_in + k0) / 4u] = d;
  }
}

void columns(LayerDesc L, uint group) {
  uint n = group * GT_WG_SIZE + gl_LocalInvocationID.x;
  vec4 st = vec4(0.0);
  if (n < L.out_dim) {
    float s = 0.0, a = 0.0;
    vec2 q = vec2(0.0);
    uint idx = L.d_off + n;
    for (uint b = 0u; b < g.batch; ++b) {
      float v = delta[idx / 4u][idx % 4u];
      s += v;
      a += abs(v);
      q = ssq_add(q, v);
      idx += L.ld_out;
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
  LayerDesc L = layers[pc.layer];
  uint wg = gl_WorkGroupID.x;
  if (wg < L.dw_tiles) {
    dw_tile(L, wg);
  } else if (wg < L.dw_tiles + L.dx_tiles) {
    dx_tile(L, wg - L.dw_tiles);
  } else {
    columns(L, wg - L.dw_tiles - L.dx_tiles);
  }
}
