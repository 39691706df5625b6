// io::OutputFile, the one way gradtower writes files, and the signal handler that removes its
// temporary files (io/interrupt.hpp): commit replaces at once, anything else leaves the old
// file; write errors name the output and the reason; devices, FIFOs and symbolic links are
// written through, not replaced; clashes between outputs are found.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>

#include "io/interrupt.hpp"
#include "io/output_file.hpp"

namespace gt::io {
namespace {

namespace fs = std::filesystem;

class OutputFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("gt_test_out_" + std::to_string(getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path put(const std::string& name, const std::string& text) const {
    std::ofstream(dir_ / name, std::ios::binary) << text;
    return dir_ / name;
  }
  std::vector<std::string> names() const {
    std::vector<std::string> n;
    for (const auto& e : fs::directory_iterator(dir_))
      n.push_back(e.path().filename().string());
    std::sort(n.begin(), n.end());
    return n;
  }
  fs::path dir_;
};

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "<no error>";
}

// The exit code of `body` run in a child process (its own signal handlers, limits), or 1000 +
// the signal that ended it.
int in_child(const std::function<int()>& body) {
  const pid_t pid = fork();
  if (pid == 0) _exit(body());
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 1000 + WTERMSIG(status);
}

TEST_F(OutputFileTest, CommitReplacesAtOnceAndKeepsThePermissions) {
  const fs::path p = put("a.csv", "old");
  fs::permissions(p, fs::perms(0640));
  OutputFile out(p, "--x a.csv");
  EXPECT_FALSE(out.direct());
  EXPECT_EQ(out.write_path().parent_path(), fs::canonical(dir_));
  out.write("new ");
  out.write(std::string(100000, 'z'));  // past the buffer
  EXPECT_EQ(slurp(p), "old") << "nothing under the name before commit";
  EXPECT_EQ(names().size(), 2u);
  out.commit();
  EXPECT_EQ(slurp(p), "new " + std::string(100000, 'z'));
  EXPECT_EQ(fs::status(p).permissions(), fs::perms(0640));
  EXPECT_EQ(names(), std::vector<std::string>{"a.csv"});
}

TEST_F(OutputFileTest, AnythingButCommitLeavesTheOldFile) {
  const fs::path p = put("a.csv", "old");
  {
    OutputFile out(p);
    out.write("half");
  }
  OutputFile discarded(p);
  discarded.write("half");
  discarded.discard();
  EXPECT_EQ(slurp(p), "old");
  EXPECT_EQ(names(), std::vector<std::string>{"a.csv"});
}

TEST_F(OutputFileTest, TemporaryNamesAreUnique) {
  OutputFile a(dir_ / "x"), b(dir_ / "x");
  EXPECT_NE(a.write_path(), b.write_path());
  EXPECT_TRUE(fs::exists(a.write_path()) && fs::exists(b.write_path()));
  EXPECT_TRUE(a.clashes_with(b));
}

TEST_F(OutputFileTest, WriteErrorsNameTheOutputAndTheReason) {
  OutputFile full("/dev/full", "--stats-out /dev/full");
  EXPECT_TRUE(full.direct());
  full.write("a row\n");  // buffered
  EXPECT_EQ(error_of([&] { full.commit(); }),
            "--stats-out /dev/full: cannot write: No space left on device");
  struct stat st {};
  ASSERT_EQ(lstat("/dev/full", &st), 0);
  EXPECT_TRUE(S_ISCHR(st.st_mode)) << "the device is still one";
}

// RLIMIT_FSIZE in a child: a full disk without mounts or root. The old file survives.
TEST_F(OutputFileTest, AFullDiskFailsAndKeepsTheOldFile) {
  const fs::path p = put("big.bin", "old");
  const int code = in_child([&] {
    signal(SIGXFSZ, SIG_IGN);
    const rlimit limit{4096, 4096};
    setrlimit(RLIMIT_FSIZE, &limit);
    OutputFile out(p, "--out big.bin");
    const std::string e = error_of([&] {
      out.write(std::string(1 << 20, 'x'));
      out.commit();
    });
    return e == "--out big.bin: cannot write: File too large" ? 0 : 1;
  });
  EXPECT_EQ(code, 0);
  EXPECT_EQ(slurp(p), "old");
  EXPECT_EQ(names(), std::vector<std::string>{"big.bin"});
}

TEST_F(OutputFileTest, DevicesAndFifosAreWrittenInPlace) {
  OutputFile null("/dev/null"), null2("/dev/null");
  EXPECT_TRUE(null.direct());
  EXPECT_FALSE(null.clashes_with(null2)) << "a character device may be shared";
  null.write("x");
  null.commit();
  struct stat st {};
  ASSERT_EQ(lstat("/dev/null", &st), 0);
  EXPECT_TRUE(S_ISCHR(st.st_mode));

  const fs::path fifo = dir_ / "f";
  ASSERT_EQ(mkfifo(fifo.c_str(), 0644), 0);
  const int reader = open(fifo.c_str(), O_RDONLY | O_NONBLOCK);
  ASSERT_GE(reader, 0);
  OutputFile a(fifo), b(fifo);
  EXPECT_TRUE(a.direct());
  EXPECT_TRUE(a.clashes_with(b)) << "two writers would interleave";
  a.write("through the fifo");
  a.commit();
  char buf[64] = {};
  EXPECT_EQ(read(reader, buf, sizeof buf), 16);
  EXPECT_STREQ(buf, "through the fifo");
  close(reader);
  EXPECT_TRUE(fs::is_fifo(fs::symlink_status(fifo)));
}

TEST_F(OutputFileTest, SymbolicLinkChainsAreFollowed) {
  fs::create_directories(dir_ / "real");
  put("real/t.csv", "old");
  fs::create_symlink("b", dir_ / "a");
  fs::create_symlink(dir_ / "real/t.csv", dir_ / "b");  // absolute
  fs::create_symlink("real/new.csv", dir_ / "dangling");
  OutputFile via_chain(dir_ / "a"), via_dangling(dir_ / "dangling");
  EXPECT_EQ(via_chain.target(), fs::canonical(dir_ / "real/t.csv"));
  EXPECT_EQ(via_chain.write_path().parent_path(), fs::canonical(dir_ / "real"));
  OutputFile direct_name(dir_ / "real/t.csv");
  EXPECT_TRUE(via_chain.clashes_with(direct_name));
  direct_name.discard();
  via_chain.write("new");
  via_chain.commit();
  via_dangling.write("made");
  via_dangling.commit();
  EXPECT_TRUE(fs::is_symlink(dir_ / "a") && fs::is_symlink(dir_ / "b") &&
              fs::is_symlink(dir_ / "dangling"));
  EXPECT_EQ(slurp(dir_ / "real/t.csv"), "new");
  EXPECT_EQ(slurp(dir_ / "real/new.csv"), "made");
}

TEST_F(OutputFileTest, ClashesAreFoundThroughDifferentSpellings) {
  fs::create_directories(dir_ / "sub");
  OutputFile a(dir_ / "sub/../x", "--a"), b(dir_ / "./x", "--b"), c(dir_ / "y", "--c");
  EXPECT_TRUE(a.clashes_with(b));
  EXPECT_FALSE(a.clashes_with(c));
  const std::string e = error_of([&] { check_distinct({&c, nullptr, &a, &b}); });
  EXPECT_EQ(e.rfind("--a and --b are the same file", 0), 0u) << e;
  EXPECT_EQ(error_of([&] { check_distinct({&a, &c}); }), "<no error>");
}

TEST_F(OutputFileTest, BadPlacesFailUpFrontWithTheReason) {
  fs::create_directories(dir_ / "d");
  const fs::path file = put("f", "x");
  EXPECT_EQ(error_of([&] { OutputFile o(dir_ / "d", "--o d"); }),
            "--o d: is a directory; give a file name");
  EXPECT_EQ(error_of([&] { OutputFile o(dir_ / "no/x", "--o no/x"); }),
            "--o no/x: folder " + (dir_ / "no").string() + " does not exist");
  EXPECT_EQ(error_of([&] { OutputFile o(file / "x", "--o f/x"); }),
            "--o f/x: cannot write there: Not a directory");
  // /proc takes no new files, even from root (which passes access(2) on read-only folders).
  EXPECT_EQ(error_of([&] { OutputFile o("/proc/x.png", "--o /proc/x.png"); }),
            "--o /proc/x.png: cannot create a file in /proc: No such file or directory");
  EXPECT_EQ(error_of([&] { check_writable("/proc/x.png", "--o"); }),
            "--o: cannot create a file in /proc: No such file or directory");
  fs::create_symlink("loop", dir_ / "loop");
  EXPECT_NE(error_of([&] { OutputFile o(dir_ / "loop", "--o loop"); }).find("symbolic links"),
            std::string::npos);
  EXPECT_EQ(names(), (std::vector<std::string>{"d", "f", "loop"}));
}

// Before poll_interrupts(): a signal removes the temporary files and exits with 128 + it.
TEST_F(OutputFileTest, ASignalRemovesTemporaryFiles) {
  const fs::path p = put("kept", "old");
  EXPECT_EQ(in_child([&] {
              install_interrupt_handlers();
              OutputFile out(p), other(dir_ / "new");
              out.write("half");
              raise(SIGTERM);
              return 0;  // not reached
            }),
            143);
  EXPECT_EQ(names(), std::vector<std::string>{"kept"});
  EXPECT_EQ(slurp(p), "old");
}

// With polling on, the first signal only sets the flag; a second one cleans up and exits.
TEST_F(OutputFileTest, WhilePollingTheFirstSignalIsAFlagTheSecondExits) {
  EXPECT_EQ(in_child([&] {
              install_interrupt_handlers();
              poll_interrupts();
              OutputFile out(dir_ / "x");
              if (interrupt_signal() != 0) return 1;
              raise(SIGINT);
              if (interrupt_signal() != SIGINT) return 2;
              if (!fs::exists(out.write_path())) return 3;
              try {
                throw_if_interrupted();
                return 4;
              } catch (const Interrupted& e) {
                if (e.signal != SIGINT || std::string(e.what()) != "interrupted by SIGINT")
                  return 5;
              }
              raise(SIGINT);
              return 6;  // not reached
            }),
            130);
  EXPECT_TRUE(names().empty());
}

}  // namespace
}  // namespace gt::io
