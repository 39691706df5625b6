// The bytes of a file that may be gzip-compressed (the IDX files of Debian's data sets are):
// decompressed with zlib when the file starts with gzip's magic, as they are otherwise. Only
// regular files are read; the result is capped, and a truncated or corrupt stream is an error.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

namespace gt::data {

// Throws data::Error naming the file: cannot open, over `max_bytes` (compressed or not), a
// corrupt or truncated gzip stream, bytes after its end.
std::string read_maybe_gzip(const std::filesystem::path& file, uint64_t max_bytes);

}  // namespace gt::data
