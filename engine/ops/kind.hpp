// What an op kind provides, one file per kind (dense.cpp, norm.cpp, residual_add.cpp), found
// through kind_of() (kinds.cpp: one line per kind). Today: the parameters it owns and its
// double-precision CPU reference, which ops::ref (reference.hpp) runs over any graph; the GPU
// still runs fused layers (graph.hpp: fuse), checked against this reference.
#pragma once

#include <cstdint>
#include <string>
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
};

// An op's parameters and its gradients have the shapes params() gives, in that order.
using OpParams = std::vector<std::vector<double>>;

// What forward keeps for backward (the kind decides what; opaque to the graph).
using Saved = std::vector<std::vector<double>>;

struct KindInfo {
  Kind kind;
  // The parameters of one op of this kind, given its input's features.
  std::vector<ParamInfo> (*params)(const Op& op, uint32_t in);
  // inputs: the op's input (and for residual_add the skip's source). Fills `saved`.
  Tensor (*forward)(const Op& op, const std::vector<const Tensor*>& inputs, const OpParams& p,
                    Saved& saved);
  // Given dL/dY of its output: dL/d each input (same order as forward's), and the parameter
  // gradients into `grads` (sized by the caller as params()).
  std::vector<Tensor> (*backward)(const Op& op, const std::vector<const Tensor*>& inputs,
                                  const OpParams& p, const Saved& saved, const Tensor& dy,
                                  OpParams& grads);
};

const KindInfo& kind_of(Kind k);

// The kinds' own entries (each defined in its file).
const KindInfo& dense_kind();
const KindInfo& norm_kind(Kind k);  // layer_norm, batch_norm
const KindInfo& residual_add_kind();

}  // namespace gt::ops
