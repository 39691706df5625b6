#include <unistd.h>

#include <filesystem>
#include <stdexcept>

#include "cli.hpp"

namespace gt::cli {

void check_output_path(const std::string& flag, const std::string& path) {
  namespace fs = std::filesystem;
  const fs::path p(path);
  std::error_code ec;
  if (fs::is_directory(p, ec))
    throw std::runtime_error(flag + " " + path + ": is a directory; give a file name");
  const fs::path dir = p.parent_path().empty() ? fs::path(".") : p.parent_path();
  if (!fs::is_directory(dir, ec))
    throw std::runtime_error(flag + " " + path + ": directory " + dir.string() + " does not exist");
  if (access(dir.c_str(), W_OK) != 0)
    throw std::runtime_error(flag + " " + path + ": directory " + dir.string() +
                             " is not writable");
}

}  // namespace gt::cli
