// The tower renderer against the statistics it draws: with the front camera the image is the
// layer x neuron grid, so every cell's centre pixel can be checked against the host colormap of
// the value the GPU statistics hold (read back independently of the renderer).
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>

#include "gpu/network.hpp"
#include "gpu_fixture.hpp"
#include "render/colormap.hpp"
#include "render/overlay.hpp"
#include "render/tower.hpp"
#include "vk/transfer.hpp"

namespace gt {
namespace {

constexpr uint32_t kW = 240, kH = 200;

net::Scene render_scene(uint32_t depth) {
  net::Scene s;
  s.network.input = 2;
  s.network.depth = depth;
  s.network.width = 6;
  s.network.output = 3;
  s.network.activation = net::Activation::sigmoid;
  s.network.sigma_w = 1.0;
  s.data.kind = net::DataKind::spiral;
  s.data.batch = 16;
  s.train.loss = net::Loss::cross_entropy;
  return s;
}

struct Pixel {
  int r, g, b;
};

Pixel at(const std::vector<uint8_t>& img, uint32_t x, uint32_t y) {
  const size_t i = (size_t(y) * kW + x) * 4;
  return {img[i], img[i + 1], img[i + 2]};
}

// Centre of cell (layer, neuron) in the front view: layer 0 at the bottom.
std::pair<uint32_t, uint32_t> cell_centre(uint32_t layer, uint32_t layers, uint32_t neuron,
                                          uint32_t neurons, float fill) {
  const double x = (neuron + 0.5) / neurons * kW;
  const double y_world = (layer + fill / 2.0) / layers;  // 0..1 from the bottom
  return {uint32_t(x), uint32_t((1.0 - y_world) * kH)};
}

::testing::AssertionResult same_color(Pixel p, std::array<uint8_t, 3> want, int tol = 3) {
  if (std::abs(p.r - want[0]) <= tol && std::abs(p.g - want[1]) <= tol &&
      std::abs(p.b - want[2]) <= tol)
    return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << "pixel (" << p.r << "," << p.g << "," << p.b << ") want (" << int(want[0]) << ","
         << int(want[1]) << "," << int(want[2]) << ")";
}

class Render : public test::GpuTest {
 protected:
  render::TowerSettings front() {
    render::TowerSettings s;
    s.camera = render::CameraKind::front;
    s.log_lo = -6;
    s.log_hi = 0;
    return s;
  }
};

TEST_F(Render, FrontViewCellsShowEachNeuronsStatistic) {
  gpu::Network net(test::context(), render_scene(4));
  net.train(2);
  const render::TowerSettings s = front();
  const std::vector<uint8_t> img = render::render_tower(test::context(), net, s, kW, kH);
  const std::vector<float> neurons = net.neuron_stats();
  const gpu::Plan& plan = net.plan();
  for (uint32_t l = 0; l < plan.num_layers; ++l) {
    const shared::LayerDesc& d = plan.layers[l];
    for (uint32_t n = 0; n < d.out_dim; ++n) {
      const auto [x, y] = cell_centre(l, plan.num_layers, n, d.out_dim, s.slab_fill);
      const float v = neurons[d.neuron_off + n];
      EXPECT_TRUE(
          same_color(at(img, x, y), render::to_bytes(render::value_color(v, s.log_lo, s.log_hi))))
          << "layer " << l << " neuron " << n << " value " << v;
    }
  }
  // The gaps between slabs show the background.
  // (a "fill" of 1 + slab_fill puts the centre in the middle of the gap above layer 1)
  const uint32_t gy = cell_centre(1, plan.num_layers, 0, 6, 1.0f + s.slab_fill).second;
  EXPECT_TRUE(same_color(at(img, 5, gy), {20, 20, 26}, 2)) << "gap above layer 1";
}

TEST_F(Render, AKnownChangeInTheStatisticsChangesExactlyThoseCells) {
  gpu::Network net(test::context(), render_scene(4));
  net.train(1);
  const render::TowerSettings s = front();
  const std::vector<uint8_t> before = render::render_tower(test::context(), net, s, kW, kH);
  // Overwrite four neurons of layer 2 in the GPU buffer the renderer reads.
  const shared::LayerDesc& d = net.plan().layers[2];
  const float nan = std::numeric_limits<float>::quiet_NaN(),
              inf = std::numeric_limits<float>::infinity();
  const std::vector<float> special{nan, inf, 0.0f, -inf};
  vk::upload_span<float>(test::context(), net.neuron_stats_buffer(), uint64_t(d.neuron_off) * 4,
                         special);
  const std::vector<uint8_t> after = render::render_tower(test::context(), net, s, kW, kH);
  const std::array<std::array<uint8_t, 3>, 4> colors{
      {{255, 0, 255}, {255, 255, 255}, {0, 0, 0}, {0, 255, 255}}};
  const gpu::Plan& plan = net.plan();
  for (uint32_t l = 0; l < plan.num_layers; ++l) {
    const uint32_t out = plan.layers[l].out_dim;
    for (uint32_t n = 0; n < out; ++n) {
      const auto [x, y] = cell_centre(l, plan.num_layers, n, out, s.slab_fill);
      const Pixel a = at(after, x, y), b = at(before, x, y);
      if (l == 2 && n < 4) {
        EXPECT_TRUE(same_color(a, colors[n], 0)) << "special value " << n;
      } else {
        EXPECT_TRUE(a.r == b.r && a.g == b.g && a.b == b.b)
            << "layer " << l << " neuron " << n << " changed";
      }
    }
  }
}

TEST_F(Render, PerLayerMetricColoursWholeSlabs) {
  gpu::Network net(test::context(), render_scene(5));
  net.train(1);
  render::TowerSettings s = front();
  s.metric = render::GT_METRIC_GRAD_W_NORM;
  std::tie(s.log_lo, s.log_hi) = render::auto_range(net, s.metric);
  const std::vector<uint8_t> img = render::render_tower(test::context(), net, s, kW, kH);
  const gpu::StepStats st = net.latest_stats();
  for (uint32_t l = 0; l < st.layers.size(); ++l) {
    const auto want =
        render::to_bytes(render::value_color(st.layers[l].grad_w_norm, s.log_lo, s.log_hi));
    for (uint32_t n : {0u, 2u, 5u}) {
      const auto [x, y] = cell_centre(l, uint32_t(st.layers.size()), n, 6, s.slab_fill);
      EXPECT_TRUE(same_color(at(img, x, y), want)) << "layer " << l;
    }
  }
}

TEST_F(Render, FramesAreBitIdenticalAndOrbitShowsTheTower) {
  gpu::Network net(test::context(), render_scene(6));
  net.train(3);
  render::TowerSettings s;
  s.log_lo = -8;
  const std::vector<uint8_t> a = render::render_tower(test::context(), net, s, kW, kH);
  const std::vector<uint8_t> b = render::render_tower(test::context(), net, s, kW, kH);
  EXPECT_EQ(a, b);
  const Pixel corner = at(a, 0, 0), centre = at(a, kW / 2, kH / 2);
  EXPECT_TRUE(same_color(corner, {20, 20, 26}, 2)) << "background at the corner";
  EXPECT_FALSE(same_color(centre, {20, 20, 26}, 2)) << "the tower covers the centre";
}

TEST_F(Render, TenThousandLayersRender) {
  net::Scene scene = render_scene(9999);
  scene.network.width = 8;
  scene.data.batch = 4;
  gpu::Network net(test::context(), scene);
  net.train(1);
  render::TowerSettings s = front();
  std::tie(s.log_lo, s.log_hi) = render::auto_range(net, s.metric);
  const std::vector<uint8_t> img = render::render_tower(test::context(), net, s, kW, kH);
  // The top rows show the output layers; the image is covered by the tower.
  size_t background = 0;
  for (uint32_t y = 0; y < kH; ++y)
    if (same_color(at(img, kW / 2, y), {20, 20, 26}, 2)) ++background;
  EXPECT_LT(background, kH / 10);
}

}  // namespace
}  // namespace gt

namespace gt {
namespace {

// The overlay adds text and legends around the tower and leaves the tower itself alone.
TEST_F(Render, OverlayDrawsLegendsAndLeavesTheTowerAlone) {
  gpu::Network net(test::context(), render_scene(5));
  net.train(2);
  render::TowerSettings s;
  std::tie(s.log_lo, s.log_hi) = render::auto_range(net, s.metric);
  const render::OverlayInfo info = render::overlay_info("overlay test", {&net}, {""}, s);
  const std::vector<uint8_t> plain = render::render_tower(test::context(), net, s, kW, kH);
  const std::vector<uint8_t> text = render::render_tower(test::context(), net, s, kW, kH, &info);
  EXPECT_EQ(at(text, kW / 2, kH / 2).r, at(plain, kW / 2, kH / 2).r) << "tower centre untouched";
  size_t changed_title = 0, changed_bar = 0;
  for (uint32_t y = 0; y < 20; ++y)
    for (uint32_t x = 0; x < 80; ++x)
      changed_title += at(text, x, y).r != at(plain, x, y).r;
  for (uint32_t y = kH / 4; y < kH / 2; ++y)
    for (uint32_t x = kW - 40; x < kW; ++x)
      changed_bar += at(text, x, y).g != at(plain, x, y).g;
  EXPECT_GT(changed_title, 20u) << "title text";
  EXPECT_GT(changed_bar, 20u) << "colour bar";
}

}  // namespace
}  // namespace gt

namespace gt {
namespace {

// Several runs stand side by side: in the front view each tower is its own layer x neuron grid,
// coloured from its own network's statistics on the shared scale.
TEST_F(Render, SideBySideTowersShowTheirOwnStatistics) {
  net::Scene sig = render_scene(3), relu = render_scene(3);
  relu.network.activation = net::Activation::relu;
  relu.network.init = net::Init::he_normal;
  gpu::Network a(test::context(), sig), b(test::context(), relu);
  a.train(1);
  b.train(1);
  render::TowerSettings s;
  s.camera = render::CameraKind::front;
  std::tie(s.log_lo, s.log_hi) = render::auto_range({&a, &b}, s.metric);
  render::FrameRenderer fr(test::context(), kW, kH, false);
  const std::vector<uint8_t> img = fr.render({&a, &b}, s);
  // Tower i spans x in [offset - 0.5, offset + 0.5] of a row [-half_row, half_row].
  const float half_row = render::tower_offset(1, 2) + render::kTowerHalfWidth;
  for (uint32_t t = 0; t < 2; ++t) {
    gpu::Network& net = t == 0 ? a : b;
    const std::vector<float> neurons = net.neuron_stats();
    const shared::LayerDesc& d = net.plan().layers[1];
    for (uint32_t n = 0; n < d.out_dim; ++n) {
      const float x_world = render::tower_offset(t, 2) - render::kTowerHalfWidth +
                            (float(n) + 0.5f) / float(d.out_dim);
      const uint32_t x = uint32_t((x_world + half_row) / (2 * half_row) * kW);
      const uint32_t y = cell_centre(1, net.plan().num_layers, 0, 1, s.slab_fill).second;
      const float v = neurons[d.neuron_off + n];
      EXPECT_TRUE(
          same_color(at(img, x, y), render::to_bytes(render::value_color(v, s.log_lo, s.log_hi))))
          << "tower " << t << " neuron " << n;
    }
  }
  EXPECT_TRUE(same_color(at(img, kW / 2, kH / 2), {20, 20, 26}, 2)) << "the gap between the towers";
}

}  // namespace
}  // namespace gt

namespace gt {
namespace {

// Camera paths: keyframes held at the ends, eased in between (the midpoint of a smoothstep is
// the midpoint of the values), values derived by hand.
TEST(CameraPath, InterpolatesBetweenKeyframes) {
  const std::vector<net::CameraKey> keys{{0.0, 40, 10, 1.0}, {2.0, 0, 30, 2.0}, {4.0, 20, 30, 2.0}};
  const render::CameraPose before = render::camera_at(keys, -1.0),
                           after = render::camera_at(keys, 9.0);
  EXPECT_FLOAT_EQ(before.yaw, 40);
  EXPECT_FLOAT_EQ(after.yaw, 20);
  const render::CameraPose mid = render::camera_at(keys, 1.0);
  EXPECT_FLOAT_EQ(mid.yaw, 20);
  EXPECT_FLOAT_EQ(mid.pitch, 20);
  EXPECT_FLOAT_EQ(mid.zoom, 1.5);
  const render::CameraPose quarter = render::camera_at(keys, 0.5);  // smoothstep(0.25) = 0.15625
  EXPECT_FLOAT_EQ(quarter.yaw, 40.0f - 40.0f * 0.15625f);
  EXPECT_FLOAT_EQ(render::camera_at(keys, 2.0).yaw, 0);
  EXPECT_FLOAT_EQ(render::camera_at({}, 1.0).yaw, render::CameraPose{}.yaw);
}

// A different camera pose moves the tower in the frame.
TEST_F(Render, CameraPoseChangesTheFrame) {
  gpu::Network net(test::context(), render_scene(4));
  net.train(1);
  render::TowerSettings s;
  const std::vector<uint8_t> a = render::render_tower(test::context(), net, s, kW, kH);
  s.pose.yaw = -30.0f;
  s.pose.zoom = 1.6f;
  const std::vector<uint8_t> b = render::render_tower(test::context(), net, s, kW, kH);
  EXPECT_NE(a, b);
}

}  // namespace
}  // namespace gt
