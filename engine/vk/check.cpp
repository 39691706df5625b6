#include "vk/check.hpp"

#include <string>

namespace gt::vk {

const char* result_name(VkResult r) {
  switch (r) {
#define GT_CASE(x) \
  case x:          \
    return #x;
    GT_CASE(VK_SUCCESS)
    GT_CASE(VK_NOT_READY)
    GT_CASE(VK_TIMEOUT)
    GT_CASE(VK_INCOMPLETE)
    GT_CASE(VK_ERROR_OUT_OF_HOST_MEMORY)
    GT_CASE(VK_ERROR_OUT_OF_DEVICE_MEMORY)
    GT_CASE(VK_ERROR_INITIALIZATION_FAILED)
    GT_CASE(VK_ERROR_DEVICE_LOST)
    GT_CASE(VK_ERROR_MEMORY_MAP_FAILED)
    GT_CASE(VK_ERROR_LAYER_NOT_PRESENT)
    GT_CASE(VK_ERROR_EXTENSION_NOT_PRESENT)
    GT_CASE(VK_ERROR_FEATURE_NOT_PRESENT)
    GT_CASE(VK_ERROR_INCOMPATIBLE_DRIVER)
    GT_CASE(VK_ERROR_TOO_MANY_OBJECTS)
    GT_CASE(VK_ERROR_FORMAT_NOT_SUPPORTED)
    GT_CASE(VK_ERROR_FRAGMENTED_POOL)
    GT_CASE(VK_ERROR_OUT_OF_POOL_MEMORY)
    GT_CASE(VK_ERROR_SURFACE_LOST_KHR)
    GT_CASE(VK_ERROR_OUT_OF_DATE_KHR)
    GT_CASE(VK_SUBOPTIMAL_KHR)
#undef GT_CASE
    default:
      return "VkResult(unknown)";
  }
}

void fail(const char* call, VkResult r, const char* file, int line) {
  throw Error(std::string(file) + ":" + std::to_string(line) + ": " + call +
              " failed: " + result_name(r));
}

}  // namespace gt::vk

namespace gt::vk::testing {

void fail_after(int64_t n) {
  detail::countdown.store(n < 0 ? -1 : n);
}

void stop_failing() {
  detail::countdown.store(-1);
}

bool failure_pending() {
  return detail::countdown.load() >= 0;
}

}  // namespace gt::vk::testing
