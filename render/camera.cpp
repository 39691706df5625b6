#include "render/camera.hpp"

#define GLM_FORCE_DEPTH_ZERO_TO_ONE
#define GLM_FORCE_RADIANS
#include <cmath>
#include <cstring>
#include <glm/glm.hpp>
#include <glm/gtc/matrix_transform.hpp>

namespace gt::render {

CameraPose camera_at(const std::vector<net::CameraKey>& keys, double t) {
  if (keys.empty()) return {};
  auto pose = [](const net::CameraKey& k) {
    return CameraPose{float(k.yaw), float(k.pitch), float(k.zoom)};
  };
  if (t <= keys.front().t) return pose(keys.front());
  if (t >= keys.back().t) return pose(keys.back());
  size_t i = 0;
  while (keys[i + 1].t < t)
    ++i;
  const net::CameraKey &a = keys[i], &b = keys[i + 1];
  double u = (t - a.t) / (b.t - a.t);
  u = u * u * (3 - 2 * u);
  auto mix = [u](double x, double y) { return float(x + (y - x) * u); };
  return {mix(a.yaw, b.yaw), mix(a.pitch, b.pitch), mix(a.zoom, b.zoom)};
}

float tower_offset(uint32_t i, uint32_t n) {
  const float pitch = 2.0f * kTowerHalfWidth + kTowerGap;
  return (float(i) - 0.5f * float(n - 1)) * pitch;
}

Mat4 with_offset(const Mat4& m, float dx) {
  Mat4 out = m;
  for (int r = 0; r < 4; ++r)
    out.m[12 + r] += m.m[r] * dx;  // column 3 += column 0 * dx
  return out;
}

Mat4 camera_matrix(CameraKind kind, uint32_t width, uint32_t height, uint32_t towers, float yaw,
                   float pitch, float zoom) {
  const float half_row = tower_offset(towers - 1, towers) + kTowerHalfWidth;
  const float aspect = float(width) / float(height);
  glm::mat4 proj, view;
  if (kind == CameraKind::front) {
    proj = glm::ortho(-half_row, half_row, 0.0f, kTowerHeight, 0.1f, 10.0f);
    view = glm::lookAt(glm::vec3(0, 0, 5), glm::vec3(0, 0, 0), glm::vec3(0, 1, 0));
  } else {
    const float fov = glm::radians(30.0f);
    // Far enough that the tower's height (with a margin) fits the view, or its width on narrow
    // images; aimed a little above the middle so the top band stays free for the title.
    const float fit_h = 0.5f * kTowerHeight * 1.35f / std::tan(fov / 2);
    const float fit_w = half_row * 2.2f / (std::tan(fov / 2) * aspect);
    const float dist = std::max(fit_h, fit_w) / zoom;
    const float y = glm::radians(yaw), p = glm::radians(pitch);
    const glm::vec3 center(0, kTowerHeight * 0.56f, 0);
    const glm::vec3 eye = center + dist * glm::vec3(std::sin(y) * std::cos(p), std::sin(p),
                                                    std::cos(y) * std::cos(p));
    proj = glm::perspective(fov, aspect, 0.05f, dist * 4);
    view = glm::lookAt(eye, center, glm::vec3(0, 1, 0));
  }
  glm::mat4 flip(1.0f);
  flip[1][1] = -1.0f;  // Vulkan's clip space has y pointing down
  const glm::mat4 m = flip * proj * view;
  Mat4 out;
  std::memcpy(out.m, &m[0][0], sizeof out.m);
  return out;
}

Pixel project(const Mat4& m, float x, float y, float z, uint32_t width, uint32_t height) {
  const float* a = m.m;
  const float cx = a[0] * x + a[4] * y + a[8] * z + a[12];
  const float cy = a[1] * x + a[5] * y + a[9] * z + a[13];
  const float cw = a[3] * x + a[7] * y + a[11] * z + a[15];
  return {(cx / cw * 0.5f + 0.5f) * float(width), (cy / cw * 0.5f + 0.5f) * float(height)};
}

}  // namespace gt::render
