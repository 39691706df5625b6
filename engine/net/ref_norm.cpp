#include "net/ref_norm.hpp"

#include <cmath>
#include <stdexcept>

namespace gt::net::ref {
namespace {

// The groups a normalization averages over: batch norm has one per neuron (its members the
// samples), layer norm one per sample (its members the neurons).
struct Groups {
  Norm kind;
  uint32_t batch, out;
  uint32_t count() const { return kind == Norm::batch ? out : batch; }
  uint32_t size() const { return kind == Norm::batch ? batch : out; }
  size_t at(uint32_t group, uint32_t member) const {
    return kind == Norm::batch ? size_t(member) * out + group : size_t(group) * out + member;
  }
};

Groups groups_of(Norm kind, uint32_t batch, uint32_t out) {
  if (kind == Norm::none) throw std::invalid_argument("ref: normalization of kind none");
  return Groups{kind, batch, out};
}

}  // namespace

NormForward norm_forward(Norm kind, uint32_t batch, uint32_t out, const std::vector<double>& z,
                         const std::vector<double>& gamma, const std::vector<double>& beta) {
  const Groups g = groups_of(kind, batch, out);
  NormForward f;
  f.nhat.assign(z.size(), 0.0);
  f.y.assign(z.size(), 0.0);
  f.rstd.assign(g.count(), 0.0);
  for (uint32_t k = 0; k < g.count(); ++k) {
    double mean = 0.0;
    for (uint32_t m = 0; m < g.size(); ++m)
      mean += z[g.at(k, m)];
    mean /= g.size();
    double var = 0.0;
    for (uint32_t m = 0; m < g.size(); ++m)
      var += (z[g.at(k, m)] - mean) * (z[g.at(k, m)] - mean);
    var /= g.size();  // biased, as in training mode
    f.rstd[k] = 1.0 / std::sqrt(var + kNormEps);
    for (uint32_t m = 0; m < g.size(); ++m) {
      const size_t i = g.at(k, m);
      f.nhat[i] = (z[i] - mean) * f.rstd[k];
      const uint32_t neuron = static_cast<uint32_t>(i % out);
      f.y[i] = gamma[neuron] * f.nhat[i] + beta[neuron];
    }
  }
  return f;
}

NormBackward norm_backward(Norm kind, uint32_t batch, uint32_t out, const std::vector<double>& dy,
                           const NormForward& f, const std::vector<double>& gamma) {
  const Groups g = groups_of(kind, batch, out);
  NormBackward r;
  r.dgamma.assign(out, 0.0);
  r.dbeta.assign(out, 0.0);
  r.dz.assign(dy.size(), 0.0);
  std::vector<double> dn(dy.size());
  for (size_t i = 0; i < dy.size(); ++i) {
    const size_t neuron = i % out;
    r.dgamma[neuron] += dy[i] * f.nhat[i];
    r.dbeta[neuron] += dy[i];
    dn[i] = dy[i] * gamma[neuron];
  }
  const double size = g.size();
  for (uint32_t k = 0; k < g.count(); ++k) {
    double sum = 0.0, sum_n = 0.0;
    for (uint32_t m = 0; m < g.size(); ++m) {
      sum += dn[g.at(k, m)];
      sum_n += dn[g.at(k, m)] * f.nhat[g.at(k, m)];
    }
    for (uint32_t m = 0; m < g.size(); ++m) {
      const size_t i = g.at(k, m);
      r.dz[i] = f.rstd[k] / size * (size * dn[i] - sum - f.nhat[i] * sum_n);
    }
  }
  return r;
}

}  // namespace gt::net::ref
