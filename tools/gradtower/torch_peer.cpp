#include "torch_peer.hpp"

#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <vector>

namespace gt::cli {

std::optional<nlohmann::json> run_torch_peer(const std::string& script, const std::string& args) {
  std::string python;
  std::vector<std::string> candidates{"python3", "/usr/bin/python3"};
  if (const char* env = std::getenv("GT_PYTHON")) candidates.insert(candidates.begin(), env);
  for (const std::string& c : candidates)
    if (std::system(("'" + c + "' -c 'import torch' >/dev/null 2>&1").c_str()) == 0) {
      python = c;
      break;
    }
  if (python.empty()) return std::nullopt;
  const std::string cmd = "'" + python + "' '" + script + "' " + args;
  std::FILE* pipe = popen(cmd.c_str(), "r");
  if (!pipe) throw std::runtime_error("cannot run the PyTorch peer " + script);
  std::string out;
  char buf[512];
  while (std::fgets(buf, sizeof buf, pipe))
    out += buf;
  if (const int rc = pclose(pipe); rc != 0)
    throw std::runtime_error("the PyTorch peer " + script + " failed (status " +
                             std::to_string(rc) + ")");
  return nlohmann::json::parse(out, nullptr, false);
}

}  // namespace gt::cli
