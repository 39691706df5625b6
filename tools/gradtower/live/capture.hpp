// Screenshots and recordings of the live window: what it shows, panels included, as PNG files and
// as MP4 through the same recorder as `gradtower record` (a temporary file renamed on success).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "render/video.hpp"

namespace gt::cli {

class Capture {
 public:
  // Writes a PNG (into `path`, or a file named after the time and the step shown: the last of
  // `steps_done`, counted from 0; "init" before the first); returns a line for the status.
  std::string screenshot(uint32_t w, uint32_t h, const std::vector<uint8_t>& rgba,
                         uint32_t steps_done, const std::string& path = "");
  bool recording() const { return video_ != nullptr; }
  const std::string& file() const { return file_; }
  // Starts (frames of w x h, cropped to even sizes; into `path`, or a file named after the time)
  // or stops; returns a line for the status.
  std::string toggle(uint32_t w, uint32_t h, const std::string& path = "");
  // One frame while recording. A frame of another size (the window was resized) ends the video.
  std::string add(uint32_t w, uint32_t h, const std::vector<uint8_t>& rgba);
  std::string stop();

 private:
  std::unique_ptr<render::VideoWriter> video_;
  std::string file_;
  uint32_t w_ = 0, h_ = 0, frames_ = 0;
  std::vector<uint8_t> cropped_;
};

}  // namespace gt::cli
