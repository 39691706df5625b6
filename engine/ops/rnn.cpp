#include "ops/rnn.hpp"

#include <algorithm>
#include <cmath>

#include "net/spec.hpp"

namespace gt::ops {
namespace {

std::vector<ParamInfo> params(const Op& op, uint32_t in) {
  const uint32_t f = rnn_features(op, in), h = op.units;
  return {
      {"weight_ih_l0", h, f}, {"weight_hh_l0", h, h}, {"bias_ih_l0", h, 1}, {"bias_hh_l0", h, 1}};
}

// act'(z) from h = act(z): tanh 1 - h^2, relu h > 0 (the two torch.nn.RNN has).
double grad_from_output(const Op& op, double h) {
  return op.activation == net::Activation::relu ? (h > 0.0 ? 1.0 : 0.0) : 1.0 - h * h;
}

double act(const Op& op, double z) {
  return op.activation == net::Activation::relu ? (z > 0.0 ? z : 0.0) : std::tanh(z);
}

// saved[0]: every hidden state (rnn_hidden).
Tensor forward(const Op& op, const std::vector<const Tensor*>& inputs, const OpParams& p,
               Saved& saved) {
  const Tensor& x = *inputs[0];
  std::vector<double> h = rnn_hidden(op, x, p);
  const size_t last = size_t(op.steps) * x.rows * op.units;
  Tensor y{x.rows, op.units, std::vector<double>(h.begin() + long(last), h.end())};
  saved = {std::move(h)};
  return y;
}

std::vector<Tensor> backward(const Op& op, const std::vector<const Tensor*>& inputs,
                             const OpParams& p, const Saved& saved, const Tensor& dy,
                             OpParams& grads) {
  const Tensor& x = *inputs[0];
  Tensor dx{x.rows, x.cols, std::vector<double>(x.v.size(), 0.0)};
  rnn_backward(op, x, p, saved[0], dy, grads, dx);
  return {std::move(dx)};
}

}  // namespace

uint32_t rnn_features(const Op& op, uint32_t in) {
  return op.steps == 0 || in % op.steps != 0 ? 0 : in / op.steps;
}

std::vector<double> rnn_hidden(const Op& op, const Tensor& x, const OpParams& p) {
  const uint32_t T = op.steps, H = op.units, F = rnn_features(op, x.cols), B = x.rows;
  const std::vector<double>&wih = p[0], &whh = p[1], &bih = p[2], &bhh = p[3];
  std::vector<double> h(size_t(T + 1) * B * H, 0.0);
  for (uint32_t t = 1; t <= T; ++t)
    for (uint32_t b = 0; b < B; ++b)
      for (uint32_t j = 0; j < H; ++j) {
        double z = bih[j] + bhh[j];
        const double* xt = &x.v[size_t(b) * x.cols + size_t(t - 1) * F];
        for (uint32_t f = 0; f < F; ++f)
          z += xt[f] * wih[size_t(j) * F + f];
        const double* prev = &h[(size_t(t - 1) * B + b) * H];
        for (uint32_t k = 0; k < H; ++k)
          z += prev[k] * whh[size_t(j) * H + k];
        h[(size_t(t) * B + b) * H + j] = act(op, z);
      }
  return h;
}

RnnTrace rnn_backward(const Op& op, const Tensor& x, const OpParams& p,
                      const std::vector<double>& h, const Tensor& dy, OpParams& grads, Tensor& dx) {
  const uint32_t T = op.steps, H = op.units, F = rnn_features(op, x.cols), B = x.rows;
  const std::vector<double>&wih = p[0], &whh = p[1];
  RnnTrace tr;
  tr.dh.assign(size_t(T) * B * H, 0.0);
  tr.dz.assign(tr.dh.size(), 0.0);
  tr.dwhh_term_norm.assign(T, 0.0);
  std::vector<double> term(size_t(H) * H);
  for (uint32_t t = T; t >= 1; --t) {
    const size_t at = size_t(t - 1) * B * H;
    for (uint32_t b = 0; b < B; ++b)
      for (uint32_t j = 0; j < H; ++j) {
        double g = t == T ? dy.v[size_t(b) * H + j] : 0.0;
        if (t < T)
          for (uint32_t k = 0; k < H; ++k)
            g += tr.dz[size_t(t) * B * H + size_t(b) * H + k] * whh[size_t(k) * H + j];
        tr.dh[at + size_t(b) * H + j] = g;
        tr.dz[at + size_t(b) * H + j] = g * grad_from_output(op, h[(size_t(t) * B + b) * H + j]);
      }
    std::fill(term.begin(), term.end(), 0.0);
    for (uint32_t b = 0; b < B; ++b)
      for (uint32_t j = 0; j < H; ++j) {
        const double d = tr.dz[at + size_t(b) * H + j];
        grads[2][j] += d;
        grads[3][j] += d;
        const double* xt = &x.v[size_t(b) * x.cols + size_t(t - 1) * F];
        for (uint32_t f = 0; f < F; ++f) {
          grads[0][size_t(j) * F + f] += d * xt[f];
          dx.v[size_t(b) * x.cols + size_t(t - 1) * F + f] += d * wih[size_t(j) * F + f];
        }
        const double* prev = &h[(size_t(t - 1) * B + b) * H];
        for (uint32_t k = 0; k < H; ++k)
          term[size_t(j) * H + k] += d * prev[k];
      }
    double ssq = 0.0;
    for (size_t e = 0; e < term.size(); ++e) {
      grads[1][e] += term[e];
      ssq += term[e] * term[e];
    }
    tr.dwhh_term_norm[t - 1] = std::sqrt(ssq);
  }
  return tr;
}

const KindInfo& rnn_kind() {
  static const KindInfo info{Kind::rnn, "rnn", Role::recurrent, params, forward, backward};
  return info;
}

}  // namespace gt::ops
