// An MP4 (H.264, yuv420p) written by an ffmpeg process that reads raw RGBA frames from a pipe.
// The file appears under its name only when finish() succeeds; otherwise nothing is left.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace gt::render {

class VideoWriter {
 public:
  // Throws std::runtime_error: ffmpeg missing, odd sizes (yuv420p needs even ones), no process.
  VideoWriter(const std::filesystem::path& file, uint32_t width, uint32_t height, uint32_t fps);
  ~VideoWriter();  // abandons an unfinished file
  VideoWriter(const VideoWriter&) = delete;
  VideoWriter& operator=(const VideoWriter&) = delete;

  void write(const std::vector<uint8_t>& rgba);  // one frame, width x height x 4 bytes
  void finish();                                 // waits for ffmpeg, renames into place

 private:
  void abandon();
  std::filesystem::path file_, temp_;
  uint32_t width_, height_;
  int pipe_ = -1;
  pid_t pid_ = -1;
};

// The ffmpeg executable on PATH, or empty.
std::string find_ffmpeg();

}  // namespace gt::render
