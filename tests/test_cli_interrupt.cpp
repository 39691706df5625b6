// SIGINT and SIGTERM during train, render and record: no temporary file is left, ffmpeg is
// stopped, an interrupted `train` keeps the statistics of the steps it finished (whole rows: a
// valid prefix of the full run) under the final names, and the exit code is 128 + the signal.
#include <signal.h>

#include <filesystem>
#include <regex>
#include <sstream>
#include <string>
#include <thread>

#include "cli_dir.hpp"
#include "cli_run.hpp"

namespace gt {
namespace {

namespace fs = std::filesystem;
using test::CliProcess;
using test::eventually;
using test::has_temp_file;
using test::names_in;
using test::slurp;

const std::string kScene = std::string(GT_SOURCE_DIR) + "/scenes/default.toml";

class Interrupt : public test::CliDir {
 protected:
  fs::path log() const { return dir_.parent_path() / (dir_.filename().string() + ".log"); }
  void TearDown() override {
    fs::remove(log());
    CliDir::TearDown();
  }
};

// Every row of the statistics CSV whole (14 fields), steps 0..n-1 each with all 33 layers.
void expect_stats_prefix(const fs::path& csv, uint32_t n) {
  const std::vector<std::string> lines = test::lines_in(csv);
  ASSERT_EQ(lines.size(), 1 + size_t(n) * 33) << csv;
  EXPECT_EQ(lines[0].rfind("step,layer,loss,", 0), 0u);
  for (size_t i = 1; i < lines.size(); ++i) {
    const std::string want =
        std::to_string((i - 1) / 33) + "," + std::to_string((i - 1) % 33 + 1) + ",";
    ASSERT_EQ(lines[i].rfind(want, 0), 0u) << "line " << i << ": " << lines[i];
    ASSERT_EQ(std::count(lines[i].begin(), lines[i].end(), ','), 13) << lines[i];
  }
}

void interrupt_train(const fs::path& dir, const fs::path& log, int sig, int code) {
  const fs::path csv = dir / "s.csv", hist = dir / "h.csv";
  CliProcess p({"train", kScene, "--steps", "1000000", "--stats-out", csv.string(), "--hist-out",
                hist.string(), "--dump-step", "999999", "--dump-out", (dir / "d.st").string()},
               log.string());
  ASSERT_TRUE(p.started());
  // The progress line comes after the first steps: the CSV has rows by then.
  ASSERT_TRUE(eventually([&] { return p.log().find("step ") != std::string::npos; }, 120))
      << p.log();
  p.signal(sig);
  ASSERT_EQ(p.wait(60), code) << p.log();
  const std::string out = p.log();
  std::smatch m;
  ASSERT_TRUE(std::regex_search(
      out, m,
      std::regex("interrupted at step (\\d+): wrote steps 0\\.\\.(\\d+) to " + csv.string())))
      << out;
  const uint32_t n = uint32_t(std::stoul(m[1]));
  EXPECT_EQ(std::stoul(m[2]), n - 1);
  EXPECT_TRUE(out.find("wrote steps 0.." + std::to_string(n - 1) + " to " + hist.string()) !=
              std::string::npos)
      << out;
  EXPECT_TRUE(out.find("--dump-step 999999 not reached") != std::string::npos) << out;
  expect_stats_prefix(csv, n);
  EXPECT_EQ(test::lines_in(hist).size(), 1 + size_t(n) * 33);
  EXPECT_EQ(names_in(dir), (std::vector<std::string>{"h.csv", "s.csv"}))
      << "no dump, no temporaries";
}

TEST_F(Interrupt, SigintDuringTrainKeepsTheStepsDone) {
  interrupt_train(dir_, log(), SIGINT, 130);
}

TEST_F(Interrupt, SigtermDuringTrainKeepsTheStepsDone) {
  interrupt_train(dir_, log(), SIGTERM, 143);
}

// The video's temporary file and ffmpeg go; the old video stays.
TEST_F(Interrupt, SigintDuringRecordLeavesTheOldVideo) {
  const fs::path mp4 = put("v.mp4", "the old video");
  CliProcess p({"record", kScene, "--frames", "100000", "--width", "160", "--height", "90", "--out",
                mp4.string()},
               log().string());
  ASSERT_TRUE(p.started());
  ASSERT_TRUE(eventually([&] { return has_temp_file(dir_); }, 120)) << p.log();
  std::this_thread::sleep_for(std::chrono::seconds(1));  // frames going to ffmpeg
  p.signal(SIGINT);
  ASSERT_EQ(p.wait(60), 130) << p.log();
  EXPECT_NE(p.log().find("interrupted by SIGINT"), std::string::npos) << p.log();
  std::this_thread::sleep_for(std::chrono::milliseconds(500));  // an ffmpeg left would write on
  EXPECT_EQ(names_in(dir_), std::vector<std::string>{"v.mp4"});
  EXPECT_TRUE(slurp(mp4) == "the old video")
      << "the old file changed: " << slurp(mp4).size() << " bytes";
}

// The PNGs written are whole; the one being written when the signal came is not left half.
TEST_F(Interrupt, SigtermDuringPngFramesLeavesWholeFramesOnly) {
  const fs::path frames = dir_ / "frames";
  CliProcess p({"record", kScene, "--frames", "100000", "--width", "160", "--height", "90",
                "--png-dir", frames.string()},
               log().string());
  ASSERT_TRUE(p.started());
  ASSERT_TRUE(eventually([&] { return fs::exists(frames / "frame_00002.png"); }, 120)) << p.log();
  p.signal(SIGTERM);
  ASSERT_EQ(p.wait(60), 143) << p.log();
  EXPECT_FALSE(has_temp_file(frames));
  const std::string iend("IEND\xae\x42\x60\x82", 8);
  for (const std::string& name : names_in(frames)) {
    const std::string png = slurp(frames / name);
    EXPECT_TRUE(png.size() > 8 && png.compare(png.size() - 8, 8, iend) == 0) << name;
  }
}

TEST_F(Interrupt, SigintDuringRenderLeavesNothing) {
  const fs::path png = dir_ / "t.png";
  CliProcess p({"render", kScene, "--steps", "1000000", "--out", png.string()}, log().string());
  ASSERT_TRUE(p.started());
  ASSERT_TRUE(eventually([&] { return has_temp_file(dir_); }, 120)) << p.log();
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  p.signal(SIGINT);
  ASSERT_EQ(p.wait(60), 130) << p.log();
  EXPECT_TRUE(fs::is_empty(dir_));
}

}  // namespace
}  // namespace gt
