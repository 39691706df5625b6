#include "render/video.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <sstream>
#include <stdexcept>

#include "io/interrupt.hpp"

extern char** environ;

namespace gt::render {
namespace {

// Starts `args` in its own process group with stdin from `in` and stdout and stderr to `out`
// (-1: /dev/null for stdin, ours for stdout and stderr); our pipe ends are close-on-exec.
// Returns the pid; throws.
pid_t spawn(std::vector<std::string> args, int in, int out) {
  std::vector<char*> argv;
  for (std::string& a : args)
    argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  if (in >= 0)
    posix_spawn_file_actions_adddup2(&actions, in, 0);
  else
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  if (out >= 0) {
    posix_spawn_file_actions_adddup2(&actions, out, 1);
    posix_spawn_file_actions_adddup2(&actions, out, 2);
  }
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  // Its own process group: a terminal's Ctrl-C goes to gradtower, which stops the child. The
  // child gets SIGPIPE back (we ignore it to see a dead ffmpeg as a write error).
  sigset_t defaults;
  sigemptyset(&defaults);
  sigaddset(&defaults, SIGPIPE);
  posix_spawnattr_setsigdefault(&attr, &defaults);
  posix_spawnattr_setpgroup(&attr, 0);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF);
  pid_t pid = -1;
  const int err = posix_spawn(&pid, argv[0], &actions, &attr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (err != 0)
    throw std::runtime_error("cannot start " + args[0] + ": " + std::string(std::strerror(err)));
  return pid;
}

std::string describe(int status) {
  if (WIFEXITED(status)) return "exit status " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return "killed by " + io::signal_name(WTERMSIG(status));
  return "wait status " + std::to_string(status);
}

// The program's stdout and stderr together, and its wait status.
std::pair<std::string, int> run_capture(const std::vector<std::string>& args) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0)
    throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));
  pid_t pid = -1;
  try {
    pid = spawn(args, -1, fds[1]);
  } catch (...) {
    close(fds[0]);
    close(fds[1]);
    throw;
  }
  const int slot = io::register_child(pid);
  close(fds[1]);
  std::string text;
  char buf[512];
  for (;;) {
    const ssize_t n = read(fds[0], buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    text.append(buf, size_t(n));
  }
  close(fds[0]);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  io::unregister_child(slot);
  return {text, status};
}

std::string trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' '))
    s.pop_back();
  for (char& c : s)
    if (c == '\n') c = ' ';
  return s;
}

}  // namespace

std::string find_program(const std::string& name) {
  const char* path = std::getenv("PATH");
  std::stringstream dirs(path ? path : "/usr/bin:/bin");
  for (std::string dir; std::getline(dirs, dir, ':');) {
    const std::string candidate = (dir.empty() ? "." : dir) + "/" + name;
    if (access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return {};
}

VideoWriter::VideoWriter(const std::filesystem::path& file, uint32_t width, uint32_t height,
                         uint32_t fps, const std::string& label)
    : out_(file, label), width_(width), height_(height) {
  if (width % 2 || height % 2)
    out_.fail("H.264 in yuv420p needs even sizes; got " + std::to_string(width) + "x" +
              std::to_string(height));
  const std::string ffmpeg = find_program("ffmpeg");
  if (ffmpeg.empty()) out_.fail("ffmpeg is not installed (apt-get install ffmpeg)");
  if (!out_.direct() && find_program("ffprobe").empty())
    out_.fail("ffprobe (ffmpeg's) is not installed: it checks the video before it is kept");
  // A dead ffmpeg must surface as a write error here, not kill gradtower with SIGPIPE.
  signal(SIGPIPE, SIG_IGN);
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0)
    throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));
  const std::string size = std::to_string(width) + "x" + std::to_string(height);
  std::vector<std::string> args{ffmpeg,
                                "-hide_banner",
                                "-loglevel",
                                "error",
                                "-y",
                                "-f",
                                "rawvideo",
                                "-pix_fmt",
                                "rgba",
                                "-s",
                                size,
                                "-r",
                                std::to_string(fps),
                                "-i",
                                "-",
                                "-c:v",
                                "libx264",
                                "-preset",
                                "medium",
                                "-crf",
                                "18",
                                "-pix_fmt",
                                "yuv420p"};
  // +faststart reads the file back to move the index to the front: not from a device.
  if (!out_.direct()) args.insert(args.end(), {"-movflags", "+faststart"});
  args.insert(args.end(), {"-f", "mp4", out_.write_path().string()});
  try {
    pid_ = spawn(args, fds[0], -1);
  } catch (...) {
    close(fds[0]);
    close(fds[1]);
    throw;
  }
  close(fds[0]);
  pipe_ = fds[1];
  child_slot_ = io::register_child(pid_);
}

VideoWriter::~VideoWriter() {
  abandon();
}

int VideoWriter::wait_ffmpeg() noexcept {
  int status = 0;
  if (pid_ > 0)
    while (waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
  pid_ = -1;
  io::unregister_child(child_slot_);
  child_slot_ = -1;
  return status;
}

void VideoWriter::abandon() noexcept {
  if (pipe_ >= 0) close(pipe_);
  pipe_ = -1;
  if (pid_ > 0) kill(pid_, SIGKILL);  // its file is thrown away: no need to let it finish
  wait_ffmpeg();
  out_.discard();
}

void VideoWriter::write(const std::vector<uint8_t>& rgba) {
  if (rgba.size() != size_t(width_) * height_ * 4) throw std::runtime_error("frame size mismatch");
  size_t done = 0;
  while (done < rgba.size()) {
    const ssize_t n = ::write(pipe_, rgba.data() + done, rgba.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      abandon();
      out_.fail("ffmpeg stopped reading frames (see its message above)");
    }
    done += size_t(n);
  }
  ++frames_;
}

void VideoWriter::check_frames() const {
  const auto [text, status] = run_capture(
      {find_program("ffprobe"), "-v", "error", "-count_packets", "-select_streams", "v:0",
       "-show_entries", "stream=nb_read_packets", "-of", "csv=p=0", out_.write_path().string()});
  const std::string said = trimmed(text);
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0 && said == std::to_string(frames_)) return;
  out_.fail("ffmpeg left a broken video (" + std::to_string(frames_) + " frames sent; ffprobe: " +
            (said.empty() ? describe(status) : said) + "); see ffmpeg's message above");
}

void VideoWriter::finish() {
  close(pipe_);
  pipe_ = -1;
  const int status = wait_ffmpeg();
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    out_.discard();
    out_.fail("ffmpeg failed (" + describe(status) + "; see its message above)");
  }
  try {
    if (!out_.direct()) check_frames();
    out_.commit();
  } catch (...) {
    out_.discard();
    throw;
  }
}

}  // namespace gt::render
