#include "vk/image.hpp"

#include <utility>

#include "vk/buffer.hpp"
#include "vk/check.hpp"
#include "vk/context.hpp"

namespace gt::vk {

Image::Image(const Context& ctx, uint32_t width, uint32_t height, VkFormat format,
             VkImageUsageFlags usage, VkImageAspectFlags aspect, const std::string& name)
    : format_(format) {
  const VkDevice device = ctx.device();
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
  VkImage image = VK_NULL_HANDLE;
  GT_VK_CHECK(vkCreateImage(device, &info, nullptr, &image));
  image_ = ImageHandle(device, image);
  VkMemoryRequirements req{};
  vkGetImageMemoryRequirements(device, image, &req);
  VkMemoryAllocateInfo alloc{VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO};
  alloc.allocationSize = req.size;
  alloc.memoryTypeIndex =
      find_memory_type(ctx, req.memoryTypeBits, 0, VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT);
  VkDeviceMemory memory = VK_NULL_HANDLE;
  GT_VK_CHECK(vkAllocateMemory(device, &alloc, nullptr, &memory));
  memory_ = DeviceMemory(device, memory);
  GT_VK_CHECK(vkBindImageMemory(device, image, memory, 0));
  VkImageViewCreateInfo view_info{VK_STRUCTURE_TYPE_IMAGE_VIEW_CREATE_INFO};
  view_info.image = image;
  view_info.viewType = VK_IMAGE_VIEW_TYPE_2D;
  view_info.format = format;
  view_info.subresourceRange = {aspect, 0, 1, 0, 1};
  VkImageView view = VK_NULL_HANDLE;
  GT_VK_CHECK(vkCreateImageView(device, &view_info, nullptr, &view));
  view_ = ImageView(device, view);
  ctx.name(image, VK_OBJECT_TYPE_IMAGE, name);
  ctx.name(view, VK_OBJECT_TYPE_IMAGE_VIEW, name);
  ctx.name(memory, VK_OBJECT_TYPE_DEVICE_MEMORY, name);
}

Image& Image::operator=(Image&& o) noexcept {
  if (this != &o) {
    reset();
    memory_ = std::move(o.memory_);
    image_ = std::move(o.image_);
    view_ = std::move(o.view_);
    format_ = o.format_;
  }
  return *this;
}

void Image::reset() {
  view_.reset();
  image_.reset();
  memory_.reset();
}

}  // namespace gt::vk
