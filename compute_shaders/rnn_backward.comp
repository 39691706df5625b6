#version 450
// rnn backward through time (ops/rnn.hpp, the CPU reference there), given dL/dh_steps at d_off
// (the next layer's dX, linear: ops::output_sink). rnn_forward.comp left every hidden state in
// NHAT (seq_h_off: [steps + 1][batch_pad][ld_out], h_0 = 0).
//   phase 1, step t = pc.layer_begin (steps down to 1), workgroups (ld_out / 4 / 64,
//     batch_pad / 4): four samples' 256 units per workgroup, 4 x 4 per invocation: dL/dh_t =
//     dL/dz_{t+1} W_hh (+ dL/dh_steps at t = steps), both read through texel views (W_hh by
//     rows); dL/dz_t = dL/dh_t act'(h_t) into seq_dz_off ([steps][batch_pad]
//     [ld_out], padding zero), dL/dh_t into TIME_STATS' scratch (seq_dh_off) for phase 3;
//   phase 2, every gradient at once (the tied weights' sums over all steps): workgroups
//     [0, tiles_ih) dW_ih = sum_t dz_t^T x_t and [tiles_ih, dw_tiles) dW_hh = sum_t dz_t^T h_{t-1},
//     32 x 32 tiles with their dW partials as backward.comp's; then column groups: db_ih = db_hh =
//     sum over steps and batch of dz_t, mean |dz| per unit (NEURON_STATS), the columns' partials;
//   phase 3, one workgroup per step t: per unit the mean over the batch of |dL/dh_t| and its
//     (scale, ssq) into TIME_STATS, ||dL/dh_t||, the norm of step t's term of dW_hh
//     (|| dz_t^T h_{t-1} ||_F^2 = sum_{b,b'} (dz_b . dz_b')(h_b . h_b'), scaled by max |dz_t| so a
//     vanishing term keeps its digits), the mean of the step's cells.
#include "common.glsl"
#include "this_layer.glsl"
#include "norms.glsl"

layout(set = 0, binding = GT_BIND_GRADS, std430) writeonly buffer GradBuf { vec4 grads[]; };
layout(set = 0, binding = GT_BIND_X_IN, std430) readonly buffer XIn { float x_in[]; };
layout(set = 0, binding = GT_BIND_NHAT, std430) readonly buffer HBuf { vec4 hs[]; };
layout(set = 0, binding = GT_BIND_DELTA, std430) buffer DeltaBuf { vec4 delta[]; };
layout(set = 0, binding = GT_BIND_PARTIALS, std430) writeonly buffer PartialBuf { vec4 partials[]; };
layout(set = 0, binding = GT_BIND_NEURON_STATS, std430) writeonly buffer NeuronBuf { float neuron[]; };
layout(set = 0, binding = GT_BIND_TIME_STATS, std430) buffer TimeBuf { float times[]; };
layout(set = 0, binding = GT_BIND_PARAMS_TEX, rgba32f) readonly uniform imageBuffer params_tex;
layout(set = 0, binding = GT_BIND_DELTA_TEX, rgba32f) readonly uniform imageBuffer delta_tex;
layout(set = 0, binding = GT_BIND_NHAT_TEX, rgba32f) readonly uniform imageBuffer hs_tex;

shared vec4 red[GT_WG_SIZE];

float h_at(uint i) { return hs[i / 4u][i % 4u]; }
float d_at(uint i) { return delta[i / 4u][i % 4u]; }

// act'(z) from h = act(z): the two nonlinearities torch.nn.RNN has.
float grad_from_output(uint act, float h) { return act == GT_ACT_RELU ? (h > 0.0 ? 1.0 : 0.0) : 1.0 - h * h; }
vec4 grad_from_output4(uint act, vec4 h) {
  return act == GT_ACT_RELU ? vec4(greaterThan(h, vec4(0.0))) : vec4(1.0) - h * h;
}

// Four samples (kSamples) x four units per invocation: each W_hh texel feeds four samples.
const uint kSamples = 4u;

void step(LayerDesc L, uint t) {
  uint lid = gl_LocalInvocationID.x, b0 = gl_WorkGroupID.y * kSamples, quads = L.ld_out / 4u;
  uint q = gl_WorkGroupID.x * GT_WG_SIZE + lid;  // units 4q .. 4q + 3
  bool inside = q < quads;
  uint rows4 = g.batch_pad * quads;  // vec4s of one step
  vec4 dh[kSamples];
  for (uint s = 0u; s < kSamples; ++s) dh[s] = vec4(0.0);
  if (t == L.steps) {
    for (uint s = 0u; s < kSamples; ++s)
      if (inside && b0 + s < g.batch) dh[s] = delta[L.d_off / 4u + (b0 + s) * quads + q];
  } else {
    uint dz_next = L.seq_dz_off / 4u + t * rows4 + b0 * quads;  // dL/dz_{t+1}
    // W_hh row k at texel whh_off / 4 + k quads; its columns 4q .. 4q + 3 at + q.
    uint w = L.whh_off / 4u + q;
    // Padding samples and units of dL/dz_{t+1} are exactly zero.
    for (uint i = 0u; inside && i < quads; ++i) {
      vec4 wv[4];
      [[unroll]] for (uint c = 0u; c < 4u; ++c) wv[c] = imageLoad(params_tex, int(w + (4u * i + c) * quads));
      [[unroll]] for (uint s = 0u; s < kSamples; ++s) {
        vec4 d = imageLoad(delta_tex, int(dz_next + s * quads + i));
        [[unroll]] for (uint c = 0u; c < 4u; ++c) dh[s] += d[c] * wv[c];
      }
    }
  }
  if (!inside) return;  // no barrier after this
  for (uint s = 0u; s < kSamples; ++s) {
    uint b = b0 + s;
    vec4 v = dh[s];
    for (uint c = 0u; c < 4u; ++c)
      if (b >= g.batch || 4u * q + c >= L.out_dim) v[c] = 0.0;
    vec4 h = hs[L.seq_h_off / 4u + (t * g.batch_pad + b) * quads + q];
    delta[L.seq_dz_off / 4u + (t - 1u) * rows4 + b * quads + q] = v * grad_from_output4(L.act, h);
    uint at = L.seq_dh_off + ((t - 1u) * g.batch_pad + b) * L.ld_out + 4u * q;
    for (uint c = 0u; c < 4u; ++c) times[at + c] = v[c];
  }
}

vec4 merge_dw(vec4 a, vec4 b) {
  return vec4(ssq_merge(a.xy, b.xy), a.z + b.z, uintBitsToFloat(floatBitsToUint(a.w) + floatBitsToUint(b.w)));
}
vec4 merge_pairs(vec4 a, vec4 b) { return vec4(ssq_merge(a.xy, b.xy), ssq_merge(a.zw, b.zw)); }

// Fixed-order tree over the workgroup; red[0] holds the result for invocation 0.
vec4 reduce(vec4 v, bool dw) {
  uint tid = gl_LocalInvocationID.x;
  red[tid] = v;
  barrier();
  for (uint s = GT_WG_SIZE / 2u; s > 0u; s >>= 1u) {
    if (tid < s) red[tid] = dw ? merge_dw(red[tid], red[tid + s]) : merge_pairs(red[tid], red[tid + s]);
    barrier();
  }
  return red[0];
}

// One 32 x 32 tile of dW_ih (ih) or dW_hh: 4 x 4 entries per invocation, summed over every step
// and sample in order.
// `slot`: the tile's place among the layer's dW partials (W_ih's tiles first, then W_hh's).
void dw_tile(LayerDesc L, uint tile, bool ih, uint slot) {
  uint tiles_x = ih ? L.dw_tiles_x : (L.ld_out + GT_WG_TILE - 1u) / GT_WG_TILE;
  uint cols = ih ? L.ld_seq_in : L.ld_out, real_cols = ih ? L.seq_in : L.out_dim;
  uint lx = gl_LocalInvocationID.x % GT_WG_SIDE, ly = gl_LocalInvocationID.x / GT_WG_SIDE;
  uint j0 = (tile / tiles_x) * GT_WG_TILE + ly * GT_TILE, c0 = (tile % tiles_x) * GT_WG_TILE + lx * GT_TILE;
  vec4 st = vec4(0.0);
  if (j0 < L.ld_out && c0 < cols) {
    vec4 acc[4] = vec4[4](vec4(0.0), vec4(0.0), vec4(0.0), vec4(0.0));
    uint rows = g.batch_pad * L.ld_out;
    for (uint t = 1u; t <= L.steps; ++t)
      for (uint b = 0u; b < g.batch; ++b) {
        vec4 dz = imageLoad(delta_tex, int((L.seq_dz_off + (t - 1u) * rows + b * L.ld_out + j0) / 4u));
        vec4 v;
        if (ih) {
          uint xb = L.x_in_off + b * L.ld_in + (t - 1u) * L.seq_in + c0;
          for (uint c = 0u; c < 4u; ++c) v[c] = c0 + c < L.seq_in ? x_in[xb + c] : 0.0;
        } else {
          v = imageLoad(hs_tex, int((L.seq_h_off + (t - 1u) * rows + b * L.ld_out + c0) / 4u));
        }
        for (uint i = 0u; i < 4u; ++i) acc[i] += dz[i] * v;
      }
    vec4 fin[4];
    float sum_abs = 0.0;
    uint nonfinite = 0u;
    uint base = ih ? L.w_off : L.whh_off;
    for (uint i = 0u; i < 4u; ++i) {
      vec4 v = acc[i];
      for (uint c = 0u; c < 4u; ++c)
        if (j0 + i >= L.out_dim || c0 + c >= real_cols) v[c] = 0.0;
      grads[(base + (j0 + i) * cols + c0) / 4u] = v;
      vec4 a = abs(v);
      bvec4 ok = lessThanEqual(a, vec4(3.402823466e38));  // false for NaN and inf
      sum_abs += a.x + a.y + a.z + a.w;
      nonfinite += 4u - uint(dot(vec4(ok), vec4(1.0)));
      fin[i] = mix(vec4(0.0), v, ok);
    }
    st = vec4(ssq_block(fin[0], fin[1], fin[2], fin[3]), sum_abs, uintBitsToFloat(nonfinite));
  }
  vec4 total = reduce(st, true);
  if (gl_LocalInvocationID.x == 0u) partials[L.dw_partial_off + slot] = total;
}

void columns(LayerDesc L, uint group) {
  uint j = group * GT_WG_SIZE + gl_LocalInvocationID.x;
  vec4 st = vec4(0.0);
  if (j < L.out_dim) {
    float s = 0.0, a = 0.0;
    vec2 q = vec2(0.0);
    uint rows = g.batch_pad * L.ld_out;
    for (uint t = 0u; t < L.steps; ++t)
      for (uint b = 0u; b < g.batch; ++b) {
        float v = d_at(L.seq_dz_off + t * rows + b * L.ld_out + j);
        s += v;
        a += abs(v);
        q = ssq_add(q, v);
      }
    grads[(L.b_off + j) / 4u][(L.b_off + j) % 4u] = s;
    grads[(L.bhh_off + j) / 4u][(L.bhh_off + j) % 4u] = s;
    neuron[L.neuron_off + j] = a / (float(g.batch) * float(L.steps));
    st = vec4(q, ssq_add(ssq_add(vec2(0.0), s), s));  // both biases get the same gradient
  }
  if (j >= L.out_dim && j < L.ld_out) {  // bias padding stays zero
    grads[(L.b_off + j) / 4u][(L.b_off + j) % 4u] = 0.0;
    grads[(L.bhh_off + j) / 4u][(L.bhh_off + j) % 4u] = 0.0;
  }
  vec4 total = reduce(st, false);
  if (gl_LocalInvocationID.x == 0u) partials[L.col_partial_off + group] = total;
}

void time_figures(LayerDesc L, uint t) {  // t = 1..steps
  uint tid = gl_LocalInvocationID.x;
  uint rows = g.batch_pad * L.ld_out;
  uint dz_t = L.seq_dz_off + (t - 1u) * rows, h_prev = L.seq_h_off + (t - 1u) * rows;
  // Per unit: the mean over the batch of |dL/dh_t| (the cell) and its (scale, ssq), into
  // TIME_STATS; over the units: ||dL/dh_t||, the mean of the cells, and max |dz_t| for the scale.
  vec2 q = vec2(0.0);
  float cells = 0.0, m = 0.0;
  uint pairs = L.time_off + L.steps * L.ld_out + 2u * (t - 1u) * L.ld_out;
  uint dh_t = L.seq_dh_off + (t - 1u) * g.batch_pad * L.ld_out;
  for (uint j = tid; j < L.ld_out; j += GT_WG_SIZE) {
    float sum_abs = 0.0;
    vec2 u = vec2(0.0);
    for (uint b = 0u; b < g.batch; ++b) {
      float v = times[dh_t + b * L.ld_out + j];
      sum_abs += abs(v);
      u = ssq_add(u, v);
    }
    float cell = j < L.out_dim ? sum_abs / float(g.batch) : 0.0;
    times[L.time_off + (t - 1u) * L.ld_out + j] = cell;
    times[pairs + 2u * j] = u.x;
    times[pairs + 2u * j + 1u] = u.y;
    q = ssq_merge(q, u);
    cells += cell;
  }
  for (uint e = tid; e < g.batch * L.ld_out; e += GT_WG_SIZE) m = worst(m, abs(d_at(dz_t + e)));
  red[tid] = vec4(q, cells, m);
  barrier();
  for (uint s = GT_WG_SIZE / 2u; s > 0u; s >>= 1u) {
    if (tid < s) {
      vec4 a = red[tid], c = red[tid + s];
      red[tid] = vec4(ssq_merge(a.xy, c.xy), a.z + c.z, worst(a.w, c.w));
    }
    barrier();
  }
  vec4 r = red[0];
  barrier();  // everyone has read red[0] before it is reused
  float scale = r.w;
  bool usable = is_finite(scale) && scale > 0.0;
  float up = scale < 1.0e-30 ? 18446744073709551616.0 : 1.0;  // see ssq_block
  float inv = usable ? 1.0 / (scale * up) : 0.0;
  // The Gram form: invocation tid takes samples tid, tid + 64, ...
  float gram = 0.0;
  if (usable)
    for (uint b = tid; b < g.batch; b += GT_WG_SIZE)
      for (uint c = 0u; c < g.batch; ++c) {
        vec4 dd = vec4(0.0), hh = vec4(0.0);
        uint rb = b * L.ld_out / 4u, rc = c * L.ld_out / 4u;
        for (uint k = 0u; k < L.ld_out / 4u; ++k) {
          dd += ((imageLoad(delta_tex, int(dz_t / 4u + rb + k)) * up) * inv) *
                ((imageLoad(delta_tex, int(dz_t / 4u + rc + k)) * up) * inv);
          hh += imageLoad(hs_tex, int(h_prev / 4u + rb + k)) * imageLoad(hs_tex, int(h_prev / 4u + rc + k));
        }
        gram += ((dd.x + dd.y) + (dd.z + dd.w)) * ((hh.x + hh.y) + (hh.z + hh.w));
      }
  red[tid] = vec4(gram);
  barrier();
  for (uint s = GT_WG_SIZE / 2u; s > 0u; s >>= 1u) {
    if (tid < s) red[tid].x += red[tid + s].x;
    barrier();
  }
  if (tid != 0u) return;
  uint fig = L.time_off + 3u * L.steps * L.ld_out + (t - 1u) * GT_TIME_FIGURES;
  times[fig] = ssq_norm(r.xy);
  times[fig + 1u] = usable ? scale * sqrt(max(red[0].x, 0.0)) : (scale == 0.0 ? 0.0 : scale);
  times[fig + 2u] = r.z / float(L.out_dim);
  times[fig + 3u] = 0.0;
}

void main() {
  LayerDesc L = this_layer;
  if (pc.phase == 1u) {
    step(L, pc.layer_begin);
  } else if (pc.phase == 2u) {
    uint wg = gl_WorkGroupID.x;
    uint tiles_ih = L.dw_tiles_x * ((L.ld_out + GT_WG_TILE - 1u) / GT_WG_TILE);
    if (wg < tiles_ih)
      dw_tile(L, wg, true, wg);
    else if (wg < L.dw_tiles)
      dw_tile(L, wg - tiles_ih, false, wg);
    else
      columns(L, wg - L.dw_tiles);
  } else {
    time_figures(L, gl_WorkGroupID.x + 1u);
  }
}
