#include "gpu/op_kernels.hpp"

#include <stdexcept>
#include <string>
#include <tuple>
#include <vector>

namespace gt::gpu {

using MakeKernels = std::unique_ptr<OpKernels> (*)(const vk::Context&, Kernels);

// Each kind's kernels (gpu/ops/KIND.cpp), one line a kind and placement.
std::unique_ptr<OpKernels> make_dense_kernels(const vk::Context&, Kernels);
std::unique_ptr<OpKernels> make_norm_kernels(const vk::Context&, Kernels);
std::unique_ptr<OpKernels> make_rezero_kernels(const vk::Context&, Kernels);
std::unique_ptr<OpKernels> make_post_layer_norm_kernels(const vk::Context&, Kernels);
std::unique_ptr<OpKernels> make_rnn_kernels(const vk::Context&, Kernels);

std::unique_ptr<OpKernels> make_op_kernels(ops::Kind kind, Placement where, const vk::Context& ctx,
                                           Kernels variant) {
  static const std::vector<std::tuple<ops::Kind, Placement, MakeKernels>> kinds{
      // {ops::Kind::KIND, Placement::..., make_KIND_kernels},
      {ops::Kind::dense, Placement::fused, make_dense_kernels},
      {ops::Kind::batch_norm, Placement::fused, make_norm_kernels},
      {ops::Kind::layer_norm, Placement::fused, make_norm_kernels},
      {ops::Kind::rezero, Placement::post, make_rezero_kernels},
      {ops::Kind::layer_norm, Placement::post, make_post_layer_norm_kernels},
      {ops::Kind::rnn, Placement::fused, make_rnn_kernels},
  };
  if (variant == Kernels::automatic)
    throw std::logic_error("gpu: op kernels need a resolved variant (texel or shared)");
  for (const auto& [k, w, make] : kinds)
    if (k == kind && w == where) return make(ctx, variant);
  throw std::logic_error("gpu: no kernels for op kind " + std::string(ops::to_string(kind)) +
                         (where == Placement::fused ? " (fused)" : " (after its layer)"));
}

}  // namespace gt::gpu
