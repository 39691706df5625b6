// The GPU side of an op run after its weight layer (FusedLayer::post: a kind of ops::Role::post
// such as rezero, or a layer_norm that fuse() places there for pre- and post-norm): kernels that
// run after the layer, in their own dispatches, and reach the layer only through its LayerDesc (the
// post_* fields the plan fills: the op's parameters after the layer's in its block, its second
// input, the delta it turns into the layer's dL/dZ, its N-hat and statistics, its partial sums
// for the gradient norm). The optimizer, clipping, the gradient norm and checkpoints cover its
// parameters with no code of its own. One file per kind under gpu/ops/, one line in
// op_kernels.cpp.
//
// Its OpKernels get Network::post_bindings(layer): the layer's fused bindings (GT_BIND_LAYER at
// `layer`; PARAMS and GRADS of the layer's segment, X_OUT and Z_OUT its output, DELTA, PARTIALS,
// SKIP the carry, NORM_STATS, ...) with X_IN the segment of its second input and NHAT its own
// N-hat's. Forward, after the layer's forward (and norm): its output, in place; where that output
// starts a fused skip (GT_FLAG_SKIP_WRITE), that skip tensor too, which the layer's epilogue wrote
// before. Backward, before the layer's backward (and norm backward): from dL/d its output to the
// layer's.
#pragma once

#include <string>

#include "gpu/op_kernels.hpp"

namespace gt::gpu {

// The shape every post kind has so far: forward one dispatch over `groups` workgroups
// (SHADER_forward.comp); backward SHADER_backward.comp twice, phase 0 (push constant `phase`) in
// one workgroup (its parameters' gradients and their (scale, ssq)), then phase 1 over `groups`
// (from dL/d its output to the layer's dL/dZ, in place over what phase 0 read).
class TwoPhasePostOp final : public OpKernels {
 public:
  using Groups = uint32_t (*)(const Plan& plan, uint32_t layer);
  TwoPhasePostOp(const vk::Context& ctx, const std::string& shader, Groups groups);
  void forward(VkCommandBuffer cmd, const vk::Bindings& b, const Plan& plan,
               uint32_t layer) const override;
  void backward(VkCommandBuffer cmd, const vk::Bindings& b, const Plan& plan,
                uint32_t layer) const override;
  // An elementwise pass over the layer's output; backward two.
  float forward_cost() const override { return 0.25f; }
  float backward_cost() const override { return 0.5f; }

 private:
  vk::ComputePipeline forward_, backward_;
  Groups groups_;
};

}  // namespace gt::gpu
