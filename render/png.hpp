// PNG files from RGBA8 pixels (stb_image_write, encoded in memory), written through an
// io::OutputFile: a failure leaves no half-written file and names the output and the reason.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "io/output_file.hpp"

namespace gt::render {

// Encodes into `out` (opened up front by the caller) and commits it. Throws io::Error.
void write_png(io::OutputFile& out, uint32_t width, uint32_t height,
               const std::vector<uint8_t>& rgba);
// Opens `file` (named by `label` in errors; empty: the path) and writes it.
void write_png(const std::filesystem::path& file, uint32_t width, uint32_t height,
               const std::vector<uint8_t>& rgba, const std::string& label = {});

}  // namespace gt::render
