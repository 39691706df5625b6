// Picking: which slab (tower, layer, neuron) of the towers drawn by TowerRenderer lies under a
// pixel, for the live window's hover and click read-outs. Pure math, no GPU: the same cameras
// (camera_matrix, with_offset, tower_offset) and slab geometry (effective_slab_fill) as the
// renderer, intersected exactly with the pixel's ray.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "render/tower.hpp"

namespace gt::render {

struct Pick {
  uint32_t tower = 0;
  uint32_t layer = 0;
  uint32_t neuron = 0;
};

// The nearest slab under pixel (px, py) (origin top-left; the pixel's centre is at +0.5) of a
// width x height view showing out_dims.size() towers side by side with settings s;
// out_dims[i][l] is the neuron count (out_dim) of layer l of tower i. nullopt over the
// background or where the ray passes through the gaps between slabs without hitting one.
std::optional<Pick> pick(float px, float py, uint32_t width, uint32_t height,
                         const TowerSettings& s,
                         const std::vector<std::vector<uint32_t>>& out_dims);

}  // namespace gt::render
