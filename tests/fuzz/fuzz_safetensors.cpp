// libFuzzer target: the safetensors reader. The input is the whole file, put in a memfd and read
// through /proc/self/fd (the reader takes a path; no disk involved). Whatever the bytes, the reader
// either returns tensors or throws gt::io::Error naming the file; anything else is a finding. What
// it accepts must also survive the writer: written out and read back, the same names, shapes and
// value bits.
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "io/safetensors.hpp"

namespace {

namespace fs = std::filesystem;

[[noreturn]] void finding(const std::string& what) {
  std::fprintf(stderr, "%s\n", what.c_str());
  std::abort();
}

// One memfd for the whole run, rewritten for each input.
class MemFile {
 public:
  MemFile() : fd_(memfd_create("fuzz_safetensors", MFD_CLOEXEC)) {
    if (fd_ < 0) finding(std::string("memfd_create: ") + std::strerror(errno));
    path_ = "/proc/self/fd/" + std::to_string(fd_);
  }
  ~MemFile() { close(fd_); }
  MemFile(const MemFile&) = delete;
  MemFile& operator=(const MemFile&) = delete;

  const fs::path& set(const uint8_t* data, size_t size) {
    if (ftruncate(fd_, 0) != 0) finding(std::string("ftruncate: ") + std::strerror(errno));
    size_t done = 0;
    while (done < size) {
      const ssize_t n = pwrite(fd_, data + done, size - done, static_cast<off_t>(done));
      if (n <= 0) finding(std::string("pwrite: ") + std::strerror(errno));
      done += static_cast<size_t>(n);
    }
    return path_;
  }

 private:
  int fd_;
  fs::path path_;
};

// Where the round trip writes: RAM when there is a /dev/shm.
fs::path round_trip_file() {
  std::error_code ec;
  const fs::path dir =
      fs::is_directory("/dev/shm", ec) ? fs::path("/dev/shm") : fs::temp_directory_path();
  return dir / ("gt_fuzz_safetensors_" + std::to_string(getpid()) + ".safetensors");
}

bool same(const gt::io::Tensor& a, const gt::io::Tensor& b) {
  return a.name == b.name && a.shape == b.shape && a.data.size() == b.data.size() &&
         (a.data.empty() ||
          std::memcmp(a.data.data(), b.data.data(), a.data.size() * sizeof(float)) == 0);
}

void round_trip(const std::vector<gt::io::Tensor>& tensors) {
  // The writer takes no empty names (the reader does: the format does not forbid them).
  for (const gt::io::Tensor& t : tensors)
    if (t.name.empty()) return;
  static const fs::path file = round_trip_file();
  std::vector<gt::io::Tensor> back;
  try {
    gt::io::write_safetensors(file, tensors);
    back = gt::io::read_safetensors(file);
  } catch (const gt::io::Error& e) {
    finding(std::string("round trip failed: ") + e.what());
  }
  std::error_code ec;
  fs::remove(file, ec);
  // The writer keeps the given order; the reader returns data order, the same here.
  if (back.size() != tensors.size()) finding("round trip changed the number of tensors");
  for (size_t i = 0; i < back.size(); ++i)
    if (!same(back[i], tensors[i]))
      finding("round trip changed tensor \"" + tensors[i].name + "\"");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static MemFile mem;
  const fs::path& file = mem.set(data, size);
  std::vector<gt::io::Tensor> tensors;
  try {
    tensors = gt::io::read_safetensors(file);
  } catch (const gt::io::Error& e) {
    if (!std::string_view(e.what()).starts_with(file.string() + ": "))
      finding(std::string("safetensors error does not name the file: ") + e.what());
    return 0;
  }
  round_trip(tensors);
  return 0;
}
