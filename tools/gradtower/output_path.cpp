#include "cli.hpp"
#include "io/output_file.hpp"

namespace gt::cli {

void check_output_path(const std::string& flag, const std::string& path) {
  io::check_writable(path, flag + " " + path);
}

}  // namespace gt::cli
