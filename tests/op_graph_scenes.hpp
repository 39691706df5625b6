// Networks only the explicit op list can build (shared by the reference's finite-difference
// test and the GPU-vs-reference test): skips of different spans and widths, and norms of both
// kinds with different activations per layer. Sizes are not multiples of the tiles.
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace gt::test {

struct GraphCase {
  std::string name;
  std::string ops;  // the [[network.op]] tables
};

inline void PrintTo(const GraphCase& c, std::ostream* os) {
  *os << c.name;
}

inline const std::vector<GraphCase>& graph_cases() {
  static const std::vector<GraphCase> cases = {
      {"spans_and_widths", R"(
[[network.op]]
kind = "dense"
units = 7
activation = "tanh"
name = "stem"
[[network.op]]
kind = "dense"
units = 7
activation = "tanh"
[[network.op]]
kind = "dense"
units = 7
activation = "sigmoid"
[[network.op]]
kind = "residual_add"
from = "stem"
[[network.op]]
kind = "dense"
units = 6
activation = "gelu"
name = "narrow"
[[network.op]]
kind = "dense"
units = 9
activation = "tanh"
[[network.op]]
kind = "dense"
units = 6
activation = "tanh"
[[network.op]]
kind = "residual_add"
from = "narrow"
[[network.op]]
kind = "dense"
units = 3
)"},
      {"mixed_norms", R"(
[[network.op]]
kind = "dense"
units = 7
[[network.op]]
kind = "batch_norm"
activation = "tanh"
name = "first"
[[network.op]]
kind = "dense"
units = 7
[[network.op]]
kind = "layer_norm"
activation = "gelu"
[[network.op]]
kind = "residual_add"
from = "first"
[[network.op]]
kind = "dense"
units = 5
activation = "sigmoid"
[[network.op]]
kind = "dense"
units = 3
)"},
      // Skips inside skips (each its own tensor on the GPU): a 9-wide skip over a 5-wide one
      // that ends at a layer-normalized layer, and a 6-wide one nested in the outer too.
      {"nested_skips", R"(
[[network.op]]
kind = "dense"
units = 9
activation = "tanh"
name = "outer"
[[network.op]]
kind = "dense"
units = 5
activation = "gelu"
name = "inner"
[[network.op]]
kind = "dense"
units = 5
activation = "tanh"
[[network.op]]
kind = "dense"
units = 5
[[network.op]]
kind = "layer_norm"
activation = "tanh"
[[network.op]]
kind = "residual_add"
from = "inner"
[[network.op]]
kind = "dense"
units = 6
activation = "relu"
name = "second"
[[network.op]]
kind = "dense"
units = 6
activation = "tanh"
[[network.op]]
kind = "residual_add"
from = "second"
[[network.op]]
kind = "dense"
units = 9
activation = "tanh"
[[network.op]]
kind = "residual_add"
from = "outer"
[[network.op]]
kind = "dense"
units = 3
)"},
      // Crossing skips: each of four layers ends the skip from two layers back (a 1-to-3, 2-to-4,
      // 3-to-5, 4-to-6 ladder; dL/dX of each gets two carries' worth of paths), batch-normalized
      // in the middle.
      {"crossing_skips", R"(
[[network.op]]
kind = "dense"
units = 6
activation = "tanh"
name = "x1"
[[network.op]]
kind = "dense"
units = 6
activation = "tanh"
name = "x2"
[[network.op]]
kind = "dense"
units = 6
activation = "tanh"
[[network.op]]
kind = "residual_add"
from = "x1"
name = "x3"
[[network.op]]
kind = "dense"
units = 6
[[network.op]]
kind = "batch_norm"
activation = "gelu"
[[network.op]]
kind = "residual_add"
from = "x2"
name = "x4"
[[network.op]]
kind = "dense"
units = 6
activation = "tanh"
[[network.op]]
kind = "residual_add"
from = "x3"
[[network.op]]
kind = "dense"
units = 6
activation = "sigmoid"
[[network.op]]
kind = "residual_add"
from = "x4"
[[network.op]]
kind = "dense"
units = 3
)"},
  };
  return cases;
}

// A whole scene around a case's ops: teacher data, batch 6, MSE, SGD.
inline std::string graph_scene_text(const GraphCase& c) {
  return "title = \"" + c.name + "\"\n[network]\ninput = 5\nsigma_w = 1.3\nsigma_b = 0.3\n" +
         "seed = 17\n" + c.ops +
         "\n[data]\nkind = \"teacher\"\nbatch = 6\nseed = 5\n[train]\nloss = \"mse\"\n" +
         "optimizer = \"sgd\"\nlr = 0.05\n";
}

}  // namespace gt::test
