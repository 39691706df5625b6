// A network as a graph of ops: a sequence (op i reads op i-1's output, op 0 the input), plus the
// skip edges of residual_add ops. Built from the scene: its explicit [[network.op]] list, or the
// classic [network] keys (depth, width, sizes, activation, norm, residual, residual_every), which
// describe exactly the graph graph_of() returns.
//
// fuse() maps a graph onto today's GPU kernels (and the CPU reference that mirrors them): one
// weight layer = a dense op, optionally a norm right after it, optionally a residual_add fused in
// its epilogue or a standalone "post" op (rezero) run by its own kernels after it.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "net/spec.hpp"
#include "ops/op.hpp"

namespace gt::ops {

struct Graph {
  uint32_t input = 0;  // features of the network's input
  std::vector<Op> ops;
};

// A graph that cannot be built or run; the message starts with the op's `where` when known.
struct GraphError : std::runtime_error {
  GraphError(const std::string& message, int64_t op_index = -1, std::string reason = {})
      : std::runtime_error(message), op(op_index), what_alone(std::move(reason)) {}
  int64_t op;              // index of the op it is about, -1: the graph as a whole
  std::string what_alone;  // the reason without the op's where and name (for callers that
                           // name the op themselves, as the scene loader does)
};

// The graph of a network spec: NetworkSpec::ops when the scene listed them, else the one the
// classic keys describe.
Graph graph_of(const net::NetworkSpec& spec);

// Features of each op's output; throws GraphError on a shape mismatch (a residual_add of two
// different widths, a norm or residual_add before any dense, a `from` that is not an earlier op).
std::vector<uint32_t> output_widths(const Graph& graph);

// One weight layer as the fused kernels run it: z = x W^T + b; y = norm(z) or z; a = act(y);
// x_out = a, or a + X[skip_source] where it ends a skip. X[0] is the input, X[l + 1] layer l's
// output.
struct FusedLayer {
  Kind kind = Kind::dense;  // the op that starts the layer: dense, or a recurrent kind (rnn)
  uint32_t steps = 1;       // a recurrent layer's time steps (its input is [steps][in / steps])
  int32_t op = -1;          // that op's index in the graph
  uint32_t in = 0;
  uint32_t out = 0;
  net::Activation act = net::Activation::linear;
  net::Norm norm = net::Norm::none;
  int32_t skip_source = -1;       // the X index added to the output, -1: none
  bool skip_start = false;        // X[l + 1] is a later layer's skip_source
  bool skip_before_post = false;  // ... taken before the post op (a pre-norm layer_norm) runs
  // A standalone op after the layer (Role::post): x_out = post(a, X[post_source]) in place of a.
  std::optional<Kind> post;
  int32_t post_source = -1;  // its second input, an X index (0: the input); -1: none (a norm)
  int32_t post_op = -1;      // its index in the graph's ops
  bool carry_in = false;     // X[l + 1] is a later layer's post_source (gets its gradient back)
};

// Throws GraphError naming the op when the graph is valid but not (yet) runnable on the fused
// kernels: a norm after a nonlinearity or not right after a dense, a fused skip from the input,
// or two skips (fused or post) from one output. Skips may nest and cross. (The last op is a
// dense, so the output layer has no norm, skip or post op.)
std::vector<FusedLayer> fuse(const Graph& graph);

// The gradient sink of a layer's output X: how the layer that produced X wants dL/dX delivered
// by the backward of the layer that reads X (its dX tiles complete dL/dX and apply the sink as
// they write it, so handing the gradient from one layer to the next costs no pass of its own:
// the fused fast path). Each layer declares its own; the reader applies it without knowing why.
struct OutputSink {
  // The derivative applied to dL/dX: the layer's activation (its backward then starts from
  // dL/dZ, or dL/dY of its norm), or linear where a post op runs after the layer (the post op
  // takes dL/dX as it is and applies act' itself).
  net::Activation act = net::Activation::linear;
  bool add_carry = false;    // add the carry of the skip X starts (a fused skip or a post op's
                             // second input), unless the layer's post op adds it (pre-norm)
  bool store_carry = false;  // the sum is the carry of the fused skip X ends, unless the layer's
                             // post op stores it (post-norm)
};
OutputSink output_sink(const FusedLayer& producer);
// fuse(graph_of(spec)).
std::vector<FusedLayer> fused_layers(const net::NetworkSpec& spec);

}  // namespace gt::ops
