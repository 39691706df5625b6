// The GPU side of an op kind: what one op of a weight layer records into the training step,
// forward and backward (its dispatches and the barrier after each). One file per kind under
// gpu/ops/, one line in op_kernels.cpp; the step (network_step.cpp) runs a layer's ops in graph
// order forward and in reverse backward, and knows no kind.
//
// Where an op runs (ops::FusedLayer) decides what it is given:
// - fused: dense (the GEMM, with the activation and a residual add fused in its epilogue) and a
//   norm right after a linear dense (normalizing the layer's Z in place). They get
//   Network::fused_bindings(layer): every buffer of the layer (its parameter segment, input and
//   output activations, the error signals, the skip, its N-hat and statistics).
// - post: an op run after its layer, in its own dispatches (gpu/post_op.hpp).
// Each pipeline pushes only the bindings its shader declares (vk::ComputePipeline), so an op is
// given everything and takes what it reads.
#pragma once

#include <memory>

#include "gpu/plan.hpp"
#include "ops/op.hpp"
#include "vk/compute.hpp"

namespace gt::vk {
class Context;
}

namespace gt::gpu {

// GEMM kernel variants: "texel" (register tiles over texel fetches, no shared memory; fastest
// on CPU drivers such as lavapipe) and "shared" (shared-memory tiles; for GPUs).
enum class Kernels { automatic, texel, shared };

enum class Placement { fused, post };

class OpKernels {
 public:
  virtual ~OpKernels() = default;
  // Layer `layer`'s op, forward: after the ops before it in the layer; its last barrier makes its
  // writes visible to the step's next dispatch.
  virtual void forward(VkCommandBuffer cmd, const vk::Bindings& b, const Plan& plan,
                       uint32_t layer) const = 0;
  // Backward: given dL/d its output (where the plan put it), dL/d its input and its parameters'
  // gradients.
  virtual void backward(VkCommandBuffer cmd, const vk::Bindings& b, const Plan& plan,
                        uint32_t layer) const = 0;
  // Rough relative times (a layer's forward GEMM is 1), for cutting a step into live-view pieces.
  virtual float forward_cost() const = 0;
  virtual float backward_cost() const = 0;
};

// The kernels of a kind at a placement, in the variant asked (fused kinds with a GEMM have two;
// never Kernels::automatic). Throws std::logic_error for a kind with no kernels there
// (residual_add runs inside dense's epilogue and has none of its own).
std::unique_ptr<OpKernels> make_op_kernels(ops::Kind kind, Placement where, const vk::Context& ctx,
                                           Kernels variant);

}  // namespace gt::gpu
