// layer_norm's kernels where it runs as a post op: after a fused residual add (post-norm;
// compute_shaders/post_layer_norm_*.comp; the CPU reference is ops/norm.cpp). A norm right after
// a linear dense runs fused instead (norm_forward.comp, norm_backward.comp).
#include "gpu/post_op.hpp"
#include "vk/compute.hpp"

namespace gt::gpu {
namespace {

using namespace gt::shared;

class PostLayerNorm final : public PostOpKernels {
 public:
  PostLayerNorm(const vk::Context& ctx, const vk::ComputeLayout& layout)
      : forward_(ctx, layout, "post_layer_norm_forward"),
        backward_(ctx, layout, "post_layer_norm_backward") {}

  void forward(VkCommandBuffer cmd, const vk::Bindings& b, const Plan& plan,
               uint32_t layer) const override {
    vk::dispatch(cmd, forward_, b, PushConstants{layer, 0, 0, 0}, samples(plan));
    // The next layer (or the loss) reads the normalized output written here.
    vk::compute_barrier(cmd);
  }

  void backward(VkCommandBuffer cmd, const vk::Bindings& b, const Plan& plan,
                uint32_t layer) const override {
    vk::dispatch(cmd, backward_, b, PushConstants{layer, 0, 0, 0}, 1);
    // Phase 1 overwrites the dL/dY that phase 0 has just read.
    vk::compute_barrier(cmd);
    vk::dispatch(cmd, backward_, b, PushConstants{layer, 0, 0, 1}, samples(plan));
    // The layer's backward reads the dL/dZ written here; the skip's source layer the carry.
    vk::compute_barrier(cmd);
  }

 private:
  // Workgroups of one invocation per sample.
  static uint32_t samples(const Plan& plan) { return div_up(plan.batch_pad, GT_WG_SIZE); }

  vk::ComputePipeline forward_, backward_;
};

}  // namespace

std::unique_ptr<PostOpKernels> make_post_layer_norm_kernels(const vk::Context& ctx,
                                                            const vk::ComputeLayout& layout) {
  return std::make_unique<PostLayerNorm>(ctx, layout);
}

}  // namespace gt::gpu
