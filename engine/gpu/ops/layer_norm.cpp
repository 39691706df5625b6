// layer_norm's kernels where it runs after its layer (pre- and post-norm;
// compute_shaders/post_layer_norm_*.comp; the CPU reference is ops/norm.cpp): forward and phase 1
// one invocation per sample. A norm right after a linear dense runs fused instead
// (norm_forward.comp, norm_backward.comp).
#include "gpu/post_op.hpp"

namespace gt::gpu {
namespace {

uint32_t samples(const Plan& plan, uint32_t) {
  return div_up(plan.batch_pad, shared::GT_WG_SIZE);
}

}  // namespace

std::unique_ptr<OpKernels> make_post_layer_norm_kernels(const vk::Context& ctx, Kernels) {
  return std::make_unique<TwoPhasePostOp>(ctx, "post_layer_norm", samples);
}

}  // namespace gt::gpu
