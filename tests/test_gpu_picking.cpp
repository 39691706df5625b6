// Picking against the renderer's geometry: points on slab faces pick back their slab and neuron,
// and pick() agrees with a brute-force reference (every slab face projected). No GPU.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <tuple>

#include "render/picking.hpp"

namespace gt::render {
namespace {

constexpr uint32_t kW = 960, kH = 540;
constexpr double kHW = kTowerHalfWidth, kHD = kTowerHalfDepth;
using Dims = std::vector<std::vector<uint32_t>>;

TowerSettings orbit(float yaw, float pitch, float zoom = 1, CameraKind kind = CameraKind::orbit) {
  return {.camera = kind, .pose = {yaw, pitch, zoom}};
}
const TowerSettings kFront = orbit(0, 0, 1, CameraKind::front);
const std::vector<TowerSettings> kPoses = {
    orbit(28, 14),      orbit(0, 0), orbit(-40, 25), orbit(60, -15, 0.9f),
    orbit(10, 5, 1.4f), kFront,      orbit(80, 20),  orbit(-80, 10)};  // ±80: towers overlap

// Tower i's layer l has 3 + (l + i) % 5 neurons.
Dims dims(uint32_t count, uint32_t layers) {
  Dims d(count);
  for (uint32_t i = 0; i < count; ++i)
    for (uint32_t l = 0; l < layers; ++l)
      d[i].push_back(3 + (l + i) % 5);
  return d;
}

// The pixel (origin top-left, centres at +0.5) and depth showing point (x, y, z) of tower i.
std::array<double, 3> project(const TowerSettings& s, uint32_t i, uint32_t count, double x,
                              double y, double z) {
  const Mat4 m =
      with_offset(camera_matrix(s.camera, kW, kH, count, s.pose.yaw, s.pose.pitch, s.pose.zoom),
                  tower_offset(i, count));
  std::array<double, 4> c{};
  for (int r = 0; r < 4; ++r)
    c[r] = m.m[r] * x + m.m[4 + r] * y + m.m[8 + r] * z + m.m[12 + r];
  return {(c[0] / c[3] + 1) * 0.5 * kW - 0.5, (c[1] / c[3] + 1) * 0.5 * kH - 0.5, c[2] / c[3]};
}

struct Slab {
  double y0, h;  // bottom, height
};
Slab slab(const TowerSettings& s, uint32_t layers, uint32_t l) {
  const float pitch = kTowerHeight / float(layers);
  return {float(l) * pitch, pitch * effective_slab_fill(s, layers, kH)};
}
const auto neuron_x = [](uint32_t j, uint32_t n) { return ((j + 0.5) / n * 2 - 1) * kHW; };

std::optional<Pick> pick_point(const TowerSettings& s, const Dims& d, uint32_t i, double x,
                               double y, double z) {
  const auto p = project(s, i, uint32_t(d.size()), x, y, z);
  const bool on_screen = p[0] >= -0.5 && p[0] < kW - 0.5 && p[1] >= -0.5 && p[1] < kH - 0.5;
  EXPECT_TRUE(on_screen || s.pose.zoom > 1);  // zoom 1 frames everything
  return pick(float(p[0]), float(p[1]), kW, kH, s, d);
}

void expect_pick(const TowerSettings& s, const Dims& d, uint32_t i, double x, double y, double z,
                 uint32_t layer, uint32_t neuron) {
  SCOPED_TRACE(testing::Message() << "yaw " << s.pose.yaw << " pitch " << s.pose.pitch << " zoom "
                                  << s.pose.zoom << " kind " << int(s.camera) << " tower " << i
                                  << "/" << d.size() << " layer " << layer << "/" << d[i].size());
  const auto got = pick_point(s, d, i, x, y, z);
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(std::tuple(got->tower, got->layer, got->neuron), std::tuple(i, layer, neuron));
}

TEST(Picking, FrontFaceCentresPickTheirSlabAndNeuron) {
  for (const TowerSettings& s : kPoses)
    for (uint32_t layers : {3u, 40u, 1000u})
      for (uint32_t count : {1u, 3u}) {
        const Dims d = dims(count, layers);
        for (uint32_t i = 0; i < count; ++i)
          for (uint32_t l : {0u, layers / 2, layers - 1}) {
            const uint32_t n = d[i][l], j = (l * 7 + i) % n;
            const Slab sl = slab(s, layers, l);
            expect_pick(s, d, i, neuron_x(j, n), sl.y0 + 0.5 * sl.h, kHD, l, j);
          }
      }
}

TEST(Picking, TopFaceFromAboveAndBottomFaceFromBelow) {
  for (uint32_t layers : {3u, 40u, 1000u})
    for (uint32_t count : {1u, 3u}) {
      const Dims d = dims(count, layers);
      const Slab top = slab(orbit(0, 0), layers, layers - 1);
      for (uint32_t i = 0; i < count; ++i) {
        const uint32_t n = d[i][layers - 1], n0 = d[i][0];
        expect_pick(orbit(20, 35), d, i, neuron_x(1, n), top.y0 + top.h, -0.5 * kHD, layers - 1, 1);
        expect_pick(orbit(-20, -35), d, i, neuron_x(n0 - 1, n0), 0, 0.5 * kHD, 0, n0 - 1);
      }
    }
}

TEST(Picking, BackgroundAndGapsBetweenTowersPickNothing) {
  const Dims one = dims(1, 12), three = dims(3, 12);
  for (const TowerSettings& s : kPoses) {
    if (s.camera == CameraKind::front) continue;  // one tower fills the front camera's image
    EXPECT_FALSE(pick(0, 0, kW, kH, s, one));
    EXPECT_FALSE(pick(kW - 1, kH - 1, kW, kH, s, three));
  }
  const double between = 0.5 * (tower_offset(1, 3) - tower_offset(0, 3));  // towers 0 and 1
  EXPECT_FALSE(pick_point(kFront, three, 0, between, 1.0, kHD));
  EXPECT_FALSE(pick_point(orbit(28, 14), three, 0, between, 1.0, kHD));
  const auto corner = pick(0, kH - 1, kW, kH, kFront, one);  // bottom left: layer 0, neuron 0
  EXPECT_TRUE(corner && corner->tower == 0 && corner->layer == 0 && corner->neuron == 0);
}

TEST(Picking, GapsBetweenSlabsShowTheSlabBehindOrNothing) {
  const Dims d = dims(1, 4);  // pitch 0.5: slabs [0, 0.4], [0.5, 0.9], [1, 1.4], [1.5, 1.9]
  const Slab s1 = slab(orbit(0, 0), 4, 1), s2 = slab(orbit(0, 0), 4, 2);
  ASSERT_NEAR(s1.h, 0.4, 1e-6);  // the gaps stay open at this depth
  const double gap = s2.y0 - (s1.y0 + s1.h), mid = s1.y0 + s1.h + 0.5 * gap;
  auto layer_at = [&](const TowerSettings& s, double y) {  // -1: nothing
    const auto got = pick_point(s, d, 0, 0.1, y, kHD);
    return got ? int(got->layer) : -1;
  };
  // Straight on, or nearly level (the eye at y = 1.12): the ray passes through the gap.
  EXPECT_EQ(layer_at(kFront, mid), -1);
  EXPECT_EQ(layer_at(orbit(0, 0), mid), -1);
  // From above, just over slab 1's front edge: the ray falls onto slab 1's top face.
  EXPECT_EQ(layer_at(orbit(0, 40), s1.y0 + s1.h + 0.25 * gap), 1);
  // From below, just under slab 2's front edge: the ray rises into slab 2's bottom face.
  EXPECT_EQ(layer_at(orbit(0, -40), s2.y0 - 0.25 * gap), 2);
}

constexpr int64_t kNothing = -1, kAmbiguous = -2;
const auto code = [](uint32_t tower, uint32_t l) { return int64_t(tower) << 32 | l; };

// Every face of every slab projected; code() of the nearest covering (px, py), or kNothing, or
// kAmbiguous within 1e-3 pixels of a face's outline (where rounding decides).
int64_t reference(const TowerSettings& s, uint32_t count, uint32_t layers, double px, double py) {
  static constexpr int kFaces[6][4] = {{0, 1, 3, 2}, {4, 6, 7, 5}, {0, 4, 5, 1},
                                       {2, 3, 7, 6}, {0, 2, 6, 4}, {1, 5, 7, 3}};
  int64_t best = kNothing;
  double best_z = INFINITY;
  for (uint32_t i = 0; i < count; ++i)
    for (uint32_t l = 0; l < layers; ++l) {
      const Slab sl = slab(s, layers, l);
      std::array<std::array<double, 3>, 8> v;
      for (int c = 0; c < 8; ++c)
        v[c] = project(s, i, count, c & 4 ? kHW : -kHW, c & 2 ? sl.y0 + sl.h : sl.y0,
                       c & 1 ? kHD : -kHD);
      for (const auto& f : kFaces) {
        const auto &a = v[f[0]], &b = v[f[1]], &c = v[f[2]];
        const double det = (b[0] - a[0]) * (c[1] - a[1]) - (c[0] - a[0]) * (b[1] - a[1]);
        if (std::abs(det) < 1e-9) continue;  // edge-on
        double inside = INFINITY;            // distance to the outline, negative outside
        for (int e = 0; e < 4; ++e) {
          const auto &p = v[f[e]], &q = v[f[(e + 1) % 4]];
          const double cross = (q[0] - p[0]) * (py - p[1]) - (q[1] - p[1]) * (px - p[0]);
          inside =
              std::min(inside, (det > 0 ? cross : -cross) / std::hypot(q[0] - p[0], q[1] - p[1]));
        }
        if (std::abs(inside) < 1e-3) return kAmbiguous;
        if (inside <= 0) continue;
        // Depth is affine over a planar face in screen space: interpolate it on a, b, c.
        const double u = ((px - a[0]) * (c[1] - a[1]) - (c[0] - a[0]) * (py - a[1])) / det;
        const double w = ((b[0] - a[0]) * (py - a[1]) - (px - a[0]) * (b[1] - a[1])) / det;
        const double z = a[2] + u * (b[2] - a[2]) + w * (c[2] - a[2]);
        if (z < best_z) best_z = z, best = code(i, l);
      }
    }
  return best;
}

TEST(Picking, AgreesWithAProjectedFacesReference) {
  std::vector<std::tuple<TowerSettings, uint32_t, uint32_t>> cases;  // settings, towers, layers
  for (const TowerSettings& s : kPoses)
    for (uint32_t layers : {3u, 7u, 40u})
      cases.emplace_back(s, layers == 7 ? 3u : 1u, layers);
  cases.emplace_back(orbit(35, 30), 1, 1000);
  cases.emplace_back(orbit(-25, 50), 3, 5);
  for (const auto& [s, count, layers] : cases) {
    const Dims d = dims(count, layers);
    int hits = 0, checked = 0;
    for (uint32_t k = 0; k < 27 * 48; ++k) {  // a 48 x 27 grid over the image
      const double px = (k % 48 + 0.37) * kW / 48.0, py = (k / 48 + 0.61) * kH / 27.0;
      const int64_t want = reference(s, count, layers, px, py);
      if (want == kAmbiguous) continue;
      const auto got = pick(float(px), float(py), kW, kH, s, d);
      ++checked, hits += want != kNothing;
      EXPECT_EQ(got ? code(got->tower, got->layer) : kNothing, want) << px << "," << py;
    }
    EXPECT_GT(checked, 27 * 48 * 9 / 10);
    EXPECT_GT(hits, 40);  // the towers were covered, not just the background
  }
}

}  // namespace
}  // namespace gt::render
