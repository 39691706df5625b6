// Move-only owners of a VkBuffer with its own memory, and of a texel-buffer view over one.
// Device buffers are filled and read through host-visible staging copies (transfer.hpp).
#pragma once

#include <cstdint>
#include <string>

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
  ~Buffer() { reset(); }
  Buffer(Buffer&& o) noexcept { *this = std::move(o); }
  Buffer& operator=(Buffer&& o) noexcept;
  Buffer(const Buffer&) = delete;
  Buffer& operator=(const Buffer&) = delete;

  VkBuffer handle() const { return buffer_; }
  uint64_t size() const { return size_; }
  void* mapped() const { return mapped_; }  // host-visible buffers only
  explicit operator bool() const { return buffer_ != VK_NULL_HANDLE; }
  void reset();

 private:
  VkDevice device_ = VK_NULL_HANDLE;
  VkBuffer buffer_ = VK_NULL_HANDLE;
  VkDeviceMemory memory_ = VK_NULL_HANDLE;
  uint64_t size_ = 0;
  void* mapped_ = nullptr;
};

class BufferView {
 public:
  BufferView() = default;
  BufferView(const Context& ctx, const Buffer& buffer, VkFormat format, const std::string& name);
  ~BufferView() { reset(); }
  BufferView(BufferView&& o) noexcept { *this = std::move(o); }
  BufferView& operator=(BufferView&& o) noexcept;
  BufferView(const BufferView&) = delete;
  BufferView& operator=(const BufferView&) = delete;
  VkBufferView handle() const { return view_; }
  void reset();

 private:
  VkDevice device_ = VK_NULL_HANDLE;
  VkBufferView view_ = VK_NULL_HANDLE;
};

// Memory type index with all `required` flags, preferring those that also have `preferred`.
uint32_t find_memory_type(const Context& ctx, uint32_t type_bits, VkMemoryPropertyFlags required,
                          VkMemoryPropertyFlags preferred);

}  // namespace gt::vk
