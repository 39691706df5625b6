// layer_norm and batch_norm (training mode): Y = act(gamma * (X - mean) rstd + beta), per sample
// over the features (nn.LayerNorm) or per feature over the batch (nn.BatchNorm1d); biased
// variance, eps 1e-5 (net/ref_norm.hpp). gamma, beta [features].
#include "net/ref_norm.hpp"
#include "net/reference.hpp"
#include "ops/kind.hpp"

namespace gt::ops {
namespace {

net::Norm norm_of(const Op& op) {
  return op.kind == Kind::layer_norm ? net::Norm::layer : net::Norm::batch;
}

std::vector<ParamInfo> params(const Op&, uint32_t in) {
  return {{"weight", in, 1, 1.0}, {"bias", in, 1, 0.0}};
}

// saved: nhat, the normalized value before act (y), rstd.
Tensor forward(const Op& op, const std::vector<const Tensor*>& inputs, const OpParams& p,
               Saved& saved) {
  const Tensor& x = *inputs[0];
  net::ref::NormForward f = net::ref::norm_forward(norm_of(op), x.rows, x.cols, x.v, p[0], p[1]);
  Tensor out{x.rows, x.cols, std::vector<double>(x.v.size())};
  for (size_t e = 0; e < out.v.size(); ++e)
    out.v[e] = net::ref::activate(op.activation, f.y[e]);
  saved = {std::move(f.nhat), std::move(f.y), std::move(f.rstd)};
  return out;
}

std::vector<Tensor> backward(const Op& op, const std::vector<const Tensor*>& inputs,
                             const OpParams& p, const Saved& saved, const Tensor& dy,
                             OpParams& grads) {
  const Tensor& x = *inputs[0];
  std::vector<double> d(dy.v.size());
  for (size_t e = 0; e < d.size(); ++e)
    d[e] = dy.v[e] * net::ref::activate_grad(op.activation, saved[1][e]);
  const net::ref::NormForward f{saved[0], saved[1], saved[2]};
  net::ref::NormBackward b = net::ref::norm_backward(norm_of(op), x.rows, x.cols, d, f, p[0]);
  for (uint32_t j = 0; j < x.cols; ++j) {
    grads[0][j] += b.dgamma[j];
    grads[1][j] += b.dbeta[j];
  }
  return {Tensor{x.rows, x.cols, std::move(b.dz)}};
}

// On the GPU each keeps N-hat [rows][width] and rstd per group: per sample (layer_norm) or per
// feature (batch_norm).
KeptState kept_layer(uint32_t rows, uint32_t width) {
  return {uint64_t(rows) * width, rows};
}
KeptState kept_batch(uint32_t rows, uint32_t width) {
  return {uint64_t(rows) * width, width};
}

}  // namespace

const KindInfo& norm_kind(Kind k) {
  static const KindInfo layer{Kind::layer_norm, "layer_norm", Role::norm, params,
                              forward,          backward,     kept_layer};
  static const KindInfo batch{Kind::batch_norm, "batch_norm", Role::norm, params,
                              forward,          backward,     kept_batch};
  return k == Kind::layer_norm ? layer : batch;
}

}  // namespace gt::ops
