// batch_norm's and layer_norm's kernels where they fuse into their layer, right after a linear
// dense (compute_shaders/norm_forward.comp, norm_backward.comp; the CPU reference is ops/norm.cpp):
// forward normalizes the Z the GEMM wrote, in place (Y = gamma N-hat + beta over Z, X = act(Y)),
// one invocation per group (a neuron over the batch, or a sample over the neurons); backward turns
// the dL/dY the next layer's dX left into this layer's dL/dZ, with dgamma and dbeta. One kernel
// pair for both kinds (GT_FLAG_NORM_BATCH / _LAYER pick the group). A layer_norm after its layer
// is a post op (gpu/ops/layer_norm.cpp).
#include "gpu/op_kernels.hpp"

namespace gt::gpu {
namespace {

using shared::GT_FLAG_NORM_LAYER;
using shared::GT_WG_SIZE;
using shared::PushConstants;

class NormKernels final : public OpKernels {
 public:
  explicit NormKernels(const vk::Context& ctx)
      : forward_(ctx, "norm_forward"), backward_(ctx, "norm_backward") {}

  void forward(VkCommandBuffer cmd, const vk::Bindings& b, const Plan& plan,
               uint32_t layer) const override {
    // One workgroup per 64 neurons (batch norm) or samples (layer norm): LayerDesc::act_groups.
    vk::dispatch(cmd, forward_, b, PushConstants{layer, 0, 0, 0}, plan.layers[layer].act_groups);
    // Layer l+1 reads X (and its dX later Y) written here.
    vk::compute_barrier(cmd);
  }

  void backward(VkCommandBuffer cmd, const vk::Bindings& b, const Plan& plan,
                uint32_t layer) const override {
    const shared::LayerDesc& d = plan.layers[layer];
    // Column workgroups (one per 64 neurons), then for layer norm row workgroups (64 samples).
    const uint32_t rows = d.flags & GT_FLAG_NORM_LAYER ? div_up(plan.batch_pad, GT_WG_SIZE) : 0;
    vk::dispatch(cmd, backward_, b, PushConstants{layer, 0, 0, 0},
                 div_up(d.ld_out, GT_WG_SIZE) + rows);
    // Layer l's backward pass reads the dL/dZ written here.
    vk::compute_barrier(cmd);
  }

  float forward_cost() const override { return 0.5f; }
  float backward_cost() const override { return 0.5f; }

 private:
  vk::ComputePipeline forward_, backward_;
};

}  // namespace

std::unique_ptr<OpKernels> make_norm_kernels(const vk::Context& ctx, Kernels) {
  return std::make_unique<NormKernels>(ctx);
}

}  // namespace gt::gpu
