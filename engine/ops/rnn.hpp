// rnn: torch.nn.RNN (one layer, batch_first, nonlinearity tanh or relu), unrolled over `steps`
// time steps inside the op: h_t = act(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh), h_0 = 0, the
// op's output h_steps. Parameters (PyTorch's names and shapes): weight_ih_l0 [H][F],
// weight_hh_l0 [H][H], bias_ih_l0 [H], bias_hh_l0 [H]; F = input features / steps.
//
// Backpropagation through time, in double: dL/dh_t = dL/dz_{t+1} W_hh (+ dL/dY at t = steps),
// dL/dz_t = dL/dh_t act'(z_t), and the tied weights' gradients summed over every step:
// dW_hh = sum_t dz_t^T h_{t-1}. The trace keeps each step's figures for the tests of the per-time
// statistics the GPU reduces.
#pragma once

#include <cstdint>
#include <vector>

#include "ops/kind.hpp"

namespace gt::ops {

// Features per time step of an rnn reading `in` features (0 when `in` is not a whole number of
// steps).
uint32_t rnn_features(const Op& op, uint32_t in);

// Every hidden state, [steps + 1][rows][H], h_0 = 0 first.
std::vector<double> rnn_hidden(const Op& op, const Tensor& x, const OpParams& p);

struct RnnTrace {
  std::vector<double> dh;  // dL/dh_t, [steps][rows][H] (index t - 1)
  std::vector<double> dz;  // dL/dz_t, the same shape
  // || sum over the batch of dz_t[b] h_{t-1}[b]^T ||_F: the size of step t's term of dW_hh.
  std::vector<double> dwhh_term_norm;  // [steps]
};

// Backward through time from dL/dh_steps = dy: the parameter gradients into `grads` (added),
// dL/dX into `dx` (sized as x), and the trace.
RnnTrace rnn_backward(const Op& op, const Tensor& x, const OpParams& p,
                      const std::vector<double>& h, const Tensor& dy, OpParams& grads, Tensor& dx);

}  // namespace gt::ops
