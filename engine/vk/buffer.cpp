#include "vk/buffer.hpp"

#include <utility>

#include "vk/check.hpp"
#include "vk/context.hpp"

namespace gt::vk {

uint32_t find_memory_type(const Context& ctx, uint32_t type_bits, VkMemoryPropertyFlags required,
                          VkMemoryPropertyFlags preferred) {
  const VkPhysicalDeviceMemoryProperties& mem = ctx.memory();
  int fallback = -1;
  for (uint32_t i = 0; i < mem.memoryTypeCount; ++i) {
    if (!(type_bits & (1u << i))) continue;
    const VkMemoryPropertyFlags f = mem.memoryTypes[i].propertyFlags;
    if ((f & required) != required) continue;
    if ((f & preferred) == preferred) return i;
    if (fallback < 0) fallback = static_cast<int>(i);
  }
  if (fallback < 0) throw Error("no suitable Vulkan memory type");
  return static_cast<uint32_t>(fallback);
}

Buffer::Buffer(const Context& ctx, uint64_t size, VkBufferUsageFlags usage, MemoryUse use,
               const std::string& name)
    : device_(ctx.device()), size_(size) {
  VkBufferCreateInfo info{VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO};
  info.size = size;
  info.usage = usage;
  info.sharingMode = VK_SHARING_MODE_EXCLUSIVE;
  GT_VK_CHECK(vkCreateBuffer(device_, &info, nullptr, &buffer_));
  VkMemoryRequirements req{};
  vkGetBufferMemoryRequirements(device_, buffer_, &req);
  VkMemoryPropertyFlags required = 0, preferred = 0;
  switch (use) {
    case MemoryUse::device:
      preferred = VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT;
      break;
    case MemoryUse::upload:
      required = VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT;
      break;
    case MemoryUse::readback:
      required = VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT;
      preferred = VK_MEMORY_PROPERTY_HOST_CACHED_BIT;
      break;
  }
  VkMemoryAllocateInfo alloc{VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO};
  alloc.allocationSize = req.size;
  alloc.memoryTypeIndex = find_memory_type(ctx, req.memoryTypeBits, required, preferred);
  VkResult r = vkAllocateMemory(device_, &alloc, nullptr, &memory_);
  if (r != VK_SUCCESS) {
    reset();
    throw Error("cannot allocate " + std::to_string(size >> 20) + " MiB for " + name + ": " +
                result_name(r));
  }
  GT_VK_CHECK(vkBindBufferMemory(device_, buffer_, memory_, 0));
  if (use != MemoryUse::device)
    GT_VK_CHECK(vkMapMemory(device_, memory_, 0, VK_WHOLE_SIZE, 0, &mapped_));
  ctx.name(buffer_, VK_OBJECT_TYPE_BUFFER, name);
  ctx.name(memory_, VK_OBJECT_TYPE_DEVICE_MEMORY, name);
}

Buffer& Buffer::operator=(Buffer&& o) noexcept {
  if (this != &o) {
    reset();
    device_ = std::exchange(o.device_, VK_NULL_HANDLE);
    buffer_ = std::exchange(o.buffer_, VK_NULL_HANDLE);
    memory_ = std::exchange(o.memory_, VK_NULL_HANDLE);
    size_ = std::exchange(o.size_, 0);
    mapped_ = std::exchange(o.mapped_, nullptr);
  }
  return *this;
}

void Buffer::reset() {
  if (buffer_) vkDestroyBuffer(device_, buffer_, nullptr);
  if (memory_) vkFreeMemory(device_, memory_, nullptr);
  buffer_ = VK_NULL_HANDLE;
  memory_ = VK_NULL_HANDLE;
  mapped_ = nullptr;
  size_ = 0;
}

BufferView::BufferView(const Context& ctx, const Buffer& buffer, VkFormat format,
                       const std::string& name)
    : device_(ctx.device()) {
  VkBufferViewCreateInfo info{VK_STRUCTURE_TYPE_BUFFER_VIEW_CREATE_INFO};
  info.buffer = buffer.handle();
  info.format = format;
  info.offset = 0;
  info.range = VK_WHOLE_SIZE;
  GT_VK_CHECK(vkCreateBufferView(device_, &info, nullptr, &view_));
  ctx.name(view_, VK_OBJECT_TYPE_BUFFER_VIEW, name);
}

BufferView& BufferView::operator=(BufferView&& o) noexcept {
  if (this != &o) {
    reset();
    device_ = std::exchange(o.device_, VK_NULL_HANDLE);
    view_ = std::exchange(o.view_, VK_NULL_HANDLE);
  }
  return *this;
}

void BufferView::reset() {
  if (view_) vkDestroyBufferView(device_, view_, nullptr);
  view_ = VK_NULL_HANDLE;
}

}  // namespace gt::vk
