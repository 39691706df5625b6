// Two tiers of errors. vk::Error is thrown for failures a user can meet (no device, out of
// memory, a network too large for the device): the CLI prints its message. GT_VK_CHECK turns a
// failed Vulkan call into such an error naming the call, its VkResult and where it was made.
//
// Every checked call (GT_VK_CHECK, or GT_VK_CALL where the caller reads the VkResult itself)
// passes a fault-injection point first, so tests can make any one of them fail and check that
// nothing leaks (tests/test_faults.cpp). It is compiled into every build: off, it costs one
// relaxed atomic load and compare per call, next to a call into the driver.
#pragma once

#include <atomic>
#include <cstdint>
#include <stdexcept>
#include <string>

#include "vk/vulkan.hpp"

namespace gt::vk {

struct Error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

const char* result_name(VkResult r);
[[noreturn]] void fail(const char* call, VkResult r, const char* file, int line);

namespace testing {

// For tests only. fail_after(n): the next n checked calls run, the one after returns
// VK_ERROR_OUT_OF_DEVICE_MEMORY without being made, and the calls after it run again.
void fail_after(int64_t n);
void stop_failing();
// fail_after's failure is still to come (the calls since were fewer than n + 1).
bool failure_pending();

namespace detail {
inline std::atomic<int64_t> countdown{-1};  // checked calls to run before the failure; < 0: off
}  // namespace detail

inline bool inject_failure() {
  if (detail::countdown.load(std::memory_order_relaxed) < 0) return false;
  return detail::countdown.fetch_sub(1, std::memory_order_relaxed) == 0;
}

}  // namespace testing
}  // namespace gt::vk

// The call's VkResult, or VK_ERROR_OUT_OF_DEVICE_MEMORY (the call not made) where a test
// injects a failure.
#define GT_VK_CALL(call) \
  (::gt::vk::testing::inject_failure() ? VK_ERROR_OUT_OF_DEVICE_MEMORY : (call))

#define GT_VK_CHECK(call)                                                                      \
  do {                                                                                         \
    VkResult gt_vk_result_ = GT_VK_CALL(call);                                                 \
    if (gt_vk_result_ != VK_SUCCESS) ::gt::vk::fail(#call, gt_vk_result_, __FILE__, __LINE__); \
  } while (0)
