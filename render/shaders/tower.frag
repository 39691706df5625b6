#version 450
// Colours a slab's faces per neuron (x across the slab) or per layer, reading the statistics
// buffers the training step wrote, in place.
#extension GL_GOOGLE_include_directive : require
#include "layout.h"
#include "render_layout.h"
#include "colormap.glsl"

layout(push_constant) uniform PushBlock { TowerPush pc; };
layout(set = 0, binding = GT_RBIND_NEURON_STATS, std430) readonly buffer NeuronBuf { float neuron[]; };
layout(set = 0, binding = GT_RBIND_TIME_STATS, std430) readonly buffer TimeBuf { float times[]; };

layout(location = 0) in vec3 in_local;
layout(location = 1) flat in vec3 in_normal;
layout(location = 2) flat in uvec2 in_neurons;
layout(location = 3) flat in float in_layer_value;
layout(location = 4) flat in uint in_from_time;
layout(location = 0) out vec4 out_color;

void main() {
  float v = in_layer_value;
  if (pc.metric == GT_METRIC_NEURON_DELTA) {
    uint n = min(uint((in_local.x * 0.5 + 0.5) * float(in_neurons.y)), in_neurons.y - 1u);
    v = in_from_time != 0u ? times[in_neurons.x + n] : neuron[in_neurons.x + n];
  }
  vec3 c = value_color(v, pc.log_lo, pc.log_hi);
  // Faces other than the front are shaded a little, so the slabs read as solids.
  float shade = in_normal.z > 0.5 ? 1.0 : (in_normal.y > 0.5 ? 0.85 : 0.7);
  out_color = vec4(c * shade, 1.0);
}
