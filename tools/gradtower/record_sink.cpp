#include "record_sink.hpp"

#include <cstdio>
#include <filesystem>

#include "io/interrupt.hpp"
#include "render/png.hpp"

namespace gt::cli {

std::string png_frame_name(uint32_t frame) {
  char name[32];
  std::snprintf(name, sizeof name, "frame_%05u.png", frame);
  return name;
}

RecordSink::RecordSink(const RecordArgs& a) : args_(a) {
  io::poll_interrupts();  // from here a signal ends the recording between frames
  if (!a.out.empty())
    video_ =
        std::make_unique<render::VideoWriter>(a.out, a.width, a.height, a.fps, "--out " + a.out);
}

RecordSink::~RecordSink() = default;

void RecordSink::add(const std::vector<uint8_t>& pixels) {
  if (const int signal = io::interrupt_signal()) {
    const std::string kept =
        frames_ == 0 ? "no frames written"
                     : "frames 0.." + std::to_string(frames_ - 1) + " are in " + args_.png_dir;
    throw io::Interrupted(signal, video_ ? args_.out + " not written" : kept);
  }
  if (video_) {
    video_->write(pixels);
  } else {
    const std::string name = png_frame_name(frames_);
    render::write_png(std::filesystem::path(args_.png_dir) / name, args_.width, args_.height,
                      pixels, "--png-dir " + args_.png_dir + ": " + name);
  }
  ++frames_;
}

void RecordSink::finish() {
  io::throw_if_interrupted();
  if (video_) video_->finish();
}

const std::string& RecordSink::name() const {
  return video_ ? args_.out : args_.png_dir;
}

}  // namespace gt::cli
