#version 450
// The held-out loss and accuracy of one batch (push constant `layer`: its index k), after the
// forward pass over it: sums over its real samples k * batch + b < eval_rows (the last batch's
// rows past the set's end repeat its first samples and are not counted), each a fixed tree in
// shared memory, so the figures are bit-reproducible. The host adds the batches' sums in double.
#include "common.glsl"

layout(set = 0, binding = GT_BIND_X_OUT, std430) readonly buffer XOut { float x_out[]; };
layout(set = 0, binding = GT_BIND_TARGET, std430) readonly buffer TargetBuf { float target[]; };
layout(set = 0, binding = GT_BIND_EVAL, std430) writeonly buffer EvalBuf { vec4 eval_sums[]; };
#include "loss_row.glsl"

shared float partial_loss[GT_WG_SIZE];
shared float partial_hits[GT_WG_SIZE];

void main() {
  LayerDesc L = layers[g.num_layers - 1u];
  uint tid = gl_LocalInvocationID.x;
  uint first = pc.layer * g.batch;
  uint count = min(g.batch, g.eval_rows - first);
  float loss = 0.0, hits = 0.0;
  for (uint b = tid; b < count; b += GT_WG_SIZE) {
    uint row = L.x_out_off + b * L.ld_out;
    uint trow = b * g.ld_output;
    loss += sample_loss(row, trow, L.out_dim);
    hits += top_matches(row, trow, L.out_dim) ? 1.0 : 0.0;
  }
  partial_loss[tid] = loss;
  partial_hits[tid] = hits;
  barrier();
  for (uint s = GT_WG_SIZE / 2u; s > 0u; s >>= 1u) {
    if (tid < s) {
      partial_loss[tid] += partial_loss[tid + s];
      partial_hits[tid] += partial_hits[tid + s];
    }
    barrier();
  }
  if (tid == 0u) eval_sums[pc.layer] = vec4(partial_loss[0], partial_hits[0], float(count), 0.0);
}
