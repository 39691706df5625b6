// vk::dispatch checks its bindings against the pipeline's reflected interface before recording
// (vk/compute.hpp): a binding the shader declares left out, or bound the wrong way, and a push
// block larger than what is pushed, throw std::logic_error naming the shader and the binding.
#include <gtest/gtest.h>

#include <functional>
#include <stdexcept>
#include <string>

#include "gpu_fixture.hpp"
#include "layout.h"
#include "vk/binding_name.hpp"
#include "vk/buffer.hpp"
#include "vk/compute.hpp"

namespace gt {
namespace {

using namespace gt::shared;
using test::context;

class DispatchCheck : public test::GpuTest {
 protected:
  void SetUp() override {
    GpuTest::SetUp();
    buffer_ = vk::Buffer(context(), 4096,
                         VK_BUFFER_USAGE_STORAGE_BUFFER_BIT | VK_BUFFER_USAGE_UNIFORM_BUFFER_BIT |
                             VK_BUFFER_USAGE_STORAGE_TEXEL_BUFFER_BIT,
                         vk::MemoryUse::device, "dispatch check");
    view_ = vk::BufferView(context(), buffer_, VK_FORMAT_R32G32B32A32_SFLOAT, "dispatch check");
  }
  // Everything `pipeline` declares, bound the right way, except `skip`.
  vk::Bindings all_but(const vk::ComputePipeline& pipeline, uint32_t skip) const {
    vk::Bindings b;
    for (uint32_t i = 0; i < GT_BIND_COUNT; ++i) {
      if (i == skip || !(pipeline.required_mask() & (1u << i))) continue;
      if (vk::ComputeLayout::texel_mask() & (1u << i))
        b.view(i, view_.handle());
      else
        b.buffer(i, buffer_, 0, 256);
    }
    return b;
  }
  vk::Buffer buffer_;
  vk::BufferView view_;
};

std::string message_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const std::logic_error& e) {
    return e.what();
  }
  return "(no error)";
}

TEST_F(DispatchCheck, AMissingBindingThrowsNamingItBeforeRecording) {
  vk::ComputeLayout layout(context());
  vk::ComputePipeline advance(context(), layout, "advance");
  ASSERT_EQ(advance.required_mask(), 1u << GT_BIND_HEADER);
  const std::string m = message_of([&] {
    context().submit_and_wait([&](VkCommandBuffer cmd) {
      vk::dispatch(cmd, advance, vk::Bindings().buffer(GT_BIND_GLOBALS, buffer_), {}, 1);
    });
  });
  EXPECT_EQ(m,
            "dispatch of advance.comp: binding 13 (GT_BIND_HEADER) is a storage buffer the shader "
            "declares, but what is bound there is nothing; buffers are bound with "
            "Bindings::buffer");
  // Bound, the same dispatch records and runs.
  context().submit_and_wait([&](VkCommandBuffer cmd) {
    vk::dispatch(cmd, advance, vk::Bindings().buffer(GT_BIND_HEADER, buffer_), {}, 1);
  });
}

TEST_F(DispatchCheck, EachDeclaredBindingOfEveryPipelineIsRequired) {
  vk::ComputeLayout layout(context());
  for (const char* name :
       {"datagen", "forward", "forward_shared", "loss", "backward", "backward_shared", "gradnorm",
        "update", "finalize", "advance", "norm_forward", "norm_backward"}) {
    SCOPED_TRACE(name);
    vk::ComputePipeline p(context(), layout, name);
    EXPECT_NO_THROW(vk::check_dispatch(p, all_but(p, GT_BIND_COUNT), sizeof(PushConstants)));
    ASSERT_FALSE(p.interface().bindings.empty());
    for (const vk::ReflectedBinding& b : p.interface().bindings) {
      const std::string m =
          message_of([&] { vk::check_dispatch(p, all_but(p, b.binding), sizeof(PushConstants)); });
      EXPECT_NE(
          m.find(std::string("dispatch of ") + name + ".comp: binding " +
                 std::to_string(b.binding) + " (" + std::string(vk::binding_name(b.binding)) + ")"),
          std::string::npos)
          << m;
    }
  }
}

TEST_F(DispatchCheck, BoundTheWrongWayThrows) {
  vk::ComputeLayout layout(context());
  vk::ComputePipeline forward(context(), layout, "forward");
  vk::Bindings texel_as_buffer = all_but(forward, GT_BIND_PARAMS_TEX);
  texel_as_buffer.buffer(GT_BIND_PARAMS_TEX, buffer_);
  EXPECT_EQ(message_of([&] { vk::check_dispatch(forward, texel_as_buffer, 16); }),
            "dispatch of forward.comp: binding 20 (GT_BIND_PARAMS_TEX) is a storage texel buffer "
            "the shader declares, but what is bound there is a buffer (Bindings::buffer); texel "
            "buffers are bound with Bindings::view");
  // Not declared by the shader, but bound as a view where the layout has a buffer.
  vk::Bindings view_as_buffer = all_but(forward, GT_BIND_COUNT);
  view_as_buffer.view(GT_BIND_HIST, view_.handle());
  EXPECT_NE(message_of([&] { vk::check_dispatch(forward, view_as_buffer, 16); })
                .find("binding 16 (GT_BIND_HIST) is a storage buffer (not declared by the shader), "
                      "but what is bound there is a buffer view (Bindings::view)"),
            std::string::npos);
  EXPECT_EQ(message_of([&] { vk::Bindings().buffer(GT_BIND_COUNT, buffer_); }),
            "binding 25 is past the compute layout's last (GT_BIND_COUNT = 25)");
}

TEST_F(DispatchCheck, APushBlockLargerThanPushedThrows) {
  vk::ComputeLayout layout(context());
  vk::ComputePipeline update(context(), layout, "update");
  ASSERT_EQ(update.interface().push_constant_bytes, 16u);
  EXPECT_EQ(message_of([&] { vk::check_dispatch(update, all_but(update, GT_BIND_COUNT), 12); }),
            "dispatch of update.comp: the shader's push-constant block is 16 bytes, more than the "
            "12 pushed");
}

TEST(LayoutCheck, AShaderDisagreeingWithTheLayoutThrows) {
  vk::ShaderInterface i;
  i.bindings.push_back({0, GT_BIND_PARAMS, vk::DescriptorKind::uniform_buffer, 1, "ParamsUbo"});
  EXPECT_EQ(message_of([&] { vk::check_against_layout("x.comp", i); }),
            "x.comp declares uniform buffer ParamsUbo at binding 2 (GT_BIND_PARAMS), which the "
            "compute layout has as one storage buffer");
  i.bindings[0] = {1, GT_BIND_PARAMS, vk::DescriptorKind::storage_buffer, 1, "P"};
  EXPECT_NE(message_of([&] { vk::check_against_layout("x.comp", i); }).find("descriptor set 1"),
            std::string::npos);
  i.bindings[0] = {0, 30, vk::DescriptorKind::storage_buffer, 1, "P"};
  EXPECT_NE(message_of([&] {
              vk::check_against_layout("x.comp", i);
            }).find("binding 30 (not in layout.h), past the compute layout's last"),
            std::string::npos);
  i.bindings[0] = {0, GT_BIND_PARAMS, vk::DescriptorKind::storage_buffer, 4, "P"};
  EXPECT_NE(message_of([&] { vk::check_against_layout("x.comp", i); }).find("(an array)"),
            std::string::npos);
  i.bindings.clear();
  i.push_constant_bytes = 20;
  EXPECT_EQ(message_of([&] { vk::check_against_layout("x.comp", i); }),
            "x.comp declares a push-constant block of 20 bytes, more than the layout's "
            "PushConstants (16)");
  i.push_constant_bytes = 16;
  EXPECT_NO_THROW(vk::check_against_layout("x.comp", i));
}

}  // namespace
}  // namespace gt
