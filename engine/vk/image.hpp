// A move-only 2-D image with its own device memory and a view over it (owners of vk/handle.hpp).
#pragma once

#include <cstdint>
#include <string>
#include <utility>

#include "vk/handle.hpp"
#include "vk/vulkan.hpp"

namespace gt::vk {

class Context;

class Image {
 public:
  Image() = default;
  Image(const Context& ctx, uint32_t width, uint32_t height, VkFormat format,
        VkImageUsageFlags usage, VkImageAspectFlags aspect, const std::string& name);
  Image(Image&& o) noexcept { *this = std::move(o); }
  Image& operator=(Image&& o) noexcept;

  VkImage handle() const { return image_.handle(); }
  VkImageView view() const { return view_.handle(); }
  VkFormat format() const { return format_; }
  void reset();

 private:
  // In creation order, destroyed in reverse: the view, the image, then its memory.
  DeviceMemory memory_;
  ImageHandle image_;
  ImageView view_;
  VkFormat format_ = VK_FORMAT_UNDEFINED;
};

}  // namespace gt::vk
