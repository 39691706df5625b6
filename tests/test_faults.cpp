// Construction failing at every step leaks nothing. vk::testing::fail_after(n) makes the n-th
// checked Vulkan call fail; each test builds an object with n = 0, 1, 2, ... failing until it
// builds, on a context of its own whose device is then destroyed: the validation layer reports
// there every object never destroyed (kLeakReport), and any message fails the test. A binary of
// its own: each case makes and destroys contexts (volk's function pointers are the latest
// device's), which must not overlap the GPU tests' shared context.
#include <gtest/gtest.h>

#include <cstdlib>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "vk/buffer.hpp"
#include "vk/check.hpp"
#include "vk/context.hpp"
#include "vk/transfer.hpp"

namespace gt {
namespace {

// The layer's report of an object left at vkDestroyDevice: VUID-vkDestroyDevice-device-00378 in
// Debian's layer, -05137 in later ones.
constexpr const char* kLeakReport = "VUID-vkDestroyDevice-device-0";

// Every validation message of a context, its destruction included.
struct MessageLog {
  std::mutex mutex;
  std::vector<std::string> messages;
  std::vector<std::string> take() {
    std::lock_guard lock(mutex);
    return std::move(messages);
  }
};

vk::ContextOptions logged_options(MessageLog& log) {
  vk::ContextOptions o;
  o.validation = true;
  if (const char* d = std::getenv("GT_TEST_DEVICE")) o.device = d;
  o.on_validation_message = [&log](const std::string& m) {
    std::lock_guard lock(log.mutex);
    log.messages.push_back(m);
  };
  return o;
}

TEST(LeakCheck, ALeakedObjectIsReportedAtDeviceDestruction) {
  MessageLog log;
  {
    std::unique_ptr<vk::Context> ctx = vk::Context::create(logged_options(log));
    VkFenceCreateInfo info{VK_STRUCTURE_TYPE_FENCE_CREATE_INFO};
    VkFence leaked = VK_NULL_HANDLE;
    GT_VK_CHECK(vkCreateFence(ctx->device(), &info, nullptr, &leaked));
    ctx->name(leaked, VK_OBJECT_TYPE_FENCE, "deliberately leaked");
  }
  const std::vector<std::string> messages = log.take();
  ASSERT_FALSE(messages.empty());
  EXPECT_NE(messages.front().find(kLeakReport), std::string::npos) << messages.front();
}

TEST(LeakCheck, AnInjectedFailureThrowsAndIsOneShot) {
  MessageLog log;
  {
    std::unique_ptr<vk::Context> ctx = vk::Context::create(logged_options(log));
    vk::Buffer a(*ctx, 64, VK_BUFFER_USAGE_TRANSFER_DST_BIT, vk::MemoryUse::device, "a");
    vk::testing::fail_after(0);
    EXPECT_TRUE(vk::testing::failure_pending());
    EXPECT_THROW(vk::fill_zero(*ctx, a), vk::Error);
    EXPECT_FALSE(vk::testing::failure_pending());
    vk::fill_zero(*ctx, a);  // calls run again after the failure
  }
  EXPECT_TRUE(log.take().empty());
}

TEST(Faults, Context) {
  for (int64_t n = 0;; ++n) {
    MessageLog log;
    bool built = false;
    vk::testing::fail_after(n);
    try {
      std::unique_ptr<vk::Context> ctx = vk::Context::create(logged_options(log));
      built = true;
    } catch (const vk::Error&) {
    }
    const bool pending = vk::testing::failure_pending();
    vk::testing::stop_failing();
    ASSERT_TRUE(log.take().empty()) << "checked call " << n << " failing";
    if (built) {
      EXPECT_TRUE(pending) << "built although checked call " << n << " failed";
      EXPECT_GE(n, 4);  // instance, messenger, device, pool, fence
      break;
    }
  }
}

}  // namespace
}  // namespace gt
