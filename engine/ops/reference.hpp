// The double-precision CPU reference of any op graph, op by op (each kind's own reference,
// ops/kind.hpp): forward in order, backward in reverse, the gradient of a tensor read by two ops
// (a skip's source) summed. It runs graphs the fused GPU kernels cannot (a norm before the skip,
// after the add, a skip from the input); for the graphs they can, it agrees with net::ref.
#pragma once

#include <vector>

#include "net/reference.hpp"
#include "ops/graph.hpp"
#include "ops/kind.hpp"

namespace gt::ops {

// Every op's parameters, op by op (empty for ops without any).
using GraphParams = std::vector<OpParams>;

struct GraphForward {
  std::vector<Tensor> out;   // each op's output
  std::vector<Saved> saved;  // what each kept for backward
};

struct GraphGradients {
  double loss = 0.0;
  GraphParams grads;  // as the parameters
  Tensor dinput;      // dL/d the input
};

// Zeros shaped as each op's parameters.
GraphParams zero_params(const Graph& graph);
// The graph's parameters from the fused layers' (net::Params, one per weight layer): a dense op
// takes its layer's W and b, a norm its gamma and beta, a post op (rezero) LayerParams::post. For
// graphs fuse() accepts.
GraphParams params_from_layers(const Graph& graph, const net::Params& layers);

GraphForward forward(const Graph& graph, const GraphParams& params, const Tensor& input);
double loss(const Graph& graph, const GraphParams& params, const net::ref::Batch& batch,
            net::Loss loss);
GraphGradients backward(const Graph& graph, const GraphParams& params, const net::ref::Batch& batch,
                        net::Loss loss);

}  // namespace gt::ops
