// Every kind of Vulkan object gradtower creates carries a name (docs/ARCHITECTURE.md,
// "Validation"), so a validation message or a capture says which one it means: the names the
// context gave (vk::Context::names_of), by type, after building and using what `train`,
// `render` and `record` build. The window's own objects are checked in test_window.cpp.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "gpu/network.hpp"
#include "gpu_fixture.hpp"
#include "render/overlay.hpp"
#include "render/tower.hpp"

namespace gt {
namespace {

::testing::AssertionResult named(VkObjectType type, const char* what,
                                 const std::vector<std::string>& want = {}) {
  const std::vector<std::string> names = test::context().names_of(type);
  if (names.empty()) return ::testing::AssertionFailure() << "no " << what << " is named";
  for (const std::string& w : want)
    if (std::find(names.begin(), names.end(), w) == names.end())
      return ::testing::AssertionFailure() << "no " << what << " named \"" << w << "\"";
  return ::testing::AssertionSuccess();
}

using ObjectNames = test::GpuTest;

TEST_F(ObjectNames, EveryKindOfObjectIsNamed) {
  net::Scene scene;
  scene.network.input = 2;
  scene.network.depth = 3;
  scene.network.width = 8;
  scene.network.output = 3;
  scene.data.kind = net::DataKind::spiral;
  scene.data.batch = 8;
  scene.train.loss = net::Loss::cross_entropy;
  gpu::NetworkOptions options;
  const bool timestamps = test::context().timestamp_valid_bits() > 0;
  options.timestamps = timestamps;
  gpu::Network net(test::context(), scene, options);
  net.train(1);
  net.train_pieces(0.0);  // records the pieces
  net.finish_step();
  render::TowerSettings s;
  const render::OverlayInfo info = render::overlay_info("names", {&net}, {""}, s);
  render::FrameRenderer(test::context(), 64, 64, true).render(net, s, &info);

  EXPECT_TRUE(named(VK_OBJECT_TYPE_DEVICE, "device"));
  EXPECT_TRUE(named(VK_OBJECT_TYPE_QUEUE, "queue", {"main queue"}));
  EXPECT_TRUE(named(VK_OBJECT_TYPE_COMMAND_POOL, "command pool", {"main command pool"}));
  EXPECT_TRUE(named(VK_OBJECT_TYPE_COMMAND_BUFFER, "command buffer",
                    {"training step", "training step, piece 0", "one-shot commands"}));
  EXPECT_TRUE(named(VK_OBJECT_TYPE_FENCE, "fence", {"one-shot fence", "training fence"}));
  if (timestamps) {
    EXPECT_TRUE(named(VK_OBJECT_TYPE_QUERY_POOL, "query pool", {"step timestamps"}));
  }
  EXPECT_TRUE(named(VK_OBJECT_TYPE_SHADER_MODULE, "shader module",
                    {"forward.comp", "tower.vert", "tower.frag", "imgui.vert", "imgui.frag"}));
  EXPECT_TRUE(named(VK_OBJECT_TYPE_DESCRIPTOR_SET_LAYOUT, "descriptor set layout",
                    {"forward push set", "backward push set", "tower push set", "imgui push set"}));
  EXPECT_TRUE(named(VK_OBJECT_TYPE_PIPELINE_LAYOUT, "pipeline layout",
                    {"forward layout", "backward layout", "tower layout", "imgui layout"}));
  EXPECT_TRUE(named(VK_OBJECT_TYPE_PIPELINE, "pipeline", {"forward", "tower", "imgui"}));
  EXPECT_TRUE(named(VK_OBJECT_TYPE_SAMPLER, "sampler", {"font atlas sampler"}));
  EXPECT_TRUE(named(VK_OBJECT_TYPE_BUFFER, "buffer"));
  EXPECT_TRUE(named(VK_OBJECT_TYPE_BUFFER_VIEW, "buffer view"));
  EXPECT_TRUE(named(VK_OBJECT_TYPE_DEVICE_MEMORY, "device memory"));
  EXPECT_TRUE(named(VK_OBJECT_TYPE_IMAGE, "image", {"font atlas"}));
  EXPECT_TRUE(named(VK_OBJECT_TYPE_IMAGE_VIEW, "image view", {"font atlas"}));
  EXPECT_TRUE(named(VK_OBJECT_TYPE_RENDER_PASS, "render pass", {"offscreen pass"}));
  EXPECT_TRUE(named(VK_OBJECT_TYPE_FRAMEBUFFER, "framebuffer", {"offscreen framebuffer"}));
}

}  // namespace
}  // namespace gt
