#include <cstdio>
#include <cstdlib>
#include <string>
#include <utility>

#include "cli.hpp"
#include "gpu/plan.hpp"

namespace gt::cli {

void add_device_flags(CLI::App* app, DeviceFlags& flags) {
  app->add_option("--device", flags.device,
                  "Device index or name substring (default: discrete > integrated > CPU)");
  app->add_flag("--validation", flags.validation,
                "Enable the Khronos validation layer; any message makes the run fail (exit 3). "
                "Also on when GT_VALIDATION=1");
}

void add_kernel_flag(CLI::App* app, DeviceFlags& flags) {
  app->add_option("--kernels", flags.kernels,
                  "GEMM kernels: texel (register tiles, for CPU drivers), shared (shared-memory "
                  "tiles, for GPUs) or auto (by device type)")
      ->check(CLI::IsMember({"auto", "texel", "shared"}));
}

std::unique_ptr<vk::Context> make_context(const DeviceFlags& flags,
                                          std::vector<const char*> instance_extensions,
                                          std::vector<const char*> device_extensions) {
  vk::ContextOptions o;
  o.instance_extensions = std::move(instance_extensions);
  o.device_extensions = std::move(device_extensions);
  o.device = flags.device;
  const char* env = std::getenv("GT_VALIDATION");
  o.validation = flags.validation || (env && std::string(env) == "1");
  return vk::Context::create(o);
}

int validation_exit_code(const vk::Context& ctx) {
  const size_t n = ctx.validation_message_count();
  if (n == 0) return 0;
  std::fprintf(stderr, "gradtower: the validation layer reported %zu message(s); failing the run\n",
               n);
  return 3;
}

int run_info(const DeviceFlags& flags) {
  std::printf("Vulkan devices:\n");
  for (const vk::DeviceInfo& d : vk::Context::list_devices())
    std::printf("  %u: %s (%s, Vulkan %u.%u)%s%s\n", d.index, d.name.c_str(),
                vk::device_type_name(d.type), VK_API_VERSION_MAJOR(d.api_version),
                VK_API_VERSION_MINOR(d.api_version),
                d.usable ? "" : " unusable: ", d.unusable_reason.c_str());
  auto ctx = make_context(flags);
  const VkPhysicalDeviceLimits& l = ctx->limits();
  std::printf("chosen: %u: %s\n", ctx->info().index, ctx->info().name.c_str());
  std::printf("  max storage buffer range   %s\n",
              gpu::format_bytes(l.maxStorageBufferRange).c_str());
  std::printf("  max memory allocation      %s\n",
              gpu::format_bytes(ctx->max_allocation_size()).c_str());
  std::printf("  max texel buffer elements  %u\n", l.maxTexelBufferElements);
  std::printf("  max workgroup count        %u x %u x %u\n", l.maxComputeWorkGroupCount[0],
              l.maxComputeWorkGroupCount[1], l.maxComputeWorkGroupCount[2]);
  std::printf("  max workgroup invocations  %u\n", l.maxComputeWorkGroupInvocations);
  std::printf("  max shared memory          %u bytes\n", l.maxComputeSharedMemorySize);
  std::printf("  max push descriptors       %u\n", ctx->max_push_descriptors());
  std::printf("  subgroup size              %u\n", ctx->subgroup_size());
  std::printf("  timestamp period           %g ns (%u valid bits)\n", double(l.timestampPeriod),
              ctx->timestamp_valid_bits());
  const VkPhysicalDeviceMemoryProperties& m = ctx->memory();
  for (uint32_t i = 0; i < m.memoryHeapCount; ++i)
    std::printf(
        "  heap %u                     %s%s\n", i, gpu::format_bytes(m.memoryHeaps[i].size).c_str(),
        (m.memoryHeaps[i].flags & VK_MEMORY_HEAP_DEVICE_LOCAL_BIT) ? " (device local)" : "");
  return validation_exit_code(*ctx);
}

}  // namespace gt::cli
