// `gradtower live` in scripted mode, under Xvfb on lavapipe (CTest runs this binary through
// xvfb-run): the screenshot is the frame as shown, panels included, and its tower region is
// exactly what the offline renderer draws for the same scene, steps and size.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <optional>
#include <regex>
#include <string>
#include <vector>

#define STB_IMAGE_IMPLEMENTATION
#include <stb/stb_image.h>

#include "cli_run.hpp"

namespace gt {
namespace {

namespace fs = std::filesystem;

const std::string kScene = std::string(GT_SOURCE_DIR) + "/scenes/default.toml";

using test::CliRun;

// Every live run with the validation layer on.
CliRun run(const std::string& args) {
  return test::run_cli(args + " --validation");
}

struct Image {
  int w = 0, h = 0;
  std::vector<uint8_t> rgba;
  const uint8_t* at(int x, int y) const { return &rgba[(size_t(y) * w + x) * 4]; }
};

Image load(const fs::path& p) {
  Image img;
  int n = 0;
  stbi_uc* d = stbi_load(p.c_str(), &img.w, &img.h, &n, 4);
  if (d) img.rgba.assign(d, d + size_t(img.w) * img.h * 4);
  stbi_image_free(d);
  return img;
}

// Where the live window drew the towers (its "towers drawn at X,Y size WxH" line).
struct Region {
  int x = 0, y = 0, w = 0, h = 0;
};
std::optional<Region> towers_region(const std::string& output) {
  std::smatch m;
  if (!std::regex_search(output, m, std::regex(R"(towers drawn at (\d+),(\d+) size (\d+)x(\d+))")))
    return std::nullopt;
  return Region{std::stoi(m[1]), std::stoi(m[2]), std::stoi(m[3]), std::stoi(m[4])};
}

class Live : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("gt_live_" + std::to_string(::getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

TEST_F(Live, ScreenshotShowsPanelsAndTheTowerExactlyAsRendered) {
  const fs::path shot = dir_ / "live.png";
  const CliRun live =
      run("live " + kScene + " --frames 4 --steps-per-frame 1 --screenshot " + shot.string());
  ASSERT_EQ(live.code, 0) << live.output;
  const std::optional<Region> region = towers_region(live.output);
  ASSERT_TRUE(region) << live.output;
  const Region t = *region;
  const int rx = t.x, ry = t.y, rw = t.w, rh = t.h;
  EXPECT_NE(live.output.find("4 training steps"), std::string::npos) << live.output;

  const Image img = load(shot);
  ASSERT_EQ(img.w, 1280);
  ASSERT_EQ(img.h, 720);
  ASSERT_GT(rx, 200) << "the panels take the left of the window";
  ASSERT_LT(ry + rh, 720 - 100) << "the plots take the bottom";

  // The offline renderer, same scene, same steps, the region's size: the same pixels.
  const fs::path ref = dir_ / "render.png";
  const CliRun r = run("render " + kScene + " --steps 4 --width " + std::to_string(rw) +
                       " --height " + std::to_string(rh) + " --out " + ref.string());
  ASSERT_EQ(r.code, 0) << r.output;
  const Image want = load(ref);
  ASSERT_EQ(want.w, rw);
  // lavapipe rasterizes the region at a viewport offset in the window, so a few edge pixels may
  // land on the other side of a rounding; anything more is a different picture.
  size_t differ = 0, tower = 0;
  for (int y = 0; y < rh; ++y)
    for (int x = 0; x < rw; ++x) {
      const uint8_t *p = img.at(rx + x, ry + y), *q = want.at(x, y);
      int worst = 0;
      for (int c = 0; c < 3; ++c)
        worst = std::max(worst, std::abs(int(p[c]) - int(q[c])));
      differ += worst > 2;
      tower += p[1] > 100 && p[2] < 100;  // viridis greens and yellows
    }
  EXPECT_LE(differ, size_t(rw) * rh / 2000)
      << "pixels of the tower region unlike `gradtower render`";
  EXPECT_GT(tower, 2000u) << "the tower's coloured faces";

  // The panels: ImGui's dark window with light text on it, left of the towers.
  size_t light = 0, dark = 0;
  for (int y = 0; y < img.h; ++y)
    for (int x = 0; x < rx; ++x) {
      const uint8_t* p = img.at(x, y);
      light += p[0] > 200 && p[1] > 200 && p[2] > 200;
      dark += p[0] < 40 && p[1] < 40 && p[2] < 40;
    }
  EXPECT_GT(light, size_t(rx) * 720 / 100) << "text in the panels";
  EXPECT_GT(dark, size_t(rx) * 720 / 3) << "the panels' background";
  // The plots: the loss and |dW| lines in the first run's colour, below the towers.
  size_t line = 0;
  for (int y = ry + rh; y < img.h; ++y)
    for (int x = rx; x < img.w; ++x) {
      const uint8_t* p = img.at(x, y);
      line += std::abs(p[0] - 90) < 40 && std::abs(p[1] - 200) < 40 && p[2] > 200;
    }
  EXPECT_GT(line, 100u) << "plot lines";
}

TEST_F(Live, ScriptedRunsAreDeterministicInTheTowerRegion) {
  // Two runs of the same scene and steps: the tower regions match bit for bit (the panels show
  // frame times, which differ).
  const fs::path a = dir_ / "a.png", b = dir_ / "b.png";
  const std::string args = "live " + kScene +
                           " --frames 3 --steps-per-frame 2 --width 800 --height 600 "
                           "--set network.depth=12 --screenshot ";
  const CliRun ra = run(args + a.string()), rb = run(args + b.string());
  ASSERT_EQ(ra.code, 0) << ra.output;
  ASSERT_EQ(rb.code, 0) << rb.output;
  const Image ia = load(a), ib = load(b);
  ASSERT_EQ(ia.w, 800);
  ASSERT_EQ(ib.w, 800);
  const std::optional<Region> region = towers_region(ra.output);
  ASSERT_TRUE(region) << ra.output;
  const Region t = *region;
  const int rx = t.x, rw = t.w, rh = t.h;
  for (int y = 0; y < rh; ++y)
    ASSERT_EQ(std::memcmp(ia.at(rx, y), ib.at(rx, y), size_t(rw) * 4), 0) << "row " << y;
}

TEST_F(Live, RecordsTheWindowAsShown) {
  const fs::path mp4 = dir_ / "live.mp4";
  const CliRun r =
      run("live " + kScene + " --frames 6 --steps-per-frame 1 --width 641 --height 480 " +
          "--record " + mp4.string());
  ASSERT_EQ(r.code, 0) << r.output;
  // The odd width is cropped to even (yuv420p); every frame the window showed is in the video.
  EXPECT_EQ(test::probe_video(mp4.string()), "h264,640,480,yuv420p,6\n");
  for (const auto& e : fs::directory_iterator(dir_))
    EXPECT_EQ(e.path().filename(), "live.mp4") << "no temporary file left";
}

TEST_F(Live, PausedTrainsNothingAndTimeBudgetTrains) {
  const CliRun paused = run("live " + kScene + " --frames 3 --paused");
  ASSERT_EQ(paused.code, 0) << paused.output;
  EXPECT_NE(paused.output.find(" 0 training steps"), std::string::npos) << paused.output;
  // Training gets what drawing leaves of the frame time (at least one piece, about 1/32 of a
  // step, a frame): 500 ms leaves room for whole steps where drawing is slow (with 200 ms, a
  // sanitizer build on a loaded machine, at 143 ms a frame, finished no step in 6 frames).
  const CliRun budget = run("live " + kScene + " --frames 4 --frame-ms 500");
  ASSERT_EQ(budget.code, 0) << budget.output;
  std::smatch m;
  ASSERT_TRUE(std::regex_search(budget.output, m, std::regex(R"((\d+) training steps)")));
  EXPECT_GT(std::stoi(m[1]), 0) << budget.output;
}

// The step counts the window shows (its "steps done per run" line): with two runs of very
// different cost trained by time, each run has done the same number of steps (they train in
// lockstep), and the overlay and every run's figures name the same step, the last one done,
// counted from 0 as in the stats CSV.
std::vector<int> numbers(const std::string& s) {
  std::vector<int> out;
  const std::regex number(R"(\d+)");
  for (std::sregex_iterator i(s.begin(), s.end(), number), end; i != end; ++i)
    out.push_back(std::stoi(i->str()));
  return out;
}

TEST_F(Live, RunsTrainInLockstepAndEveryViewNamesTheSameStep) {
  const fs::path scene = dir_ / "uneven.toml";
  std::FILE* f = std::fopen(scene.c_str(), "w");
  ASSERT_NE(f, nullptr);
  std::fputs(
      "title = \"uneven\"\n[network]\ninput = 2\ndepth = 2\nwidth = 16\noutput = 3\n"
      "[data]\nkind = \"spiral\"\nbatch = 32\n[train]\nloss = \"cross_entropy\"\n"
      "[[run]]\nlabel = \"shallow\"\n[[run]]\nlabel = \"deep\"\n"
      "[run.network]\ndepth = 40\nwidth = 64\n",
      f);
  std::fclose(f);
  const CliRun live = run("live " + scene.string() + " --frames 8 --frame-ms 300");
  ASSERT_EQ(live.code, 0) << live.output;
  std::smatch m;
  ASSERT_TRUE(std::regex_search(
      live.output, m,
      std::regex(R"(steps done per run:([ \d]+); step shown: overlay (\d+), figures([ \d]+))")))
      << live.output;
  const std::vector<int> done = numbers(m[1]), figures = numbers(m[3]);
  ASSERT_EQ(done.size(), 2u) << live.output;
  EXPECT_GT(done[0], 0) << live.output;
  EXPECT_EQ(done[0], done[1]) << "steps per run differ: " << live.output;
  EXPECT_EQ(std::stoi(m[2]), done[0] - 1) << "the overlay's step: " << live.output;
  ASSERT_EQ(figures.size(), 2u) << live.output;
  for (int step : figures)
    EXPECT_EQ(step, done[0] - 1) << "a run's figures' step: " << live.output;
  // The summary's training steps are steps per run too.
  std::smatch t;
  ASSERT_TRUE(std::regex_search(live.output, t, std::regex(R"((\d+) training steps)")));
  EXPECT_EQ(std::stoi(t[1]), done[0]) << live.output;

  // Before any step: no step shown anywhere.
  const CliRun paused = run("live " + scene.string() + " --frames 2 --paused");
  ASSERT_EQ(paused.code, 0) << paused.output;
  EXPECT_NE(paused.output.find("steps done per run: 0 0; step shown: overlay -, figures - -"),
            std::string::npos)
      << paused.output;
}

// The histogram views: the middle plot as a layer x bin heatmap of |dW| (viridis cells) and the
// right plot as the selected layer's histogram (bars in the first run's colour), against the
// default plots (lines) of the same run.
TEST_F(Live, HistogramViewsDrawTheHeatmapAndTheSelectedLayersBars) {
  const std::string args = "live " + kScene + " --frames 2 --steps-per-frame 1 --select 20 ";
  const fs::path hist = dir_ / "hist.png", plain = dir_ / "plain.png";
  const CliRun rh =
      run(args + "--layer-plot histograms --selected-plot histogram --screenshot " + hist.string());
  ASSERT_EQ(rh.code, 0) << rh.output;
  const CliRun rp = run(args + "--screenshot " + plain.string());
  ASSERT_EQ(rp.code, 0) << rp.output;
  const std::optional<Region> region = towers_region(rh.output);
  ASSERT_TRUE(region) << rh.output;
  const Region t = *region;
  const int rx = t.x, ry = t.y, rh_ = t.h;
  const Image ih = load(hist), ip = load(plain);
  ASSERT_EQ(ih.w, 1280);
  ASSERT_EQ(ip.w, 1280);
  const int third = (ih.w - rx) / 3;
  // Pixels of the plots' row (below the towers) in [x0, x1) that pass `is`.
  auto count = [&](const Image& img, int x0, int x1, auto is) {
    size_t n = 0;
    for (int y = ry + rh_; y < img.h; ++y)
      for (int x = x0; x < x1; ++x)
        n += is(img.at(x, y));
    return n;
  };
  // Heatmap cells: saturated viridis colours (green or yellow channel well above blue, or
  // viridis' purple-blue), not the grey text and lines of a plain plot.
  auto cell = [](const uint8_t* p) {
    return (p[1] > 90 && p[1] > p[2] + 20) || (p[2] > 90 && p[0] < 80 && p[1] < 80);
  };
  const size_t heat = count(ih, rx + third, rx + 2 * third, cell);
  const size_t heat_plain = count(ip, rx + third, rx + 2 * third, cell);
  EXPECT_GT(heat, 2000u) << "heatmap cells";
  EXPECT_GT(heat, 10 * heat_plain + 1000) << "more than the plain plot's lines";
  // Bars: filled runs of the run colour (90, 200, 250) in the right third.
  auto bar = [](const uint8_t* p) {
    return std::abs(p[0] - 90) < 30 && std::abs(p[1] - 200) < 30 && p[2] > 210;
  };
  const size_t bars = count(ih, rx + 2 * third, ih.w, bar);
  const size_t lines = count(ip, rx + 2 * third, ip.w, bar);
  EXPECT_GT(bars, 500u) << "histogram bars";
  EXPECT_GT(bars, 3 * lines) << "more than the history plot's line";
}

// The walkthrough view of a small exact network: on by itself, its region exactly what
// `gradtower render --walkthrough` draws for the same step and size, and the panel below it.
TEST_F(Live, WalkthroughRegionIsTheRenderedStep) {
  const std::string tiny = std::string(GT_SOURCE_DIR) + "/scenes/tiny_worked_example.toml";
  const fs::path shot = dir_ / "walk.png";
  const CliRun live =
      run("live " + tiny + " --frames 3 --walk-step 9 --screenshot " + shot.string());
  ASSERT_EQ(live.code, 0) << live.output;
  const std::optional<Region> region = towers_region(live.output);
  ASSERT_TRUE(region) << live.output;
  const Region t = *region;
  const int rx = t.x, ry = t.y, rw = t.w, rh = t.h;
  const fs::path ref = dir_ / "walk_render.png", other = dir_ / "walk_other.png";
  const std::string size = " --width " + std::to_string(rw) + " --height " + std::to_string(rh);
  ASSERT_EQ(
      run("render " + tiny + " --walkthrough --walk-step 9" + size + " --out " + ref.string()).code,
      0);
  ASSERT_EQ(
      run("render " + tiny + " --walkthrough --walk-step 8" + size + " --out " + other.string())
          .code,
      0);
  const Image img = load(shot), want = load(ref), step8 = load(other);
  ASSERT_EQ(want.w, rw);
  auto differing = [&](const Image& b) {
    size_t differ = 0;
    for (int y = 0; y < rh; ++y)
      for (int x = 0; x < rw; ++x) {
        const uint8_t *p = img.at(rx + x, ry + y), *q = b.at(x, y);
        int worst = 0;
        for (int c = 0; c < 3; ++c)
          worst = std::max(worst, std::abs(int(p[c]) - int(q[c])));
        differ += worst > 2;
      }
    return differ;
  };
  EXPECT_LE(differing(want), size_t(rw) * rh / 2000) << "unlike `gradtower render` of step 9";
  EXPECT_GT(differing(step8), size_t(rw) * rh / 200) << "step 9 should not look like step 8";
}

}  // namespace
}  // namespace gt
