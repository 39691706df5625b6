#include "vk/transfer.hpp"

#include <cstring>

#include "vk/check.hpp"
#include "vk/context.hpp"

namespace gt::vk {
namespace {

// Orders earlier shader and transfer writes (any submission) before this submission's copies,
// and this submission's writes before any later shader or transfer access.
void full_barrier(VkCommandBuffer cmd) {
  VkMemoryBarrier barrier{VK_STRUCTURE_TYPE_MEMORY_BARRIER};
  barrier.srcAccessMask = VK_ACCESS_SHADER_WRITE_BIT | VK_ACCESS_TRANSFER_WRITE_BIT;
  barrier.dstAccessMask = VK_ACCESS_SHADER_READ_BIT | VK_ACCESS_SHADER_WRITE_BIT |
                          VK_ACCESS_TRANSFER_READ_BIT | VK_ACCESS_TRANSFER_WRITE_BIT |
                          VK_ACCESS_UNIFORM_READ_BIT;
  vkCmdPipelineBarrier(cmd, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT | VK_PIPELINE_STAGE_TRANSFER_BIT,
                       VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT | VK_PIPELINE_STAGE_TRANSFER_BIT, 0, 1,
                       &barrier, 0, nullptr, 0, nullptr);
}

}  // namespace

void upload(Context& ctx, const Buffer& dst, uint64_t offset, std::span<const std::byte> data) {
  if (data.empty()) return;
  Buffer staging(ctx, data.size(), VK_BUFFER_USAGE_TRANSFER_SRC_BIT, MemoryUse::upload,
                 "staging upload");
  std::memcpy(staging.mapped(), data.data(), data.size());
  ctx.submit_and_wait([&](VkCommandBuffer cmd) {
    full_barrier(cmd);
    VkBufferCopy region{0, offset, data.size()};
    vkCmdCopyBuffer(cmd, staging.handle(), dst.handle(), 1, &region);
    full_barrier(cmd);
  });
}

void fill_zero(Context& ctx, const Buffer& dst) {
  ctx.submit_and_wait([&](VkCommandBuffer cmd) {
    full_barrier(cmd);
    vkCmdFillBuffer(cmd, dst.handle(), 0, VK_WHOLE_SIZE, 0);
    full_barrier(cmd);
  });
}

std::vector<std::byte> download(Context& ctx, const Buffer& src, uint64_t offset, uint64_t size) {
  std::vector<std::byte> out(size);
  if (size == 0) return out;
  Buffer staging(ctx, size, VK_BUFFER_USAGE_TRANSFER_DST_BIT, MemoryUse::readback,
                 "staging readback");
  ctx.submit_and_wait([&](VkCommandBuffer cmd) {
    full_barrier(cmd);
    VkBufferCopy region{offset, 0, size};
    vkCmdCopyBuffer(cmd, src.handle(), staging.handle(), 1, &region);
    // The copy's writes must be visible to the host once the fence signals.
    VkMemoryBarrier to_host{VK_STRUCTURE_TYPE_MEMORY_BARRIER};
    to_host.srcAccessMask = VK_ACCESS_TRANSFER_WRITE_BIT;
    to_host.dstAccessMask = VK_ACCESS_HOST_READ_BIT;
    vkCmdPipelineBarrier(cmd, VK_PIPELINE_STAGE_TRANSFER_BIT, VK_PIPELINE_STAGE_HOST_BIT, 0, 1,
                         &to_host, 0, nullptr, 0, nullptr);
  });
  std::memcpy(out.data(), staging.mapped(), size);
  return out;
}

}  // namespace gt::vk
