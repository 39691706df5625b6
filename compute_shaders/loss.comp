#version 450
// The loss of the batch and the error signal of the output layer, in one workgroup:
//   mse:           L = mean over samples and outputs of (x - y)^2,  dL/dx = 2 (x - y) / (B n)
//   cross_entropy: L = mean over samples of -sum_j y_j log softmax(x)_j,
//                  dL/dx_j = (softmax(x)_j sum_k y_k - y_j) / B
//   delta = dL/dx * act'(z)
// The sum over samples is a fixed tree in shared memory, so the loss is bit-reproducible. Also the
// batch's accuracy: the fraction of samples whose largest output is their target's largest
// (classification; loss_row.glsl).
#include "common.glsl"
#include "activation.glsl"

layout(set = 0, binding = GT_BIND_X_OUT, std430) readonly buffer XOut { float x_out[]; };
layout(set = 0, binding = GT_BIND_Z_OUT, std430) readonly buffer ZOut { float z_out[]; };
layout(set = 0, binding = GT_BIND_TARGET, std430) readonly buffer TargetBuf { float target[]; };
layout(set = 0, binding = GT_BIND_DELTA, std430) writeonly buffer DeltaBuf { float delta[]; };
layout(set = 0, binding = GT_BIND_HEADER, std430) buffer HeaderBuf { StatsHeader header; };
#include "loss_row.glsl"

shared float partial[GT_WG_SIZE];
shared float partial_hits[GT_WG_SIZE];

void main() {
  LayerDesc L = layers[g.num_layers - 1u];
  uint tid = gl_LocalInvocationID.x;
  float inv_batch = 1.0 / float(g.batch);
  float sum = 0.0, hits = 0.0;
  for (uint b = tid; b < g.batch_pad; b += GT_WG_SIZE) {
    uint row = L.x_out_off + b * L.ld_out;
    uint drow = L.d_off + b * L.ld_out;
    uint trow = b * g.ld_output;
    if (b >= g.batch) {
      for (uint j = 0u; j < L.ld_out; ++j) delta[drow + j] = 0.0;
      continue;
    }
    float row_loss = 0.0;
    if (g.loss == GT_LOSS_MSE) {
      float scale = 2.0 * inv_batch / float(L.out_dim);
      for (uint j = 0u; j < L.out_dim; ++j) {
        float diff = x_out[row + j] - target[trow + j];
        row_loss += diff * diff;
        delta[drow + j] = scale * diff * act_grad(L.act, z_out[row + j]);
      }
      row_loss /= float(L.out_dim);
    } else {
      float m = x_out[row];
      for (uint j = 1u; j < L.out_dim; ++j) m = max(m, x_out[row + j]);
      float se = 0.0, ysum = 0.0;
      for (uint j = 0u; j < L.out_dim; ++j) {
        se += exp(x_out[row + j] - m);
        ysum += target[trow + j];
      }
      float lse = m + log(se);
      for (uint j = 0u; j < L.out_dim; ++j) {
        float y = target[trow + j];
        float logp = x_out[row + j] - lse;
        row_loss -= y * logp;
        float dx = (exp(logp) * ysum - y) * inv_batch;
        delta[drow + j] = dx * act_grad(L.act, z_out[row + j]);
      }
    }
    for (uint j = L.out_dim; j < L.ld_out; ++j) delta[drow + j] = 0.0;
    sum += row_loss;
    hits += top_matches(row, trow, L.out_dim) ? 1.0 : 0.0;
  }
  partial[tid] = sum;
  partial_hits[tid] = hits;
  barrier();
  for (uint s = GT_WG_SIZE / 2u; s > 0u; s >>= 1u) {
    if (tid < s) {
      partial[tid] += partial[tid + s];
      partial_hits[tid] += partial_hits[tid + s];
    }
    barrier();
  }
  if (tid == 0u) {
    header.loss = partial[0] * inv_batch;
    header.accuracy = partial_hits[0] * inv_batch;
  }
}
