// A layer_norm run after its layer on the GPU (gpu/ops/layer_norm.cpp, compute_shaders/
// post_layer_norm_*.comp): pre-norm and post-norm blocks against the op-by-op CPU reference
// (post_op_step.hpp), on both kernel variants.
#include <gtest/gtest.h>

#include <string>
#include <tuple>
#include <vector>

#include "gpu_fixture.hpp"
#include "post_op_step.hpp"

namespace gt {
namespace {

using test::Case;
using test::check_step;
using test::scene_of;

// Post-norm (Xiong et al. 2020's Post-LN, LN(x + f(x))): a layer_norm after a fused residual add,
// run by its own kernels (gpu/ops/layer_norm.cpp). Blocks from the previous block's norm; 70-wide
// blocks (more neurons than a workgroup's invocations: dgamma's loop).
const std::vector<Case>& post_norm_cases() {
  static const std::vector<Case> c = {
      {"post_norm_blocks", R"(
[[network.op]]
kind = "dense"
units = 6
activation = "tanh"
[[network.op]]
kind = "repeat"
times = 3
ops = [ { kind = "dense", units = 6, activation = "gelu" },
        { kind = "residual_add", from = "block" },
        { kind = "layer_norm" } ]
[[network.op]]
kind = "dense"
units = 3
)"},
      {"post_norm_wide", R"(
[[network.op]]
kind = "dense"
units = 70
activation = "tanh"
name = "stem"
[[network.op]]
kind = "dense"
units = 70
activation = "relu"
[[network.op]]
kind = "residual_add"
from = "stem"
[[network.op]]
kind = "layer_norm"
name = "a"
[[network.op]]
kind = "dense"
units = 70
activation = "sigmoid"
[[network.op]]
kind = "residual_add"
from = "a"
[[network.op]]
kind = "layer_norm"
[[network.op]]
kind = "dense"
units = 2
)"},
      // Pre-norm (Xiong et al.'s Pre-LN, x + f(LN(x))): the skip starts before the norm. A linear
      // stem (its norm would fuse, but the skip reads the value before it), two-layer branches.
      {"pre_norm_blocks", R"(
[[network.op]]
kind = "dense"
units = 6
[[network.op]]
kind = "repeat"
times = 3
ops = [ { kind = "layer_norm" },
        { kind = "dense", units = 9, activation = "relu" },
        { kind = "dense", units = 6 },
        { kind = "residual_add", from = "block" } ]
[[network.op]]
kind = "dense"
units = 3
)"},
      // A nonlinear stem then its norm (no skip); pre-norm 70-wide blocks ending in a final norm.
      {"pre_norm_wide_and_final_norm", R"(
[[network.op]]
kind = "dense"
units = 70
activation = "tanh"
[[network.op]]
kind = "layer_norm"
[[network.op]]
kind = "dense"
units = 70
name = "x"
[[network.op]]
kind = "layer_norm"
[[network.op]]
kind = "dense"
units = 70
activation = "gelu"
[[network.op]]
kind = "residual_add"
from = "x"
[[network.op]]
kind = "layer_norm"
[[network.op]]
kind = "dense"
units = 2
)"},
      // A normalized layer followed by a layer_norm of its own kernels: each keeps its own N-hat
      // and rstd. Post-norm after a batch-normalized branch; pre-norm after a layer-normalized
      // stem (the skip reads the value between the two norms).
      {"normalized_then_post_norm", R"(
[[network.op]]
kind = "dense"
units = 6
activation = "tanh"
[[network.op]]
kind = "repeat"
times = 2
ops = [ { kind = "dense", units = 6 },
        { kind = "batch_norm", activation = "gelu" },
        { kind = "residual_add", from = "block" },
        { kind = "layer_norm" } ]
[[network.op]]
kind = "dense"
units = 3
)"},
      {"normalized_then_pre_norm_wide", R"(
[[network.op]]
kind = "dense"
units = 70
[[network.op]]
kind = "layer_norm"
activation = "tanh"
name = "x"
[[network.op]]
kind = "layer_norm"
[[network.op]]
kind = "dense"
units = 70
activation = "gelu"
[[network.op]]
kind = "residual_add"
from = "x"
[[network.op]]
kind = "dense"
units = 2
)"},
      // A pre-norm block nested in a plain residual one: the inner skip is taken before the
      // layer_norm, the outer spans both.
      {"pre_norm_inside_a_skip", R"(
[[network.op]]
kind = "dense"
units = 6
activation = "tanh"
name = "outer"
[[network.op]]
kind = "dense"
units = 6
name = "inner"
[[network.op]]
kind = "layer_norm"
[[network.op]]
kind = "dense"
units = 6
activation = "gelu"
[[network.op]]
kind = "residual_add"
from = "inner"
[[network.op]]
kind = "dense"
units = 6
activation = "tanh"
[[network.op]]
kind = "residual_add"
from = "outer"
[[network.op]]
kind = "dense"
units = 3
)"},
  };
  return c;
}

class PostNormStep : public test::GpuTest,
                     public ::testing::WithParamInterface<std::tuple<Case, gpu::Kernels>> {};

TEST_P(PostNormStep, MatchesTheOpReference) {
  check_step(scene_of(std::get<0>(GetParam())), std::get<1>(GetParam()), 0);
}

INSTANTIATE_TEST_SUITE_P(PostNorm, PostNormStep,
                         ::testing::Combine(::testing::ValuesIn(post_norm_cases()),
                                            ::testing::Values(gpu::Kernels::texel,
                                                              gpu::Kernels::shared)),
                         [](const auto& p) {
                           return std::get<0>(p.param).name + "_" +
                                  gpu::to_string(std::get<1>(p.param));
                         });

}  // namespace
}  // namespace gt
