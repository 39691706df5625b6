// Outputs that never lie (io::OutputFile under every flag that writes a file): a full disk
// (RLIMIT_FSIZE, /dev/full) fails with the flag and the reason and leaves the old file as it
// was; devices and FIFOs are written in place and symbolic links followed, not replaced; two
// flags naming one file, or an unwritable place, fail before training; results printed to a
// stdout that cannot take them fail too.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <string>

#include "cli_dir.hpp"
#include "cli_run.hpp"

namespace gt {
namespace {

namespace fs = std::filesystem;
using test::CliRun;
using test::has_temp_file;
using test::names_in;
using test::slurp;

const std::string kScene = std::string(GT_SOURCE_DIR) + "/scenes/default.toml";

bool contains(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

bool is_char_device(const char* path) {
  struct stat st {};
  return lstat(path, &st) == 0 && S_ISCHR(st.st_mode);
}

class Outputs : public test::CliDir {};

// stb's fwrite/fclose results were ignored: a truncated PNG replaced the old one, exit 0.
TEST_F(Outputs, RenderOnAFullDiskKeepsTheOldPngAndFails) {
  const fs::path png = put("tower.png", "the old picture");
  const CliRun r = test::run_cli_limited(
      4, "render " + kScene + " --steps 1 --width 640 --height 480 --out " + png.string());
  EXPECT_EQ(r.code, 1) << r.output;
  EXPECT_TRUE(contains(r.output, "--out " + png.string())) << r.output;
  EXPECT_TRUE(contains(r.output, "File too large")) << r.output;
  EXPECT_TRUE(slurp(png) == "the old picture")
      << "the old file changed: " << slurp(png).size() << " bytes";
  EXPECT_EQ(names_in(dir_), std::vector<std::string>{"tower.png"});
}

TEST_F(Outputs, PngFramesOnAFullDiskFailNamingTheFlag) {
  const fs::path frames = dir_ / "frames";
  const CliRun r = test::run_cli_limited(
      4, "record " + kScene + " --frames 3 --width 640 --height 480 --png-dir " + frames.string());
  EXPECT_EQ(r.code, 1) << r.output;
  EXPECT_TRUE(contains(r.output, "--png-dir " + frames.string())) << r.output;
  EXPECT_TRUE(contains(r.output, "frame_00000.png")) << r.output;
  EXPECT_TRUE(contains(r.output, "File too large")) << r.output;
  EXPECT_TRUE(fs::is_empty(frames)) << "no truncated frame, no temporary file";
}

// ffmpeg says "File too large" (or "No space left on device"), exits 0 and leaves an MP4
// without its index: the video is checked (ffprobe) before it replaces the old one.
TEST_F(Outputs, RecordOnAFullDiskKeepsTheOldVideoAndFails) {
  const fs::path mp4 = put("v.mp4", "the old video");
  const CliRun r = test::run_cli_limited(
      8, "record " + kScene + " --frames 60 --width 320 --height 240 --out " + mp4.string());
  EXPECT_EQ(r.code, 1) << r.output;
  EXPECT_TRUE(contains(r.output, "--out " + mp4.string())) << r.output;
  EXPECT_TRUE(slurp(mp4) == "the old video")
      << "the old file changed: " << slurp(mp4).size() << " bytes";
  EXPECT_EQ(names_in(dir_), std::vector<std::string>{"v.mp4"});
}

TEST_F(Outputs, StatisticsPastTheFileSizeLimitFail) {
  const fs::path csv = put("s.csv", "old rows");
  const CliRun r = test::run_cli_limited(
      4, "train " + kScene + " --steps 20 --quiet --stats-out " + csv.string());
  EXPECT_EQ(r.code, 1) << r.output;
  EXPECT_TRUE(contains(r.output, "--stats-out " + csv.string() + ": cannot write: File too large"))
      << r.output;
  EXPECT_TRUE(slurp(csv) == "old rows")
      << "the old file changed: " << slurp(csv).size() << " bytes";
  EXPECT_EQ(names_in(dir_), std::vector<std::string>{"s.csv"});
}

// /dev/full: every write fails with ENOSPC. It is written in place (a device), and stays one.
TEST_F(Outputs, DevFullFailsWithTheReason) {
  ASSERT_TRUE(is_char_device("/dev/full"));
  CliRun r = test::run_cli("train " + kScene + " --steps 2 --quiet --stats-out /dev/full");
  EXPECT_EQ(r.code, 1) << r.output;
  EXPECT_TRUE(contains(r.output, "--stats-out /dev/full: cannot write: No space left on device"))
      << r.output;
  r = test::run_cli("render " + kScene + " --steps 1 --width 64 --height 48 --out /dev/full");
  EXPECT_EQ(r.code, 1) << r.output;
  EXPECT_TRUE(contains(r.output, "--out /dev/full: cannot write: No space left on device"))
      << r.output;
  EXPECT_TRUE(is_char_device("/dev/full"));
}

// Results printed to stdout must have got there.
TEST_F(Outputs, PrintedResultsToAFullStdoutFail) {
  for (const std::string& cmd : std::vector<std::string>{"schema", "theory " + kScene}) {
    const CliRun r = test::run_shell(std::string(GT_CLI) + " " + cmd + " 2>&1 >/dev/full");
    EXPECT_EQ(r.code, 1) << cmd << ": " << r.output;
    EXPECT_TRUE(contains(r.output, "cannot write the standard output: No space left on device"))
        << cmd << ": " << r.output;
  }
  const CliRun ok = test::run_shell(std::string(GT_CLI) + " schema 2>&1 >/dev/null");
  EXPECT_EQ(ok.code, 0) << ok.output;
}

// The temp-and-rename scheme replaced a FIFO (or /dev/null, as root) with a regular file.
TEST_F(Outputs, AFifoIsWrittenThroughNotReplaced) {
  const fs::path fifo = dir_ / "stats.fifo";
  ASSERT_EQ(mkfifo(fifo.c_str(), 0644), 0) << std::strerror(errno);
  // The read end first: the CLI's open does not wait, and 2 steps fit in the pipe's buffer.
  const int fd = open(fifo.c_str(), O_RDONLY | O_NONBLOCK);
  ASSERT_GE(fd, 0);
  const CliRun r =
      test::run_cli("train " + kScene + " --steps 2 --quiet --stats-out " + fifo.string());
  std::string got;
  char buf[4096];
  for (ssize_t n; (n = read(fd, buf, sizeof buf)) > 0;)
    got.append(buf, size_t(n));
  close(fd);
  EXPECT_EQ(r.code, 0) << r.output;
  EXPECT_TRUE(fs::is_fifo(fs::symlink_status(fifo)));
  EXPECT_EQ(got.rfind("step,layer,loss,", 0), 0u) << got.substr(0, 200);
  EXPECT_EQ(std::count(got.begin(), got.end(), '\n'), 1 + 2 * 33);
  EXPECT_EQ(names_in(dir_), std::vector<std::string>{"stats.fifo"});
}

TEST_F(Outputs, DevNullStaysADeviceAndMayBeGivenTwice) {
  ASSERT_TRUE(is_char_device("/dev/null"));
  const CliRun r = test::run_cli("train " + kScene +
                                 " --steps 2 --quiet --stats-out /dev/null --hist-out /dev/null");
  EXPECT_EQ(r.code, 0) << r.output;
  EXPECT_TRUE(is_char_device("/dev/null"));
}

// Links (a chain, relative targets, one dangling) stay links; the files they end at get the rows.
TEST_F(Outputs, SymbolicLinksAreFollowedNotReplaced) {
  fs::create_directories(dir_ / "real");
  put("real/stats.csv", "old");
  fs::create_symlink("link2", dir_ / "link1");
  fs::create_symlink("real/stats.csv", dir_ / "link2");
  fs::create_symlink("real/hist.csv", dir_ / "dangling");  // no such file yet
  const CliRun r =
      test::run_cli("train " + kScene + " --steps 2 --quiet --stats-out " +
                    (dir_ / "link1").string() + " --hist-out " + (dir_ / "dangling").string());
  ASSERT_EQ(r.code, 0) << r.output;
  EXPECT_TRUE(fs::is_symlink(dir_ / "link1"));
  EXPECT_TRUE(fs::is_symlink(dir_ / "link2"));
  EXPECT_TRUE(fs::is_symlink(dir_ / "dangling"));
  EXPECT_EQ(test::lines_in(dir_ / "real/stats.csv").size(), 1u + 2 * 33);
  EXPECT_EQ(test::lines_in(dir_ / "real/hist.csv").size(), 1u + 2 * 33);
  EXPECT_EQ(names_in(dir_), (std::vector<std::string>{"dangling", "link1", "link2", "real"}));
  EXPECT_EQ(names_in(dir_ / "real"), (std::vector<std::string>{"hist.csv", "stats.csv"}));
}

// One file for two outputs failed only after all the training. 100000 steps would take minutes.
TEST_F(Outputs, TwoFlagsNamingOneFileFailBeforeTraining) {
  const std::string x = (dir_ / "x.csv").string();
  fs::create_directories(dir_ / "sub");
  fs::create_symlink("x.csv", dir_ / "link.csv");
  const std::string run = "train " + kScene + " --steps 100000 --quiet ";
  struct Case {
    std::string flags, first, second;
  };
  const Case cases[] = {
      {"--stats-out " + x + " --hist-out " + x, "--stats-out", "--hist-out"},
      {"--stats-out " + (dir_ / "sub/../x.csv").string() + " --hist-out " +
           (dir_ / "./x.csv").string(),
       "--stats-out", "--hist-out"},
      {"--hist-out " + (dir_ / "link.csv").string() + " --dump-step 5 --dump-out " + x,
       "--hist-out", "--dump-out"},
  };
  for (const Case& c : cases) {
    const auto start = std::chrono::steady_clock::now();
    const CliRun r = test::run_cli(run + c.flags);
    const double secs =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    EXPECT_EQ(r.code, 1) << c.flags << ": " << r.output;
    EXPECT_TRUE(contains(r.output, c.first) && contains(r.output, c.second) &&
                contains(r.output, "are the same file"))
        << r.output;
    EXPECT_LT(secs, 30) << "refused before training";
    EXPECT_EQ(names_in(dir_), (std::vector<std::string>{"link.csv", "sub"})) << c.flags;
  }
}

// Places where no file can be made, even by root: /proc, a path under a regular file. Each
// fails before training, naming the flag and the operating system's reason.
TEST_F(Outputs, UnwritablePlacesFailBeforeTrainingWithTheReason) {
  const fs::path file = put("file.txt", "x");
  const std::string under_file = (file / "out").string();
  struct Case {
    std::string args, expect;
  };
  const Case cases[] = {
      {"train " + kScene + " --steps 100000 --dump-step 99999 --dump-out /proc/d.safetensors",
       "--dump-out /proc/d.safetensors: cannot create a file in /proc: No such file or directory"},
      {"train " + kScene + " --steps 100000 --stats-out " + under_file,
       "--stats-out " + under_file + ": cannot write there: Not a directory"},
      {"render " + kScene + " --steps 100000 --out /proc/x.png",
       "--out /proc/x.png: cannot create a file in /proc: No such file or directory"},
      {"record " + kScene + " --frames 100000 --png-dir /proc",
       "--png-dir /proc: cannot create a file in /proc: No such file or directory"},
      {"record " + kScene + " --frames 100000 --png-dir " + under_file,
       "--png-dir " + under_file + ": cannot create it: Not a directory"},
      {"record " + kScene + " --frames 100000 --out /proc/v.mp4",
       "--out /proc/v.mp4: cannot create a file in /proc: No such file or directory"},
      {"theory " + kScene + " --csv /proc/t.csv",
       "--csv /proc/t.csv: cannot create a file in /proc: No such file or directory"},
  };
  for (const Case& c : cases) {
    const auto start = std::chrono::steady_clock::now();
    const CliRun r = test::run_cli(c.args);
    const double secs =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    EXPECT_EQ(r.code, 1) << c.args << ": " << r.output;
    EXPECT_TRUE(contains(r.output, c.expect)) << c.args << ":\n" << r.output;
    EXPECT_FALSE(contains(r.output, ".tmp"))
        << "the temporary file is not the user's: " << r.output;
    EXPECT_LT(secs, 30) << c.args << ": refused before training";
  }
  EXPECT_EQ(names_in(dir_), std::vector<std::string>{"file.txt"});
}

}  // namespace
}  // namespace gt
