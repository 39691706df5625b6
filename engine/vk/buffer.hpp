// Move-only owners of a VkBuffer with its own memory, and of a texel-buffer view over one (their
// handles held by the owners of vk/handle.hpp, so a constructor that throws frees what it made).
// Device buffers are filled and read through host-visible staging copies (transfer.hpp).
#pragma once

#include <cstdint>
#include <string>
#include <utility>

#include "vk/handle.hpp"
#include "vk/vulkan.hpp"

namespace gt::vk {

class Context;

enum class MemoryUse {
  device,    // device-local; reached by the host only through staging copies
  upload,    // host-visible, host-coherent: written by the host
  readback,  // host-visible, host-coherent, cached when possible: read by the host
};

class Buffer {
 public:
  Buffer() = default;
  Buffer(const Context& ctx, uint64_t size, VkBufferUsageFlags usage, MemoryUse use,
         const std::string& name);
  Buffer(Buffer&& o) noexcept { *this = std::move(o); }
  Buffer& operator=(Buffer&& o) noexcept;

  VkBuffer handle() const { return buffer_.handle(); }
  uint64_t size() const { return size_; }
  void* mapped() const { return mapped_; }  // host-visible buffers only
  explicit operator bool() const { return bool(buffer_); }
  void reset();

 private:
  DeviceMemory memory_;  // declared first: freed after the buffer bound to it is destroyed
  BufferHandle buffer_;
  uint64_t size_ = 0;
  void* mapped_ = nullptr;
};

class BufferView {
 public:
  BufferView() = default;
  BufferView(const Context& ctx, const Buffer& buffer, VkFormat format, const std::string& name);
  VkBufferView handle() const { return view_.handle(); }
  void reset() { view_.reset(); }

 private:
  BufferViewHandle view_;
};

// Memory type index with all `required` flags, preferring those that also have `preferred`.
uint32_t find_memory_type(const Context& ctx, uint32_t type_bits, VkMemoryPropertyFlags required,
                          VkMemoryPropertyFlags preferred);

}  // namespace gt::vk
