// One op of a network graph (engine/ops/graph.hpp): what a scene's [[network.op]] table or the
// classic [network] keys declare. Plain values; validated when the graph is built.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace gt::net {
enum class Activation : uint32_t;  // net/spec.hpp
}

namespace gt::ops {

enum class Kind : uint32_t {
  dense,         // Y = act(X W^T + b): nn.Linear, the activation fused
  layer_norm,    // Y = act(gamma * (X - mean) / sqrt(var + eps) + beta) per sample (nn.LayerNorm)
  batch_norm,    // ... per feature over the batch, training mode (nn.BatchNorm1d)
  residual_add,  // Y = X + (the output of op `from`): an identity skip
  rezero,        // Y = S + alpha * X, S the output of op `from`, alpha learnable from 0 (ReZero)
  rnn,           // h_t = act(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh), t = 1..steps: torch.nn.RNN
};

// How an rnn's W_hh starts (the other parameters: PyTorch's U(-1/sqrt(H), 1/sqrt(H))).
enum class InitHH : uint32_t {
  uniform,     // PyTorch's default, as the other parameters
  gaussian,    // N(0, rho^2 / H): spectral radius about rho (the circular law)
  orthogonal,  // rho times an orthogonal matrix: every eigenvalue of modulus exactly rho
  identity,    // rho I (the IRNN of Le et al. 2015 at rho = 1)
};

// As an op index: the network's input.
inline constexpr int32_t kInput = -1;

struct Op {
  Kind kind = Kind::dense;
  uint32_t units = 0;            // dense: output features (the neurons the tower draws)
  net::Activation activation{};  // dense, norms: applied to the output (linear = 0: none)
  int32_t from = kInput;         // residual_add, rezero: the op whose output is added
  // rnn: the time steps its input row holds (batch-first [batch][steps][features], flattened: the
  // input's width is steps x features); its output is the last hidden state h_steps.
  uint32_t steps = 0;
  InitHH init_hh = InitHH::uniform;  // rnn
  double rho = 1.0;                  // rnn: the scale init_hh gives W_hh (its spectral radius)
  std::string where;                 // "scene.toml:12" of its table, for errors; empty if derived

  bool operator==(const Op& o) const {
    return kind == o.kind && units == o.units && activation == o.activation && from == o.from &&
           steps == o.steps && init_hh == o.init_hh && rho == o.rho;
  }
};

inline Op dense_op(uint32_t units, net::Activation act) {
  Op op;
  op.units = units;
  op.activation = act;
  return op;
}
inline Op norm_op(Kind kind, net::Activation act) {
  Op op;
  op.kind = kind;
  op.activation = act;
  return op;
}
inline Op residual_op(int32_t from) {
  Op op;
  op.kind = Kind::residual_add;
  op.from = from;
  return op;
}

std::string_view to_string(Kind k);
bool parse_kind(std::string_view s, Kind& out);
std::vector<std::string_view> names_of_kinds();

}  // namespace gt::ops
