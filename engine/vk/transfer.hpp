// Host <-> device copies through temporary staging buffers. Each call is one submission that the
// host waits for: for set-up, tests and on-demand readback, never inside the training step.
#pragma once

#include <cstdint>
#include <cstring>
#include <span>
#include <vector>

#include "vk/buffer.hpp"

namespace gt::vk {

class Context;

void upload(Context& ctx, const Buffer& dst, uint64_t offset, std::span<const std::byte> data);
void fill_zero(Context& ctx, const Buffer& dst);
std::vector<std::byte> download(Context& ctx, const Buffer& src, uint64_t offset, uint64_t size);

template <typename T>
void upload_span(Context& ctx, const Buffer& dst, uint64_t offset, std::span<const T> data) {
  upload(ctx, dst, offset, std::as_bytes(data));
}

template <typename T>
std::vector<T> download_as(Context& ctx, const Buffer& src, uint64_t offset, uint64_t count) {
  std::vector<std::byte> bytes = download(ctx, src, offset, count * sizeof(T));
  std::vector<T> out(count);
  std::memcpy(out.data(), bytes.data(), bytes.size());
  return out;
}

}  // namespace gt::vk
