// rezero: Y = S + alpha * X, S the output of op `from` (the block's input), X the branch's output,
// alpha one learnable scalar that starts at 0 (Bachlechner et al. 2020, "ReZero is all you need":
// x_{i+1} = x_i + alpha_i F(x_i)). Parameter `alpha` [1], in checkpoints
// `layers.{i}.rezero.alpha` (i: the weight layer whose output it scales).
#include "ops/kind.hpp"

namespace gt::ops {
namespace {

std::vector<ParamInfo> params(const Op&, uint32_t) {
  return {{"alpha", 1, 1}};
}

Tensor forward(const Op&, const std::vector<const Tensor*>& inputs, const OpParams& p, Saved&) {
  const double alpha = p[0][0];
  Tensor y = *inputs[1];
  for (size_t e = 0; e < y.v.size(); ++e)
    y.v[e] += alpha * inputs[0]->v[e];
  return y;
}

// dL/dX = alpha dY, dL/dS = dY, dL/dalpha = sum dY X.
std::vector<Tensor> backward(const Op&, const std::vector<const Tensor*>& inputs, const OpParams& p,
                             const Saved&, const Tensor& dy, OpParams& grads) {
  const double alpha = p[0][0];
  Tensor dx = dy;
  for (size_t e = 0; e < dx.v.size(); ++e) {
    grads[0][0] += dy.v[e] * inputs[0]->v[e];
    dx.v[e] *= alpha;
  }
  return {std::move(dx), dy};
}

}  // namespace

const KindInfo& rezero_kind() {
  static const KindInfo info{Kind::rezero, "rezero", Role::post, params, forward, backward};
  return info;
}

}  // namespace gt::ops
