// Double-precision CPU reference of exactly the network the GPU trains. Written for clarity, not
// speed: tests use it as the independent truth for the compute shaders. All per-sample arrays are
// flat and row-major, e.g. [B][out] is index b * out + j.
#pragma once

#include <cstdint>
#include <vector>

#include "net/init.hpp"
#include "net/spec.hpp"

namespace gt::net::ref {

struct Layer {
  uint32_t in = 0;
  uint32_t out = 0;
  std::vector<double> w;  // [out][in]
  std::vector<double> b;  // [out]
};

struct Net {
  std::vector<Layer> layers;
  Activation hidden = Activation::tanh;
  Activation output = Activation::linear;

  static Net from(const NetworkSpec& spec, const Params& params);
  Params to_params() const;
};

struct Batch {
  uint32_t size = 0;
  std::vector<double> input;   // [size][in]
  std::vector<double> target;  // [size][out]
};

// The batch of a scene with data.kind inline (DataSpec::input, target), in double.
Batch inline_batch(const DataSpec& data);

struct Forward {
  std::vector<std::vector<double>> z;  // z[i]: layer i pre-activation, [B][out_i]
  std::vector<std::vector<double>> x;  // x[0] = input, x[i + 1] = act(z[i])
};

struct Gradients {
  double loss = 0.0;
  std::vector<std::vector<double>> dw;     // dw[i]: [out][in]
  std::vector<std::vector<double>> db;     // db[i]: [out]
  std::vector<std::vector<double>> delta;  // delta[i] = dL/dz_i, [B][out_i]
  std::vector<double> dx0;                 // dL/d input, [B][in_0]
};

struct LayerStats {
  double grad_w_norm = 0.0;      // Frobenius norm of dW
  double grad_w_mean_abs = 0.0;  // sum |dW| / (out * in)
  double grad_w_max_abs = 0.0;
  double grad_b_norm = 0.0;
  double delta_rms = 0.0;                     // sqrt(sum delta^2 / (B * out))
  double weight_norm = 0.0;                   // of W before the update
  double update_ratio = 0.0;                  // |W_new - W_old| / |W_old|; 0 when no update
  uint32_t nonfinite = 0;                     // non-finite entries of dW
  std::vector<double> neuron_mean_abs_delta;  // [out]: sum_b |delta[b][j]| / B
};

// Optimizer moments per layer; momentum keeps its velocity in mw / mb. Sized on first use.
struct OptimizerState {
  std::vector<std::vector<double>> mw, vw, mb, vb;
  uint32_t t = 0;
};

double activate(Activation a, double z);
double activate_grad(Activation a, double z);

Forward forward(const Net& net, const Batch& batch);
double loss(const Net& net, const Batch& batch, Loss loss_kind);
Gradients backward(const Net& net, const Batch& batch, Loss loss_kind);

// One optimizer step on weights and biases. Returns per-layer |W_new - W_old| (weights only).
std::vector<double> update(Net& net, const Gradients& grads, OptimizerState& state,
                           const TrainSpec& train);

std::vector<LayerStats> statistics(const Net& before_update, const Gradients& grads,
                                   const std::vector<double>& update_norms);

// Central finite differences of loss() w.r.t. every weight ([out][in]) / bias of one layer.
std::vector<double> finite_difference_dw(const Net& net, const Batch& batch, Loss loss_kind,
                                         uint32_t layer, double h);
std::vector<double> finite_difference_db(const Net& net, const Batch& batch, Loss loss_kind,
                                         uint32_t layer, double h);

}  // namespace gt::net::ref
