// libFuzzer target: the data loaders (engine/data). The first byte picks the reader, the rest is
// the file: 0 a CSV with a class column "y" over 3 classes, 1 a CSV with regression column "y",
// 2 an IDX file of images, 3 of labels, 4 a .npy file (through a memfd: the reader takes a path),
// 5 a gzip stream. Whatever the bytes, a reader returns a whole, consistent result or throws
// gt::io::Error (data::Error is one) naming the input; anything else is a finding.
#include <sys/mman.h>
#include <unistd.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

#include "data/csv.hpp"
#include "data/gunzip.hpp"
#include "data/idx.hpp"
#include "data/npy.hpp"

namespace {

[[noreturn]] void finding(const std::string& what) {
  std::fprintf(stderr, "%s\n", what.c_str());
  std::abort();
}

// The input as a file: one memfd for the whole run, rewritten for each input.
std::string as_file(std::string_view bytes) {
  static const int fd = memfd_create("fuzz_data", MFD_CLOEXEC);
  if (fd < 0) finding(std::string("memfd_create: ") + std::strerror(errno));
  if (ftruncate(fd, 0) != 0) finding(std::string("ftruncate: ") + std::strerror(errno));
  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = pwrite(fd, bytes.data() + done, bytes.size() - done, off_t(done));
    if (n <= 0) finding(std::string("pwrite: ") + std::strerror(errno));
    done += size_t(n);
  }
  return "/proc/self/fd/" + std::to_string(fd);
}

// A data set as every loader promises it: sizes that agree, finite values, one-hot classes.
void check(const gt::data::Dataset& d) {
  if (d.rows == 0 || d.features == 0 || d.outputs == 0) finding("an empty data set was returned");
  if (d.input.size() != uint64_t(d.rows) * d.features) finding("inputs of the wrong size");
  if (d.target.size() != uint64_t(d.rows) * d.outputs) finding("targets of the wrong size");
  for (const float v : d.input)
    if (!std::isfinite(v)) finding("a non-finite input was returned");
  for (const float v : d.target)
    if (!std::isfinite(v)) finding("a non-finite target was returned");
  if (d.classes == 0) return;
  for (uint32_t r = 0; r < d.rows; ++r) {
    float sum = 0;
    for (uint32_t c = 0; c < d.outputs; ++c)
      sum += d.target[uint64_t(r) * d.outputs + c];
    if (sum != 1.0f) finding("a class target that is not one-hot");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string_view bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
  const std::string name = "input";
  try {
    switch (data[0] % 6) {
      case 0:
        check(gt::data::parse_csv(bytes, {"y", {}, 3}, name, 1000));
        break;
      case 1:
        check(gt::data::parse_csv(bytes, {"", {"y"}, 0}, name, 1000));
        break;
      case 2:
      case 3: {
        const uint32_t rank = data[0] % 6 == 2 ? 3 : 1;
        const gt::data::IdxArray a = gt::data::parse_idx(std::string(bytes), rank, name);
        uint64_t n = 1;
        for (const uint32_t d : a.dims)
          n *= d;
        if (a.dims.size() != rank || a.data.size() != n)
          finding("IDX dimensions and data disagree");
        break;
      }
      case 4: {
        const gt::data::NpyArray a = gt::data::read_npy(as_file(bytes));
        uint64_t n = 1;
        for (const int64_t d : a.shape)
          n *= uint64_t(d);
        if (a.values.size() != n) finding("npy shape and values disagree");
        break;
      }
      default:
        gt::data::read_maybe_gzip(as_file(bytes), 1 << 20);
        break;
    }
  } catch (const gt::io::Error& e) {
    const std::string_view what = e.what();
    if (data[0] % 6 <= 3 ? !what.starts_with(name) : !what.starts_with("/proc/self/fd/"))
      finding(std::string("a data error that does not name its input: ") + e.what());
  }
  return 0;
}
