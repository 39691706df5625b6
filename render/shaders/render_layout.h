// Layouts shared by the renderer's C++ (render/) and its shaders (render/shaders/).
#ifndef GT_RENDER_LAYOUT_H
#define GT_RENDER_LAYOUT_H

#ifdef __cplusplus
#include <cstdint>
namespace gt::render {
using uint = uint32_t;
struct Mat4 {
  float m[16];  // column-major, as GLSL mat4 and glm::mat4
};
#define GT_RCONST(type, name, value) inline constexpr type name = value
#define GT_MAT4 Mat4
#else
#define GT_RCONST(type, name, value) const type name = value
#define GT_MAT4 mat4
#endif

// What colours the tower's cells.
GT_RCONST(uint, GT_METRIC_NEURON_DELTA, 0u);  // per neuron: mean over the batch of |dL/dz|
GT_RCONST(uint, GT_METRIC_GRAD_W_NORM, 1u);   // per layer: Frobenius norm of dW
GT_RCONST(uint, GT_METRIC_DELTA_RMS, 2u);     // per layer: RMS of dL/dz
GT_RCONST(uint, GT_METRIC_UPDATE_RATIO, 3u);  // per layer: |W_new - W_old| / |W_old|

// Bindings of the tower pipeline's push-descriptor set.
GT_RCONST(uint, GT_RBIND_LAYERS, 0u);        // LayerDesc[] (engine/shared/layout.h)
GT_RCONST(uint, GT_RBIND_LAYER_STATS, 1u);   // LayerStats[] of the latest step
GT_RCONST(uint, GT_RBIND_NEURON_STATS, 2u);  // float[] per neuron
GT_RCONST(uint, GT_RBIND_TIME_STATS, 3u);    // float[]: recurrent layers' per-time figures
GT_RCONST(uint, GT_RBIND_COUNT, 4u);

struct TowerPush {
  GT_MAT4 view_proj;
  uint num_layers;
  uint metric;
  float log_lo;      // log10 of the value at the bottom of the colour scale
  float log_hi;      // log10 of the value at the top
  float slab_pitch;  // tower height / layers
  float slab_fill;   // fraction of the pitch a slab fills (the rest is the gap)
  float half_width;  // x extent of every slab
  float half_depth;  // z extent
  // A recurrent first layer (GT_FLAG_RECURRENT) stands as its time steps: slabs 0..time_steps-1
  // are its steps t = 1..time_steps (cells from TIME_STATS), the slabs above the later layers.
  // 0: one slab per layer.
  uint time_steps;
  uint pad0;
  uint pad1;
  uint pad2;
};

#ifdef __cplusplus
static_assert(sizeof(TowerPush) == 112);
}  // namespace gt::render
#endif
#undef GT_RCONST
#undef GT_MAT4
#endif  // GT_RENDER_LAYOUT_H
