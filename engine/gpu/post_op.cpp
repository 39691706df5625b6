#include "gpu/post_op.hpp"

#include <stdexcept>
#include <string>
#include <vector>

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

using MakeKernels = std::unique_ptr<PostOpKernels> (*)(const vk::Context&);

// Each kind's kernels (gpu/ops/KIND.cpp), one line a kind.
std::unique_ptr<PostOpKernels> make_rezero_kernels(const vk::Context&);
std::unique_ptr<PostOpKernels> make_post_layer_norm_kernels(const vk::Context&);

std::unique_ptr<PostOpKernels> make_post_op_kernels(ops::Kind kind, const vk::Context& ctx) {
  static const std::vector<std::pair<ops::Kind, MakeKernels>> kinds{
      // {ops::Kind::KIND, make_KIND_kernels},
      {ops::Kind::rezero, make_rezero_kernels},
      {ops::Kind::layer_norm, make_post_layer_norm_kernels},
  };
  for (const auto& [k, make] : kinds)
    if (k == kind) return make(ctx);
  throw std::logic_error("gpu: no kernels for op kind " + std::string(ops::to_string(kind)));
}

}  // namespace gt::gpu
