// The Vulkan instance, the chosen physical device, one logical device and its queue. Headless by
// default: a window asks for surface extensions through ContextOptions. The validation layer,
// when on, reports through a debug-utils messenger; every message is kept and counted so tests
// and CLI runs can fail on any of them.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "vk/handle.hpp"
#include "vk/vulkan.hpp"

namespace gt::vk {

struct ContextOptions {
  bool validation = false;
  // Empty: the best device (discrete > integrated > virtual > CPU). Otherwise an index into the
  // enumeration order, or a case-insensitive substring of the device name.
  std::string device;
  std::vector<const char*> instance_extensions;  // e.g. surface extensions for a window
  std::vector<const char*> device_extensions;    // e.g. VK_KHR_swapchain
  // Also given every validation message (from the thread that made the call, unsynchronized):
  // those of the context's own destruction too, where the layer reports the objects never
  // destroyed, which validation_messages() cannot return.
  std::function<void(const std::string&)> on_validation_message;
};

struct DeviceInfo {
  uint32_t index = 0;
  std::string name;
  VkPhysicalDeviceType type = VK_PHYSICAL_DEVICE_TYPE_OTHER;
  uint32_t api_version = 0;
  bool usable = false;  // has a compute queue and the extensions gradtower needs
  std::string unusable_reason;
};

const char* device_type_name(VkPhysicalDeviceType t);

class Context {
 public:
  // Throws vk::Error with a user-facing reason (no Vulkan, no usable device, no match).
  static std::unique_ptr<Context> create(const ContextOptions& options);
  // The devices the loader sees, in enumeration order (creates a short-lived instance).
  static std::vector<DeviceInfo> list_devices();
  ~Context();
  Context(const Context&) = delete;
  Context& operator=(const Context&) = delete;

  VkInstance instance() const { return instance_.handle(); }
  VkPhysicalDevice physical_device() const { return physical_; }
  VkDevice device() const { return device_.handle(); }
  VkQueue queue() const { return queue_; }
  uint32_t queue_family() const { return queue_family_; }
  const DeviceInfo& info() const { return info_; }
  const VkPhysicalDeviceProperties& properties() const { return properties_; }
  const VkPhysicalDeviceLimits& limits() const { return properties_.limits; }
  const VkPhysicalDeviceMemoryProperties& memory() const { return memory_; }
  uint32_t subgroup_size() const { return subgroup_size_; }
  uint64_t max_allocation_size() const { return max_allocation_size_; }
  uint32_t max_push_descriptors() const { return max_push_descriptors_; }
  uint32_t timestamp_valid_bits() const { return timestamp_valid_bits_; }
  bool is_cpu() const { return info_.type == VK_PHYSICAL_DEVICE_TYPE_CPU; }
  // Largest device-local heap in bytes.
  uint64_t device_local_heap_size() const;

  // Names a Vulkan object for validation messages and captures (no-op without debug utils).
  void set_name(VkObjectType type, uint64_t handle, const std::string& name) const;
  // The names given to objects of `type` (with debug utils; the latest name of each handle,
  // destroyed objects included): what tests check every kind of object is named by.
  std::vector<std::string> names_of(VkObjectType type) const;
  template <typename Handle>
  void name(Handle handle, VkObjectType type, const std::string& n) const {
    set_name(type, reinterpret_cast<uint64_t>(handle), n);
  }

  // Validation messages (warnings and errors) received so far.
  std::vector<std::string> validation_messages() const;
  size_t validation_message_count() const;
  void clear_validation_messages();

  // Runs the commands recorded by `record` on the queue and waits for them. The command buffer
  // is freed when `record` throws too.
  template <typename F>
  void submit_and_wait(F&& record) {
    const CommandBuffer cmd = begin_one_shot();
    record(cmd.handle());
    end_one_shot(cmd.handle());
  }
  // Waits for `fence`, signalled by a submission to the queue. Throws like GT_VK_CHECK when the
  // wait fails, but only once the queue is idle, so that what the unwinding frees (command
  // buffers, staging buffers) is no longer in use.
  void wait_for(VkFence fence) const;
  VkCommandPool command_pool() const { return pool_.handle(); }
  // A primary command buffer from the context's pool, named `name` unless empty.
  CommandBuffer allocate_command_buffer(const std::string& name = {}) const;

 private:
  Context() = default;
  CommandBuffer begin_one_shot();
  void end_one_shot(VkCommandBuffer cmd);
  static VkBool32 VKAPI_PTR on_message(VkDebugUtilsMessageSeverityFlagBitsEXT severity,
                                       VkDebugUtilsMessageTypeFlagsEXT types,
                                       const VkDebugUtilsMessengerCallbackDataEXT* data,
                                       void* user);

  // First: the messenger reports into these until it is destroyed, after everything else.
  mutable std::mutex messages_mutex_;
  std::vector<std::string> messages_;
  std::function<void(const std::string&)> on_validation_message_;
  // The owners in creation order, destroyed in reverse (the device's objects, the device, the
  // messenger, the instance), whichever step of create() threw.
  Instance instance_;
  DebugMessenger messenger_;
  Device device_;
  CommandPool pool_;
  Fence one_shot_fence_;
  VkPhysicalDevice physical_ = VK_NULL_HANDLE;
  VkQueue queue_ = VK_NULL_HANDLE;
  uint32_t queue_family_ = 0;
  DeviceInfo info_;
  VkPhysicalDeviceProperties properties_{};
  VkPhysicalDeviceMemoryProperties memory_{};
  uint32_t subgroup_size_ = 0;
  uint64_t max_allocation_size_ = 0;
  uint32_t max_push_descriptors_ = 0;
  uint32_t timestamp_valid_bits_ = 0;
  bool debug_utils_ = false;
  mutable std::mutex names_mutex_;
  mutable std::map<std::pair<VkObjectType, uint64_t>, std::string> names_;
};

}  // namespace gt::vk
