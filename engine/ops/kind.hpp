// What an op kind provides, one file per kind (ops/KIND.cpp: dense.cpp, norm.cpp, ...), found
// through kind_of() (kinds.cpp: one line per kind): its name in scenes, its role in the
// graph, the parameters it owns and its double-precision CPU reference, which ops::ref
// (reference.hpp) runs over any graph. On the GPU, layer / norm / skip kinds run fused into weight
// layers (graph.hpp: fuse); post kinds (and a layer_norm that cannot fuse) run their own
// kernels after their layer (gpu/post_op.hpp); each kind's kernels are found through
// gpu/op_kernels.hpp; all are checked against this reference.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "ops/op.hpp"

namespace gt::ops {

// A batch of feature rows, [rows][cols], row-major, in double.
struct Tensor {
  uint32_t rows = 0;
  uint32_t cols = 0;
  std::vector<double> v;
};

struct ParamInfo {
  std::string name;  // PyTorch-style suffix: "weight", "bias"
  uint32_t rows = 0;
  uint32_t cols = 0;  // 1 for vectors
  double init = 0.0;  // the value it starts at where no initialisation rule draws it (post ops)
};

// An op's parameters and its gradients have the shapes params() gives, in that order.
using OpParams = std::vector<std::vector<double>>;

// What forward keeps for backward (the kind decides what; opaque to the graph).
using Saved = std::vector<std::vector<double>>;

// What an op keeps on the GPU from its forward pass for its backward, besides its output: the
// plan (gpu/plan.cpp) makes these kept tensors, named for the op, and hands their offsets to the
// op's kernels (LayerDesc::nhat_off / stat_off for a fused norm, post_nhat_off / post_stat_off
// for a post op). Sizes for `rows` samples (the padded batch) of `width` padded features.
struct KeptState {
  uint64_t tensor_floats = 0;  // one [rows][width]-sized tensor or none (the norms: N-hat)
  uint64_t stat_floats = 0;    // per-group statistics (the norms: rstd per sample or feature)
};

// How the graph places a kind (graph.hpp: fuse).
enum class Role {
  layer,      // a dense op: starts a weight layer
  norm,       // normalizes the dense op right before it, fused into that layer
  skip,       // adds op `from`'s output in the layer's epilogue, fused (residual_add)
  post,       // reads the layer's output and op `from`'s in its own dispatches, after the layer
  recurrent,  // a weight layer of its own, unrolled over time inside the op (rnn)
};
// Whether ops of the role read a second input, op `from`.
inline bool reads_from(Role r) {
  return r == Role::skip || r == Role::post;
}

struct KindInfo {
  Kind kind;
  std::string_view name;  // in scenes ([[network.op]] kind) and parameter names
  Role role;
  // The parameters of one op of this kind, given its input's features.
  std::vector<ParamInfo> (*params)(const Op& op, uint32_t in);
  // inputs: the op's input (and, where reads_from(role), op `from`'s output). Fills `saved`.
  Tensor (*forward)(const Op& op, const std::vector<const Tensor*>& inputs, const OpParams& p,
                    Saved& saved);
  // Given dL/dY of its output: dL/d each input (same order as forward's), and the parameter
  // gradients into `grads` (sized by the caller as params()).
  std::vector<Tensor> (*backward)(const Op& op, const std::vector<const Tensor*>& inputs,
                                  const OpParams& p, const Saved& saved, const Tensor& dy,
                                  OpParams& grads);
  // What it keeps on the GPU (KeptState); nullptr: nothing beyond its output.
  KeptState (*kept)(uint32_t rows, uint32_t width) = nullptr;
};

const KindInfo& kind_of(Kind k);
// Every kind, in the order of the Kind enum.
const std::vector<const KindInfo*>& all_kinds();
// How many parameters (floats) an op of this kind owns on an input of `in` features, all its
// params() together (for a post op: the layer's LayerParams::post).
uint64_t param_floats(Kind k, uint32_t in);
// kind_of(k).kept, or nothing where the kind keeps nothing.
KeptState kept_state(Kind k, uint32_t rows, uint32_t width);

}  // namespace gt::ops
