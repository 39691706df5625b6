// dense's kernels (compute_shaders/forward*.comp, backward*.comp; the CPU reference is
// ops/dense.cpp), fused: the forward GEMM writes Z, X = act(Z) (+ the skip at a residual block's
// end) and its activation statistics, one workgroup per 32 x 32 output tile; the backward does dW
// and db tiles, the dX tiles (dL/dX of the previous op, with that op's sink applied: act' of the
// previous layer and the carry, LayerDesc::act_prev / flags_prev) and the per-neuron column
// sums in one dispatch. Two variants: texel (register tiles over texel fetches) and shared
// (shared-memory tiles).
#include "gpu/op_kernels.hpp"

#include <string>

namespace gt::gpu {
namespace {

using shared::GT_WG_TILE;
using shared::PushConstants;

class DenseKernels final : public OpKernels {
 public:
  DenseKernels(const vk::Context& ctx, const std::string& suffix)
      : forward_(ctx, "forward" + suffix), backward_(ctx, "backward" + suffix) {}

  void forward(VkCommandBuffer cmd, const vk::Bindings& b, const Plan& plan,
               uint32_t layer) const override {
    const shared::LayerDesc& d = plan.layers[layer];
    vk::dispatch(cmd, forward_, b, PushConstants{layer, 0, 0, 0}, div_up(d.ld_out, GT_WG_TILE),
                 div_up(plan.batch_pad, GT_WG_TILE));
    // Layer l+1 (or the loss) reads the activations layer l just wrote; a norm layer's
    // normalization reads its Z.
    vk::compute_barrier(cmd);
  }

  void backward(VkCommandBuffer cmd, const vk::Bindings& b, const Plan& plan,
                uint32_t layer) const override {
    const shared::LayerDesc& d = plan.layers[layer];
    vk::dispatch(cmd, backward_, b, PushConstants{layer, 0, 0, 0},
                 d.dw_tiles + d.dx_tiles + d.col_groups);
    // Layer l-1 reads the delta written here; the update reads the gradients.
    vk::compute_barrier(cmd);
  }

  // The forward GEMM is the unit; the backward is two GEMMs and the statistics.
  float forward_cost() const override { return 1; }
  float backward_cost() const override { return 3; }

 private:
  vk::ComputePipeline forward_, backward_;
};

}  // namespace

std::unique_ptr<OpKernels> make_dense_kernels(const vk::Context& ctx, Kernels variant) {
  return std::make_unique<DenseKernels>(ctx, variant == Kernels::shared ? "_shared" : "");
}

}  // namespace gt::gpu
