// Internal to engine/scene: the whole data sets of data.kind fashion_mnist and file, read when the
// scene is (so that a bad file fails before any GPU work), checked against the network, and
// shared by every run and scene that asks for the same one.
#pragma once

#include <filesystem>
#include <string>

#include "scene/keys.hpp"

namespace gt::scene::detail {

// Checks the data keys against data.kind, reads the set into scene.data.set (kinds fashion_mnist
// and file; others: cleared) and checks it against the network and the batch. Relative paths
// are `dir`'s. Errors name the key to blame (as check_rules), with the file's own message.
void attach_data(net::Scene& scene, const Origins& origins, const std::string& fallback,
                 const std::filesystem::path& dir);

}  // namespace gt::scene::detail
