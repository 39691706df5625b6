#include "io/input_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace gt::io {
namespace {

std::string kind_of(mode_t mode) {
  if (S_ISFIFO(mode)) return "a FIFO";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISSOCK(mode)) return "a socket";
  return "not a file";
}

// What is wrong with a file of this mode and size, or "".
std::string check(const struct stat& st, uint64_t max_bytes, const std::string& kind) {
  if (S_ISDIR(st.st_mode)) return std::string("cannot open: ") + std::strerror(EISDIR);
  if (!S_ISREG(st.st_mode)) return "cannot open: " + kind_of(st.st_mode) + ", not a regular file";
  const auto size = static_cast<uint64_t>(st.st_size);
  if (size > max_bytes) {
    return "is " + std::to_string(size) + " bytes; " + kind + " is at most " + size_text(max_bytes);
  }
  return "";
}

}  // namespace

std::string size_text(uint64_t bytes) {
  constexpr uint64_t kMiB = 1ull << 20;
  if (bytes >= kMiB && bytes % kMiB == 0) return std::to_string(bytes / kMiB) + " MiB";
  return std::to_string(bytes) + " bytes";
}

InputFile open_input(const std::filesystem::path& file, uint64_t max_bytes,
                     const std::string& kind) {
  InputFile in;
  // stat first, so that no device or FIFO is ever opened; fstat again once open, for a file
  // replaced in between.
  struct stat st {};
  if (::stat(file.c_str(), &st) != 0) {
    in.error = std::string("cannot open: ") + std::strerror(errno);
    return in;
  }
  if (in.error = check(st, max_bytes, kind); !in.error.empty()) return in;
  // O_NONBLOCK: should a FIFO have taken the file's place, the open does not wait for a writer.
  const int fd = ::open(file.c_str(), O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
  if (fd < 0) {
    in.error = std::string("cannot open: ") + std::strerror(errno);
    return in;
  }
  if (::fstat(fd, &st) != 0) {
    in.error = std::string("cannot read: ") + std::strerror(errno);
  } else if (in.error = check(st, max_bytes, kind); in.error.empty()) {
    const int flags = ::fcntl(fd, F_GETFL);
    if (flags != -1) ::fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
    in.file.reset(::fdopen(fd, "rb"));
    if (!in.file) in.error = std::string("cannot open: ") + std::strerror(errno);
  }
  if (!in.file) ::close(fd);
  in.size = static_cast<uint64_t>(st.st_size);
  return in;
}

std::string read_all(InputFile& in, uint64_t max_bytes, const std::string& kind,
                     std::string& text) {
  text.clear();
  char buf[1 << 14];
  size_t n = 0;
  while ((n = std::fread(buf, 1, sizeof buf, in.file.get())) > 0) {
    if (text.size() + n > max_bytes) {
      text.clear();
      return "grew while being read to over " + size_text(max_bytes) + "; " + kind +
             " is at most " + size_text(max_bytes);
    }
    text.append(buf, n);
  }
  if (std::ferror(in.file.get())) {
    text.clear();
    return std::string("cannot read: ") + std::strerror(errno);
  }
  return "";
}

}  // namespace gt::io
