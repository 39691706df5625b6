#include "render/png.hpp"

#include <cstdlib>
#include <memory>

#define STB_IMAGE_WRITE_IMPLEMENTATION
#define STBI_WRITE_NO_STDIO  // no unchecked fwrite/fclose: the bytes go through OutputFile
#include <stb/stb_image_write.h>

namespace gt::render {

void write_png(io::OutputFile& out, uint32_t width, uint32_t height,
               const std::vector<uint8_t>& rgba) {
  int bytes = 0;
  const std::unique_ptr<unsigned char, decltype(&std::free)> png(
      stbi_write_png_to_mem(rgba.data(), int(width * 4), int(width), int(height), 4, &bytes),
      &std::free);
  if (!png) out.fail("cannot encode the PNG (out of memory)");
  out.write(png.get(), size_t(bytes));
  out.commit();
}

void write_png(const std::filesystem::path& file, uint32_t width, uint32_t height,
               const std::vector<uint8_t>& rgba, const std::string& label) {
  io::OutputFile out(file, label);
  write_png(out, width, height, rgba);
}

}  // namespace gt::render
