// An MP4 (H.264, yuv420p) written by an ffmpeg process that reads raw RGBA frames from a pipe,
// into an io::OutputFile: the file appears under its name only when finish() has checked
// ffmpeg's exit status and, with ffprobe, that the file holds every frame (ffmpeg exits 0 after
// "No space left on device" with a file that has no index); otherwise nothing is left.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "io/output_file.hpp"

namespace gt::render {

class VideoWriter {
 public:
  // Opens the output (a bad place fails here, before any frame) and starts ffmpeg in its own
  // process group, so a Ctrl-C reaches gradtower only and gradtower decides. `label` names the
  // output in errors (empty: the path). Throws: ffmpeg or ffprobe missing, odd sizes (yuv420p
  // needs even ones), no process.
  VideoWriter(const std::filesystem::path& file, uint32_t width, uint32_t height, uint32_t fps,
              const std::string& label = {});
  ~VideoWriter();  // abandons an unfinished file: stops ffmpeg, removes the temporary
  VideoWriter(const VideoWriter&) = delete;
  VideoWriter& operator=(const VideoWriter&) = delete;

  void write(const std::vector<uint8_t>& rgba);  // one frame, width x height x 4 bytes
  // Waits for ffmpeg, checks the file, renames it into place. Throws io::Error naming it.
  void finish();

 private:
  void abandon() noexcept;
  int wait_ffmpeg() noexcept;  // the wait status
  void check_frames() const;   // ffprobe: one packet per frame written

  io::OutputFile out_;
  uint32_t width_, height_, frames_ = 0;
  int pipe_ = -1;
  pid_t pid_ = -1;
  int child_slot_ = -1;
};

// `name` (ffmpeg, ffprobe) on PATH, or empty.
std::string find_program(const std::string& name);

}  // namespace gt::render
