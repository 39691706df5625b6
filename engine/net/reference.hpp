// Double-precision CPU reference of exactly the network the GPU trains. Written for clarity, not
// speed: tests use it as the independent truth for the compute shaders. All per-sample arrays are
// flat and row-major, e.g. [B][out] is index b * out + j.
#pragma once

#include <cstdint>
#include <vector>

#include "net/init.hpp"
#include "net/spec.hpp"
#include "ops/graph.hpp"

namespace gt::net::ref {

struct Layer {
  uint32_t in = 0;
  uint32_t out = 0;
  std::vector<double> w;      // [out][in]
  std::vector<double> b;      // [out]
  std::vector<double> gamma;  // [out] when the layer is normalized, else empty
  std::vector<double> beta;   // [out] likewise
};

struct Net {
  std::vector<Layer> layers;
  Activation hidden = Activation::tanh;
  Activation output = Activation::linear;
  Norm norm = Norm::none;  // applied to every hidden layer (the layers with gamma)
  bool residual = false;
  uint32_t residual_every = 1;
  // Per layer, as the fused GPU kernels run it (engine/ops/graph.hpp): its activation, norm and
  // skip. Filled by from(); when empty, the classic fields above describe the network.
  std::vector<ops::FusedLayer> fused;

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

// Layer i maps x[i] to x[i + 1]: z = x W^T + b; y = gamma * normalize(z) + beta when the layer
// is normalized, else y = z; a = act(y); x[i + 1] = a, or x[s] + a where layer i ends a residual
// block starting at x[s] (skip_source).
struct Forward {
  std::vector<std::vector<double>> z;     // z[i]: layer i pre-activation, [B][out_i]
  std::vector<std::vector<double>> nhat;  // normalized z (empty for layers without norm)
  std::vector<std::vector<double>> rstd;  // 1 / sqrt(var + eps) per group (empty likewise)
  std::vector<std::vector<double>> y;     // what the activation takes
  std::vector<std::vector<double>> a;     // act(y[i])
  std::vector<std::vector<double>> x;     // x[0] = input, x[i + 1] = a[i] (+ skip)
};

// The index s of the activations x[s] that layer i adds to its output (a residual block ends at
// layer i), or -1. Hidden layers are 1..depth in the docs' numbering, i.e. i = 0..depth-1 here.
// From Net::fused when set, else from residual and residual_every.
int skip_source(const Net& net, size_t layer);

struct Gradients {
  double loss = 0.0;
  std::vector<std::vector<double>> dw;      // dw[i]: [out][in]
  std::vector<std::vector<double>> db;      // db[i]: [out]
  std::vector<std::vector<double>> dgamma;  // [out] for normalized layers, else empty
  std::vector<std::vector<double>> dbeta;
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
  std::vector<std::vector<double>> mw, vw, mb, vb, mg, vg, mbe, vbe;
  uint32_t t = 0;
};

double activate(Activation a, double z);
double activate_grad(Activation a, double z);

Forward forward(const Net& net, const Batch& batch);
// The loss of a network's output y_hat [B][out] and its gradient dL/dy_hat.
double output_loss(const std::vector<double>& y_hat, const Batch& batch, uint32_t out,
                   Loss loss_kind);
std::vector<double> output_loss_grad(const std::vector<double>& y_hat, const Batch& batch,
                                     uint32_t out, Loss loss_kind);
double loss(const Net& net, const Batch& batch, Loss loss_kind);
Gradients backward(const Net& net, const Batch& batch, Loss loss_kind);

// One optimizer step on weights, biases and norm scales and shifts. Returns per-layer |W_new -
// W_old| (weights only).
std::vector<double> update(Net& net, const Gradients& grads, OptimizerState& state,
                           const TrainSpec& train);

std::vector<LayerStats> statistics(const Net& before_update, const Gradients& grads,
                                   const std::vector<double>& update_norms);

// Central finite differences of loss() w.r.t. every weight ([out][in]) / bias of one layer.
std::vector<double> finite_difference_dw(const Net& net, const Batch& batch, Loss loss_kind,
                                         uint32_t layer, double h);
std::vector<double> finite_difference_db(const Net& net, const Batch& batch, Loss loss_kind,
                                         uint32_t layer, double h);
std::vector<double> finite_difference_dgamma(const Net& net, const Batch& batch, Loss loss_kind,
                                             uint32_t layer, double h);
std::vector<double> finite_difference_dbeta(const Net& net, const Batch& batch, Loss loss_kind,
                                            uint32_t layer, double h);
// ... and w.r.t. every entry of the batch's input ([B][in]): compares with Gradients::dx0.
std::vector<double> finite_difference_dx0(const Net& net, const Batch& batch, Loss loss_kind,
                                          double h);

}  // namespace gt::net::ref
