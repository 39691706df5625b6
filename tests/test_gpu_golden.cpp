// Golden images: small committed PNGs of known scenes, compared with a tolerance (lavapipe is
// deterministic, but another driver may round differently at edges). On failure the actual
// frame and an amplified difference image are written next to the test binary. To regenerate
// after an intended change: GT_UPDATE_GOLDEN=1 ./gt_tests_gpu --gtest_filter='Golden*'
// (then look at the new PNGs before committing them).
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

#define STB_IMAGE_IMPLEMENTATION
#include <stb/stb_image.h>

#include "gpu/network.hpp"
#include "gpu_fixture.hpp"
#include "render/overlay.hpp"
#include "render/png.hpp"
#include "render/tower.hpp"
#include "scene/scene.hpp"

namespace gt {
namespace {

namespace fs = std::filesystem;
struct Size {
  uint32_t w, h;
};

std::vector<uint8_t> frame(const std::string& scene_file, uint32_t steps, render::CameraKind camera,
                           Size size) {
  const net::Scene scene = scene::load(fs::path(GT_SOURCE_DIR) / "scenes" / scene_file);
  gpu::Network net(test::context(), scene);
  net.train(steps);
  render::TowerSettings s;
  s.camera = camera;
  std::tie(s.log_lo, s.log_hi) = render::auto_range(net, s.metric);
  const render::OverlayInfo info = render::overlay_info(scene.title, {&net}, {""}, s);
  return render::render_tower(test::context(), net, s, size.w, size.h,
                              camera == render::CameraKind::orbit ? &info : nullptr);
}

void compare_with_golden(const std::vector<uint8_t>& actual, Size size, const std::string& name) {
  const uint32_t kW = size.w, kH = size.h;
  const fs::path golden = fs::path(GT_SOURCE_DIR) / "tests" / "golden" / (name + ".png");
  if (const char* u = std::getenv("GT_UPDATE_GOLDEN"); u && std::string(u) == "1") {
    render::write_png(golden, kW, kH, actual);
    GTEST_SKIP() << "wrote " << golden;  // only when regenerating on purpose
  }
  int w = 0, h = 0, n = 0;
  stbi_uc* data = stbi_load(golden.c_str(), &w, &h, &n, 4);
  ASSERT_NE(data, nullptr) << "cannot read " << golden;
  std::vector<uint8_t> expected(data, data + size_t(w) * h * 4);
  stbi_image_free(data);
  ASSERT_EQ(uint32_t(w), kW);
  ASSERT_EQ(uint32_t(h), kH);
  std::vector<uint8_t> diff(actual.size(), 255);
  size_t bad = 0;
  for (size_t p = 0; p < size_t(kW) * kH; ++p) {
    int worst = 0;
    for (int c = 0; c < 3; ++c) {
      const int d = std::abs(int(actual[p * 4 + c]) - int(expected[p * 4 + c]));
      worst = std::max(worst, d);
      diff[p * 4 + c] = uint8_t(std::min(255, d * 8));
    }
    bad += worst > 12;
  }
  // At most 0.5% of the pixels may differ by more than 12 levels (edge rounding).
  if (bad > size_t(kW) * kH / 200) {
    const fs::path out = fs::current_path();
    render::write_png(out / (name + ".actual.png"), kW, kH, actual);
    render::write_png(out / (name + ".diff.png"), kW, kH, diff);
    ADD_FAILURE() << name << ": " << bad << " pixels differ from " << golden << "; wrote "
                  << (out / (name + ".actual.png")) << " and " << (out / (name + ".diff.png"));
  }
}

class Golden : public test::GpuTest {};

TEST_F(Golden, DefaultSceneOrbitWithOverlay) {
  compare_with_golden(frame("default.toml", 5, render::CameraKind::orbit, {384, 216}), {384, 216},
                      "default_orbit");
}

TEST_F(Golden, TeacherReluFrontGrid) {
  compare_with_golden(frame("teacher_relu.toml", 3, render::CameraKind::front, {192, 144}),
                      {192, 144}, "teacher_relu_front");
}

}  // namespace
}  // namespace gt
