// The resource interface of a SPIR-V module, read from its words: the descriptor bindings its
// variables declare (set, binding, what kind of descriptor) and the size of its push-constant
// block. Only the few instructions that carry these are read (names, decorations, types,
// constants, variables); everything else is skipped by its word count. No Vulkan needed.
#pragma once

#include <cstdint>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace gt::vk {

// Malformed SPIR-V: the message names the module, the word and what is wrong with it.
class SpirvError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

enum class DescriptorKind {
  uniform_buffer,        // Uniform storage class, Block
  storage_buffer,        // StorageBuffer storage class, or Uniform with BufferBlock
  uniform_texel_buffer,  // OpTypeImage Dim=Buffer, Sampled=1 (samplerBuffer)
  storage_texel_buffer,  // OpTypeImage Dim=Buffer, Sampled=2 (imageBuffer)
  other,                 // images, samplers, anything gradtower's layouts do not have
};

// "uniform buffer", "storage buffer", ...
std::string_view kind_name(DescriptorKind kind);

struct ReflectedBinding {
  uint32_t set = 0;
  uint32_t binding = 0;
  DescriptorKind kind = DescriptorKind::other;
  uint32_t count = 1;  // array of descriptors: its length (0: runtime-sized)
  std::string name;    // the variable's (or its block type's) OpName, else "%ID"
};

struct ShaderInterface {
  std::vector<ReflectedBinding> bindings;  // sorted by (set, binding)
  uint32_t push_constant_bytes = 0;        // 0: no push-constant block
  // The binding of that number in set 0, or null.
  const ReflectedBinding* find(uint32_t binding, uint32_t set = 0) const;
};

// The interface of the module `words`; `label` (e.g. the shader's file name) starts every error
// message. Throws SpirvError on anything malformed, and never reads outside `words`.
ShaderInterface reflect_spirv(std::span<const uint32_t> words, std::string_view label);

}  // namespace gt::vk
