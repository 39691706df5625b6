#include "gpu/post_op.hpp"

#include <string>

namespace gt::gpu {

using shared::PushConstants;

TwoPhasePostOp::TwoPhasePostOp(const vk::Context& ctx, const std::string& shader, Groups groups)
    : forward_(ctx, shader + "_forward"), backward_(ctx, shader + "_backward"), groups_(groups) {}

void TwoPhasePostOp::forward(VkCommandBuffer cmd, const vk::Bindings& b, const Plan& plan,
                             uint32_t layer) const {
  vk::dispatch(cmd, forward_, b, PushConstants{layer, 0, 0, 0}, groups_(plan, layer));
  // The next layer (or the loss) reads the output written here.
  vk::compute_barrier(cmd);
}

void TwoPhasePostOp::backward(VkCommandBuffer cmd, const vk::Bindings& b, const Plan& plan,
                              uint32_t layer) const {
  vk::dispatch(cmd, backward_, b, PushConstants{layer, 0, 0, 0}, 1);
  // Phase 1 overwrites the dL/d output that phase 0 has just read.
  vk::compute_barrier(cmd);
  vk::dispatch(cmd, backward_, b, PushConstants{layer, 0, 0, 1}, groups_(plan, layer));
  // The layer's (norm) backward reads the dL/dZ written here; a lower layer's dX the carry.
  vk::compute_barrier(cmd);
}

}  // namespace gt::gpu
