// Shared by the GPU tests: one Vulkan context per test binary, validation layer on, and any
// validation message during a test fails that test. GT_TEST_DEVICE picks the device (index or
// name substring); CI runs on lavapipe.
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "gpu/network.hpp"
#include "net/reference.hpp"
#include "net/spec.hpp"
#include "vk/context.hpp"

namespace gt::test {

inline vk::Context& context() {
  static std::unique_ptr<vk::Context> ctx = [] {
    vk::ContextOptions o;
    o.validation = true;
    if (const char* d = std::getenv("GT_TEST_DEVICE")) o.device = d;
    return vk::Context::create(o);
  }();
  return *ctx;
}

class GpuTest : public ::testing::Test {
 protected:
  void SetUp() override { context().clear_validation_messages(); }
  void TearDown() override {
    const std::vector<std::string> messages = context().validation_messages();
    EXPECT_TRUE(messages.empty()) << messages.size() << " validation message(s), first: "
                                  << (messages.empty() ? "" : messages.front());
  }
};

// max |gpu - ref| <= atol + rtol * max |ref|: a tolerance relative to the scale of the whole
// tensor, so tiny entries next to large ones do not need a relative bound of their own.
template <typename A, typename B>
::testing::AssertionResult close(const std::vector<A>& gpu, const std::vector<B>& ref, double rtol,
                                 double atol = 1e-12) {
  if (gpu.size() != ref.size())
    return ::testing::AssertionFailure() << "size " << gpu.size() << " vs " << ref.size();
  double scale = 0, worst = 0;
  size_t worst_i = 0;
  for (size_t i = 0; i < ref.size(); ++i)
    scale = std::max(scale, std::abs(double(ref[i])));
  for (size_t i = 0; i < ref.size(); ++i) {
    const double e = std::abs(double(gpu[i]) - double(ref[i]));
    if (std::isnan(e))
      return ::testing::AssertionFailure()
             << "NaN at " << i << " (gpu " << gpu[i] << ", ref " << ref[i] << ")";
    if (e > worst) {
      worst = e;
      worst_i = i;
    }
  }
  if (worst <= atol + rtol * scale) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << "max error " << worst << " at " << worst_i << " (gpu " << gpu[worst_i] << ", ref "
         << ref[worst_i] << "), allowed " << atol + rtol * scale;
}

inline std::vector<double> to_double(const std::vector<float>& v) {
  return {v.begin(), v.end()};
}

// The batch a GPU step trained on, in double, for the CPU reference.
inline net::ref::Batch ref_batch(const gpu::Batch& b) {
  return {b.size, to_double(b.input), to_double(b.target)};
}

}  // namespace gt::test
