// Two tiers of errors. vk::Error is thrown for failures a user can meet (no device, out of
// memory, a network too large for the device): the CLI prints its message. GT_VK_CHECK turns a
// failed Vulkan call into such an error naming the call, its VkResult and where it was made.
#pragma once

#include <stdexcept>
#include <string>

#include "vk/vulkan.hpp"

namespace gt::vk {

struct Error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

const char* result_name(VkResult r);
[[noreturn]] void fail(const char* call, VkResult r, const char* file, int line);

}  // namespace gt::vk

#define GT_VK_CHECK(call)                                                                      \
  do {                                                                                         \
    VkResult gt_vk_result_ = (call);                                                           \
    if (gt_vk_result_ != VK_SUCCESS) ::gt::vk::fail(#call, gt_vk_result_, __FILE__, __LINE__); \
  } while (0)
