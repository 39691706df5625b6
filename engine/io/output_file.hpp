// Every file gradtower writes goes through OutputFile, so no output is ever left half-written
// and every failure names the output and the operating system's reason.
//
// - Opened up front: the constructor creates a uniquely named temporary file next to the final
//   one, so an unwritable place fails before any work, with the real reason (root passes
//   access(2) checks that creating a file would fail).
// - Symbolic links (chains too) are followed: the temporary goes next to the file they end at
//   and is renamed onto it; the links stay.
// - An existing target that is not a regular file (/dev/null, /dev/stdout, a FIFO) is written in
//   place: there is nothing to replace and a device must not become a file.
// - Every write, flush, fsync, close and rename is checked; commit() makes the bytes appear
//   under the final name at once, or throws and leaves the old file as it was. Destroying an
//   uncommitted OutputFile (an error, an interrupt) removes the temporary file; so does the
//   signal handler (io/interrupt.hpp) if the process is killed first.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "io/error.hpp"

namespace gt::io {

class OutputFile {
 public:
  // `label` names the output in errors ("--stats-out stats.csv"); empty: the path. Throws
  // io::Error: a directory, a missing folder, a folder where no file can be created.
  explicit OutputFile(const std::filesystem::path& path, std::string label = {});
  ~OutputFile();  // discard() unless committed
  OutputFile(const OutputFile&) = delete;
  OutputFile& operator=(const OutputFile&) = delete;

  const std::string& label() const { return label_; }
  // The file the output ends up in (symbolic links resolved).
  const std::filesystem::path& target() const { return target_; }
  // Where the bytes go until commit(): the temporary file, or the target when direct().
  const std::filesystem::path& write_path() const { return direct_ ? target_ : temp_; }
  bool direct() const { return direct_; }
  // Whether two outputs would land in the same file (a character device may be shared).
  bool clashes_with(const OutputFile& other) const;

  // Buffered. Throws io::Error, after which the output is discarded (never committed half).
  void write(const void* data, size_t bytes);
  void write(std::string_view text) { write(text.data(), text.size()); }
  // Flushes, syncs and closes, then renames the temporary onto the target; throws io::Error,
  // after which the target is as it was. For bytes written by another process (ffmpeg) into
  // write_path() as well.
  void commit();
  // Removes the temporary file (nothing for a direct output); never throws.
  void discard() noexcept;

  [[noreturn]] void fail(const std::string& what) const;  // io::Error "label: what"

 private:
  void open_direct(const std::filesystem::path& path);
  void open_temp(const std::filesystem::path& folder,
                 int keep_mode);  // keep_mode: -1 or 07777 bits
  void flush_buffer();
  void write_all(const char* data, size_t bytes);
  [[noreturn]] void fail_and_discard(const std::string& what);

  std::string label_;
  std::filesystem::path target_, temp_, key_;  // key_: absolute and normalized, for clashes
  bool direct_ = false, char_device_ = false, open_ = false;
  dev_t dev_ = 0;  // direct outputs: the device and inode, for clashes
  ino_t ino_ = 0;
  int fd_ = -1, slot_ = -1;
  std::vector<char> buffer_;
};

// Throws io::Error naming both labels when two of the outputs would be the same file; null
// entries (outputs not asked for) are skipped.
void check_distinct(const std::vector<const OutputFile*>& outputs);

// Creates and discards an OutputFile: the same checks, for outputs opened later.
void check_writable(const std::filesystem::path& path, const std::string& label);

}  // namespace gt::io
