// Runs the gradtower executable (GT_CLI, set by tests/CMakeLists.txt) with arguments, through
// the shell, and collects its exit code and its stdout and stderr together; or starts it in the
// background (CliProcess) to signal it.
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

extern char** environ;

namespace gt::test {

struct CliRun {
  int code = -1;
  std::string output;  // stdout and stderr together
};

// `cmd` through the shell, its stdout and stderr collected.
inline CliRun run_shell(const std::string& cmd) {
  CliRun r;
  std::FILE* p = popen(cmd.c_str(), "r");
  char buf[4096];
  while (size_t n = std::fread(buf, 1, sizeof buf, p))
    r.output.append(buf, n);
  const int status = pclose(p);
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

// `prefix` goes before the executable ("timeout 60" for a run that could block).
inline CliRun run_cli(const std::string& args, const std::string& prefix = "") {
  return run_shell(prefix + " " + std::string(GT_CLI) + " " + args + " 2>&1");
}

// gradtower with its files limited to `kib` KiB (RLIMIT_FSIZE, SIGXFSZ ignored): a write past
// the limit fails with EFBIG ("File too large"), a full disk that needs no mount or root.
inline CliRun run_cli_limited(unsigned kib, const std::string& args) {
  return run_shell("bash -c \"trap '' XFSZ; ulimit -f " + std::to_string(kib) + "; exec " +
                   std::string(GT_CLI) + " " + args + "\" 2>&1");
}

// gradtower in the background, stdout and stderr into a log file, to be signalled.
class CliProcess {
 public:
  CliProcess(const std::vector<std::string>& args, const std::string& log) : log_(log) {
    std::vector<std::string> all{GT_CLI};
    all.insert(all.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (std::string& a : all)
      argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    if (posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), environ) != 0) pid_ = -1;
    posix_spawn_file_actions_destroy(&actions);
  }
  ~CliProcess() {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
  }
  CliProcess(const CliProcess&) = delete;
  CliProcess& operator=(const CliProcess&) = delete;

  bool started() const { return pid_ > 0; }
  std::string log() const {
    std::ifstream in(log_);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }
  void signal(int sig) const { kill(pid_, sig); }
  // Whether it is still running (false once it has exited; its status is kept).
  bool running() {
    if (pid_ <= 0) return false;
    if (waitpid(pid_, &status_, WNOHANG) != pid_) return true;
    pid_ = -1;
    return false;
  }
  // The exit code after up to `seconds` (killed, and -1, if it is still running then); 1000 +
  // the signal when a signal ended it.
  int wait(double seconds) {
    const auto end = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
    while (running() && std::chrono::steady_clock::now() < end)
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    if (pid_ > 0) return -1;  // the destructor kills it
    return WIFEXITED(status_) ? WEXITSTATUS(status_) : 1000 + WTERMSIG(status_);
  }

 private:
  std::string log_;
  pid_t pid_ = -1;
  int status_ = 0;
};

// Polls `done` every 20 ms for up to `seconds`; whether it came true.
inline bool eventually(const std::function<bool()>& done, double seconds) {
  const auto end = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  while (!done()) {
    if (std::chrono::steady_clock::now() >= end) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return true;
}

// ffprobe's view of a video's first stream: "codec,width,height,pix_fmt,frames\n" (frames
// counted by decoding), or its error message.
inline std::string probe_video(const std::string& path) {
  const std::string cmd =
      "ffprobe -v error -count_frames -select_streams v:0 -show_entries "
      "stream=codec_name,width,height,pix_fmt,nb_read_frames -of csv=p=0 '" +
      path + "' 2>&1";
  std::string out;
  std::FILE* p = popen(cmd.c_str(), "r");
  char buf[512];
  while (size_t n = std::fread(buf, 1, sizeof buf, p))
    out.append(buf, n);
  pclose(p);
  return out;
}

}  // namespace gt::test
