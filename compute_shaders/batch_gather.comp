#version 450
// One training batch from a whole data set on the GPU (data.kind fashion_mnist or file): row b of
// the step's batch is sample permuted_sample(position) of the epoch, position = (step mod batches
// per epoch) * batch_full + b, for b below the step's real rows (g.batch: an epoch's partial last
// batch has fewer), the epoch step / batches per epoch. Dispatched once per DATASET segment
// (push constants: layer_begin = the segment's first sample, layer_count = its samples); each
// invocation copies its sample's inputs and targets only from the segment holding it, so each
// batch row is written by exactly one dispatch. Padding rows and columns are written as zero
// (the padding rows by the first segment's dispatch).
//
// Phase 1 (push constant `phase`): held-out batch `layer` of the [eval] set, in order: row b is
// sample (layer * batch + b) mod eval_rows, so the last batch's rows past the set's end repeat
// its first samples (eval_loss.comp does not count them; a batch norm sees real samples).
#include "common.glsl"
#include "philox.glsl"
#include "permutation.glsl"

layout(set = 0, binding = GT_BIND_X_OUT, std430) buffer XBuf { float x_out[]; };
layout(set = 0, binding = GT_BIND_TARGET, std430) buffer TargetBuf { float target[]; };
layout(set = 0, binding = GT_BIND_HEADER, std430) readonly buffer HeaderBuf { StatsHeader header; };
layout(set = 0, binding = GT_BIND_DATASET, std430) readonly buffer DataBuf { float samples[]; };

void main() {
  uint b = gl_GlobalInvocationID.x;
  if (b >= g.batch_pad) return;
  uint x_off = layers[0].x_in_off + b * g.ld_input;
  uint t_off = b * g.ld_output;
  if (b >= g.batch) {
    if (pc.layer_begin != 0u) return;
    for (uint j = 0u; j < g.ld_input; ++j) x_out[x_off + j] = 0.0;
    for (uint j = 0u; j < g.ld_output; ++j) target[t_off + j] = 0.0;
    return;
  }
  uint sample_id;
  if (pc.phase == 1u) {
    sample_id = (pc.layer * g.batch + b) % g.eval_rows;
  } else {
    uint step = g.data_fixed != 0u ? 0u : header.step;
    uint epoch = step / g.data_batches;
    uint position = (step % g.data_batches) * g.batch_full + b;
    uvec2 key = uvec2(g.data_seed_lo, g.data_seed_hi);
    sample_id = permuted_sample(position, g.data_rows, g.data_half_bits, epoch, key);
  }
  if (sample_id < pc.layer_begin || sample_id - pc.layer_begin >= pc.layer_count) return;
  uint s_off = (sample_id - pc.layer_begin) * g.data_row_floats;
  for (uint j = 0u; j < g.input_dim; ++j) x_out[x_off + j] = samples[s_off + j];
  for (uint j = g.input_dim; j < g.ld_input; ++j) x_out[x_off + j] = 0.0;
  for (uint o = 0u; o < g.output_dim; ++o) target[t_off + o] = samples[s_off + g.input_dim + o];
  for (uint o = g.output_dim; o < g.ld_output; ++o) target[t_off + o] = 0.0;
}
