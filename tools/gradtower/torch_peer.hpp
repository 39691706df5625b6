// The PyTorch peers of `gradtower bench` (tools/bench/*.py): found and run through python3.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace gt::cli {

// Runs `script args` with the first python3 that imports torch (GT_PYTHON, python3 on PATH,
// /usr/bin/python3: Debian's python3-torch belongs to the last, which need not be the first on
// PATH) and returns the JSON object it prints; nullopt when none imports torch. Throws when the
// script fails.
std::optional<nlohmann::json> run_torch_peer(const std::string& script, const std::string& args);

}  // namespace gt::cli
