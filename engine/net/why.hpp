// "Why backwards": the gradient of the loss with respect to every parameter, computed two ways on
// the double-precision CPU reference and timed. Central finite differences need two forward
// passes per parameter (2P for P parameters); backprop (ref::backward) needs one forward and one
// backward pass whatever P is. Both run the same code in the same arithmetic, so the comparison
// is of the methods alone. `gradtower why` prints the result (docs/THEORY.md).
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "net/reference.hpp"
#include "net/spec.hpp"

namespace gt::net {

struct WhyOptions {
  // At most this many parameters are differenced, spread evenly over the layers; the finite
  // difference cost of all P is extrapolated from them. 0: every parameter.
  uint64_t max_params = 0;
  double rel_step = 1e-6;         // h = rel_step * max(1, |theta|), per parameter
  uint32_t backprop_repeats = 3;  // backprop's time: the mean of this many runs after one more
  // Called after each parameter differenced with (done, total); its own time is not measured
  // apart, so it should be cheap (the CLI's prints at most every 2 s).
  std::function<void(uint64_t done, uint64_t total)> progress;
};

// One parameter: layer `layer`, flat index `index` into its weights ([out][in]), then biases, then
// gamma and beta when the layer is normalized.
struct ParamRef {
  uint32_t layer = 0;
  uint64_t index = 0;
  bool operator==(const ParamRef&) const = default;
};

// Passes and wall time of one way of computing the gradient.
struct WhyCost {
  uint64_t forward = 0;   // forward passes
  uint64_t backward = 0;  // backward passes
  double seconds = 0;
};

struct WhySample {
  ParamRef param;
  double finite_difference = 0;  // (loss(theta + h) - loss(theta - h)) / 2h
  double backprop = 0;           // ref::backward's dL/dtheta
};

struct WhyReport {
  uint64_t params = 0;       // P: every weight and bias (and gamma, beta of normalized layers)
  uint64_t differenced = 0;  // N <= P, the parameters finite differences were run on
  double loss = 0;           // at the given parameters and batch
  // Measured on the N differenced parameters: exactly 2N forward passes.
  WhyCost finite_differences;
  // For all P parameters: 2P forward passes; the time is the measured one when N == P, else
  // extrapolated as measured * P / N (every parameter costs the same two full forward passes).
  WhyCost finite_differences_all;
  bool extrapolated = false;  // N < P
  WhyCost backprop;           // measured: 1 forward + 1 backward pass for all P gradients
  // Over the differenced parameters: max |FD - backprop| and max |backprop|.
  double max_abs_diff = 0;
  double max_abs_grad = 0;
  std::vector<uint64_t> differenced_per_layer;
  std::vector<WhySample> samples;

  // max_abs_diff / max_abs_grad (max_abs_diff itself when every gradient is 0).
  double relative_diff() const;
};

uint64_t parameter_count(const ref::Net& net);

// The parameters finite differences run on: all when max_params is 0 or >= P, else max_params of
// them with an equal share per layer (a layer with fewer parameters than its share gives the
// rest to the others), evenly spaced within each layer. In layer order, indices increasing.
std::vector<ParamRef> sample_params(const ref::Net& net, uint64_t max_params);

WhyReport why_backwards(const ref::Net& net, const ref::Batch& batch, Loss loss_kind,
                        const WhyOptions& options = {});

}  // namespace gt::net
