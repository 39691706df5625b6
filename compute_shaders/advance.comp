#version 450
// Ends a step: the step counter, read by data generation, Adam and the statistics ring, moves on.
#include "common.glsl"

layout(set = 0, binding = GT_BIND_HEADER, std430) buffer HeaderBuf { StatsHeader header; };

void main() {
  if (gl_GlobalInvocationID.x == 0u) header.step += 1u;
}
