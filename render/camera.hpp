// Cameras for the tower. The tower stands in world space from y = 0 (input) to y = kTowerHeight
// (output), x in [-kTowerHalfWidth, kTowerHalfWidth] across the neurons, front face at +z.
#pragma once

#include <cstdint>

#include "render_layout.h"

namespace gt::render {

inline constexpr float kTowerHeight = 2.0f;
inline constexpr float kTowerHalfWidth = 0.5f;
inline constexpr float kTowerHalfDepth = 0.15f;

enum class CameraKind {
  orbit,  // perspective, from the front-right and a little above, framing the whole tower
  front,  // orthographic onto the front faces: the image is the layer x neuron grid exactly
};

// yaw/pitch in degrees (orbit only); zoom 1 frames the tower.
Mat4 camera_matrix(CameraKind kind, uint32_t width, uint32_t height, float yaw = 28.0f,
                   float pitch = 14.0f, float zoom = 1.0f);

}  // namespace gt::render
