#include "render/video.hpp"

#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <sstream>
#include <stdexcept>

extern char** environ;

namespace gt::render {

std::string find_ffmpeg() {
  const char* path = std::getenv("PATH");
  std::stringstream dirs(path ? path : "/usr/bin:/bin");
  for (std::string dir; std::getline(dirs, dir, ':');) {
    const std::string candidate = (dir.empty() ? "." : dir) + "/ffmpeg";
    if (access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return {};
}

VideoWriter::VideoWriter(const std::filesystem::path& file, uint32_t width, uint32_t height,
                         uint32_t fps)
    : file_(file),
      temp_(file.string() + ".tmp-" + std::to_string(getpid())),
      width_(width),
      height_(height) {
  if (width % 2 || height % 2)
    throw std::runtime_error("H.264 in yuv420p needs even sizes; got " + std::to_string(width) +
                             "x" + std::to_string(height));
  const std::string ffmpeg = find_ffmpeg();
  if (ffmpeg.empty()) throw std::runtime_error("ffmpeg is not installed (apt-get install ffmpeg)");
  // A dead ffmpeg must surface as a write error here, not kill gradtower with SIGPIPE.
  signal(SIGPIPE, SIG_IGN);
  int fds[2];
  if (pipe(fds) != 0) throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));
  const std::string size = std::to_string(width) + "x" + std::to_string(height);
  const std::string rate = std::to_string(fps);
  std::vector<std::string> args{
      ffmpeg,     "-hide_banner", "-loglevel", "error",      "-y",     "-f",   "rawvideo",
      "-pix_fmt", "rgba",         "-s",        size,         "-r",     rate,   "-i",
      "-",        "-c:v",         "libx264",   "-preset",    "medium", "-crf", "18",
      "-pix_fmt", "yuv420p",      "-movflags", "+faststart", "-f",     "mp4",  temp_.string()};
  std::vector<char*> argv;
  for (std::string& a : args)
    argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fds[0], 0);
  posix_spawn_file_actions_addclose(&actions, fds[1]);
  const int err = posix_spawn(&pid_, ffmpeg.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  close(fds[0]);
  if (err != 0) {
    close(fds[1]);
    throw std::runtime_error("cannot start ffmpeg: " + std::string(std::strerror(err)));
  }
  pipe_ = fds[1];
}

VideoWriter::~VideoWriter() {
  abandon();
}

void VideoWriter::abandon() {
  if (pipe_ >= 0) close(pipe_);
  pipe_ = -1;
  if (pid_ > 0) {
    int status = 0;
    waitpid(pid_, &status, 0);
  }
  pid_ = -1;
  std::error_code ec;
  std::filesystem::remove(temp_, ec);
}

void VideoWriter::write(const std::vector<uint8_t>& rgba) {
  if (rgba.size() != size_t(width_) * height_ * 4) throw std::runtime_error("frame size mismatch");
  size_t done = 0;
  while (done < rgba.size()) {
    const ssize_t n = ::write(pipe_, rgba.data() + done, rgba.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      abandon();
      throw std::runtime_error(file_.string() +
                               ": ffmpeg stopped reading frames (see its message above)");
    }
    done += size_t(n);
  }
}

void VideoWriter::finish() {
  close(pipe_);
  pipe_ = -1;
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
  std::error_code ec;
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    std::filesystem::remove(temp_, ec);
    throw std::runtime_error(file_.string() + ": ffmpeg failed (exit status " +
                             std::to_string(WIFEXITED(status) ? WEXITSTATUS(status) : -1) + ")");
  }
  std::filesystem::rename(temp_, file_, ec);
  if (ec) {
    std::filesystem::remove(temp_, ec);
    throw std::runtime_error(file_.string() + ": cannot move the video into place");
  }
}

}  // namespace gt::render
