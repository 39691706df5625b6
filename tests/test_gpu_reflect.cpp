// The SPIR-V reflector (vk/spirv_reflect.hpp): on every embedded compute shader against an
// independent reading of its GLSL source (tests/glsl_bindings.hpp), on the render shaders' push
// constants, on hand-assembled modules of each descriptor kind, and on malformed modules. No
// device needed: it is in the GPU binary for the embedded shaders.
#include <gtest/gtest.h>

#include <algorithm>
#include <initializer_list>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "glsl_bindings.hpp"
#include "layout.h"
#include "vk/binding_name.hpp"
#include "vk/shader_registry.hpp"
#include "vk/spirv_reflect.hpp"

namespace gt {
namespace {

using vk::DescriptorKind;

std::vector<uint32_t> words_of(const std::string& shader) {
  const std::span<const uint32_t> code = vk::shader_code(shader);
  return {code.begin(), code.end()};
}

std::string kind_str(DescriptorKind k) {
  return std::string(vk::kind_name(k));
}

// Every .comp embedded: the compute pipelines the engine builds (gpu/network.cpp) are among them.
std::vector<std::string> compute_shaders() {
  std::vector<std::string> out;
  for (const vk::EmbeddedShader& s : vk::embedded_shaders())
    if (std::string(s.name).ends_with(".comp")) out.push_back(s.name);
  return out;
}

TEST(Reflect, EveryPipelineOfTheEngineIsEmbedded) {
  const std::vector<std::string> all = compute_shaders();
  for (const char* name :
       {"datagen", "forward", "forward_shared", "loss", "backward", "backward_shared", "gradnorm",
        "update", "finalize", "advance", "norm_forward", "norm_backward"})
    EXPECT_NE(std::find(all.begin(), all.end(), std::string(name) + ".comp"), all.end()) << name;
}

// The optimizer (glslc -O) removes the bindings a shader never reads (common.glsl declares
// GLOBALS and LAYERS for all), so the reflected set is a subset of the declared one: each
// reflected binding is declared in the source, with the same kind; each declared in the .comp
// file itself (not in a shared include) is reflected; and a declared binding whose name appears
// nowhere else in the shader's source is not.
TEST(Reflect, EveryComputeShaderAgreesWithItsGlslSource) {
  const auto ids = test::layout_bind_constants(GT_SOURCE_DIR "/engine/shared/layout.h");
  const std::vector<std::string> dirs = {GT_SOURCE_DIR "/compute_shaders",
                                         GT_SOURCE_DIR "/engine/shared"};
  ASSERT_GE(compute_shaders().size(), 12u);
  for (const std::string& name : compute_shaders()) {
    SCOPED_TRACE(name);
    const vk::ShaderInterface r = vk::reflect_spirv(words_of(name), name);
    std::set<std::string> seen;
    const std::string source = test::expand_includes(name, dirs, seen);
    const auto declared = test::glsl_bindings(source, ids);
    // The .comp file's own text, its #includes not expanded.
    const std::string own = test::strip_comments(test::read_text(dirs[0] + "/" + name));
    for (const vk::ReflectedBinding& b : r.bindings) {
      EXPECT_EQ(b.set, 0u) << b.name;
      const auto d = declared.find(b.binding);
      ASSERT_NE(d, declared.end()) << "reflected binding " << b.binding << " is not in the source";
      EXPECT_EQ(kind_str(b.kind), kind_str(d->second.kind)) << d->second.constant;
      EXPECT_EQ(vk::binding_name(b.binding), d->second.constant);
    }
    for (const auto& [binding, d] : test::glsl_bindings(own, ids))
      EXPECT_NE(r.find(binding), nullptr) << name << " declares " << d.constant;
    for (const auto& [binding, d] : declared) {
      const std::regex word("\\b" + d.accessor + "\\b");
      const auto uses = std::distance(std::sregex_iterator(source.begin(), source.end(), word),
                                      std::sregex_iterator());
      if (uses <= 1) {
        EXPECT_EQ(r.find(binding), nullptr) << d.constant << " is never used";
      }
    }
  }
}

TEST(Reflect, ComputeKindsOfRealShaders) {
  const vk::ShaderInterface f = vk::reflect_spirv(words_of("forward.comp"), "forward.comp");
  ASSERT_NE(f.find(shared::GT_BIND_X_OUT), nullptr);
  EXPECT_EQ(f.find(shared::GT_BIND_X_OUT)->kind, DescriptorKind::storage_buffer);
  ASSERT_NE(f.find(shared::GT_BIND_LAYER), nullptr);
  EXPECT_EQ(f.find(shared::GT_BIND_LAYER)->kind, DescriptorKind::uniform_buffer);
  ASSERT_NE(f.find(shared::GT_BIND_PARAMS_TEX), nullptr);
  EXPECT_EQ(f.find(shared::GT_BIND_PARAMS_TEX)->kind, DescriptorKind::storage_texel_buffer);
  // A combined image sampler (the ImGui font) is none of the buffer kinds.
  const vk::ShaderInterface i = vk::reflect_spirv(words_of("imgui.frag"), "imgui.frag");
  ASSERT_EQ(i.bindings.size(), 1u);
  EXPECT_EQ(i.bindings[0].kind, DescriptorKind::other);
}

TEST(Reflect, PushConstantBlockSizes) {
  // update.comp reads PushConstants (4 uints); tower.* push TowerPush (a mat4 and 12 scalars);
  // imgui.vert two vec2s.
  EXPECT_EQ(vk::reflect_spirv(words_of("update.comp"), "update").push_constant_bytes, 16u);
  static_assert(sizeof(shared::PushConstants) == 16);
  EXPECT_EQ(vk::reflect_spirv(words_of("tower.vert"), "tower.vert").push_constant_bytes, 112u);
  EXPECT_EQ(vk::reflect_spirv(words_of("tower.frag"), "tower.frag").push_constant_bytes, 112u);
  EXPECT_EQ(vk::reflect_spirv(words_of("imgui.vert"), "imgui.vert").push_constant_bytes, 16u);
  // loss.comp reads no push constants: the optimizer drops the block; advance.comp reads its phase.
  EXPECT_EQ(vk::reflect_spirv(words_of("loss.comp"), "loss").push_constant_bytes, 0u);
  EXPECT_EQ(vk::reflect_spirv(words_of("advance.comp"), "advance").push_constant_bytes, 16u);
}

// A SPIR-V module written word by word (ids below 100).
struct Spv {
  std::vector<uint32_t> w{0x07230203u, 0x00010500u, 0u, 100u, 0u};
  Spv& op(uint32_t opcode, std::initializer_list<uint32_t> operands) {
    w.push_back(uint32_t(operands.size() + 1) << 16 | opcode);
    w.insert(w.end(), operands);
    return *this;
  }
  // OpName %id "name" (the string zero-terminated and padded to whole words).
  Spv& name(uint32_t id, const std::string& s) {
    std::vector<uint32_t> words((s.size() + 4) / 4, 0u);
    for (size_t i = 0; i < s.size(); ++i)
      words[i / 4] |= uint32_t(uint8_t(s[i])) << (8 * (i % 4));
    w.push_back(uint32_t(words.size() + 2) << 16 | 5u);
    w.push_back(id);
    w.insert(w.end(), words.begin(), words.end());
    return *this;
  }
  Spv& binding(uint32_t id, uint32_t b) { return op(71, {id, 34, 0}).op(71, {id, 33, b}); }
};

enum : uint32_t { kDecorate = 71, kMember = 72, kPointer = 32, kVariable = 59, kStruct = 30 };

Spv every_kind() {
  Spv m;
  m.name(4, "texels").name(5, "OldBuf");
  m.binding(4, 7).binding(7, 3).binding(10, 0).binding(13, 9).binding(16, 4).binding(19, 5);
  m.op(kDecorate, {5, 3}).op(kMember, {5, 0, 35, 0});  // BufferBlock
  m.op(kDecorate, {8, 2}).op(kMember, {8, 0, 35, 0});  // Block
  m.op(kDecorate, {17, 2}).op(kMember, {17, 0, 35, 0});
  m.op(kDecorate, {23, 6, 4}).op(kDecorate, {24, 2});  // ArrayStride 4; the push block
  m.op(kMember, {24, 0, 35, 0}).op(kMember, {24, 1, 35, 16}).op(kMember, {24, 2, 35, 28});
  m.op(22, {1, 32});                   // %1 float
  m.op(25, {2, 1, 5, 0, 0, 0, 1, 0});  // %2 samplerBuffer
  m.op(kPointer, {3, 0, 2}).op(kVariable, {3, 4, 0});
  m.op(kStruct, {5, 1}).op(kPointer, {6, 2, 5}).op(kVariable, {6, 7, 2});
  m.op(kStruct, {8, 1}).op(kPointer, {9, 2, 8}).op(kVariable, {9, 10, 2});
  m.op(25, {11, 1, 1, 0, 0, 0, 2, 1});  // image2D rgba32f
  m.op(kPointer, {12, 0, 11}).op(kVariable, {12, 13, 0});
  m.op(25, {14, 1, 5, 0, 0, 0, 2, 1});  // imageBuffer rgba32f
  m.op(kPointer, {15, 0, 14}).op(kVariable, {15, 16, 0});
  m.op(kStruct, {17, 1}).op(kPointer, {18, 12, 17}).op(kVariable, {18, 19, 12});
  // Push constants { uint; vec3 at 16; uint[4] at 28 }: 28 + 16 = 44 bytes.
  m.op(21, {20, 32, 0}).op(23, {21, 1, 3}).op(43, {20, 22, 4}).op(28, {23, 20, 22});
  m.op(kStruct, {24, 20, 21, 23}).op(kPointer, {25, 9, 24}).op(kVariable, {25, 26, 9});
  return m;
}

TEST(Reflect, EveryDescriptorKindAndThePushBlock) {
  const vk::ShaderInterface r = vk::reflect_spirv(every_kind().w, "every_kind");
  ASSERT_EQ(r.bindings.size(), 6u);
  const std::vector<std::pair<uint32_t, DescriptorKind>> expected = {
      {0, DescriptorKind::uniform_buffer},       {3, DescriptorKind::storage_buffer},
      {4, DescriptorKind::storage_texel_buffer}, {5, DescriptorKind::storage_buffer},
      {7, DescriptorKind::uniform_texel_buffer}, {9, DescriptorKind::other}};
  for (size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(r.bindings[i].binding, expected[i].first);
    EXPECT_EQ(kind_str(r.bindings[i].kind), kind_str(expected[i].second)) << expected[i].first;
  }
  EXPECT_EQ(r.find(7)->name, "texels");
  EXPECT_EQ(r.find(3)->name, "OldBuf");  // the variable has no name: its block type's
  EXPECT_EQ(r.find(9)->name, "%13");
  EXPECT_EQ(r.push_constant_bytes, 44u);
}

void expect_error(const std::vector<uint32_t>& words, const std::string& part) {
  try {
    vk::reflect_spirv(words, "bad.spv");
    ADD_FAILURE() << "no error; expected one containing: " << part;
  } catch (const vk::SpirvError& e) {
    EXPECT_NE(std::string(e.what()).find("bad.spv: malformed SPIR-V"), std::string::npos)
        << e.what();
    EXPECT_NE(std::string(e.what()).find(part), std::string::npos) << e.what();
  }
}

TEST(Reflect, MalformedModulesThrow) {
  const std::vector<uint32_t> good = words_of("forward.comp");
  expect_error({}, "fewer than the 5 of the header");
  expect_error({good.begin(), good.begin() + 3}, "fewer than the 5 of the header");
  std::vector<uint32_t> magic = good;
  magic[0] = 0x12345678u;
  expect_error(magic, "magic number is 0x12345678");
  magic[0] = 0x03022307u;
  expect_error(magic, "byte order is swapped");
  // Cut inside the first instruction (OpCapability, 2 words).
  expect_error({good.begin(), good.begin() + 6}, "running past the end of the module (6 words)");
  std::vector<uint32_t> zero = good;
  zero[5] = 0x00000011u;  // OpCapability with word count 0
  expect_error(zero, "at word 5: instruction with opcode 17 has word count 0");
  Spv past;
  past.w.push_back(10u << 16 | 71u);
  past.w.push_back(1u);
  expect_error(past.w, "has 10 words, running past the end");
  Spv unterminated;
  unterminated.op(5, {4, 0x41414141u});
  expect_error(unterminated.w, "not terminated");
  Spv outside;
  outside.binding(100, 0);
  expect_error(outside.w, "id 100 is outside the module's bound 100");
  Spv short_op;
  short_op.op(kVariable, {1});
  expect_error(short_op.w, "needs at least 3");
  Spv unbound = every_kind();
  unbound.op(kVariable, {3, 30, 0});
  expect_error(unbound.w, "%30 has no Binding decoration");
  Spv cyclic;
  cyclic.op(kStruct, {1, 2}).op(kStruct, {2, 1}).op(kPointer, {3, 9, 1}).op(kVariable, {3, 4, 9});
  expect_error(cyclic.w, "contains itself");
}

// Every prefix of a real module, and every module with one word flipped, either reflects or
// throws SpirvError (run under AddressSanitizer, this also shows no read out of bounds).
TEST(Reflect, EveryPrefixAndFlippedWordIsHandled) {
  const std::vector<uint32_t> good = words_of("advance.comp");
  for (size_t n = 0; n <= good.size(); ++n) {
    try {
      vk::reflect_spirv(std::span(good).first(n), "prefix");
    } catch (const vk::SpirvError&) {
    }
  }
  for (size_t i = 0; i < good.size(); ++i)
    for (uint32_t flip : {0x00010000u, 0x00000001u, 0x80000000u, 0xffffffffu}) {
      std::vector<uint32_t> bad = good;
      bad[i] ^= flip;
      try {
        vk::reflect_spirv(bad, "flipped");
      } catch (const vk::SpirvError&) {
      }
    }
}

TEST(Reflect, BindingNamesMatchLayoutH) {
  const auto ids = test::layout_bind_constants(GT_SOURCE_DIR "/engine/shared/layout.h");
  ASSERT_EQ(ids.at("GT_BIND_COUNT"), shared::GT_BIND_COUNT);
  EXPECT_EQ(ids.size(), size_t(shared::GT_BIND_COUNT) + 1);
  for (const auto& [name, value] : ids)
    if (name != "GT_BIND_COUNT") {
      EXPECT_EQ(vk::binding_name(value), name);
    }
  EXPECT_EQ(vk::binding_name(shared::GT_BIND_COUNT), "");
}

}  // namespace
}  // namespace gt
