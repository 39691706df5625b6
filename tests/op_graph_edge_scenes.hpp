// Edge graphs of the op list at the fused kernels' limits (review of fuse()): the GPU against
// the reference on each (test_gpu_blocks.cpp). Output 3, input 5, as graph_scene_text.
#pragma once

#include <vector>

#include "op_graph_scenes.hpp"

namespace gt::test {

inline const std::vector<GraphCase>& edge_graph_cases() {
  static const std::vector<GraphCase> cases = {
      // Depth 0: the output layer is the only layer (no dX pass, no hidden activations).
      {"single_dense", R"(
[[network.op]]
kind = "dense"
units = 3
activation = "tanh"
)"},
      // A skip ending at a normalized layer that starts the next skip (source == previous end),
      // which ends at the last hidden layer, right before the output.
      {"chained_into_last_hidden", R"(
[[network.op]]
kind = "dense"
units = 7
activation = "tanh"
name = "a"
[[network.op]]
kind = "dense"
units = 7
[[network.op]]
kind = "layer_norm"
activation = "relu"
[[network.op]]
kind = "residual_add"
from = "a"
name = "b"
[[network.op]]
kind = "dense"
units = 7
activation = "tanh"
[[network.op]]
kind = "residual_add"
from = "b"
[[network.op]]
kind = "dense"
units = 3
)"},
      // A normalized skip start wider than a workgroup (70 > 64), a norm on the last hidden
      // layer, and blocks of different widths with a wider layer inside a narrower block.
      {"wide_norm_start_and_widths", R"(
[[network.op]]
kind = "dense"
units = 70
[[network.op]]
kind = "batch_norm"
activation = "tanh"
name = "s"
[[network.op]]
kind = "dense"
units = 70
activation = "gelu"
[[network.op]]
kind = "dense"
units = 70
[[network.op]]
kind = "layer_norm"
activation = "tanh"
[[network.op]]
kind = "residual_add"
from = "s"
[[network.op]]
kind = "dense"
units = 6
activation = "tanh"
name = "n"
[[network.op]]
kind = "dense"
units = 81
activation = "sigmoid"
[[network.op]]
kind = "dense"
units = 6
[[network.op]]
kind = "batch_norm"
activation = "gelu"
[[network.op]]
kind = "residual_add"
from = "n"
[[network.op]]
kind = "dense"
units = 5
[[network.op]]
kind = "batch_norm"
activation = "sigmoid"
[[network.op]]
kind = "dense"
units = 3
)"},
      // Span-1 skips in a repeat (from = "block"), each layer both ends and starts one.
      {"repeat_span_one", R"(
[[network.op]]
kind = "dense"
units = 9
activation = "tanh"
[[network.op]]
kind = "repeat"
times = 3
ops = [{ kind = "dense", units = 9, activation = "relu" },
       { kind = "residual_add", from = "block" }]
[[network.op]]
kind = "dense"
units = 3
)"},
      // Chains of skips of different widths around each other: X_1 -> X_3 (100 wide), X_2 -> X_4
      // -> X_7 (52), X_5 -> X_6 (60). A chain's links share one place (X_4's epilogue reads the
      // one and writes the other in place); placed link by link, they overlapped in part.
      {"chains_of_other_widths", R"(
[[network.op]]
kind = "dense"
units = 100
activation = "tanh"
name = "a"
[[network.op]]
kind = "dense"
units = 52
activation = "tanh"
name = "b"
[[network.op]]
kind = "dense"
units = 100
activation = "tanh"
[[network.op]]
kind = "residual_add"
from = "a"
[[network.op]]
kind = "dense"
units = 52
activation = "tanh"
[[network.op]]
kind = "residual_add"
from = "b"
name = "c"
[[network.op]]
kind = "dense"
units = 60
activation = "tanh"
name = "d"
[[network.op]]
kind = "dense"
units = 60
activation = "tanh"
[[network.op]]
kind = "residual_add"
from = "d"
[[network.op]]
kind = "dense"
units = 52
activation = "tanh"
[[network.op]]
kind = "residual_add"
from = "c"
[[network.op]]
kind = "dense"
units = 3
)"},
  };
  return cases;
}

}  // namespace gt::test
