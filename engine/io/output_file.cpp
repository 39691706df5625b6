#include "io/output_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <random>

#include "io/interrupt.hpp"

namespace gt::io {
namespace {

namespace fs = std::filesystem;

constexpr size_t kBufferBytes = 1 << 16;

std::string reason(int err) {
  return std::strerror(err);
}

// Six random letters and digits; O_EXCL makes the name ours, so a clash only costs a retry.
std::string random_suffix() {
  static constexpr char kChars[] = "abcdefghijklmnopqrstuvwxyz0123456789";
  thread_local std::mt19937_64 rng{std::random_device{}() ^ (uint64_t(getpid()) << 32)};
  std::string s(6, ' ');
  for (char& c : s)
    c = kChars[rng() % (sizeof kChars - 1)];
  return s;
}

}  // namespace

OutputFile::OutputFile(const fs::path& path, std::string label)
    : label_(label.empty() ? path.string() : std::move(label)) {
  if (path.empty()) fail("no file name given");
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0) {
    if (S_ISDIR(st.st_mode)) fail("is a directory; give a file name");
    if (!S_ISREG(st.st_mode)) {
      open_direct(path);
      return;
    }
    // An existing file: through any symbolic links to the file itself, which is replaced.
    std::error_code ec;
    target_ = fs::canonical(path, ec);
    if (ec) fail("cannot resolve the path: " + ec.message());
    key_ = target_;
    open_temp(target_.parent_path(), int(st.st_mode & 07777));
    return;
  }
  if (errno != ENOENT) fail("cannot write there: " + reason(errno));  // ENOTDIR, EACCES, ELOOP
  // A new file, or a dangling symbolic link (chain): the file the last link names.
  target_ = path;
  for (int hops = 0;; ++hops) {
    if (hops == 40) fail("too many levels of symbolic links");
    std::error_code ec;
    if (!fs::is_symlink(fs::symlink_status(target_, ec))) break;
    const fs::path to = fs::read_symlink(target_, ec);
    if (ec) fail("cannot read the symbolic link " + target_.string() + ": " + ec.message());
    target_ = to.is_absolute() ? to : target_.parent_path() / to;
  }
  const fs::path folder = target_.parent_path().empty() ? fs::path(".") : target_.parent_path();
  if (::stat(folder.c_str(), &st) != 0) {
    if (errno == ENOENT) fail("folder " + folder.string() + " does not exist");
    fail("folder " + folder.string() + ": " + reason(errno));
  }
  if (!S_ISDIR(st.st_mode)) fail(folder.string() + " is not a folder");
  std::error_code ec;
  key_ = fs::weakly_canonical(fs::absolute(target_), ec);
  if (ec) key_ = fs::absolute(target_).lexically_normal();
  open_temp(folder, -1);
}

OutputFile::~OutputFile() {
  discard();
}

void OutputFile::open_direct(const fs::path& path) {
  // A device, FIFO or socket: written in place (opening a FIFO waits for its reader).
  direct_ = true;
  target_ = path;
  fd_ = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd_ < 0) fail("cannot open: " + reason(errno));
  struct stat st {};
  if (fstat(fd_, &st) == 0) {
    char_device_ = S_ISCHR(st.st_mode);
    dev_ = st.st_dev;
    ino_ = st.st_ino;
  }
  open_ = true;
  buffer_.reserve(kBufferBytes);
}

void OutputFile::open_temp(const fs::path& folder, int keep_mode) {
  // Next to the target, so the rename stays within one file system; the name is cut so that it
  // stays under NAME_MAX.
  const std::string base = target_.filename().string().substr(0, 200) + ".tmp-";
  for (int attempt = 0; attempt < 100 && fd_ < 0; ++attempt) {
    temp_ = folder / (base + random_suffix());
    fd_ = ::open(temp_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd_ < 0 && errno != EEXIST)
      fail("cannot create a file in " + folder.string() + ": " + reason(errno));
  }
  if (fd_ < 0) fail("cannot find a free temporary name in " + folder.string());
  try {
    std::error_code ec;
    slot_ = register_temp_file(fs::absolute(temp_, ec).string());
  } catch (...) {
    ::close(fd_);
    ::unlink(temp_.c_str());
    throw;
  }
  open_ = true;
  // Replacing a file keeps its permissions; a new one gets 0666 less the umask, as with fopen.
  if (keep_mode >= 0) (void)fchmod(fd_, mode_t(keep_mode));
  buffer_.reserve(kBufferBytes);
}

bool OutputFile::clashes_with(const OutputFile& other) const {
  if (direct_ != other.direct_) return false;
  if (direct_) return dev_ == other.dev_ && ino_ == other.ino_ && !char_device_;
  return key_ == other.key_;
}

void OutputFile::fail(const std::string& what) const {
  throw Error(label_ + ": " + what);
}

void OutputFile::fail_and_discard(const std::string& what) {
  discard();  // a file that missed bytes is never committed
  fail(what);
}

void OutputFile::write_all(const char* data, size_t bytes) {
  while (bytes > 0) {
    const ssize_t n = ::write(fd_, data, bytes);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) fail_and_discard("cannot write: " + reason(errno));
    if (n == 0) fail_and_discard("cannot write: the device took no bytes");
    data += n;
    bytes -= size_t(n);
  }
}

void OutputFile::flush_buffer() {
  write_all(buffer_.data(), buffer_.size());
  buffer_.clear();
}

void OutputFile::write(const void* data, size_t bytes) {
  if (!open_) fail("written after it was closed");
  const char* p = static_cast<const char*>(data);
  if (buffer_.size() + bytes > kBufferBytes) flush_buffer();
  if (bytes >= kBufferBytes)
    write_all(p, bytes);
  else
    buffer_.insert(buffer_.end(), p, p + bytes);
}

void OutputFile::commit() {
  if (!open_) fail("committed after it was closed");
  flush_buffer();
  // fsync: the bytes are on the disk before the name points at them, and errors the file
  // system reports late (quota, NFS) surface here. Devices and FIFOs have nothing to sync.
  if (!direct_ && fsync(fd_) != 0) fail_and_discard("cannot write: " + reason(errno));
  const int closed = ::close(fd_);
  fd_ = -1;
  if (closed != 0 && errno != EINTR) fail_and_discard("cannot write: " + reason(errno));
  if (!direct_) {
    if (std::rename(temp_.c_str(), target_.c_str()) != 0)
      fail_and_discard("cannot replace " + target_.string() + ": " + reason(errno));
    // The rename itself on the disk too (best effort: some file systems refuse).
    const fs::path folder = target_.parent_path().empty() ? fs::path(".") : target_.parent_path();
    const int dir = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir >= 0) {
      (void)fsync(dir);
      ::close(dir);
    }
  }
  unregister_temp_file(slot_);
  slot_ = -1;
  open_ = false;
}

void OutputFile::discard() noexcept {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  if (open_ && !direct_) ::unlink(temp_.c_str());
  unregister_temp_file(slot_);
  slot_ = -1;
  open_ = false;
}

void check_distinct(const std::vector<const OutputFile*>& outputs) {
  for (size_t i = 0; i < outputs.size(); ++i)
    for (size_t j = i + 1; j < outputs.size(); ++j)
      if (outputs[i] && outputs[j] && outputs[i]->clashes_with(*outputs[j]))
        throw Error(outputs[i]->label() + " and " + outputs[j]->label() + " are the same file (" +
                    outputs[i]->target().string() + "); give each output its own");
}

void check_writable(const fs::path& path, const std::string& label) {
  // A device or FIFO is checked when it is opened: opening a FIFO here would wait for a reader.
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0 && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode)) return;
  OutputFile probe(path, label);
  probe.discard();
}

}  // namespace gt::io
