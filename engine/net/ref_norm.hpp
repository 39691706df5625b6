// Normalization in the CPU reference (double precision, for clarity): batch norm normalizes each
// neuron over the batch, layer norm each sample over the layer's neurons; both in training mode
// (biased variance, eps = kNormEps), then scale gamma and shift beta per neuron.
#pragma once

#include <cstdint>
#include <vector>

#include "net/spec.hpp"

namespace gt::net::ref {

struct NormForward {
  std::vector<double> nhat;  // [B][out]: (z - mean) * rstd
  std::vector<double> y;     // [B][out]: gamma * nhat + beta
  std::vector<double> rstd;  // per group: 1 / sqrt(var + eps) ([out] for batch, [B] for layer)
};

NormForward norm_forward(Norm kind, uint32_t batch, uint32_t out, const std::vector<double>& z,
                         const std::vector<double>& gamma, const std::vector<double>& beta);

struct NormBackward {
  std::vector<double> dgamma;  // [out]: sum_b dY * nhat
  std::vector<double> dbeta;   // [out]: sum_b dY
  std::vector<double> dz;      // [B][out]
};

// dY = dL/dY; returns dL/dgamma, dL/dbeta and dL/dZ (over each group of size M with
// dN = dY * gamma: dZ = rstd / M * (M dN - sum dN - nhat sum(dN nhat))).
NormBackward norm_backward(Norm kind, uint32_t batch, uint32_t out, const std::vector<double>& dy,
                           const NormForward& f, const std::vector<double>& gamma);

}  // namespace gt::net::ref
