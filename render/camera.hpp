// Cameras for the tower. The tower stands in world space from y = 0 (input) to y = kTowerHeight
// (output), x in [-kTowerHalfWidth, kTowerHalfWidth] across the neurons, front face at +z.
#pragma once

#include <cstdint>

#include <vector>

#include "net/spec.hpp"
#include "render_layout.h"

namespace gt::render {

inline constexpr float kTowerHeight = 2.0f;
inline constexpr float kTowerHalfWidth = 0.5f;
inline constexpr float kTowerHalfDepth = 0.15f;

enum class CameraKind {
  orbit,  // perspective, from the front-right and a little above, framing the whole tower
  front,  // orthographic onto the front faces: the image is the layer x neuron grid exactly
};

inline constexpr float kTowerGap = 0.8f;  // between towers standing side by side

// The orbit camera: degrees around the tower (0 looks straight at the front faces), degrees
// above the horizon, and zoom (1 frames everything; larger is closer).
struct CameraPose {
  float yaw = 28.0f;
  float pitch = 14.0f;
  float zoom = 1.0f;
};

// The pose at `t` seconds along a camera path: eased (smoothstep) between keyframes, held
// before the first and after the last; the default pose for an empty path.
CameraPose camera_at(const std::vector<net::CameraKey>& keys, double t);

// World x of the centre of tower i of n, the row of towers centred on x = 0.
float tower_offset(uint32_t i, uint32_t n);

// Frames `towers` towers side by side. yaw/pitch in degrees (orbit only); zoom 1 frames them.
Mat4 camera_matrix(CameraKind kind, uint32_t width, uint32_t height, uint32_t towers = 1,
                   float yaw = 28.0f, float pitch = 14.0f, float zoom = 1.0f);
// m * translate(dx, 0, 0): the camera of a tower moved along x.
Mat4 with_offset(const Mat4& m, float dx);

// Pixel position (x, y) of a world point through the camera, in a width x height image (Vulkan
// clip space, y down).
struct Pixel {
  float x, y;
};
Pixel project(const Mat4& m, float x, float y, float z, uint32_t width, uint32_t height);

}  // namespace gt::render
