// Input that never crashes, end to end: scene files that overflowed toml++'s stack, files that
// are not regular files, non-finite --init-from weights, and numeric flags that wrapped around
// all exit with code 1 and a message naming the file, line and key, or the flag, before any
// work and without writing anything. And a run that goes non-finite says so in its summary.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <string>

#include "cli_run.hpp"
#include "io/checkpoint.hpp"
#include "net/init.hpp"
#include "scene/scene.hpp"

namespace gt {
namespace {

namespace fs = std::filesystem;

using test::CliRun;

CliRun run(const std::string& args) {
  return test::run_cli(args);
}

bool has(const CliRun& r, const std::string& text) {
  return r.output.find(text) != std::string::npos;
}

std::string repeat(const std::string& s, size_t n, const std::string& sep = "") {
  std::string out;
  for (size_t i = 0; i < n; ++i)
    out += (i ? sep : "") + s;
  return out;
}

const std::string kScene = std::string(GT_SOURCE_DIR) + "/scenes/default.toml";

class CliInputs : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("gt_inputs_" +
            std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()) + "_" +
            std::to_string(::getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path write(const std::string& name, const std::string& text) {
    fs::path p = dir_ / name;
    std::ofstream(p) << text;
    return p;
  }
  // Nothing in the folder but the inputs the test wrote.
  size_t entries() const {
    return size_t(std::distance(fs::directory_iterator(dir_), fs::directory_iterator()));
  }
  fs::path dir_;
};

// These crashed with SIGSEGV (a stack overflow in toml++'s parser).
TEST_F(CliInputs, KeysOfThousandsOfPartsAndDeepNestingAreRefused) {
  const fs::path header = write("header.toml", "[" + repeat("a", 50000, ".") + "]\n");
  CliRun r = run("train " + header.string());
  EXPECT_EQ(r.code, 1) << r.output.substr(0, 500);
  EXPECT_TRUE(has(r, header.string() + ":1: a.a.a")) << r.output.substr(0, 500);
  EXPECT_TRUE(has(r, "more than 64 parts (the limit)")) << r.output.substr(0, 500);

  const fs::path key = write("key.toml", "\n" + repeat("a", 100000, ".") + " = 1\n");
  r = run("render " + key.string() + " --out " + (dir_ / "f.png").string());
  EXPECT_EQ(r.code, 1) << r.output.substr(0, 500);
  EXPECT_TRUE(has(r, key.string() + ":2: a.a.a")) << r.output.substr(0, 500);

  const fs::path deep =
      write("deep.toml", "[data]\ninput = " + repeat("[", 100000) + repeat("]", 100000) + "\n");
  r = run("train " + deep.string());
  EXPECT_EQ(r.code, 1) << r.output.substr(0, 500);
  EXPECT_TRUE(
      has(r, deep.string() + ":2: data.input: arrays and inline tables nested more than 64 deep"))
      << r.output.substr(0, 500);
  EXPECT_EQ(entries(), 3u);
}

TEST_F(CliInputs, SetValuesAreScannedAndEchoedShortened) {
  CliRun r = run("train " + kScene + " --set 'data.input=" + repeat("[", 100000) + "'");
  EXPECT_EQ(r.code, 1) << r.output.substr(0, 500);
  EXPECT_TRUE(has(r, ": data.input: arrays and inline tables nested more than 64 deep"))
      << r.output.substr(0, 500);
  EXPECT_LT(r.output.size(), 400u) << r.output.substr(0, 500);
  // A 100 KB value is echoed as its first 80 bytes and its length.
  r = run("train " + kScene + " --set network.depth=" + std::string(100000, '9'));
  EXPECT_EQ(r.code, 1) << r.output.substr(0, 500);
  EXPECT_TRUE(has(r, "--set network.depth=" + std::string(66, '9') + "\u2026 (100014 bytes)"))
      << r.output.substr(0, 500);
  EXPECT_LT(r.output.size(), 400u) << r.output.substr(0, 500);
}

// /dev/zero was read until memory ran out (std::bad_alloc, no file named); a FIFO blocked.
TEST_F(CliInputs, ScenesAndInitFromMustBeRegularFiles) {
  CliRun r = run("train /dev/zero");
  EXPECT_EQ(r.code, 1) << r.output;
  EXPECT_TRUE(has(r, "/dev/zero: cannot open: a character device, not a regular file")) << r.output;
  const fs::path fifo = dir_ / "fifo";
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  r = test::run_cli("train " + fifo.string(), "timeout 60");
  EXPECT_EQ(r.code, 1) << r.output;
  EXPECT_TRUE(has(r, fifo.string() + ": cannot open: a FIFO, not a regular file")) << r.output;
  r = test::run_cli("train " + kScene + " --init-from " + fifo.string(), "timeout 60");
  EXPECT_EQ(r.code, 1) << r.output;
  EXPECT_TRUE(has(r, fifo.string() + ": cannot open: a FIFO, not a regular file")) << r.output;
  r = run("train " + kScene + " --init-from /dev/zero");
  EXPECT_EQ(r.code, 1) << r.output;
  EXPECT_TRUE(has(r, "/dev/zero: cannot open: a character device")) << r.output;

  const fs::path big = write("big.toml", "");
  fs::resize_file(big, scene::kMaxSceneBytes + 1);
  r = run("theory " + big.string());
  EXPECT_EQ(r.code, 1) << r.output;
  EXPECT_TRUE(has(r, big.string() + ": is 16777217 bytes; a scene file is at most 16 MiB"))
      << r.output;
}

// A scene's [[network.layer]] refuses NaN and inf; --init-from gave a final loss of nan.
TEST_F(CliInputs, InitFromRefusesNonFiniteWeights) {
  const net::Scene scene = scene::load(kScene);
  net::Params params = net::init_params(scene.network);
  params[3].w[17] = std::numeric_limits<float>::quiet_NaN();
  const fs::path w = dir_ / "w.safetensors";
  io::write_safetensors(w, io::params_to_tensors(params));
  const fs::path csv = dir_ / "s.csv";
  CliRun r = run("train " + kScene + " --steps 1 --init-from " + w.string() + " --stats-out " +
                 csv.string());
  EXPECT_EQ(r.code, 1) << r.output;
  const uint32_t in = params[3].in;
  EXPECT_TRUE(has(r, w.string() + ": tensor layers.3.weight[17] (row " + std::to_string(17 / in) +
                         ", column " + std::to_string(17 % in) + "): not finite (nan)"))
      << r.output;
  EXPECT_FALSE(fs::exists(csv));
}

// --seconds -1 started a 4,294,967,266-frame recording, 143165576.7 recorded 5 frames.
TEST_F(CliInputs, RecordLengthFlagsHaveRanges) {
  const std::string out = " --out " + (dir_ / "v.mp4").string();
  for (const char* seconds : {"-1", "0", "nan", "inf", "1e30", "143165576.7"}) {
    const CliRun r = run("record " + kScene + " --seconds " + seconds + out);
    EXPECT_EQ(r.code, 1) << seconds << ": " << r.output;
    EXPECT_TRUE(
        has(r, std::string("--seconds: must be a finite number in (0, 1000000]; got ") + seconds))
        << r.output;
  }
  CliRun r = run("record " + kScene + " --seconds 40000 --fps 30" + out);
  EXPECT_EQ(r.code, 1) << r.output;
  EXPECT_TRUE(has(r,
                  "--seconds 40000 at --fps 30 is 1200000 frames; a recording has at most "
                  "1000000 (--seconds up to 33333.33333 at this --fps)"))
      << r.output;
  r = run("record " + kScene + " --seconds 0.01" + out);
  EXPECT_EQ(r.code, 1) << r.output;
  EXPECT_TRUE(has(r, "--seconds 0.01 at --fps 30 is less than half a frame")) << r.output;
  r = run("record " + kScene + " --frames 1000001" + out);
  EXPECT_EQ(r.code, 1) << r.output;
  EXPECT_TRUE(has(r, "--frames: Value 1000001 not in range 1 to 1000000")) << r.output;
  r = run("record " + kScene + " --frames 5000 --steps-per-frame 1000000" + out);
  EXPECT_EQ(r.code, 1) << r.output;
  EXPECT_TRUE(has(r, "--steps-per-frame 1000000 over 5000 frames is 5000000000 training steps"))
      << r.output;
  r = run("record " + kScene + " --set train.steps=2000000" + out);
  EXPECT_EQ(r.code, 1) << r.output;
  EXPECT_TRUE(has(r, "the scene's train.steps (2000000) / --steps-per-frame 1 is 2000000 frames"))
      << r.output;
  EXPECT_EQ(entries(), 0u);
}

// CLI::Range lets NaN through: these flags now refuse it (and infinity), and a malformed
// command line exits with 1 like any bad input.
TEST_F(CliInputs, FloatFlagsRefuseNanAndInfinity) {
  const std::string png = " --out " + (dir_ / "f.png").string();
  for (const std::string& args :
       {"render " + kScene + " --zoom nan" + png, "render " + kScene + " --yaw inf" + png,
        "render " + kScene + " --pitch nan" + png,
        "record " + kScene + " --walkthrough --walk-hold nan" + png,
        "live " + kScene + " --frame-ms nan --frames 1",
        "theory " + kScene + " --input-moment nan"}) {
    const CliRun r = run(args);
    EXPECT_EQ(r.code, 1) << args << ": " << r.output;
    EXPECT_TRUE(has(r, ": must be a finite number ")) << args << ": " << r.output;
  }
  CliRun r = run("bench --warmup 4294967295 --no-peer");
  EXPECT_EQ(r.code, 1) << r.output;
  EXPECT_TRUE(has(r, "--warmup")) << r.output;
  r = run("train " + kScene + " --steps -5");
  EXPECT_EQ(r.code, 1) << r.output;
  EXPECT_TRUE(has(r, "--steps")) << r.output;
  EXPECT_EQ(entries(), 0u);
}

// The summary counted nothing non-finite; it now gives the steps whose loss was not finite and
// the non-finite dW entries over the whole run.
TEST_F(CliInputs, TrainSummaryCountsNonFiniteValues) {
  CliRun r = run("train " + kScene + " --steps 3 --validation");
  ASSERT_EQ(r.code, 0) << r.output;
  EXPECT_TRUE(has(r, "; non-finite over the run: none\n")) << r.output;
  // A learning rate of 1e37 overflows within a few steps.
  r = run("train " + kScene +
          " --steps 6 --validation --set train.lr=1e37 --set network.activation=relu");
  ASSERT_EQ(r.code, 0) << r.output;
  const size_t at = r.output.find("non-finite over the run: loss at ");
  ASSERT_NE(at, std::string::npos) << r.output;
  EXPECT_NE(r.output.find(" of 6 steps, ", at), std::string::npos) << r.output;
  EXPECT_NE(r.output.find(" dW entries", at), std::string::npos) << r.output;
  EXPECT_FALSE(has(r, "-nan")) << r.output;
}

TEST_F(CliInputs, WhyTakesQuiet) {
  const CliRun r = run("why " + kScene + " --max-params 4 --quiet");
  ASSERT_EQ(r.code, 0) << r.output;
  EXPECT_FALSE(has(r, "why: ")) << r.output;
  EXPECT_TRUE(has(r, "N = 4 of the P parameters")) << r.output;
}

}  // namespace
}  // namespace gt
