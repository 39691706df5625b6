// PNG files from RGBA8 pixels (stb_image_write), written under a temporary name and renamed, so
// a failure leaves no half-written file.
#pragma once

#include <cstdint>
#include <filesystem>
#include <vector>

namespace gt::render {

void write_png(const std::filesystem::path& file, uint32_t width, uint32_t height,
               const std::vector<uint8_t>& rgba);  // throws std::runtime_error

}  // namespace gt::render
