// Files the program reads (scenes, safetensors): opened only when they are regular files, since
// a FIFO would block the open for ever and /dev/zero never ends, with their size known and
// capped before anything is read.
#pragma once

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>

namespace gt::io {

struct InputFile {
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> file{nullptr, &std::fclose};
  uint64_t size = 0;  // bytes, when opened
  // Empty when the file is open; else what is wrong, without the file's name ("cannot open:
  // No such file or directory", "cannot open: a FIFO, not a regular file", "is N bytes; ...").
  std::string error;
};

// Opens `file` for reading when it is a regular file of at most `max_bytes` bytes; `kind` names
// what it is in the message of a file over the limit ("a scene file": "is N bytes; a scene file
// is at most 16 MiB").
InputFile open_input(const std::filesystem::path& file, uint64_t max_bytes,
                     const std::string& kind = "a file");

// The whole of a file opened by open_input, at most `max_bytes` of it even when it grew since;
// returns what is wrong ("" when nothing is) and leaves `text` empty then.
std::string read_all(InputFile& in, uint64_t max_bytes, const std::string& kind, std::string& text);

// "16 MiB" for whole MiB, else "N bytes".
std::string size_text(uint64_t bytes);

}  // namespace gt::io
