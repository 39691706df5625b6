// rezero's kernels (compute_shaders/rezero_forward.comp, rezero_backward.comp; the CPU
// reference is ops/rezero.cpp): forward and phase 1 one invocation per vec4 of the layer's output.
#include "gpu/post_op.hpp"

namespace gt::gpu {
namespace {

uint32_t vectors(const Plan& plan, uint32_t layer) {
  return div_up(plan.batch_pad * (plan.layers[layer].ld_out / shared::GT_VEC), shared::GT_WG_SIZE);
}

}  // namespace

std::unique_ptr<OpKernels> make_rezero_kernels(const vk::Context& ctx, Kernels) {
  return std::make_unique<TwoPhasePostOp>(ctx, "rezero", vectors);
}

}  // namespace gt::gpu
