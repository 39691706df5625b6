#version 450
// Optimizer step over the layers of one parameter segment: workgroup (chunk, layer) updates
// GT_UPDATE_CHUNK parameters of that layer (weights, biases, then a normalized layer's gamma and
// beta; padding has zero gradient and
// stays zero) and leaves (scale, ssq) sums for ||W_new - W_old|| and ||W_old|| (weights only)
// in PARTIALS. Reading every gradient anyway, it also counts the layer's |dW| entries (as
// computed, before clipping) into its histogram (layout.h, GT_HIST_*), per workgroup, then adds
// them to HIST (zeroed at the step's start). Padding entries, exactly zero, are counted as zeros
// here and taken off by finalize.comp (cheaper than telling them apart per entry). Integer
// counts: the same result in any order. Two ways to count, by specialization constant:
// shared-memory atomics (GPUs), or each invocation in its own counters (CPU devices: on lavapipe
// a shared atomic is a loop over the SIMD lanes, each a locked add; the counters cost half).
//   sgd:      W -= lr g
//   momentum: m = mu m + g;  W -= lr m
//   adam:     m = b1 m + (1-b1) g;  v = b2 v + (1-b2) g^2;  W -= lr mhat / (sqrt(vhat) + eps)
#include "common.glsl"
#include "norms.glsl"

layout(set = 0, binding = GT_BIND_PARAMS, std430) writeonly buffer ParamBuf { vec4 params[]; };
// W and the gradients are read through texel views (loaded inline on lavapipe, where a storage
// buffer load is a loop over the lanes); W is written through the storage buffer. Each entry is
// read and then written by one invocation, and the write depends on the value read.
layout(set = 0, binding = GT_BIND_PARAMS_TEX, rgba32f) readonly uniform imageBuffer params_tex;
layout(set = 0, binding = GT_BIND_GRADS_TEX, rgba32f) readonly uniform imageBuffer grads_tex;
layout(set = 0, binding = GT_BIND_OPT_M, std430) buffer MBuf { vec4 opt_m[]; };
layout(set = 0, binding = GT_BIND_OPT_V, std430) buffer VBuf { vec4 opt_v[]; };
layout(set = 0, binding = GT_BIND_PARTIALS, std430) writeonly buffer PartialBuf { vec4 partials[]; };
layout(set = 0, binding = GT_BIND_HEADER, std430) readonly buffer HeaderBuf { StatsHeader header; };
layout(set = 0, binding = GT_BIND_HIST, std430) buffer HistBuf { uint hist[]; };

shared vec4 red[GT_WG_SIZE];

layout(constant_id = GT_SPEC_HIST_ATOMICS) const bool kHistAtomics = true;
const uint kHistSlots = GT_HIST_NONFINITE + 1u;
// Shared-memory atomics: one count per slot.
shared uint wg_hist[kHistSlots];
// Per-invocation counters (kHistAtomics false): four 8-bit counts to a word, as an invocation
// counts at most 4 * GT_UPDATE_VECS_PER_INVOCATION = 64 entries; summed through `wg_words`
// ([word][invocation]) at the end.
const uint kHistWords = (kHistSlots + 3u) / 4u;
shared uint wg_words[kHistWords * GT_WG_SIZE];

// The histogram slots of four gradient entries, without branches (on lavapipe both sides of a
// branch run). t = (log10 |v| - hist_lo) * scale, with scale = GT_HIST_BINS / (hist_hi -
// hist_lo), is formed as l2 * t_mul - t_sub.
uvec4 hist_slots(vec4 v, float t_mul, float t_sub) {
  vec4 a = abs(v);
  uvec4 bits = floatBitsToUint(a);
  // log2 of a denormal: brought up by 2^64 first (exact, a power of two).
  bvec4 tiny = lessThan(bits, uvec4(0x00800000u));
  vec4 l2 = log2(mix(a, a * 18446744073709551616.0, tiny)) - mix(vec4(0.0), vec4(64.0), tiny);
  // -1 below the range, GT_HIST_BINS above it. Zero (t = -inf) and the non-finite (t = +inf or
  // NaN) are decided by their bits.
  ivec4 k = ivec4(floor(clamp(l2 * t_mul - t_sub, -1.0, float(GT_HIST_BINS))));
  uvec4 slot = uvec4(clamp(k, ivec4(0), ivec4(GT_HIST_BINS - 1u)));
  slot = mix(slot, uvec4(GT_HIST_UNDERFLOW), lessThan(k, ivec4(0)));
  slot = mix(slot, uvec4(GT_HIST_OVERFLOW), greaterThanEqual(k, ivec4(GT_HIST_BINS)));
  slot = mix(slot, uvec4(GT_HIST_ZERO), equal(bits, uvec4(0u)));  // +-0 only, not denormals
  return mix(slot, uvec4(GT_HIST_NONFINITE), greaterThanEqual(bits, uvec4(0x7f800000u)));
}

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
  uint total4 = L.param_floats / 4u;  // W, b (and gamma, beta of a normalized layer)
  uint weights4 = L.w_floats / 4u;  // W (an rnn's W_ih and W_hh)
  uint base4 = L.w_off / 4u;
  // Adam's bias corrections 1 - beta^t, t counted from the last reset of the optimizer state.
  float t = float(header.step - header.opt_step0 + 1u);
  float grad_scale = header.grad_scale;  // clip_norm's factor (1 when off), read once
  float c1 = one_minus_exp(t * g.log_beta1);
  float c2 = one_minus_exp(t * g.log_beta2);
  uint tid = gl_LocalInvocationID.x;
  uint counts[kHistWords];
  for (uint w = 0u; w < kHistWords; ++w) counts[w] = 0u;
  if (kHistAtomics) {
    for (uint j = tid; j < kHistSlots; j += GT_WG_SIZE) wg_hist[j] = 0u;
    // The counts are zero before anyone adds to them.
    barrier();
  }
  float hist_scale = float(GT_HIST_BINS) / (g.hist_hi - g.hist_lo);
  float t_mul = 0.30102999566398120 * hist_scale, t_sub = g.hist_lo * hist_scale;
  // Weight entries of this invocation: the update and the old value, zero elsewhere.
  vec4 dv[GT_UPDATE_VECS_PER_INVOCATION];
  vec4 wv[GT_UPDATE_VECS_PER_INVOCATION];
  for (uint r = 0u; r < GT_UPDATE_VECS_PER_INVOCATION; ++r) {
    dv[r] = vec4(0.0);
    wv[r] = vec4(0.0);
    uint i = chunk * (GT_UPDATE_CHUNK / 4u) + r * GT_WG_SIZE + gl_LocalInvocationID.x;
    if (i >= total4) continue;
    uint at = base4 + i;
    vec4 w = imageLoad(params_tex, int(at));
    vec4 raw = imageLoad(grads_tex, int(at));
    if (i < weights4) {
      uvec4 slot = hist_slots(raw, t_mul, t_sub);
      if (kHistAtomics) {
        for (uint c = 0u; c < 4u; ++c) atomicAdd(wg_hist[slot[c]], 1u);
      } else {
        // min(): a private array indexed out of bounds corrupts memory on lavapipe.
        uvec4 word = min(slot / 4u, uvec4(kHistWords - 1u)), inc = uvec4(1u) << (8u * (slot % 4u));
        counts[word.x] += inc.x;
        counts[word.y] += inc.y;
        counts[word.z] += inc.z;
        counts[word.w] += inc.w;
      }
    }
    vec4 gr = raw * grad_scale;
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
  if (!kHistAtomics)
    for (uint w = 0u; w < kHistWords; ++w) wg_words[w * GT_WG_SIZE + tid] = counts[w];
  vec4 st = vec4(ssq_array(dv), ssq_array(wv));
  red[tid] = st;
  barrier();
  for (uint s = GT_WG_SIZE / 2u; s > 0u; s >>= 1u) {
    if (tid < s) red[tid] = vec4(ssq_merge(red[tid].xy, red[tid + s].xy), ssq_merge(red[tid].zw, red[tid + s].zw));
    barrier();
  }
  if (tid == 0u) partials[L.upd_partial_off + chunk] = red[0];
  // The barriers above also completed the counts.
  if (layer >= g.num_layers) return;
  if (kHistAtomics) {
    for (uint j = tid; j < kHistSlots; j += GT_WG_SIZE)
      if (wg_hist[j] != 0u) atomicAdd(hist[layer * GT_HIST_STRIDE + j], wg_hist[j]);
  } else if (tid < kHistWords) {
    // Word `tid` of every invocation, summed.
    uvec4 sum = uvec4(0u);
    for (uint from = 0u; from < GT_WG_SIZE; ++from) {
      uint v = wg_words[tid * GT_WG_SIZE + from];
      sum += uvec4(v & 0xffu, (v >> 8u) & 0xffu, (v >> 16u) & 0xffu, v >> 24u);
    }
    for (uint q = 0u; q < 4u; ++q) {
      uint slot = tid * 4u + q;
      if (slot < kHistSlots && sum[q] != 0u) atomicAdd(hist[layer * GT_HIST_STRIDE + slot], sum[q]);
    }
  }
}
