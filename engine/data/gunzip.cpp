#include "data/gunzip.hpp"

#include <zlib.h>

#include <algorithm>
#include <limits>

#include "data/dataset.hpp"
#include "io/input_file.hpp"

namespace gt::data {
namespace {

bool is_gzip(const std::string& bytes) {
  return bytes.size() >= 2 && static_cast<unsigned char>(bytes[0]) == 0x1f &&
         static_cast<unsigned char>(bytes[1]) == 0x8b;
}

// Every gzip member of the file (`cat a.gz b.gz` is one valid stream), inflated; zlib's
// z_stream is freed on every path.
std::string gunzip(const std::string& in, uint64_t max_bytes, const std::string& name) {
  z_stream zs{};
  // 16 + MAX_WBITS: a gzip header and trailer (the CRC and length are checked by zlib).
  if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK) throw Error(name + ": zlib cannot start");
  struct End {
    z_stream* z;
    ~End() { inflateEnd(z); }
  } end{&zs};
  std::string out;
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  size_t left = in.size();
  char buf[1 << 16];
  int rc = Z_OK;
  for (;;) {
    if (zs.avail_in == 0 && left > 0) {
      const size_t n = std::min<size_t>(left, std::numeric_limits<uInt>::max());
      zs.avail_in = static_cast<uInt>(n);
      left -= n;
    }
    zs.next_out = reinterpret_cast<Bytef*>(buf);
    zs.avail_out = sizeof buf;
    rc = inflate(&zs, Z_NO_FLUSH);
    if (rc == Z_BUF_ERROR && zs.avail_in == 0 && left == 0)
      throw Error(name + ": the gzip stream is truncated (the file ends before its end)");
    if (rc != Z_OK && rc != Z_STREAM_END) {
      throw Error(name + ": not a valid gzip stream (zlib: " +
                  (zs.msg ? std::string(zs.msg) : "error " + std::to_string(rc)) + ")");
    }
    const size_t got = sizeof buf - zs.avail_out;
    if (out.size() + got > max_bytes) {
      throw Error(name + ": decompresses to over " + io::size_text(max_bytes) +
                  "; a data file is at most that");
    }
    out.append(buf, got);
    if (rc != Z_STREAM_END) continue;
    if (zs.avail_in == 0 && left == 0) return out;
    // Another member must follow: anything else after a member's end is not gzip.
    if (zs.avail_in < 2 || zs.next_in[0] != 0x1f || zs.next_in[1] != 0x8b)
      throw Error(name + ": bytes after the end of the gzip stream");
    inflateReset(&zs);
    rc = Z_OK;
  }
}

}  // namespace

std::string read_maybe_gzip(const std::filesystem::path& file, uint64_t max_bytes) {
  const std::string name = file.string();
  io::InputFile in = io::open_input(file, max_bytes, "a data file");
  if (!in.error.empty()) throw Error(name + ": " + in.error);
  std::string bytes;
  if (std::string e = io::read_all(in, max_bytes, "a data file", bytes); !e.empty())
    throw Error(name + ": " + e);
  return is_gzip(bytes) ? gunzip(bytes, max_bytes, name) : bytes;
}

}  // namespace gt::data
