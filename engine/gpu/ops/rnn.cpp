// rnn's kernels (compute_shaders/rnn_forward.comp, rnn_backward.comp; the CPU reference is
// ops/rnn.cpp), unrolled over the layer's time steps inside the op. Forward: one dispatch
// projects every step's input (x_t W_ih^T + b_ih + b_hh for all t at once), then one per step
// adds h_{t-1} W_hh^T and applies the activation (the recurrence is sequential: step t reads
// step t - 1). Backward through time: one dispatch per step from t = steps down to 1 (dL/dh_t,
// dL/dz_t and step t's per-unit figures), then one for every gradient at once (the tied weights'
// sums over all steps are GEMMs over steps x batch rows) and one for the per-time figures.
// 2 steps + 3 dispatches in all; one variant (both kernel choices run these).
#include "gpu/op_kernels.hpp"

namespace gt::gpu {
namespace {

using shared::GT_WG_SIZE;
using shared::PushConstants;

class RnnKernels final : public OpKernels {
 public:
  explicit RnnKernels(const vk::Context& ctx)
      : forward_(ctx, "rnn_forward"), backward_(ctx, "rnn_backward") {}

  void forward(VkCommandBuffer cmd, const vk::Bindings& b, const Plan& plan,
               uint32_t layer) const override {
    const shared::LayerDesc& d = plan.layers[layer];
    vk::dispatch(cmd, forward_, b, PushConstants{layer, 0, 0, 0},
                 div_up(plan.batch_pad * d.ld_out, GT_WG_SIZE), d.steps);
    const uint32_t units = div_up(d.ld_out / shared::GT_VEC, GT_WG_SIZE);
    for (uint32_t t = 1; t <= d.steps; ++t) {
      // Step t reads the projection of its input and h_{t-1}, which the dispatch before wrote.
      vk::compute_barrier(cmd);
      vk::dispatch(cmd, forward_, b, PushConstants{layer, t, 0, 1}, units,
                   plan.batch_pad / shared::GT_VEC);
    }
    // The next layer reads h_steps (X_out); the backward reads every hidden state.
    vk::compute_barrier(cmd);
  }

  void backward(VkCommandBuffer cmd, const vk::Bindings& b, const Plan& plan,
                uint32_t layer) const override {
    const shared::LayerDesc& d = plan.layers[layer];
    const uint32_t units = div_up(d.ld_out / shared::GT_VEC, GT_WG_SIZE);
    for (uint32_t t = d.steps; t >= 1; --t) {
      vk::dispatch(cmd, backward_, b, PushConstants{layer, t, 0, 1}, units,
                   plan.batch_pad / shared::GT_VEC);
      // Step t - 1 reads dL/dz_t, written here.
      vk::compute_barrier(cmd);
    }
    // The gradients and the per-time figures both read only what the steps wrote: no barrier
    // between them.
    vk::dispatch(cmd, backward_, b, PushConstants{layer, 0, 0, 2}, d.dw_tiles + d.col_groups);
    vk::dispatch(cmd, backward_, b, PushConstants{layer, 0, 0, 3}, d.steps);
    // The update and gradnorm read the gradients and their partials; finalize the figures.
    vk::compute_barrier(cmd);
  }

  float forward_cost() const override { return 4; }
  float backward_cost() const override { return 12; }

 private:
  vk::ComputePipeline forward_, backward_;
};

}  // namespace

std::unique_ptr<OpKernels> make_rnn_kernels(const vk::Context& ctx, Kernels) {
  return std::make_unique<RnnKernels>(ctx);
}

}  // namespace gt::gpu
