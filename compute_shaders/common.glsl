// Included by every compute shader: the shared layout, the bindings of the one push-descriptor
// set, and small helpers. Each shader touches only the bindings it uses.
#extension GL_GOOGLE_include_directive : require
#include "layout.h"

layout(local_size_x = 64) in;  // GT_WG_SIZE

layout(push_constant) uniform PushBlock { PushConstants pc; };

layout(set = 0, binding = GT_BIND_GLOBALS, std430) readonly buffer GlobalsBuf { Globals g; };
layout(set = 0, binding = GT_BIND_LAYERS, std430) readonly buffer LayersBuf { LayerDesc layers[]; };

// Finite test that survives any floating-point mode: false for NaN and +-Inf.
bool is_finite(float v) { return abs(v) <= 3.402823466e38; }

const float kPi = 3.14159265358979;
