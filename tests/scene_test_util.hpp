// Shared by the scene tests (test_scene.cpp, test_scene_runs.cpp): error capture, the full
// example scene, expected-error tables and a fixture writing scene files to a temporary folder.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "scene/scene.hpp"

namespace gt::scene::testing_util {

// The message of the scene::Error thrown by f, or a marker that fails every comparison.
template <typename F>
inline std::string error_of(F&& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "<no error>";
}

inline std::string parse_error(const std::string& text,
                               const std::vector<std::string>& overrides = {}) {
  return error_of([&] { parse(text, "scenes/x.toml", overrides); });
}

inline bool starts_with(const std::string& s, const std::string& prefix) {
  return s.rfind(prefix, 0) == 0;
}

inline constexpr const char* kFullScene = R"(title = "Full"

[network]
input = 2
depth = 12
width = 32
output = 3
activation = "relu"
output_activation = "sigmoid"
init = "xavier_normal"
sigma_w = 1.5
sigma_b = 0.1
seed = 42

[data]
kind = "blobs"
batch = 256
seed = 9
fixed = true

[train]
loss = "mse"
optimizer = "adam"
lr = 1
steps = 500
momentum = 0.5
beta1 = 0.8
beta2 = 0.99
eps = 1e-6
)";

struct ErrorCase {
  std::string text;
  std::string prefix;  // FILE:LINE: KEY:
  std::string detail;  // must appear after the prefix
};

inline void expect_errors(const std::vector<ErrorCase>& cases) {
  for (const ErrorCase& c : cases) {
    SCOPED_TRACE(c.text);
    const std::string message = parse_error(c.text);
    EXPECT_TRUE(starts_with(message, c.prefix)) << message;
    EXPECT_NE(message.find(c.detail, c.prefix.size()), std::string::npos) << message;
  }
}

class SceneFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("gt_test_scene_" + std::to_string(getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::filesystem::path write(const std::string& name, const std::string& text) {
    const std::filesystem::path p = dir_ / name;
    std::ofstream(p) << text;
    return p;
  }
  std::filesystem::path dir_;
};

}  // namespace gt::scene::testing_util
