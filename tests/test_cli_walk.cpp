// gradtower render/record/live --walkthrough end to end: a PNG of the asked step, a video with
// every step held, and clear failures (a network over the limits, a step or sample out of range)
// that exit non-zero and leave no output file.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "cli_run.hpp"

namespace gt {
namespace {

namespace fs = std::filesystem;

using test::CliRun;

CliRun run(const std::string& args) {
  return test::run_cli(args + " --validation");
}

const std::string kTiny = std::string(GT_SOURCE_DIR) + "/scenes/tiny_worked_example.toml";
const std::string kDeep = std::string(GT_SOURCE_DIR) + "/scenes/default.toml";

class CliWalk : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ =
        fs::temp_directory_path() /
        ("gt_walk_" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()) +
         "_" + std::to_string(::getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  bool empty_dir() const { return fs::is_empty(dir_); }
  fs::path dir_;
};

TEST_F(CliWalk, RenderWritesTheAskedStep) {
  const fs::path png = dir_ / "s3.png";
  const CliRun r = run("render " + kTiny +
                       " --walkthrough --walk-step 3 --width 320 --height 180 "
                       "--out " +
                       png.string());
  ASSERT_EQ(r.code, 0) << r.output;
  EXPECT_TRUE(fs::exists(png));
  EXPECT_NE(r.output.find("walkthrough step 3 of 11: Forward, layer 1: a1 = relu(z1)"),
            std::string::npos)
      << r.output;
  // The same scene and step again: the same bytes.
  const fs::path again = dir_ / "again.png";
  ASSERT_EQ(run("render " + kTiny + " --walkthrough --walk-step 3 --width 320 --height 180 --out " +
                again.string())
                .code,
            0);
  std::ifstream a(png, std::ios::binary), b(again, std::ios::binary);
  const std::string ba((std::istreambuf_iterator<char>(a)), {}),
      bb((std::istreambuf_iterator<char>(b)), {});
  EXPECT_FALSE(ba.empty());
  EXPECT_EQ(ba, bb);
}

TEST_F(CliWalk, NetworkOverTheLimitsIsRefusedAndWritesNothing) {
  const fs::path png = dir_ / "deep.png", mp4 = dir_ / "deep.mp4";
  const CliRun r = run("render " + kDeep + " --walkthrough --out " + png.string());
  EXPECT_EQ(r.code, 1) << r.output;
  EXPECT_NE(r.output.find("--walkthrough: the network has"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("at most 6 weight layers"), std::string::npos) << r.output;
  const CliRun v = run("record " + kDeep + " --walkthrough --out " + mp4.string());
  EXPECT_EQ(v.code, 1) << v.output;
  EXPECT_NE(v.output.find("--walkthrough:"), std::string::npos) << v.output;
  const CliRun wide =
      run("render " + kTiny + " --walkthrough --set data.batch=5 --out " + png.string());
  EXPECT_NE(wide.code, 0) << wide.output;
  // A window is never opened for it either (no display needed to be told).
  const CliRun live = run("live " + kDeep + " --walkthrough --frames 1");
  EXPECT_EQ(live.code, 1) << live.output;
  EXPECT_NE(live.output.find("--walkthrough: the network has"), std::string::npos) << live.output;
  EXPECT_TRUE(empty_dir());
}

TEST_F(CliWalk, StepOrSampleOutOfRangeFailsAndWritesNothing) {
  const fs::path png = dir_ / "s.png";
  const CliRun step =
      run("render " + kTiny + " --walkthrough --walk-step 12 --out " + png.string());
  EXPECT_EQ(step.code, 1) << step.output;
  EXPECT_NE(step.output.find("--walk-step 12: the walkthrough of this network has 11 steps"),
            std::string::npos)
      << step.output;
  const CliRun sample =
      run("render " + kTiny + " --walkthrough --walk-sample 2 --out " + png.string());
  EXPECT_EQ(sample.code, 1) << sample.output;
  EXPECT_NE(sample.output.find("--walk-sample 2: the batch has 1 sample(s)"), std::string::npos)
      << sample.output;
  const CliRun no_walk = run("render " + kTiny + " --walk-step 2 --out " + png.string());
  EXPECT_EQ(no_walk.code, 1) << no_walk.output;
  EXPECT_NE(no_walk.output.find("--walk-step needs --walkthrough"), std::string::npos)
      << no_walk.output;
  EXPECT_TRUE(empty_dir());
}

TEST_F(CliWalk, RecordHoldsEveryStep) {
  const fs::path mp4 = dir_ / "walk.mp4";
  const CliRun r = run("record " + kTiny +
                       " --walkthrough --walk-steps 2 --walk-hold 0.2 --fps 10 "
                       "--width 320 --height 180 --out " +
                       mp4.string());
  ASSERT_EQ(r.code, 0) << r.output;
  EXPECT_NE(r.output.find("2 training step(s), 11 steps each, 44 frames"), std::string::npos)
      << r.output;
  EXPECT_EQ(test::probe_video(mp4.string()), "h264,320,180,yuv420p,44\n");
  const CliRun frames = run("record " + kTiny + " --walkthrough --frames 3 --out " + mp4.string());
  EXPECT_EQ(frames.code, 1) << frames.output;
}

}  // namespace
}  // namespace gt
