// Included by every compute shader: the shared layout, the bindings of the one push-descriptor
// set, and small helpers. Each shader touches only the bindings it uses.
#extension GL_GOOGLE_include_directive : require
#extension GL_EXT_control_flow_attributes : require
#include "layout.h"

layout(local_size_x = 64) in;  // GT_WG_SIZE

layout(push_constant) uniform PushBlock { PushConstants pc; };

// Globals is a uniform buffer, not a storage buffer: lavapipe (Mesa 22.3) loads a storage buffer
// lane by lane in a loop on every access, while a uniform load at an offset known to be uniform
// is one scalar load. Globals holds only 32-bit scalars, so std140 lays it out as the C++ side.
layout(set = 0, binding = GT_BIND_GLOBALS, std140) uniform GlobalsUbo { Globals g; };
layout(set = 0, binding = GT_BIND_LAYERS, std430) readonly buffer LayersBuf { LayerDesc layers[]; };

// Finite test that survives any floating-point mode: false for NaN and +-Inf.
bool is_finite(float v) { return abs(v) <= 3.402823466e38; }

const float kPi = 3.14159265358979;
