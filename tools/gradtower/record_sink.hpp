// Where `record`'s frames go: an MP4 through ffmpeg (--out) or numbered PNGs (--png-dir), for
// the towers and the walkthrough alike. Each frame first checks for SIGINT/SIGTERM/SIGHUP: an
// interrupted video leaves nothing (ffmpeg stopped, its temporary file removed); PNGs written
// are whole and stay.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "cli.hpp"
#include "render/video.hpp"

namespace gt::cli {

// frame_00000.png, ...
std::string png_frame_name(uint32_t frame);

class RecordSink {
 public:
  // Starts polling for signals and, for --out, ffmpeg into the video's temporary file. The
  // outputs have been checked by check_record_outputs(). Throws.
  explicit RecordSink(const RecordArgs& args);
  ~RecordSink();  // an unfinished video is abandoned
  RecordSink(const RecordSink&) = delete;
  RecordSink& operator=(const RecordSink&) = delete;

  // One frame; throws io::Interrupted after a signal.
  void add(const std::vector<uint8_t>& pixels);
  // Checks and keeps the video. Throws io::Interrupted after a signal, io::Error otherwise.
  void finish();
  const std::string& name() const;  // --out or --png-dir, for the summary line
  uint32_t frames() const { return frames_; }

 private:
  const RecordArgs& args_;
  std::unique_ptr<render::VideoWriter> video_;
  uint32_t frames_ = 0;
};

}  // namespace gt::cli
