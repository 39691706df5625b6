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
    : size_(size) {
  const VkDevice device = ctx.device();
  VkBufferCreateInfo info{VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO};
  info.size = size;
  info.usage = usage;
  info.sharingMode = VK_SHARING_MODE_EXCLUSIVE;
  VkBuffer buffer = VK_NULL_HANDLE;
  GT_VK_CHECK(vkCreateBuffer(device, &info, nullptr, &buffer));
  buffer_ = BufferHandle(device, buffer);
  VkMemoryRequirements req{};
  vkGetBufferMemoryRequirements(device, buffer, &req);
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
  VkDeviceMemory memory = VK_NULL_HANDLE;
  const VkResult r = GT_VK_CALL(vkAllocateMemory(device, &alloc, nullptr, &memory));
  if (r != VK_SUCCESS)
    throw Error("cannot allocate " + std::to_string(size >> 20) + " MiB for " + name + ": " +
                result_name(r));
  memory_ = DeviceMemory(device, memory);
  GT_VK_CHECK(vkBindBufferMemory(device, buffer, memory, 0));
  if (use != MemoryUse::device)
    GT_VK_CHECK(vkMapMemory(device, memory, 0, VK_WHOLE_SIZE, 0, &mapped_));
  ctx.name(buffer, VK_OBJECT_TYPE_BUFFER, name);
  ctx.name(memory, VK_OBJECT_TYPE_DEVICE_MEMORY, name);
}

Buffer& Buffer::operator=(Buffer&& o) noexcept {
  if (this != &o) {
    buffer_ = std::move(o.buffer_);
    memory_ = std::move(o.memory_);
    size_ = std::exchange(o.size_, 0);
    mapped_ = std::exchange(o.mapped_, nullptr);
  }
  return *this;
}

void Buffer::reset() {
  buffer_.reset();
  memory_.reset();  // unmaps it
  mapped_ = nullptr;
  size_ = 0;
}

BufferView::BufferView(const Context& ctx, const Buffer& buffer, VkFormat format,
                       const std::string& name) {
  VkBufferViewCreateInfo info{VK_STRUCTURE_TYPE_BUFFER_VIEW_CREATE_INFO};
  info.buffer = buffer.handle();
  info.format = format;
  info.offset = 0;
  info.range = VK_WHOLE_SIZE;
  VkBufferView view = VK_NULL_HANDLE;
  GT_VK_CHECK(vkCreateBufferView(ctx.device(), &info, nullptr, &view));
  view_ = BufferViewHandle(ctx.device(), view);
  ctx.name(view, VK_OBJECT_TYPE_BUFFER_VIEW, name);
}

}  // namespace gt::vk
