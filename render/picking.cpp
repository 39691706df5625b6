#include "render/picking.hpp"

#define GLM_FORCE_DEPTH_ZERO_TO_ONE
#define GLM_FORCE_RADIANS
#include <algorithm>
#include <cmath>
#include <glm/glm.hpp>

namespace gt::render {
namespace {

// A ray P(t) = o + t * d, t in [0, 1] from the near plane to the far plane.
struct Ray {
  glm::dvec3 o, d;
};

// Shrinks [t0, t1] to the part of the ray with |coordinate| <= e along one axis; false if empty.
bool clip_axis(double o, double d, double e, double& t0, double& t1) {
  if (d == 0.0) return std::abs(o) <= e;
  double a = (-e - o) / d, b = (e - o) / d;
  if (a > b) std::swap(a, b);
  t0 = std::max(t0, a);
  t1 = std::min(t1, b);
  return t0 <= t1;
}

struct Hit {
  double t;
  uint32_t layer;
};

// The first slab of a tower (centred on x = 0) along the ray. Slabs are disjoint in y and y is
// monotonic along the ray, so the first slab hit is the one holding the ray's y where it enters
// the tower's prism, or else the next slab face in the direction the ray moves in y.
std::optional<Hit> hit_tower(const Ray& r, uint32_t layers, double pitch, double fill) {
  double t0 = 0.0, t1 = 1.0;
  if (!clip_axis(r.o.x, r.d.x, kTowerHalfWidth, t0, t1)) return std::nullopt;
  if (!clip_axis(r.o.z, r.d.z, kTowerHalfDepth, t0, t1)) return std::nullopt;
  const double h = pitch * fill;
  const double y = r.o.y + t0 * r.d.y, dy = r.d.y;
  const double top = double(layers - 1) * pitch + h;
  if (dy > 0.0 && y < 0.0) {  // enters below the tower, rising: the bottom face of layer 0
    const double t = -r.o.y / dy;
    return t <= t1 ? std::optional<Hit>(Hit{t, 0}) : std::nullopt;
  }
  if (dy < 0.0 && y > top) {  // enters above the tower, falling: the top face of the last layer
    const double t = (top - r.o.y) / dy;
    return t <= t1 ? std::optional<Hit>(Hit{t, layers - 1}) : std::nullopt;
  }
  if (y < 0.0 || y > top) return std::nullopt;
  const uint32_t k = std::min(uint32_t(std::max(std::floor(y / pitch), 0.0)), layers - 1);
  if (y - double(k) * pitch <= h) return Hit{t0, k};
  // In the gap above slab k: the ray meets slab k's top face falling, slab k + 1's bottom rising.
  if (dy == 0.0 || (dy > 0.0 && k + 1 >= layers)) return std::nullopt;
  const uint32_t next = dy > 0.0 ? k + 1 : k;
  const double face = dy > 0.0 ? double(next) * pitch : double(k) * pitch + h;
  const double t = (face - r.o.y) / dy;
  return t <= t1 ? std::optional<Hit>(Hit{t, next}) : std::nullopt;
}

}  // namespace

std::optional<Pick> pick(float px, float py, uint32_t width, uint32_t height,
                         const TowerSettings& s,
                         const std::vector<std::vector<uint32_t>>& out_dims) {
  if (width == 0 || height == 0 || out_dims.empty()) return std::nullopt;
  const uint32_t count = uint32_t(out_dims.size());
  const Mat4 m =
      camera_matrix(s.camera, width, height, count, s.pose.yaw, s.pose.pitch, s.pose.zoom);
  glm::dmat4 vp;
  for (int c = 0; c < 4; ++c)
    for (int r = 0; r < 4; ++r)
      vp[c][r] = double(m.m[c * 4 + r]);
  const glm::dmat4 inv = glm::inverse(vp);
  const double nx = (double(px) + 0.5) / double(width) * 2.0 - 1.0;
  const double ny = (double(py) + 0.5) / double(height) * 2.0 - 1.0;
  const glm::dvec4 n4 = inv * glm::dvec4(nx, ny, 0.0, 1.0), f4 = inv * glm::dvec4(nx, ny, 1.0, 1.0);
  const glm::dvec3 near = glm::dvec3(n4) / n4.w, far = glm::dvec3(f4) / f4.w;

  std::optional<Pick> best;
  double best_t = INFINITY;
  for (uint32_t i = 0; i < count; ++i) {
    const uint32_t layers = uint32_t(out_dims[i].size());
    if (layers == 0) continue;
    // The renderer's slab geometry, in its float precision.
    const float pitch = kTowerHeight / float(layers);
    const float fill = effective_slab_fill(s, layers, height);
    const Ray r{near - glm::dvec3(tower_offset(i, count), 0.0, 0.0), far - near};
    const std::optional<Hit> hit = hit_tower(r, layers, double(pitch), double(fill));
    if (!hit || hit->t >= best_t) continue;
    best_t = hit->t;
    const uint32_t dim = out_dims[i][hit->layer];
    const double u = (r.o.x + hit->t * r.d.x) / kTowerHalfWidth * 0.5 + 0.5;
    const uint32_t neuron =
        dim == 0 ? 0 : std::min(uint32_t(std::max(u, 0.0) * double(dim)), dim - 1);
    best = Pick{i, hit->layer, neuron};
  }
  return best;
}

}  // namespace gt::render
