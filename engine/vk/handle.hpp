// Move-only owners of single Vulkan handles, so that no handle outlives its owner and a
// constructor that throws half-way frees what it had made (members already built are destroyed).
// Make the handle into a local with GT_VK_CHECK, then hand it over: a failed call leaves its
// output undefined, so it is never wrapped.
//
//   VkFence f = VK_NULL_HANDLE;
//   GT_VK_CHECK(vkCreateFence(device, &info, nullptr, &f));
//   fence_ = vk::Fence(device, f);
//
// Classes that own several handles (Buffer, Image, Context) hold them as these owners, declared
// in creation order so that they are destroyed in reverse.
#pragma once

#include <utility>

#include "vk/vulkan.hpp"

namespace gt::vk {

// A handle made from a parent (VkDevice, VkInstance), destroyed by `*Destroy(parent, handle,
// nullptr)`. Destroy is the address of volk's function pointer, read when the handle is destroyed
// (after the loader has filled it in).
template <typename Parent, typename T, auto* Destroy>
class Owned {
 public:
  Owned() = default;
  Owned(Parent parent, T handle) noexcept : parent_(parent), handle_(handle) {}
  ~Owned() { reset(); }
  Owned(Owned&& o) noexcept
      : parent_(std::exchange(o.parent_, Parent{})), handle_(std::exchange(o.handle_, T{})) {}
  Owned& operator=(Owned&& o) noexcept {
    if (this != &o) {
      reset();
      parent_ = std::exchange(o.parent_, Parent{});
      handle_ = std::exchange(o.handle_, T{});
    }
    return *this;
  }
  Owned(const Owned&) = delete;
  Owned& operator=(const Owned&) = delete;

  T handle() const { return handle_; }
  const T* address() const { return &handle_; }  // for the Vulkan calls that take arrays
  Parent parent() const { return parent_; }
  explicit operator bool() const { return handle_ != T{}; }
  void reset() noexcept {
    if (handle_ != T{}) (*Destroy)(parent_, handle_, nullptr);
    handle_ = T{};
  }

 private:
  Parent parent_{};
  T handle_{};
};

// A handle with no parent (the instance, the device), destroyed by `*Destroy(handle, nullptr)`.
template <typename T, auto* Destroy>
class Root {
 public:
  Root() = default;
  explicit Root(T handle) noexcept : handle_(handle) {}
  ~Root() { reset(); }
  Root(Root&& o) noexcept : handle_(std::exchange(o.handle_, T{})) {}
  Root& operator=(Root&& o) noexcept {
    if (this != &o) {
      reset();
      handle_ = std::exchange(o.handle_, T{});
    }
    return *this;
  }
  Root(const Root&) = delete;
  Root& operator=(const Root&) = delete;

  T handle() const { return handle_; }
  explicit operator bool() const { return handle_ != T{}; }
  void reset() noexcept {
    if (handle_ != T{}) (*Destroy)(handle_, nullptr);
    handle_ = T{};
  }

 private:
  T handle_{};
};

using Instance = Root<VkInstance, &vkDestroyInstance>;
using Device = Root<VkDevice, &vkDestroyDevice>;
using DebugMessenger =
    Owned<VkInstance, VkDebugUtilsMessengerEXT, &vkDestroyDebugUtilsMessengerEXT>;
using SurfaceHandle = Owned<VkInstance, VkSurfaceKHR, &vkDestroySurfaceKHR>;

using BufferHandle = Owned<VkDevice, VkBuffer, &vkDestroyBuffer>;
using BufferViewHandle = Owned<VkDevice, VkBufferView, &vkDestroyBufferView>;
using ImageHandle = Owned<VkDevice, VkImage, &vkDestroyImage>;
using ImageView = Owned<VkDevice, VkImageView, &vkDestroyImageView>;
using DeviceMemory = Owned<VkDevice, VkDeviceMemory, &vkFreeMemory>;
using Sampler = Owned<VkDevice, VkSampler, &vkDestroySampler>;
using Fence = Owned<VkDevice, VkFence, &vkDestroyFence>;
using Semaphore = Owned<VkDevice, VkSemaphore, &vkDestroySemaphore>;
using QueryPool = Owned<VkDevice, VkQueryPool, &vkDestroyQueryPool>;
using CommandPool = Owned<VkDevice, VkCommandPool, &vkDestroyCommandPool>;
using ShaderModule = Owned<VkDevice, VkShaderModule, &vkDestroyShaderModule>;
using DescriptorSetLayout = Owned<VkDevice, VkDescriptorSetLayout, &vkDestroyDescriptorSetLayout>;
using PipelineLayout = Owned<VkDevice, VkPipelineLayout, &vkDestroyPipelineLayout>;
using Pipeline = Owned<VkDevice, VkPipeline, &vkDestroyPipeline>;
using RenderPass = Owned<VkDevice, VkRenderPass, &vkDestroyRenderPass>;
using Framebuffer = Owned<VkDevice, VkFramebuffer, &vkDestroyFramebuffer>;
using SwapchainHandle = Owned<VkDevice, VkSwapchainKHR, &vkDestroySwapchainKHR>;

// A primary command buffer from a pool, freed back to it. Never free one that is pending: wait
// for its submission first (every owner here waits for the device before it is destroyed).
class CommandBuffer {
 public:
  CommandBuffer() = default;
  CommandBuffer(VkDevice device, VkCommandPool pool, VkCommandBuffer cmd) noexcept
      : device_(device), pool_(pool), cmd_(cmd) {}
  ~CommandBuffer() { reset(); }
  CommandBuffer(CommandBuffer&& o) noexcept
      : device_(o.device_), pool_(o.pool_), cmd_(std::exchange(o.cmd_, VK_NULL_HANDLE)) {}
  CommandBuffer& operator=(CommandBuffer&& o) noexcept {
    if (this != &o) {
      reset();
      device_ = o.device_;
      pool_ = o.pool_;
      cmd_ = std::exchange(o.cmd_, VK_NULL_HANDLE);
    }
    return *this;
  }
  CommandBuffer(const CommandBuffer&) = delete;
  CommandBuffer& operator=(const CommandBuffer&) = delete;

  VkCommandBuffer handle() const { return cmd_; }
  const VkCommandBuffer* address() const { return &cmd_; }
  explicit operator bool() const { return cmd_ != VK_NULL_HANDLE; }
  void reset() noexcept {
    if (cmd_) vkFreeCommandBuffers(device_, pool_, 1, &cmd_);
    cmd_ = VK_NULL_HANDLE;
  }

 private:
  VkDevice device_ = VK_NULL_HANDLE;
  VkCommandPool pool_ = VK_NULL_HANDLE;
  VkCommandBuffer cmd_ = VK_NULL_HANDLE;
};

}  // namespace gt::vk
