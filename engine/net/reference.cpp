#include "net/reference.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <stdexcept>

#include "net/ref_norm.hpp"

namespace gt::net::ref {
namespace {

Activation activation_of(const Net& net, size_t layer) {
  if (!net.fused.empty()) return net.fused[layer].act;
  return layer + 1 == net.layers.size() ? net.output : net.hidden;
}

Norm norm_of(const Net& net, size_t layer) {
  return net.fused.empty() ? net.norm : net.fused[layer].norm;
}

void check_batch(const Net& net, const Batch& batch) {
  if (net.layers.empty()) throw std::invalid_argument("ref: network has no layers");
  const size_t in = net.layers.front().in;
  const size_t out = net.layers.back().out;
  if (batch.input.size() != batch.size * in || batch.target.size() != batch.size * out) {
    throw std::invalid_argument("ref: batch arrays do not match the network sizes");
  }
}

// Numerically stable log(sum_j exp(x_j)) of one row.
double log_sum_exp(const double* x, uint32_t n) {
  const double m = *std::max_element(x, x + n);
  double s = 0.0;
  for (uint32_t j = 0; j < n; ++j)
    s += std::exp(x[j] - m);
  return m + std::log(s);
}

double loss_from_output(const std::vector<double>& y_hat, const Batch& batch, uint32_t out,
                        Loss loss_kind) {
  double sum = 0.0;
  if (loss_kind == Loss::mse) {
    for (size_t k = 0; k < y_hat.size(); ++k) {
      const double d = y_hat[k] - batch.target[k];
      sum += d * d;
    }
    return sum / (static_cast<double>(batch.size) * out);
  }
  for (uint32_t b = 0; b < batch.size; ++b) {
    const double* x = &y_hat[b * out];
    const double* y = &batch.target[b * out];
    const double lse = log_sum_exp(x, out);
    for (uint32_t j = 0; j < out; ++j)
      sum -= y[j] * (x[j] - lse);
  }
  return sum / batch.size;
}

double sum_squares(const std::vector<double>& v) {
  double s = 0.0;
  for (double x : v)
    s += x * x;
  return s;
}

template <typename Param>
std::vector<double> finite_difference(const Net& net, const Batch& batch, Loss loss_kind,
                                      uint32_t layer, double h, Param param) {
  Net probe = net;
  std::vector<double>& values = param(probe.layers.at(layer));
  std::vector<double> grad(values.size());
  for (size_t k = 0; k < values.size(); ++k) {
    const double saved = values[k];
    values[k] = saved + h;
    const double plus = loss(probe, batch, loss_kind);
    values[k] = saved - h;
    const double minus = loss(probe, batch, loss_kind);
    values[k] = saved;
    grad[k] = (plus - minus) / (2.0 * h);
  }
  return grad;
}

}  // namespace

Net Net::from(const NetworkSpec& spec, const Params& params) {
  Net net;
  net.hidden = spec.activation;
  net.output = spec.output_activation;
  net.norm = spec.norm;
  net.residual = spec.residual;
  net.residual_every = spec.residual_every;
  net.fused = ops::fused_layers(spec);
  if (net.fused.size() != params.size())
    throw std::invalid_argument("ref: parameters do not match the network's layers");
  for (size_t i = 0; i < params.size(); ++i) {
    const LayerParams& p = params[i];
    if (net.fused[i].kind != ops::Kind::dense)
      throw std::invalid_argument("ref: layer " + std::to_string(i + 1) + " is an " +
                                  std::string(ops::to_string(net.fused[i].kind)) +
                                  ", which the layer reference (net::ref: why, the walkthrough) "
                                  "does not run; ops/reference.hpp does");
    if (net.fused[i].post)
      throw std::invalid_argument(
          "ref: layer " + std::to_string(i + 1) + " is followed by a " +
          std::string(ops::to_string(*net.fused[i].post)) +
          " op, which the layer reference (net::ref: why, the walkthrough) does not "
          "run; ops/reference.hpp does");
    if ((net.fused[i].norm != Norm::none) != !p.gamma.empty() || p.gamma.size() != p.beta.size())
      throw std::invalid_argument("ref: norm parameters do not match the network's norm");
    net.layers.push_back(Layer{p.in, p.out, std::vector<double>(p.w.begin(), p.w.end()),
                               std::vector<double>(p.b.begin(), p.b.end()),
                               std::vector<double>(p.gamma.begin(), p.gamma.end()),
                               std::vector<double>(p.beta.begin(), p.beta.end())});
  }
  return net;
}

Batch inline_batch(const DataSpec& data) {
  if (data.input.rows != data.target.rows)
    throw std::invalid_argument("ref: data.input and data.target differ in rows");
  Batch batch;
  batch.size = data.input.rows;
  batch.input.assign(data.input.values.begin(), data.input.values.end());
  batch.target.assign(data.target.values.begin(), data.target.values.end());
  return batch;
}

Params Net::to_params() const {
  Params params;
  for (const Layer& l : layers) {
    LayerParams p;
    p.in = l.in;
    p.out = l.out;
    for (double w : l.w)
      p.w.push_back(static_cast<float>(w));
    for (double b : l.b)
      p.b.push_back(static_cast<float>(b));
    for (double v : l.gamma)
      p.gamma.push_back(static_cast<float>(v));
    for (double v : l.beta)
      p.beta.push_back(static_cast<float>(v));
    params.push_back(std::move(p));
  }
  return params;
}

double activate(Activation a, double z) {
  switch (a) {
    case Activation::linear:
      return z;
    case Activation::relu:
      return z > 0.0 ? z : 0.0;
    case Activation::leaky_relu:
      return z > 0.0 ? z : kLeakyReluSlope * z;
    case Activation::tanh:
      return std::tanh(z);
    case Activation::sigmoid:
      return 1.0 / (1.0 + std::exp(-z));
    case Activation::gelu:
      return 0.5 * z * (1.0 + std::erf(z / std::numbers::sqrt2));
  }
  throw std::invalid_argument("ref: unknown activation");
}

double activate_grad(Activation a, double z) {
  switch (a) {
    case Activation::linear:
      return 1.0;
    case Activation::relu:
      return z > 0.0 ? 1.0 : 0.0;
    case Activation::leaky_relu:
      return z > 0.0 ? 1.0 : kLeakyReluSlope;
    case Activation::tanh: {
      const double t = std::tanh(z);
      return 1.0 - t * t;
    }
    case Activation::sigmoid: {
      const double s = 1.0 / (1.0 + std::exp(-z));
      return s * (1.0 - s);
    }
    case Activation::gelu: {
      const double cdf = 0.5 * (1.0 + std::erf(z / std::numbers::sqrt2));
      const double pdf = std::exp(-0.5 * z * z) / std::sqrt(2.0 * std::numbers::pi);
      return cdf + z * pdf;
    }
  }
  throw std::invalid_argument("ref: unknown activation");
}

int skip_source(const Net& net, size_t layer) {
  if (!net.fused.empty()) return net.fused[layer].skip_source;
  // Hidden layers l = 1..depth (l = layer + 1). Block j covers l = 2 + jk .. 1 + (j+1)k (the last
  // one possibly shorter) and adds x[1 + jk] at its last layer.
  const size_t depth = net.layers.size() - 1, k = net.residual_every, l = layer + 1;
  if (!net.residual || l < 2 || l > depth) return -1;
  const bool block_end = (l - 1) % k == 0 || l == depth;
  return block_end ? static_cast<int>(1 + (l - 2) / k * k) : -1;
}

Forward forward(const Net& net, const Batch& batch) {
  check_batch(net, batch);
  Forward f;
  f.x.push_back(batch.input);
  for (size_t i = 0; i < net.layers.size(); ++i) {
    const Layer& l = net.layers[i];
    const Activation act = activation_of(net, i);
    const std::vector<double>& x = f.x.back();
    std::vector<double> z(batch.size * l.out);
    for (uint32_t b = 0; b < batch.size; ++b) {
      for (uint32_t j = 0; j < l.out; ++j) {
        double s = l.b[j];
        for (uint32_t k = 0; k < l.in; ++k)
          s += x[b * l.in + k] * l.w[j * l.in + k];
        z[b * l.out + j] = s;
      }
    }
    NormForward nf;
    if (!l.gamma.empty()) {
      nf = norm_forward(norm_of(net, i), batch.size, l.out, z, l.gamma, l.beta);
    } else {
      nf.y = z;
    }
    std::vector<double> a(z.size());
    for (size_t k = 0; k < z.size(); ++k)
      a[k] = activate(act, nf.y[k]);
    std::vector<double> out = a;
    if (const int s = skip_source(net, i); s >= 0) {
      for (size_t k = 0; k < out.size(); ++k)
        out[k] += f.x[s][k];
    }
    f.z.push_back(std::move(z));
    f.nhat.push_back(std::move(nf.nhat));
    f.rstd.push_back(std::move(nf.rstd));
    f.y.push_back(std::move(nf.y));
    f.a.push_back(std::move(a));
    f.x.push_back(std::move(out));
  }
  return f;
}

double output_loss(const std::vector<double>& y_hat, const Batch& batch, uint32_t out,
                   Loss loss_kind) {
  return loss_from_output(y_hat, batch, out, loss_kind);
}

std::vector<double> output_loss_grad(const std::vector<double>& y_hat, const Batch& batch,
                                     uint32_t out, Loss loss_kind) {
  std::vector<double> dx(y_hat.size());
  if (loss_kind == Loss::mse) {
    const double scale = 2.0 / (static_cast<double>(batch.size) * out);
    for (size_t k = 0; k < dx.size(); ++k)
      dx[k] = scale * (y_hat[k] - batch.target[k]);
  } else {
    // d/dx_j of -sum_k y_k log softmax_k = softmax_j * sum_k y_k - y_j (targets need not sum to 1).
    for (uint32_t b = 0; b < batch.size; ++b) {
      const double* x = &y_hat[b * out];
      const double* y = &batch.target[b * out];
      const double lse = log_sum_exp(x, out);
      double y_sum = 0.0;
      for (uint32_t j = 0; j < out; ++j)
        y_sum += y[j];
      for (uint32_t j = 0; j < out; ++j) {
        dx[b * out + j] = (std::exp(x[j] - lse) * y_sum - y[j]) / batch.size;
      }
    }
  }
  return dx;
}

double loss(const Net& net, const Batch& batch, Loss loss_kind) {
  const Forward f = forward(net, batch);
  return loss_from_output(f.x.back(), batch, net.layers.back().out, loss_kind);
}

Gradients backward(const Net& net, const Batch& batch, Loss loss_kind) {
  const Forward f = forward(net, batch);
  const size_t n = net.layers.size();
  const uint32_t out = net.layers.back().out;
  const std::vector<double>& y_hat = f.x.back();

  Gradients g;
  g.loss = loss_from_output(y_hat, batch, out, loss_kind);
  g.dw.resize(n);
  g.db.resize(n);
  g.delta.resize(n);

  // dL/dx_L.
  std::vector<double> dx = output_loss_grad(y_hat, batch, out, loss_kind);

  // gx[s] = dL/dx[s], complete once every layer reading x[s] (layer s, and the layer whose
  // residual block adds it) has been passed.
  std::vector<std::vector<double>> gx(n + 1);
  for (size_t s = 0; s <= n; ++s)
    gx[s].assign(f.x[s].size(), 0.0);
  gx[n] = std::move(dx);
  g.dgamma.resize(n);
  g.dbeta.resize(n);
  for (size_t i = n; i-- > 0;) {
    const Layer& l = net.layers[i];
    const Activation act = activation_of(net, i);
    const std::vector<double>& x = f.x[i];
    const std::vector<double>& gout = gx[i + 1];
    // The skip passes dL/dx[i + 1] unchanged to the block's start.
    if (const int s = skip_source(net, i); s >= 0) {
      for (size_t k = 0; k < gout.size(); ++k)
        gx[s][k] += gout[k];
    }

    std::vector<double>& delta = g.delta[i];
    std::vector<double> dy(gout.size());
    for (size_t k = 0; k < dy.size(); ++k)
      dy[k] = gout[k] * activate_grad(act, f.y[i][k]);
    if (!l.gamma.empty()) {
      NormForward nf{f.nhat[i], f.y[i], f.rstd[i]};
      NormBackward nb = norm_backward(norm_of(net, i), batch.size, l.out, dy, nf, l.gamma);
      delta = std::move(nb.dz);
      g.dgamma[i] = std::move(nb.dgamma);
      g.dbeta[i] = std::move(nb.dbeta);
    } else {
      delta = std::move(dy);
    }

    g.dw[i].assign(l.out * l.in, 0.0);
    g.db[i].assign(l.out, 0.0);
    std::vector<double>& dx_prev = gx[i];
    for (uint32_t b = 0; b < batch.size; ++b) {
      for (uint32_t j = 0; j < l.out; ++j) {
        const double d = delta[b * l.out + j];
        g.db[i][j] += d;
        for (uint32_t k = 0; k < l.in; ++k) {
          g.dw[i][j * l.in + k] += d * x[b * l.in + k];
          dx_prev[b * l.in + k] += d * l.w[j * l.in + k];
        }
      }
    }
  }
  dx = std::move(gx[0]);
  g.dx0 = std::move(dx);
  return g;
}

std::vector<double> update(Net& net, const Gradients& grads, OptimizerState& state,
                           const TrainSpec& train) {
  const size_t n = net.layers.size();
  // dgamma and dbeta may be left out (hand-made gradients of a network without norm).
  const std::vector<double> none;
  auto dgamma = [&](size_t i) -> const std::vector<double>& {
    return grads.dgamma.empty() ? none : grads.dgamma[i];
  };
  auto dbeta = [&](size_t i) -> const std::vector<double>& {
    return grads.dbeta.empty() ? none : grads.dbeta[i];
  };
  if (grads.dw.size() != n || grads.db.size() != n ||
      (!grads.dgamma.empty() && grads.dgamma.size() != n) ||
      (!grads.dbeta.empty() && grads.dbeta.size() != n)) {
    throw std::invalid_argument("ref: gradients do not match the network");
  }
  auto sized = [n](std::vector<std::vector<double>>& s, size_t i, size_t count) {
    if (s.size() != n) s.resize(n);
    if (s[i].size() != count) s[i].assign(count, 0.0);
    return &s[i];
  };
  if (train.optimizer == Optimizer::adam) ++state.t;
  const double t = state.t;
  const double bc1 = 1.0 - std::pow(train.beta1, t);
  const double bc2 = 1.0 - std::pow(train.beta2, t);

  // Returns the step taken for parameter p with gradient g and moment slots m, v.
  auto step = [&](double g, double* m, double* v) {
    switch (train.optimizer) {
      case Optimizer::sgd:
        return train.lr * g;
      case Optimizer::momentum:
        *m = train.momentum * *m + g;
        return train.lr * *m;
      case Optimizer::adam: {
        *m = train.beta1 * *m + (1.0 - train.beta1) * g;
        *v = train.beta2 * *v + (1.0 - train.beta2) * g * g;
        const double m_hat = *m / bc1;
        const double v_hat = *v / bc2;
        return train.lr * m_hat / (std::sqrt(v_hat) + train.eps);
      }
    }
    throw std::invalid_argument("ref: unknown optimizer");
  };

  // Clipping: the global norm of all gradients first (as torch.nn.utils.clip_grad_norm_), then
  // each entry clamped (NaN stays NaN).
  double scale = 1.0;
  if (train.clip_norm > 0) {
    double sq = 0.0;
    for (size_t i = 0; i < n; ++i) {
      for (double g : grads.dw[i])
        sq += g * g;
      for (double g : grads.db[i])
        sq += g * g;
      for (double g : dgamma(i))
        sq += g * g;
      for (double g : dbeta(i))
        sq += g * g;
    }
    const double total = std::sqrt(sq);
    if (!(total <= train.clip_norm)) scale = train.clip_norm / (total + 1e-6);
  }
  auto clipped = [&](double g) {
    g *= scale;
    if (train.clip_value > 0 && !std::isnan(g))
      g = std::clamp(g, -train.clip_value, train.clip_value);
    return g;
  };
  std::vector<double> norms(n);
  for (size_t i = 0; i < n; ++i) {
    Layer& l = net.layers[i];
    std::vector<double>& mw = *sized(state.mw, i, l.w.size());
    std::vector<double>& vw = *sized(state.vw, i, l.w.size());
    std::vector<double>& mb = *sized(state.mb, i, l.b.size());
    std::vector<double>& vb = *sized(state.vb, i, l.b.size());
    double sq = 0.0;
    for (size_t k = 0; k < l.w.size(); ++k) {
      const double old = l.w[k];
      l.w[k] -= step(clipped(grads.dw[i][k]), &mw[k], &vw[k]);
      sq += (l.w[k] - old) * (l.w[k] - old);
    }
    for (size_t k = 0; k < l.b.size(); ++k)
      l.b[k] -= step(clipped(grads.db[i][k]), &mb[k], &vb[k]);
    std::vector<double>& mg = *sized(state.mg, i, l.gamma.size());
    std::vector<double>& vg = *sized(state.vg, i, l.gamma.size());
    std::vector<double>& mbe = *sized(state.mbe, i, l.beta.size());
    std::vector<double>& vbe = *sized(state.vbe, i, l.beta.size());
    if (dgamma(i).size() != l.gamma.size() || dbeta(i).size() != l.beta.size())
      throw std::invalid_argument("ref: norm gradients do not match the network");
    for (size_t k = 0; k < l.gamma.size(); ++k)
      l.gamma[k] -= step(clipped(dgamma(i)[k]), &mg[k], &vg[k]);
    for (size_t k = 0; k < l.beta.size(); ++k)
      l.beta[k] -= step(clipped(dbeta(i)[k]), &mbe[k], &vbe[k]);
    norms[i] = std::sqrt(sq);
  }
  return norms;
}

std::vector<LayerStats> statistics(const Net& before_update, const Gradients& grads,
                                   const std::vector<double>& update_norms) {
  std::vector<LayerStats> stats;
  for (size_t i = 0; i < before_update.layers.size(); ++i) {
    const Layer& l = before_update.layers[i];
    const std::vector<double>& dw = grads.dw.at(i);
    const std::vector<double>& delta = grads.delta.at(i);
    const size_t batch = l.out > 0 ? delta.size() / l.out : 0;
    LayerStats s;
    double abs_sum = 0.0;
    for (double g : dw) {
      if (!std::isfinite(g)) ++s.nonfinite;
      abs_sum += std::abs(g);
      s.grad_w_max_abs = std::max(s.grad_w_max_abs, std::abs(g));
    }
    s.grad_w_norm = std::sqrt(sum_squares(dw));
    s.grad_w_mean_abs = dw.empty() ? 0.0 : abs_sum / static_cast<double>(dw.size());
    s.grad_b_norm = std::sqrt(sum_squares(grads.db.at(i)));
    s.delta_rms =
        delta.empty() ? 0.0 : std::sqrt(sum_squares(delta) / static_cast<double>(delta.size()));
    s.weight_norm = std::sqrt(sum_squares(l.w));
    const double update_norm = i < update_norms.size() ? update_norms[i] : 0.0;
    // No update is a ratio of 0 even for zero weights; an update of zero weights is infinite.
    s.update_ratio = update_norm == 0.0 ? 0.0 : update_norm / s.weight_norm;
    s.neuron_mean_abs_delta.assign(l.out, 0.0);
    for (size_t b = 0; b < batch; ++b) {
      for (uint32_t j = 0; j < l.out; ++j) {
        s.neuron_mean_abs_delta[j] += std::abs(delta[b * l.out + j]);
      }
    }
    if (batch > 0) {
      for (double& v : s.neuron_mean_abs_delta)
        v /= static_cast<double>(batch);
    }
    stats.push_back(std::move(s));
  }
  return stats;
}

std::vector<double> finite_difference_dw(const Net& net, const Batch& batch, Loss loss_kind,
                                         uint32_t layer, double h) {
  return finite_difference(net, batch, loss_kind, layer, h,
                           [](Layer& l) -> std::vector<double>& { return l.w; });
}

std::vector<double> finite_difference_db(const Net& net, const Batch& batch, Loss loss_kind,
                                         uint32_t layer, double h) {
  return finite_difference(net, batch, loss_kind, layer, h,
                           [](Layer& l) -> std::vector<double>& { return l.b; });
}

std::vector<double> finite_difference_dgamma(const Net& net, const Batch& batch, Loss loss_kind,
                                             uint32_t layer, double h) {
  return finite_difference(net, batch, loss_kind, layer, h,
                           [](Layer& l) -> std::vector<double>& { return l.gamma; });
}

std::vector<double> finite_difference_dbeta(const Net& net, const Batch& batch, Loss loss_kind,
                                            uint32_t layer, double h) {
  return finite_difference(net, batch, loss_kind, layer, h,
                           [](Layer& l) -> std::vector<double>& { return l.beta; });
}

std::vector<double> finite_difference_dx0(const Net& net, const Batch& batch, Loss loss_kind,
                                          double h) {
  std::vector<double> fd(batch.input.size());
  Batch probe = batch;
  for (size_t k = 0; k < fd.size(); ++k) {
    const double saved = probe.input[k];
    probe.input[k] = saved + h;
    const double plus = loss(net, probe, loss_kind);
    probe.input[k] = saved - h;
    fd[k] = (plus - loss(net, probe, loss_kind)) / (2.0 * h);
    probe.input[k] = saved;
  }
  return fd;
}

}  // namespace gt::net::ref
