// Runs the gradtower executable (GT_CLI, set by tests/CMakeLists.txt) with arguments, through
// the shell, and collects its exit code and its stdout and stderr together.
#pragma once

#include <sys/wait.h>

#include <cstdio>
#include <string>

namespace gt::test {

struct CliRun {
  int code = -1;
  std::string output;  // stdout and stderr together
};

// `prefix` goes before the executable ("timeout 60" for a run that could block).
inline CliRun run_cli(const std::string& args, const std::string& prefix = "") {
  const std::string cmd = prefix + " " + std::string(GT_CLI) + " " + args + " 2>&1";
  CliRun r;
  std::FILE* p = popen(cmd.c_str(), "r");
  char buf[4096];
  while (size_t n = std::fread(buf, 1, sizeof buf, p))
    r.output.append(buf, n);
  const int status = pclose(p);
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

// ffprobe's view of a video's first stream: "codec,width,height,pix_fmt,frames\n" (frames
// counted by decoding), or its error message.
inline std::string probe_video(const std::string& path) {
  const std::string cmd =
      "ffprobe -v error -count_frames -select_streams v:0 -show_entries "
      "stream=codec_name,width,height,pix_fmt,nb_read_frames -of csv=p=0 '" +
      path + "' 2>&1";
  std::string out;
  std::FILE* p = popen(cmd.c_str(), "r");
  char buf[512];
  while (size_t n = std::fread(buf, 1, sizeof buf, p))
    out.append(buf, n);
  pclose(p);
  return out;
}

}  // namespace gt::test
