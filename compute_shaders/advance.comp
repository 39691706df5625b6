#version 450
// Phase 0 ends a step: the step counter, read by data generation, Adam and the statistics ring,
// moves on, and the next step's real rows are written into Globals (an epoch's partial last
// batch has fewer: data.drop_last = false). Phase 1 sets the rows to a whole batch (the held-out
// evaluation's forward passes), phase 2 back to the current step's.
#include "common.glsl"

layout(set = 0, binding = GT_BIND_HEADER, std430) buffer HeaderBuf { StatsHeader header; };
layout(set = 0, binding = GT_BIND_GLOBALS_RW, std430) buffer GlobalsRw { Globals gw; };

// As net::DataSpec::rows_of_step: whole batches but the partial last one of each epoch.
uint rows_of_step(uint step) {
  if (gw.data_rows == 0u || gw.data_fixed != 0u) return gw.batch_full;
  uint last = gw.data_batches - 1u;
  if (step % gw.data_batches != last) return gw.batch_full;
  return min(gw.batch_full, gw.data_rows - last * gw.batch_full);
}

void main() {
  if (gl_GlobalInvocationID.x != 0u) return;
  if (pc.phase == 0u) {
    header.step += 1u;
    gw.batch = rows_of_step(header.step);
  } else if (pc.phase == 1u) {
    gw.batch = gw.batch_full;
  } else {
    gw.batch = rows_of_step(header.step);
  }
}
