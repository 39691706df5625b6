#include "live/capture.hpp"

#include <cstdio>
#include <cstring>
#include <ctime>
#include <exception>

#include "render/png.hpp"

namespace gt::cli {
namespace {

std::string stamp() {
  const std::time_t t = std::time(nullptr);
  char b[32];
  std::strftime(b, sizeof b, "%Y%m%d-%H%M%S", std::localtime(&t));
  return b;
}

}  // namespace

std::string Capture::screenshot(uint32_t w, uint32_t h, const std::vector<uint8_t>& rgba,
                                uint32_t steps_done, const std::string& path) {
  const std::string shown = steps_done ? "step" + std::to_string(steps_done - 1) : "init";
  const std::string file = path.empty() ? "gradtower-" + stamp() + "-" + shown + ".png" : path;
  try {
    render::write_png(file, w, h, rgba);
    return "screenshot: " + file;
  } catch (const std::exception& e) {
    return std::string("screenshot failed: ") + e.what();
  }
}

std::string Capture::toggle(uint32_t w, uint32_t h, const std::string& path) {
  if (video_) return stop();
  w_ = w & ~1u;
  h_ = h & ~1u;
  frames_ = 0;
  file_ = path.empty() ? "gradtower-" + stamp() + ".mp4" : path;
  try {
    video_ = std::make_unique<render::VideoWriter>(file_, w_, h_, 30);
  } catch (const std::exception& e) {
    video_.reset();
    return std::string("recording failed: ") + e.what();
  }
  return "recording " + file_;
}

std::string Capture::add(uint32_t w, uint32_t h, const std::vector<uint8_t>& rgba) {
  if (!video_) return {};
  if ((w & ~1u) != w_ || (h & ~1u) != h_) return stop() + " (the window was resized)";
  // H.264 in yuv420p needs even sizes: an odd last column or row is left out.
  cropped_.resize(size_t(w_) * h_ * 4);
  for (uint32_t y = 0; y < h_; ++y)
    std::memcpy(&cropped_[size_t(y) * w_ * 4], &rgba[size_t(y) * w * 4], size_t(w_) * 4);
  try {
    video_->write(cropped_);
    ++frames_;
  } catch (const std::exception& e) {
    video_.reset();  // abandons the temporary file
    return std::string("recording failed: ") + e.what();
  }
  return {};
}

std::string Capture::stop() {
  if (!video_) return {};
  try {
    video_->finish();
    video_.reset();
    return "recorded " + std::to_string(frames_) + " frames: " + file_;
  } catch (const std::exception& e) {
    video_.reset();
    return std::string("recording failed: ") + e.what();
  }
}

}  // namespace gt::cli
