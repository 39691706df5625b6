#version 450
// One instance per weight layer: a slab (a box of 36 vertices made from gl_VertexIndex), stacked
// from the input (bottom) to the output (top). No vertex buffers.
#extension GL_GOOGLE_include_directive : require
#include "layout.h"
#include "render_layout.h"

layout(push_constant) uniform PushBlock { TowerPush pc; };

layout(location = 0) out vec3 out_local;   // position in the unit box [-1,1]^3
layout(location = 1) flat out vec3 out_normal;
// What the fragment shader needs of the layer, read once per vertex instead of per fragment.
layout(location = 2) flat out uvec2 out_neurons;  // (first neuron, count)
layout(location = 3) flat out float out_layer_value;  // the per-layer metric
layout(location = 4) flat out uint out_from_time;      // 1: the cells are TIME_STATS'

layout(set = 0, binding = GT_RBIND_LAYERS, std430) readonly buffer LayersBuf { LayerDesc layers[]; };
layout(set = 0, binding = GT_RBIND_LAYER_STATS, std430) readonly buffer StatsBuf { LayerStats stats[]; };
layout(set = 0, binding = GT_RBIND_TIME_STATS, std430) readonly buffer TimeBuf { float times[]; };

// Corner ids of the 12 triangles, counter-clockwise seen from outside.
const uint kCorners[36] = uint[36](0, 1, 3, 0, 3, 2,   // -x
                                   4, 6, 7, 4, 7, 5,   // +x
                                   0, 4, 5, 0, 5, 1,   // -y
                                   2, 3, 7, 2, 7, 6,   // +y
                                   0, 2, 6, 0, 6, 4,   // -z
                                   1, 5, 7, 1, 7, 3);  // +z
const vec3 kNormals[6] = vec3[6](vec3(-1, 0, 0), vec3(1, 0, 0), vec3(0, -1, 0), vec3(0, 1, 0),
                                 vec3(0, 0, -1), vec3(0, 0, 1));

void main() {
  uint c = kCorners[gl_VertexIndex];
  vec3 local = vec3((c & 4u) != 0u ? 1.0 : -1.0, (c & 2u) != 0u ? 1.0 : -1.0, (c & 1u) != 0u ? 1.0 : -1.0);
  uint slab = gl_InstanceIndex;
  float y0 = float(slab) * pc.slab_pitch;
  float h = pc.slab_pitch * pc.slab_fill;
  vec3 world = vec3(local.x * pc.half_width, y0 + (local.y * 0.5 + 0.5) * h, local.z * pc.half_depth);
  gl_Position = pc.view_proj * vec4(world, 1.0);
  // Once the gaps close (fill 1) slabs touch, and the top and bottom faces between two slabs lie
  // inside the tower: only the tower's own top and bottom remain. Sending the others outside the
  // clip volume drops them before rasterization; drawn, they cost a full overdraw of the tower's
  // top face per layer (1,000 layers at 720p: 43 -> 12 ms on lavapipe).
  uint face = uint(gl_VertexIndex) / 6u;
  bool inner_cap = (face == 3u && slab + 1u < pc.num_layers) || (face == 2u && slab > 0u);
  if (pc.slab_fill >= 1.0 && inner_cap) gl_Position = vec4(2.0, 2.0, 2.0, 1.0);
  out_local = local;
  out_normal = kNormals[gl_VertexIndex / 6];
  if (slab < pc.time_steps) {
    // Time step t = slab + 1 of layer 0: its cells, and per step ||dL/dh_t|| (delta_rms) or the
    // norm of its term of dW_hh (grad_w_norm); the layer's update ratio.
    LayerDesc L = layers[0];
    out_from_time = 1u;
    out_neurons = uvec2(L.time_off + slab * L.ld_out, L.out_dim);
    uint fig = L.time_off + 3u * L.steps * L.ld_out + slab * GT_TIME_FIGURES;
    out_layer_value = pc.metric == GT_METRIC_GRAD_W_NORM ? times[fig + 1u]
                      : pc.metric == GT_METRIC_DELTA_RMS ? times[fig]
                                                         : stats[0].update_ratio;
    return;
  }
  uint layer = pc.time_steps == 0u ? slab : slab - pc.time_steps + 1u;
  out_from_time = 0u;
  out_neurons = uvec2(layers[layer].neuron_off, layers[layer].out_dim);
  out_layer_value = pc.metric == GT_METRIC_GRAD_W_NORM ? stats[layer].grad_w_norm
                    : pc.metric == GT_METRIC_DELTA_RMS ? stats[layer].delta_rms
                                                       : stats[layer].update_ratio;
}
