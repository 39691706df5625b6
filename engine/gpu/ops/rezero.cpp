// rezero's kernels (compute_shaders/rezero_forward.comp, rezero_backward.comp; the CPU
// reference is ops/rezero.cpp).
#include "gpu/post_op.hpp"
#include "vk/compute.hpp"

namespace gt::gpu {
namespace {

using namespace gt::shared;

class Rezero final : public PostOpKernels {
 public:
  Rezero(const vk::Context& ctx, const vk::ComputeLayout& layout)
      : forward_(ctx, layout, "rezero_forward"), backward_(ctx, layout, "rezero_backward") {}

  void forward(VkCommandBuffer cmd, const vk::Bindings& b, const Plan& plan,
               uint32_t layer) const override {
    vk::dispatch(cmd, forward_, b, PushConstants{layer, 0, 0, 0}, vectors(plan, layer));
    // The next layer (or the loss) reads the output written here.
    vk::compute_barrier(cmd);
  }

  void backward(VkCommandBuffer cmd, const vk::Bindings& b, const Plan& plan,
                uint32_t layer) const override {
    vk::dispatch(cmd, backward_, b, PushConstants{layer, 0, 0, 0}, 1);
    // Phase 1 overwrites the dL/d output that phase 0 has just read.
    vk::compute_barrier(cmd);
    vk::dispatch(cmd, backward_, b, PushConstants{layer, 0, 0, 1}, vectors(plan, layer));
    // The layer's backward reads the dL/dZ written here; a lower layer's dX the carry.
    vk::compute_barrier(cmd);
  }

 private:
  // Workgroups of one invocation per vec4 of the layer's output.
  static uint32_t vectors(const Plan& plan, uint32_t layer) {
    return div_up(plan.batch_pad * (plan.layers[layer].ld_out / GT_VEC), GT_WG_SIZE);
  }

  vk::ComputePipeline forward_, backward_;
};

}  // namespace

std::unique_ptr<PostOpKernels> make_rezero_kernels(const vk::Context& ctx,
                                                   const vk::ComputeLayout& layout) {
  return std::make_unique<Rezero>(ctx, layout);
}

}  // namespace gt::gpu
