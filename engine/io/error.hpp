// The error of engine/io: reading and writing files. The message names the file (or the flag
// that gave it) and what is wrong, with the operating system's reason where there is one.
#pragma once

#include <stdexcept>

namespace gt::io {

struct Error : std::runtime_error {
  using runtime_error::runtime_error;
};

}  // namespace gt::io
