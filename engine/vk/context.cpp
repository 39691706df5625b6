#include "vk/context.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstring>

#include "vk/check.hpp"

namespace gt::vk {
namespace {

constexpr const char* kValidationLayer = "VK_LAYER_KHRONOS_validation";
constexpr const char* kRequiredDeviceExtensions[] = {VK_KHR_PUSH_DESCRIPTOR_EXTENSION_NAME};

void init_volk() {
  static const VkResult result = volkInitialize();
  if (result != VK_SUCCESS)
    throw Error(
        "no Vulkan loader found (install libvulkan1 and a driver, e.g. mesa-vulkan-drivers)");
}

bool has_instance_layer(const char* name) {
  uint32_t n = 0;
  vkEnumerateInstanceLayerProperties(&n, nullptr);
  std::vector<VkLayerProperties> layers(n);
  vkEnumerateInstanceLayerProperties(&n, layers.data());
  return std::any_of(layers.begin(), layers.end(), [&](const VkLayerProperties& l) {
    return std::strcmp(l.layerName, name) == 0;
  });
}

bool has_instance_extension(const char* name) {
  uint32_t n = 0;
  vkEnumerateInstanceExtensionProperties(nullptr, &n, nullptr);
  std::vector<VkExtensionProperties> exts(n);
  vkEnumerateInstanceExtensionProperties(nullptr, &n, exts.data());
  return std::any_of(exts.begin(), exts.end(), [&](const VkExtensionProperties& e) {
    return std::strcmp(e.extensionName, name) == 0;
  });
}

Instance create_instance(const std::vector<const char*>& layers,
                         const std::vector<const char*>& extensions, const void* next) {
  VkApplicationInfo app{VK_STRUCTURE_TYPE_APPLICATION_INFO};
  app.pApplicationName = "gradtower";
  app.pEngineName = "gradtower";
  app.apiVersion = VK_API_VERSION_1_2;
  VkInstanceCreateInfo info{VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO};
  info.pNext = next;
  info.pApplicationInfo = &app;
  info.enabledLayerCount = static_cast<uint32_t>(layers.size());
  info.ppEnabledLayerNames = layers.data();
  info.enabledExtensionCount = static_cast<uint32_t>(extensions.size());
  info.ppEnabledExtensionNames = extensions.data();
  VkInstance instance = VK_NULL_HANDLE;
  const VkResult r = GT_VK_CALL(vkCreateInstance(&info, nullptr, &instance));
  if (r != VK_SUCCESS)
    throw Error(std::string("cannot create a Vulkan instance: ") + result_name(r));
  volkLoadInstanceOnly(instance);
  return Instance(instance);
}

std::vector<VkPhysicalDevice> physical_devices(VkInstance instance) {
  uint32_t n = 0;
  vkEnumeratePhysicalDevices(instance, &n, nullptr);
  std::vector<VkPhysicalDevice> devices(n);
  vkEnumeratePhysicalDevices(instance, &n, devices.data());
  return devices;
}

// A queue family with compute (graphics too when there is one, for the renderer).
int pick_queue_family(VkPhysicalDevice pd) {
  uint32_t n = 0;
  vkGetPhysicalDeviceQueueFamilyProperties(pd, &n, nullptr);
  std::vector<VkQueueFamilyProperties> families(n);
  vkGetPhysicalDeviceQueueFamilyProperties(pd, &n, families.data());
  int best = -1;
  for (uint32_t i = 0; i < n; ++i) {
    const VkQueueFlags f = families[i].queueFlags;
    if (!(f & VK_QUEUE_COMPUTE_BIT)) continue;
    if (best < 0 || (f & VK_QUEUE_GRAPHICS_BIT)) {
      best = static_cast<int>(i);
      if (f & VK_QUEUE_GRAPHICS_BIT) break;
    }
  }
  return best;
}

DeviceInfo describe(VkPhysicalDevice pd, uint32_t index) {
  VkPhysicalDeviceProperties p{};
  vkGetPhysicalDeviceProperties(pd, &p);
  DeviceInfo info;
  info.index = index;
  info.name = p.deviceName;
  info.type = p.deviceType;
  info.api_version = p.apiVersion;
  info.usable = true;
  if (VK_API_VERSION_MINOR(p.apiVersion) < 2 && VK_API_VERSION_MAJOR(p.apiVersion) == 1) {
    info.usable = false;
    info.unusable_reason = "Vulkan 1.2 is required";
  }
  if (pick_queue_family(pd) < 0) {
    info.usable = false;
    info.unusable_reason = "no compute queue";
  }
  uint32_t n = 0;
  vkEnumerateDeviceExtensionProperties(pd, nullptr, &n, nullptr);
  std::vector<VkExtensionProperties> exts(n);
  vkEnumerateDeviceExtensionProperties(pd, nullptr, &n, exts.data());
  for (const char* required : kRequiredDeviceExtensions) {
    bool found = std::any_of(exts.begin(), exts.end(), [&](const VkExtensionProperties& e) {
      return std::strcmp(e.extensionName, required) == 0;
    });
    if (!found) {
      info.usable = false;
      info.unusable_reason = std::string("missing ") + required;
    }
  }
  return info;
}

int type_rank(VkPhysicalDeviceType t) {
  switch (t) {
    case VK_PHYSICAL_DEVICE_TYPE_DISCRETE_GPU:
      return 4;
    case VK_PHYSICAL_DEVICE_TYPE_INTEGRATED_GPU:
      return 3;
    case VK_PHYSICAL_DEVICE_TYPE_VIRTUAL_GPU:
      return 2;
    case VK_PHYSICAL_DEVICE_TYPE_CPU:
      return 1;
    default:
      return 0;
  }
}

std::string lower(std::string s) {
  for (char& c : s)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// Index of the device to use, or an Error saying why there is none.
uint32_t choose_device(const std::vector<DeviceInfo>& devices, const std::string& wanted) {
  if (devices.empty()) throw Error("no Vulkan device found (is a driver installed?)");
  if (!wanted.empty()) {
    const bool numeric = std::all_of(wanted.begin(), wanted.end(), [](char c) {
      return std::isdigit(static_cast<unsigned char>(c));
    });
    for (const DeviceInfo& d : devices) {
      const bool match = numeric ? std::to_string(d.index) == wanted
                                 : lower(d.name).find(lower(wanted)) != std::string::npos;
      if (!match) continue;
      if (!d.usable)
        throw Error("device " + std::to_string(d.index) + " (" + d.name +
                    ") cannot be used: " + d.unusable_reason);
      return d.index;
    }
    std::string names;
    for (const DeviceInfo& d : devices)
      names += "\n  " + std::to_string(d.index) + ": " + d.name;
    throw Error("--device " + wanted + ": no such device; the devices are:" + names);
  }
  int best = -1;
  for (const DeviceInfo& d : devices)
    if (d.usable && (best < 0 || type_rank(d.type) > type_rank(devices[best].type)))
      best = static_cast<int>(d.index);
  if (best < 0) throw Error("no usable Vulkan device: " + devices.front().unusable_reason);
  return static_cast<uint32_t>(best);
}

}  // namespace

const char* device_type_name(VkPhysicalDeviceType t) {
  switch (t) {
    case VK_PHYSICAL_DEVICE_TYPE_DISCRETE_GPU:
      return "discrete GPU";
    case VK_PHYSICAL_DEVICE_TYPE_INTEGRATED_GPU:
      return "integrated GPU";
    case VK_PHYSICAL_DEVICE_TYPE_VIRTUAL_GPU:
      return "virtual GPU";
    case VK_PHYSICAL_DEVICE_TYPE_CPU:
      return "CPU";
    default:
      return "other";
  }
}

std::vector<DeviceInfo> Context::list_devices() {
  init_volk();
  const Instance instance = create_instance({}, {}, nullptr);
  std::vector<DeviceInfo> out;
  uint32_t i = 0;
  for (VkPhysicalDevice pd : physical_devices(instance.handle()))
    out.push_back(describe(pd, i++));
  return out;
}

std::unique_ptr<Context> Context::create(const ContextOptions& options) {
  init_volk();
  std::unique_ptr<Context> ctx(new Context());
  ctx->on_validation_message_ = options.on_validation_message;
  std::vector<const char*> layers;
  std::vector<const char*> extensions = options.instance_extensions;
  if (options.validation) {
    if (!has_instance_layer(kValidationLayer))
      throw Error(std::string(kValidationLayer) +
                  " is not installed (apt-get install vulkan-validationlayers)");
    layers.push_back(kValidationLayer);
  }
  ctx->debug_utils_ =
      has_instance_extension(VK_EXT_DEBUG_UTILS_EXTENSION_NAME) || options.validation;
  if (ctx->debug_utils_) extensions.push_back(VK_EXT_DEBUG_UTILS_EXTENSION_NAME);

  VkDebugUtilsMessengerCreateInfoEXT messenger_info{
      VK_STRUCTURE_TYPE_DEBUG_UTILS_MESSENGER_CREATE_INFO_EXT};
  messenger_info.messageSeverity = VK_DEBUG_UTILS_MESSAGE_SEVERITY_WARNING_BIT_EXT |
                                   VK_DEBUG_UTILS_MESSAGE_SEVERITY_ERROR_BIT_EXT;
  messenger_info.messageType = VK_DEBUG_UTILS_MESSAGE_TYPE_GENERAL_BIT_EXT |
                               VK_DEBUG_UTILS_MESSAGE_TYPE_VALIDATION_BIT_EXT |
                               VK_DEBUG_UTILS_MESSAGE_TYPE_PERFORMANCE_BIT_EXT;
  messenger_info.pfnUserCallback = &Context::on_message;
  messenger_info.pUserData = ctx.get();
  // Chained into instance creation too, so messages from vkCreate/DestroyInstance are caught.
  ctx->instance_ =
      create_instance(layers, extensions, options.validation ? &messenger_info : nullptr);
  const VkInstance instance = ctx->instance();
  if (options.validation) {
    VkDebugUtilsMessengerEXT messenger = VK_NULL_HANDLE;
    GT_VK_CHECK(vkCreateDebugUtilsMessengerEXT(instance, &messenger_info, nullptr, &messenger));
    ctx->messenger_ = DebugMessenger(instance, messenger);
  }

  std::vector<VkPhysicalDevice> pds = physical_devices(instance);
  std::vector<DeviceInfo> infos;
  for (uint32_t i = 0; i < pds.size(); ++i)
    infos.push_back(describe(pds[i], i));
  const uint32_t chosen = choose_device(infos, options.device);
  ctx->physical_ = pds[chosen];
  ctx->info_ = infos[chosen];
  vkGetPhysicalDeviceProperties(ctx->physical_, &ctx->properties_);
  vkGetPhysicalDeviceMemoryProperties(ctx->physical_, &ctx->memory_);

  VkPhysicalDevicePushDescriptorPropertiesKHR push_props{
      VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PUSH_DESCRIPTOR_PROPERTIES_KHR};
  VkPhysicalDeviceMaintenance3Properties maint3{
      VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_MAINTENANCE_3_PROPERTIES, &push_props};
  VkPhysicalDeviceSubgroupProperties subgroup{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SUBGROUP_PROPERTIES,
                                              &maint3};
  VkPhysicalDeviceProperties2 props2{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2, &subgroup};
  vkGetPhysicalDeviceProperties2(ctx->physical_, &props2);
  ctx->subgroup_size_ = subgroup.subgroupSize;
  ctx->max_allocation_size_ = maint3.maxMemoryAllocationSize;
  ctx->max_push_descriptors_ = push_props.maxPushDescriptors;

  ctx->queue_family_ = static_cast<uint32_t>(pick_queue_family(ctx->physical_));
  {
    uint32_t n = 0;
    vkGetPhysicalDeviceQueueFamilyProperties(ctx->physical_, &n, nullptr);
    std::vector<VkQueueFamilyProperties> families(n);
    vkGetPhysicalDeviceQueueFamilyProperties(ctx->physical_, &n, families.data());
    ctx->timestamp_valid_bits_ = families[ctx->queue_family_].timestampValidBits;
  }

  const float priority = 1.0f;
  VkDeviceQueueCreateInfo queue_info{VK_STRUCTURE_TYPE_DEVICE_QUEUE_CREATE_INFO};
  queue_info.queueFamilyIndex = ctx->queue_family_;
  queue_info.queueCount = 1;
  queue_info.pQueuePriorities = &priority;
  std::vector<const char*> device_extensions(std::begin(kRequiredDeviceExtensions),
                                             std::end(kRequiredDeviceExtensions));
  device_extensions.insert(device_extensions.end(), options.device_extensions.begin(),
                           options.device_extensions.end());
  VkDeviceCreateInfo device_info{VK_STRUCTURE_TYPE_DEVICE_CREATE_INFO};
  device_info.queueCreateInfoCount = 1;
  device_info.pQueueCreateInfos = &queue_info;
  device_info.enabledExtensionCount = static_cast<uint32_t>(device_extensions.size());
  device_info.ppEnabledExtensionNames = device_extensions.data();
  VkDevice device = VK_NULL_HANDLE;
  GT_VK_CHECK(vkCreateDevice(ctx->physical_, &device_info, nullptr, &device));
  volkLoadDevice(device);  // vkDestroyDevice too, which the owner calls
  ctx->device_ = Device(device);
  vkGetDeviceQueue(device, ctx->queue_family_, 0, &ctx->queue_);

  VkCommandPoolCreateInfo pool_info{VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO};
  pool_info.flags = VK_COMMAND_POOL_CREATE_RESET_COMMAND_BUFFER_BIT;
  pool_info.queueFamilyIndex = ctx->queue_family_;
  VkCommandPool pool = VK_NULL_HANDLE;
  GT_VK_CHECK(vkCreateCommandPool(device, &pool_info, nullptr, &pool));
  ctx->pool_ = CommandPool(device, pool);
  VkFenceCreateInfo fence_info{VK_STRUCTURE_TYPE_FENCE_CREATE_INFO};
  VkFence fence = VK_NULL_HANDLE;
  GT_VK_CHECK(vkCreateFence(device, &fence_info, nullptr, &fence));
  ctx->one_shot_fence_ = Fence(device, fence);
  // Not the instance, the physical device, the debug messenger (nor the window's surface): the
  // loader and the layer hand out their own handles for those, and the device-level
  // vkSetDebugUtilsObjectNameEXT volk calls goes past the loader's unwrapping to the driver
  // (lavapipe crashes on them).
  ctx->name(device, VK_OBJECT_TYPE_DEVICE, "device: " + ctx->info_.name);
  ctx->name(ctx->queue_, VK_OBJECT_TYPE_QUEUE, "main queue");
  ctx->name(pool, VK_OBJECT_TYPE_COMMAND_POOL, "main command pool");
  ctx->name(fence, VK_OBJECT_TYPE_FENCE, "one-shot fence");
  return ctx;
}

Context::~Context() {
  if (device_) vkDeviceWaitIdle(device_.handle());
}

uint64_t Context::device_local_heap_size() const {
  uint64_t best = 0;
  for (uint32_t i = 0; i < memory_.memoryHeapCount; ++i)
    if (memory_.memoryHeaps[i].flags & VK_MEMORY_HEAP_DEVICE_LOCAL_BIT)
      best = std::max<uint64_t>(best, memory_.memoryHeaps[i].size);
  return best;
}

void Context::set_name(VkObjectType type, uint64_t handle, const std::string& n) const {
  if (!debug_utils_ || !vkSetDebugUtilsObjectNameEXT) return;
  VkDebugUtilsObjectNameInfoEXT info{VK_STRUCTURE_TYPE_DEBUG_UTILS_OBJECT_NAME_INFO_EXT};
  info.objectType = type;
  info.objectHandle = handle;
  info.pObjectName = n.c_str();
  vkSetDebugUtilsObjectNameEXT(device(), &info);
  std::lock_guard lock(names_mutex_);
  names_[{type, handle}] = n;
}

std::vector<std::string> Context::names_of(VkObjectType type) const {
  std::lock_guard lock(names_mutex_);
  std::vector<std::string> out;
  for (const auto& [key, n] : names_)
    if (key.first == type) out.push_back(n);
  return out;
}

std::vector<std::string> Context::validation_messages() const {
  std::lock_guard lock(messages_mutex_);
  return messages_;
}

size_t Context::validation_message_count() const {
  std::lock_guard lock(messages_mutex_);
  return messages_.size();
}

void Context::clear_validation_messages() {
  std::lock_guard lock(messages_mutex_);
  messages_.clear();
}

VkBool32 Context::on_message(VkDebugUtilsMessageSeverityFlagBitsEXT severity,
                             VkDebugUtilsMessageTypeFlagsEXT,
                             const VkDebugUtilsMessengerCallbackDataEXT* data, void* user) {
  auto* ctx = static_cast<Context*>(user);
  std::string text =
      (severity & VK_DEBUG_UTILS_MESSAGE_SEVERITY_ERROR_BIT_EXT) ? "error: " : "warning: ";
  text += data->pMessage ? data->pMessage : "(no message)";
  std::fprintf(stderr, "gradtower: validation %s\n", text.c_str());
  if (ctx->on_validation_message_) ctx->on_validation_message_(text);
  std::lock_guard lock(ctx->messages_mutex_);
  ctx->messages_.push_back(std::move(text));
  return VK_FALSE;
}

CommandBuffer Context::allocate_command_buffer(const std::string& name) const {
  VkCommandBufferAllocateInfo alloc{VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO};
  alloc.commandPool = command_pool();
  alloc.level = VK_COMMAND_BUFFER_LEVEL_PRIMARY;
  alloc.commandBufferCount = 1;
  VkCommandBuffer cmd = VK_NULL_HANDLE;
  GT_VK_CHECK(vkAllocateCommandBuffers(device(), &alloc, &cmd));
  CommandBuffer owned(device(), command_pool(), cmd);
  if (!name.empty()) this->name(cmd, VK_OBJECT_TYPE_COMMAND_BUFFER, name);
  return owned;
}

CommandBuffer Context::begin_one_shot() {
  CommandBuffer cmd = allocate_command_buffer("one-shot commands");
  VkCommandBufferBeginInfo begin{VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO};
  begin.flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT;
  GT_VK_CHECK(vkBeginCommandBuffer(cmd.handle(), &begin));
  return cmd;
}

void Context::end_one_shot(VkCommandBuffer cmd) {
  GT_VK_CHECK(vkEndCommandBuffer(cmd));
  VkSubmitInfo submit{VK_STRUCTURE_TYPE_SUBMIT_INFO};
  submit.commandBufferCount = 1;
  submit.pCommandBuffers = &cmd;
  GT_VK_CHECK(vkResetFences(device(), 1, one_shot_fence_.address()));
  GT_VK_CHECK(vkQueueSubmit(queue_, 1, &submit, one_shot_fence_.handle()));
  wait_for(one_shot_fence_.handle());
}

void Context::wait_for(VkFence fence) const {
  const VkResult r = GT_VK_CALL(vkWaitForFences(device(), 1, &fence, VK_TRUE, UINT64_MAX));
  if (r == VK_SUCCESS) return;
  vkQueueWaitIdle(queue_);  // the submission may still be running
  fail("vkWaitForFences", r, __FILE__, __LINE__);
}

}  // namespace gt::vk
