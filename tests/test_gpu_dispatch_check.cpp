// Each compute pipeline's layout is its shader's reflected interface, and vk::dispatch checks its
// bindings against it before recording (vk/compute.hpp): a binding the shader declares left out,
// or bound the wrong way, and a push block larger than what is pushed, throw std::logic_error
// naming the shader and the binding; bindings the shader does not declare are not pushed.
#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

#include "gpu_fixture.hpp"
#include "layout.h"
#include "vk/binding_name.hpp"
#include "vk/buffer.hpp"
#include "vk/compute.hpp"
#include "vk/shader_registry.hpp"

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
      const vk::BindingMask bit = vk::BindingMask(1) << i;
      if (i == skip || !(pipeline.required_mask() & bit)) continue;
      if (pipeline.texel_mask() & bit)
        b.view(i, view_.handle());
      else
        b.buffer(i, buffer_, 0, 256);
    }
    return b;
  }
  vk::Buffer buffer_;
  vk::BufferView view_;
};

// Every compute shader the binary embeds (the engine's pipelines and every op kind's), without
// ".comp": a new kind's shaders are checked with no line here.
std::vector<std::string> compute_shaders() {
  std::vector<std::string> out;
  for (const vk::EmbeddedShader& s : vk::embedded_shaders()) {
    const std::string name = s.name;
    if (name.ends_with(".comp")) out.push_back(name.substr(0, name.size() - 5));
  }
  return out;
}

std::string message_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const std::logic_error& e) {
    return e.what();
  }
  return "(no error)";
}

TEST_F(DispatchCheck, AMissingBindingThrowsNamingItBeforeRecording) {
  vk::ComputePipeline advance(context(), "advance");
  ASSERT_EQ(advance.required_mask(), (1u << GT_BIND_HEADER) | (1u << GT_BIND_GLOBALS_RW));
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
    vk::dispatch(cmd, advance,
                 vk::Bindings().buffer(GT_BIND_HEADER, buffer_).buffer(GT_BIND_GLOBALS_RW, buffer_),
                 {}, 1);
  });
}

TEST_F(DispatchCheck, EachDeclaredBindingOfEveryPipelineIsRequired) {
  ASSERT_GE(compute_shaders().size(), 16u);
  for (const std::string& name : compute_shaders()) {
    SCOPED_TRACE(name);
    vk::ComputePipeline p(context(), name);
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
  vk::ComputePipeline forward(context(), "forward");
  vk::Bindings texel_as_buffer = all_but(forward, GT_BIND_PARAMS_TEX);
  texel_as_buffer.buffer(GT_BIND_PARAMS_TEX, buffer_);
  EXPECT_EQ(message_of([&] { vk::check_dispatch(forward, texel_as_buffer, 16); }),
            "dispatch of forward.comp: binding 20 (GT_BIND_PARAMS_TEX) is a storage texel buffer "
            "the shader declares, but what is bound there is a buffer (Bindings::buffer); texel "
            "buffers are bound with Bindings::view");
  vk::Bindings buffer_as_texel = all_but(forward, GT_BIND_LAYER);
  buffer_as_texel.view(GT_BIND_LAYER, view_.handle());
  EXPECT_EQ(message_of([&] { vk::check_dispatch(forward, buffer_as_texel, 16); }),
            "dispatch of forward.comp: binding 23 (GT_BIND_LAYER) is a uniform buffer the shader "
            "declares, but what is bound there is a buffer view (Bindings::view); buffers are "
            "bound with Bindings::buffer");
  EXPECT_EQ(message_of([&] { vk::Bindings().buffer(GT_BIND_COUNT, buffer_); }),
            "binding " + std::to_string(GT_BIND_COUNT) + " is past the last GT_BIND_* " +
                "(GT_BIND_COUNT = " + std::to_string(GT_BIND_COUNT) + ")");
}

TEST_F(DispatchCheck, APushBlockLargerThanPushedThrows) {
  vk::ComputePipeline update(context(), "update");
  ASSERT_EQ(update.interface().push_constant_bytes, 16u);
  EXPECT_EQ(message_of([&] { vk::check_dispatch(update, all_but(update, GT_BIND_COUNT), 12); }),
            "dispatch of update.comp: the shader's push-constant block is 16 bytes, more than the "
            "12 pushed");
}

// A pipeline's set layout holds its shader's bindings alone: binding others (of any kind, in
// any way) is allowed, and they are not pushed, so the validation layer (on for every GPU test)
// sees no write to a binding the layout lacks.
TEST_F(DispatchCheck, BindingsTheShaderDoesNotDeclareAreNotPushed) {
  vk::ComputePipeline advance(context(), "advance");
  EXPECT_EQ(advance.interface().bindings.size(), 2u);
  EXPECT_EQ(advance.required_mask(),
            (vk::BindingMask(1) << GT_BIND_HEADER) | (vk::BindingMask(1) << GT_BIND_GLOBALS_RW));
  vk::Bindings many;
  for (uint32_t i = 0; i < GT_BIND_COUNT; ++i)
    if (i % 2)
      many.view(i, view_.handle());
    else
      many.buffer(i, buffer_, 0, 256);
  many.buffer(GT_BIND_HEADER, buffer_).buffer(GT_BIND_GLOBALS_RW, buffer_);
  context().submit_and_wait([&](VkCommandBuffer cmd) { vk::dispatch(cmd, advance, many, {}, 1); });
}

// Each shader meets maxPushDescriptors by itself: the largest declares far fewer than the 32
// every device with VK_KHR_push_descriptor allows, and fewer than the names in layout.h.
TEST_F(DispatchCheck, EveryShaderFitsThePushDescriptorsEveryDeviceAllows) {
  size_t most = 0;
  for (const std::string& name : compute_shaders()) {
    vk::ComputePipeline p(context(), name);
    EXPECT_LE(p.interface().bindings.size(), 32u) << name;
    most = std::max(most, p.interface().bindings.size());
  }
  EXPECT_LT(most, size_t(GT_BIND_COUNT));
}

TEST(InterfaceCheck, AShaderALayoutCannotHoldThrows) {
  vk::ShaderInterface i;
  i.bindings.push_back({1, GT_BIND_PARAMS, vk::DescriptorKind::storage_buffer, 1, "P"});
  EXPECT_EQ(message_of([&] { vk::check_interface("x.comp", i, 32); }),
            "x.comp declares storage buffer P in descriptor set 1; a compute layout has set 0 "
            "alone");
  i.bindings[0] = {0, 30, vk::DescriptorKind::storage_buffer, 1, "P"};
  EXPECT_EQ(message_of([&] { vk::check_interface("x.comp", i, 32); }),
            "x.comp declares storage buffer P at binding 30 (not in layout.h), past the last "
            "GT_BIND_* (GT_BIND_COUNT = " +
                std::to_string(GT_BIND_COUNT) + ")");
  i.bindings[0] = {0, GT_BIND_PARAMS, vk::DescriptorKind::storage_buffer, 4, "P"};
  EXPECT_EQ(message_of([&] { vk::check_interface("x.comp", i, 32); }),
            "x.comp declares storage buffer P (an array) at binding 2 (GT_BIND_PARAMS); a compute "
            "binding is one buffer or one texel buffer");
  i.bindings[0] = {0, GT_BIND_PARAMS, vk::DescriptorKind::other, 1, "font"};
  EXPECT_NE(message_of([&] { vk::check_interface("x.comp", i, 32); }).find("one texel buffer"),
            std::string::npos);
  i.bindings = {{0, GT_BIND_PARAMS, vk::DescriptorKind::storage_buffer, 1, "P"},
                {0, GT_BIND_PARAMS, vk::DescriptorKind::storage_buffer, 1, "Q"}};
  EXPECT_EQ(message_of([&] { vk::check_interface("x.comp", i, 32); }),
            "x.comp declares P and Q both at binding 2 (GT_BIND_PARAMS); a compute binding holds "
            "one variable");
  i.bindings.resize(1);
  // The kind is the shader's own: a uniform buffer where another shader has a storage buffer.
  i.bindings[0] = {0, GT_BIND_PARAMS, vk::DescriptorKind::uniform_buffer, 1, "ParamsUbo"};
  EXPECT_NO_THROW(vk::check_interface("x.comp", i, 32));
  i.bindings.push_back({0, GT_BIND_GRADS, vk::DescriptorKind::storage_buffer, 1, "G"});
  i.bindings.push_back({0, GT_BIND_DELTA_TEX, vk::DescriptorKind::storage_texel_buffer, 1, "D"});
  EXPECT_NO_THROW(vk::check_interface("x.comp", i, 3));
  EXPECT_EQ(message_of([&] { vk::check_interface("x.comp", i, 2); }),
            "x.comp declares 3 bindings; the device pushes at most 2 descriptors a set "
            "(maxPushDescriptors)");
  i.bindings.clear();
  i.push_constant_bytes = 20;
  EXPECT_EQ(message_of([&] { vk::check_interface("x.comp", i, 32); }),
            "x.comp declares a push-constant block of 20 bytes, more than the layout's "
            "PushConstants (16)");
  i.push_constant_bytes = 16;
  EXPECT_NO_THROW(vk::check_interface("x.comp", i, 32));
}

}  // namespace
}  // namespace gt
