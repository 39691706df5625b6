#include "gpu/post_op.hpp"

#include <stdexcept>
#include <string>
#include <vector>

namespace gt::gpu {

using MakeKernels = std::unique_ptr<PostOpKernels> (*)(const vk::Context&,
                                                       const vk::ComputeLayout&);

// Each kind's kernels (gpu/ops/KIND.cpp), one line a kind.
std::unique_ptr<PostOpKernels> make_rezero_kernels(const vk::Context&, const vk::ComputeLayout&);
std::unique_ptr<PostOpKernels> make_post_layer_norm_kernels(const vk::Context&,
                                                            const vk::ComputeLayout&);

std::unique_ptr<PostOpKernels> make_post_op_kernels(ops::Kind kind, const vk::Context& ctx,
                                                    const vk::ComputeLayout& layout) {
  static const std::vector<std::pair<ops::Kind, MakeKernels>> kinds{
      // {ops::Kind::KIND, make_KIND_kernels},
      {ops::Kind::rezero, make_rezero_kernels},
      {ops::Kind::layer_norm, make_post_layer_norm_kernels},
  };
  for (const auto& [k, make] : kinds)
    if (k == kind) return make(ctx, layout);
  throw std::logic_error("gpu: no kernels for op kind " + std::string(ops::to_string(kind)));
}

}  // namespace gt::gpu
