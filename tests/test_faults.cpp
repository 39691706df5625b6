// Construction failing at every step leaks nothing. vk::testing::fail_after(n) makes the n-th
// checked Vulkan call fail; each test builds an object with n = 0, 1, 2, ... failing until it
// builds, on a context of its own whose device is then destroyed: the validation layer reports
// there every object never destroyed (kLeakReport), and any message fails the test. A binary of
// its own: each case makes and destroys contexts (volk's function pointers are the latest
// device's), which must not overlap the GPU tests' shared context.
#include <gtest/gtest.h>

#include <cstdlib>
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#include <sanitizer/lsan_interface.h>
#define GT_LSAN 1
#endif
#endif
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "gpu/network.hpp"
#include "render/imgui_canvas.hpp"
#include "render/offscreen.hpp"
#include "render/tower.hpp"
#include "render/walk_renderer.hpp"
#include "vk/buffer.hpp"
#include "vk/check.hpp"
#include "vk/compute.hpp"
#include "vk/context.hpp"
#include "vk/image.hpp"
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

std::string summary(const std::vector<std::string>& messages) {
  std::string s = std::to_string(messages.size()) + " validation message(s)";
  for (size_t i = 0; i < messages.size() && i < 4; ++i)
    s += "\n  " + messages[i].substr(0, 400);
  return s;
}

// One run of `build(ctx, arm)` with the n-th checked call after arm() failing.
using Build = std::function<void(vk::Context&, const std::function<void()>& arm)>;

struct Attempt {
  bool built = false;  // without the failure (it was still to come): every step has been tried
  std::string error;   // the vk::Error the failure raised
};

Attempt attempt(vk::Context& ctx, const Build& build, int64_t n) {
  Attempt a;
  bool armed = false;
  try {
    build(ctx, [&] {
      armed = true;
      vk::testing::fail_after(n);
    });
    a.built = true;
  } catch (const vk::Error& e) {
    a.error = e.what();
  }
  const bool pending = vk::testing::failure_pending();
  vk::testing::stop_failing();
  EXPECT_TRUE(armed) << "the test never armed the failure";
  if (a.built) {
    EXPECT_TRUE(pending) << "built although checked call " << n << " failed";
  } else {
    EXPECT_FALSE(a.error.empty()) << "checked call " << n << ": no vk::Error";
  }
  return a;
}

// Builds with the n-th checked call failing for n = 0, 1, ... until it builds; each failure must
// be a vk::Error and leave no validation message, the device's report of objects left at its
// destruction included. All on one context (a context per attempt would cost most of the time);
// when it ends with messages, the attempts are repeated a context each to name the first failing
// call. Returns the number of failures tried.
int64_t expect_clean_at_every_failure(const Build& build) {
  MessageLog log;
  int64_t n = 0;
  {
    std::unique_ptr<vk::Context> ctx = vk::Context::create(logged_options(log));
    while (!attempt(*ctx, build, n).built && !::testing::Test::HasFailure())
      ++n;
  }
  if (log.take().empty()) return n;
  for (int64_t k = 0; k <= n; ++k) {
    Attempt a;
    {
      std::unique_ptr<vk::Context> ctx = vk::Context::create(logged_options(log));
      a = attempt(*ctx, build, k);
    }
    const std::vector<std::string> messages = log.take();
    if (!messages.empty()) {
      ADD_FAILURE() << "checked call " << k << " failing (" << a.error
                    << "): " << summary(messages);
      return n;
    }
  }
  ADD_FAILURE() << "validation messages on the shared context, none on a context per attempt";
  return n;
}

TEST(LeakCheck, ALeakedObjectIsReportedAtDeviceDestruction) {
  MessageLog log;
  {
    std::unique_ptr<vk::Context> ctx = vk::Context::create(logged_options(log));
    VkFenceCreateInfo info{VK_STRUCTURE_TYPE_FENCE_CREATE_INFO};
    VkFence leaked = VK_NULL_HANDLE;
#ifdef GT_LSAN
    __lsan_disable();  // the driver's memory for the fence leaks on purpose, too
#endif
    GT_VK_CHECK(vkCreateFence(ctx->device(), &info, nullptr, &leaked));
    ctx->name(leaked, VK_OBJECT_TYPE_FENCE, "deliberately leaked");
#ifdef GT_LSAN
    __lsan_enable();
#endif
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

TEST(Faults, BufferImageAndTransfers) {
  expect_clean_at_every_failure([](vk::Context& ctx, const auto& arm) {
    arm();
    vk::Buffer device(ctx, 256,
                      VK_BUFFER_USAGE_STORAGE_TEXEL_BUFFER_BIT | VK_BUFFER_USAGE_TRANSFER_SRC_BIT |
                          VK_BUFFER_USAGE_TRANSFER_DST_BIT,
                      vk::MemoryUse::device, "device");
    vk::Buffer host(ctx, 256, VK_BUFFER_USAGE_TRANSFER_DST_BIT, vk::MemoryUse::readback, "host");
    vk::BufferView view(ctx, device, VK_FORMAT_R32G32B32A32_SFLOAT, "view");
    vk::Image image(ctx, 8, 8, VK_FORMAT_R8G8B8A8_UNORM, VK_IMAGE_USAGE_SAMPLED_BIT,
                    VK_IMAGE_ASPECT_COLOR_BIT, "image");
    const std::vector<float> values(64, 1.5f);
    vk::upload_span<float>(ctx, device, 0, values);
    EXPECT_EQ(vk::download_as<float>(ctx, device, 0, 64), values);
  });
}

TEST(Faults, ComputePipeline) {
  expect_clean_at_every_failure([](vk::Context& ctx, const auto& arm) {
    arm();
    vk::ComputePipeline pipeline(
        ctx, "update",
        std::vector<std::pair<uint32_t, uint32_t>>{{shared::GT_SPEC_HIST_ATOMICS, 0u}});
  });
}

TEST(Faults, OffscreenTargetAndTowerRenderer) {
  expect_clean_at_every_failure([](vk::Context& ctx, const auto& arm) {
    arm();
    render::OffscreenTarget target(ctx, 16, 8);
    render::TowerRenderer tower(ctx, target.render_pass());
  });
}

TEST(Faults, ImGuiCanvas) {
  expect_clean_at_every_failure([](vk::Context& ctx, const auto& arm) {
    render::OffscreenTarget target(ctx, 16, 8);
    arm();
    render::ImGuiCanvas canvas(ctx, target.render_pass(), {12.0f});
  });
}

TEST(Faults, FrameRenderers) {
  expect_clean_at_every_failure([](vk::Context& ctx, const auto& arm) {
    arm();
    render::FrameRenderer frames(ctx, 32, 24, true);
    render::WalkFrameRenderer walk(ctx, 32, 24);
  });
}

net::Scene small_scene() {
  net::Scene s;
  s.title = "faults";
  s.network.input = 3;
  s.network.depth = 3;
  s.network.width = 4;
  s.network.output = 2;
  s.network.norm = net::Norm::layer;  // the norm pipelines and buffers too
  s.network.residual = true;
  s.data.kind = net::DataKind::teacher;
  s.data.batch = 4;
  s.data.fixed = true;  // the batch generated at construction
  s.train.optimizer = net::Optimizer::adam;
  return s;
}

TEST(Faults, Network) {
  const int64_t calls = expect_clean_at_every_failure([](vk::Context& ctx, const auto& arm) {
    gpu::NetworkOptions options;
    options.timestamps = ctx.timestamp_valid_bits() > 0;  // the query pool too
    arm();
    gpu::Network net(ctx, small_scene(), options);
  });
  EXPECT_GT(calls, 100);  // every buffer, pipeline and upload was in the way of a failure
}

// A failure while the step is first cut into pieces leaves the network usable, and the pieces are
// recorded again at the next call.
TEST(Faults, NetworkPieces) {
  net::Scene scene = small_scene();
  scene.network.norm = net::Norm::none;  // a smaller network to build at each attempt
  scene.network.residual = false;
  expect_clean_at_every_failure([&](vk::Context& ctx, const auto& arm) {
    gpu::Network net(ctx, scene);
    arm();
    try {
      net.train_pieces(0);  // one piece, after recording them all
    } catch (const vk::Error&) {
      vk::testing::stop_failing();
      net.train_pieces(0);  // submitting a piece left half-recorded is a validation error
      net.finish_step();
      EXPECT_EQ(net.steps_done(), 1u);
      throw;
    }
  });
}

}  // namespace
}  // namespace gt
