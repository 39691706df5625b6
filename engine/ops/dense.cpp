// dense: Y = act(X W^T + b), as nn.Linear followed by the activation. W [out][in], b [out].
#include "net/reference.hpp"
#include "ops/kind.hpp"

namespace gt::ops {
namespace {

std::vector<ParamInfo> params(const Op& op, uint32_t in) {
  return {{"weight", op.units, in}, {"bias", op.units, 1}};
}

// saved[0] = Z, the pre-activation.
Tensor forward(const Op& op, const std::vector<const Tensor*>& inputs, const OpParams& p,
               Saved& saved) {
  const Tensor& x = *inputs[0];
  const std::vector<double>&w = p[0], &b = p[1];
  Tensor y{x.rows, op.units, std::vector<double>(size_t(x.rows) * op.units)};
  std::vector<double> z(y.v.size());
  for (uint32_t r = 0; r < x.rows; ++r)
    for (uint32_t j = 0; j < op.units; ++j) {
      double s = b[j];
      for (uint32_t k = 0; k < x.cols; ++k)
        s += x.v[size_t(r) * x.cols + k] * w[size_t(j) * x.cols + k];
      z[size_t(r) * op.units + j] = s;
      y.v[size_t(r) * op.units + j] = net::ref::activate(op.activation, s);
    }
  saved = {std::move(z)};
  return y;
}

std::vector<Tensor> backward(const Op& op, const std::vector<const Tensor*>& inputs,
                             const OpParams& p, const Saved& saved, const Tensor& dy,
                             OpParams& grads) {
  const Tensor& x = *inputs[0];
  const std::vector<double>& z = saved[0];
  Tensor dx{x.rows, x.cols, std::vector<double>(x.v.size(), 0.0)};
  for (uint32_t r = 0; r < x.rows; ++r)
    for (uint32_t j = 0; j < op.units; ++j) {
      const size_t e = size_t(r) * op.units + j;
      const double d = dy.v[e] * net::ref::activate_grad(op.activation, z[e]);  // dL/dZ
      grads[1][j] += d;
      for (uint32_t k = 0; k < x.cols; ++k) {
        grads[0][size_t(j) * x.cols + k] += d * x.v[size_t(r) * x.cols + k];
        dx.v[size_t(r) * x.cols + k] += d * p[0][size_t(j) * x.cols + k];
      }
    }
  return {std::move(dx)};
}

}  // namespace

const KindInfo& dense_kind() {
  static const KindInfo info{Kind::dense, "dense", Role::layer, params, forward, backward};
  return info;
}

}  // namespace gt::ops
