// A move-only 2-D image with its own device memory and a view over it.
#pragma once

#include <cstdint>
#include <string>

#include "vk/vulkan.hpp"

namespace gt::vk {

class Context;

class Image {
 public:
  Image() = default;
  Image(const Context& ctx, uint32_t width, uint32_t height, VkFormat format,
        VkImageUsageFlags usage, VkImageAspectFlags aspect, const std::string& name);
  ~Image() { reset(); }
  Image(Image&& o) noexcept { *this = std::move(o); }
  Image& operator=(Image&& o) noexcept;
  Image(const Image&) = delete;
  Image& operator=(const Image&) = delete;

  VkImage handle() const { return image_; }
  VkImageView view() const { return view_; }
  VkFormat format() const { return format_; }
  void reset();

 private:
  VkDevice device_ = VK_NULL_HANDLE;
  VkImage image_ = VK_NULL_HANDLE;
  VkDeviceMemory memory_ = VK_NULL_HANDLE;
  VkImageView view_ = VK_NULL_HANDLE;
  VkFormat format_ = VK_FORMAT_UNDEFINED;
};

}  // namespace gt::vk
