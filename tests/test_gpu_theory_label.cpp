// The theory strip's label: where the overlay puts it (render/label_place.hpp, on the host), and
// in the frames `gradtower render` and `record` write: beside every strip, in the poses the
// scenes' camera paths take and at the golden image's small size, and only on the background.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <limits>
#include <memory>
#include <ostream>

#include "gpu/network.hpp"
#include "gpu_fixture.hpp"
#include "render/label_place.hpp"
#include "render/overlay.hpp"
#include "render/theory_strip.hpp"
#include "render/tower.hpp"
#include "scene/scene.hpp"

namespace gt {
namespace {

namespace fs = std::filesystem;
using render::Box;

TEST(LabelPlace, BoxesTouchingAnEdgeLeaveEachOtherClear) {
  render::Occupied taken;
  taken.add(Box{10, 10, 20, 20});
  EXPECT_FALSE(taken.clear(Box{15, 15, 30, 30}));
  EXPECT_TRUE(taken.clear(Box{20, 10, 30, 20})) << "sharing the edge x = 20";
  EXPECT_TRUE(taken.clear(Box{0, 21, 40, 30}));
}

// A diamond (a tower seen at an angle): a box in the corner its bounding box has and it has not
// is clear; one over an edge is not.
TEST(LabelPlace, ProjectedSolidsTakeTheirOutlineNotTheirBounds) {
  render::Occupied taken;
  taken.add(std::vector<render::Pixel>{{50, 0}, {100, 50}, {50, 100}, {0, 50}, {50, 50}});
  EXPECT_TRUE(taken.clear(Box{0, 0, 20, 20})) << "the corner outside the diamond";
  EXPECT_TRUE(taken.clear(Box{76, 76, 100, 100}));
  EXPECT_FALSE(taken.clear(Box{20, 20, 35, 35})) << "over the edge";
  EXPECT_FALSE(taken.clear(Box{45, 45, 55, 55})) << "inside";
  EXPECT_TRUE(taken.clear(Box{101, 0, 120, 100})) << "beside it";
}

TEST(LabelPlace, TakesTheFirstClearPlaceInsideTheFrame) {
  render::Occupied taken;
  taken.add(Box{0, 0, 100, 20});
  const Box over{10, 5, 30, 15}, outside{-5, 30, 15, 40}, free{40, 30, 60, 40};
  const Box a = render::place_label({over, outside, free}, taken, 100, 100);
  EXPECT_EQ(a.x0, free.x0);
  EXPECT_EQ(a.y0, free.y0);
  // None clear: the first inside the frame, so the label is drawn anyway.
  const Box b = render::place_label({outside, over}, taken, 100, 100);
  EXPECT_EQ(b.x0, over.x0);
  EXPECT_EQ(b.y0, over.y0);
}

struct LabelCase {
  const char* name;
  const char* scene;
  uint32_t width, height;
  render::CameraPose pose;
};

void PrintTo(const LabelCase& c, std::ostream* os) {
  *os << c.scene << " " << c.width << "x" << c.height << " yaw " << c.pose.yaw << " pitch "
      << c.pose.pitch << " zoom " << c.pose.zoom;
}

class TheoryLabel : public test::GpuTest, public ::testing::WithParamInterface<LabelCase> {};

constexpr uint8_t kBackground[3] = {20, 20, 26};  // the frame's clear colour

bool background(const uint8_t* p) {
  for (int c = 0; c < 3; ++c)
    if (std::abs(int(p[c]) - int(kBackground[c])) > 2) return false;
  return true;
}

float distance(const Box& b, float x, float y) {
  const float dx = std::max({b.x0 - x, 0.0f, x - b.x1}), dy = std::max({b.y0 - y, 0.0f, y - b.y1});
  return std::max(dx, dy);
}

// The frame with the theory strips and without (no prediction: no strip, no label): what differs
// outside the strips is the labels, each near its own strip, drawn where the frame without them
// is background.
TEST_P(TheoryLabel, StandsBesideEveryStripOnTheBackground) {
  const LabelCase& c = GetParam();
  const fs::path file = fs::path(GT_SOURCE_DIR) / "scenes" / c.scene;
  const net::Scene base = scene::load(file);
  std::vector<std::unique_ptr<gpu::Network>> owned;
  std::vector<gpu::Network*> nets;
  std::vector<std::string> labels;
  const std::vector<net::Scene> runs = scene::load_runs(file);
  for (const net::Scene& s : runs) {
    owned.push_back(std::make_unique<gpu::Network>(test::context(), s));
    owned.back()->train(2);
    nets.push_back(owned.back().get());
    labels.push_back(runs.size() > 1 ? s.title : std::string());
  }
  render::TowerSettings s;
  s.pose = c.pose;
  std::tie(s.log_lo, s.log_hi) = render::auto_range(nets, s.metric);
  const render::OverlayInfo info = render::overlay_info(base.title, nets, labels, s);
  render::OverlayInfo bare = info;
  for (render::RunInfo& r : bare.runs) {
    ASSERT_FALSE(r.theory_log10.empty()) << "the scene has a prediction to draw";
    r.theory_log10.clear();
  }
  render::FrameRenderer fr(test::context(), c.width, c.height, true);
  const std::vector<uint8_t> with = fr.render(nets, s, &info), without = fr.render(nets, s, &bare);

  const uint32_t n = uint32_t(nets.size());
  const render::Mat4 camera = render::camera_matrix(render::CameraKind::orbit, c.width, c.height, n,
                                                    s.pose.yaw, s.pose.pitch, s.pose.zoom);
  std::vector<Box> strips;
  for (uint32_t r = 0; r < n; ++r) {
    const std::vector<render::Pixel> q = render::theory_strip_corners(
        render::with_offset(camera, render::tower_offset(r, n)), c.width, c.height);
    Box b{q[0].x, q[0].y, q[0].x, q[0].y};
    for (const render::Pixel& p : q)
      b = {std::min(b.x0, p.x), std::min(b.y0, p.y), std::max(b.x1, p.x), std::max(b.y1, p.y)};
    strips.push_back({b.x0 - 2, b.y0 - 2, b.x1 + 2, b.y1 + 2});
  }
  std::vector<size_t> near(n, 0);
  size_t off_background = 0;
  for (uint32_t y = 0; y < c.height; ++y)
    for (uint32_t x = 0; x < c.width; ++x) {
      const size_t i = (size_t(y) * c.width + x) * 4;
      int d = 0;
      for (int k = 0; k < 3; ++k)
        d = std::max(d, std::abs(int(with[i + k]) - int(without[i + k])));
      if (d <= 40) continue;
      const float px = float(x) + 0.5f, py = float(y) + 0.5f;
      uint32_t best = 0;
      for (uint32_t r = 1; r < n; ++r)
        if (distance(strips[r], px, py) < distance(strips[best], px, py)) best = r;
      if (distance(strips[best], px, py) == 0) continue;  // the strip itself
      ++near[best];
      off_background += !background(&without[i]);
    }
  for (uint32_t r = 0; r < n; ++r)
    EXPECT_GT(near[r], 15u) << "no label by the strip of tower " << r + 1;
  EXPECT_EQ(off_background, 0u) << "label pixels over something else the overlay or tower drew";
}

INSTANTIATE_TEST_SUITE_P(
    Scenes, TheoryLabel,
    ::testing::Values(
        LabelCase{"default_path_start", "default.toml", 1280, 720, {35, 12, 1.0f}},
        // The end of default.toml's camera path: the tower's top reaches the title block.
        LabelCase{"default_path_end", "default.toml", 1280, 720, {15, 8, 1.05f}},
        LabelCase{"default_golden_size", "default.toml", 384, 216, {}},
        LabelCase{"sigmoid_vs_relu_720p", "sigmoid_vs_relu.toml", 1280, 720, {}},
        LabelCase{"sigmoid_vs_relu_1080p", "sigmoid_vs_relu.toml", 1920, 1080, {}}),
    [](const auto& p) { return std::string(p.param.name); });

}  // namespace
}  // namespace gt
