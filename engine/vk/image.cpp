#include "vk/image.hpp"

#include <utility>

#include "vk/buffer.hpp"
#include "vk/check.hpp"
#include "vk/context.hpp"

namespace gt::vk {

Image::Image(const Context& ctx, uint32_t width, uint32_t height, VkFormat format,
             VkImageUsageFlags usage, VkImageAspectFlags aspect, const std::string& name)
    : device_(ctx.device()), format_(format) {
  VkImageCreateInfo info{VK_STRUCTURE_TYPE_IMAGE_CREATE_INFO};
  info.imageType = VK_IMAGE_TYPE_2D;
  info.format = format;
  info.extent = {width, height, 1};
  info.mipLevels = 1;
  info.arrayLayers = 1;
  info.samples = VK_SAMPLE_COUNT_1_BIT;
  info.tiling = VK_IMAGE_TILING_OPTIMAL;
  info.usage = usage;
  info.initialLayout = VK_IMAGE_LAYOUT_UNDEFINED;
  GT_VK_CHECK(vkCreateImage(device_, &info, nullptr, &image_));
  VkMemoryRequirements req{};
  vkGetImageMemoryRequirements(device_, image_, &req);
  VkMemoryAllocateInfo alloc{VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO};
  alloc.allocationSize = req.size;
  alloc.memoryTypeIndex =
      find_memory_type(ctx, req.memoryTypeBits, 0, VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT);
  GT_VK_CHECK(vkAllocateMemory(device_, &alloc, nullptr, &memory_));
  GT_VK_CHECK(vkBindImageMemory(device_, image_, memory_, 0));
  VkImageViewCreateInfo view{VK_STRUCTURE_TYPE_IMAGE_VIEW_CREATE_INFO};
  view.image = image_;
  view.viewType = VK_IMAGE_VIEW_TYPE_2D;
  view.format = format;
  view.subresourceRange = {aspect, 0, 1, 0, 1};
  GT_VK_CHECK(vkCreateImageView(device_, &view, nullptr, &view_));
  ctx.name(image_, VK_OBJECT_TYPE_IMAGE, name);
  ctx.name(view_, VK_OBJECT_TYPE_IMAGE_VIEW, name);
  ctx.name(memory_, VK_OBJECT_TYPE_DEVICE_MEMORY, name);
}

Image& Image::operator=(Image&& o) noexcept {
  if (this != &o) {
    reset();
    device_ = std::exchange(o.device_, VK_NULL_HANDLE);
    image_ = std::exchange(o.image_, VK_NULL_HANDLE);
    memory_ = std::exchange(o.memory_, VK_NULL_HANDLE);
    view_ = std::exchange(o.view_, VK_NULL_HANDLE);
    format_ = o.format_;
  }
  return *this;
}

void Image::reset() {
  if (view_) vkDestroyImageView(device_, view_, nullptr);
  if (image_) vkDestroyImage(device_, image_, nullptr);
  if (memory_) vkFreeMemory(device_, memory_, nullptr);
  view_ = VK_NULL_HANDLE;
  image_ = VK_NULL_HANDLE;
  memory_ = VK_NULL_HANDLE;
}

}  // namespace gt::vk
