#include "render/png.hpp"

#include <unistd.h>

#include <stdexcept>
#include <string>
#include <system_error>

#define STB_IMAGE_WRITE_IMPLEMENTATION
#define STBI_WRITE_NO_STDIO_UNUSED
#include <stb/stb_image_write.h>

namespace gt::render {

void write_png(const std::filesystem::path& file, uint32_t width, uint32_t height,
               const std::vector<uint8_t>& rgba) {
  const std::filesystem::path temp = file.string() + ".tmp-" + std::to_string(getpid());
  const int ok =
      stbi_write_png(temp.c_str(), int(width), int(height), 4, rgba.data(), int(width * 4));
  std::error_code ec;
  if (ok) std::filesystem::rename(temp, file, ec);
  if (!ok || ec) {
    std::filesystem::remove(temp, ec);
    throw std::runtime_error(file.string() + ": cannot write the PNG");
  }
}

}  // namespace gt::render
