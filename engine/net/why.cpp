#include "net/why.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>

namespace gt::net {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

// A layer's parameters in the order ParamRef::index counts them: W, b, then gamma and beta of a
// normalized layer.
uint64_t layer_count(const ref::Layer& l) {
  return uint64_t(l.out) * l.in + l.out + l.gamma.size() + l.beta.size();
}

// The parameter's slot in `values` = {W, b, gamma, beta} (as ref::Layer or ref::Gradients hold
// them) and its index there.
template <typename Vec>
auto& slot_of(Vec& w, Vec& b, Vec& gamma, Vec& beta, uint64_t index) {
  for (Vec* v : {&w, &b, &gamma}) {
    if (index < v->size()) return (*v)[index];
    index -= v->size();
  }
  return beta[index];
}

double& value_of(ref::Net& net, const ParamRef& p) {
  ref::Layer& l = net.layers[p.layer];
  return slot_of(l.w, l.b, l.gamma, l.beta, p.index);
}

double grad_of(const ref::Gradients& g, const ParamRef& p) {
  const uint32_t i = p.layer;
  return slot_of(g.dw[i], g.db[i], g.dgamma[i], g.dbeta[i], p.index);
}

// q indices out of [0, count), evenly spaced (steps of count / q, rounded down) and centred.
void spread(uint32_t layer, uint64_t count, uint64_t q, std::vector<ParamRef>& out) {
  if (q == 0) return;
  const uint64_t a = count / q, r = count % q;
  auto at = [&](uint64_t i) { return i * a + (i * r) / q; };
  const uint64_t offset = (count - 1 - at(q - 1)) / 2;
  for (uint64_t i = 0; i < q; ++i)
    out.push_back({layer, at(i) + offset});
}

}  // namespace

double WhyReport::relative_diff() const {
  return max_abs_grad > 0 ? max_abs_diff / max_abs_grad : max_abs_diff;
}

uint64_t parameter_count(const ref::Net& net) {
  uint64_t p = 0;
  for (const ref::Layer& l : net.layers)
    p += layer_count(l);
  return p;
}

std::vector<ParamRef> sample_params(const ref::Net& net, uint64_t max_params) {
  const size_t n = net.layers.size();
  std::vector<uint64_t> count(n), quota(n, 0);
  for (size_t i = 0; i < n; ++i)
    count[i] = layer_count(net.layers[i]);
  if (max_params == 0 || max_params >= parameter_count(net)) {
    quota = count;
  } else {
    // Equal shares of what is left among the layers with room, until all is given out.
    uint64_t left = max_params;
    while (left > 0) {
      uint64_t open = 0;
      for (size_t i = 0; i < n; ++i)
        open += quota[i] < count[i];
      const uint64_t share = std::max<uint64_t>(1, left / open);
      for (size_t i = 0; i < n && left > 0; ++i) {
        const uint64_t add = std::min({share, count[i] - quota[i], left});
        quota[i] += add;
        left -= add;
      }
    }
  }
  std::vector<ParamRef> out;
  for (size_t i = 0; i < n; ++i)
    spread(uint32_t(i), count[i], quota[i], out);
  return out;
}

WhyReport why_backwards(const ref::Net& net, const ref::Batch& batch, Loss loss_kind,
                        const WhyOptions& options) {
  WhyReport r;
  r.params = parameter_count(net);

  // Backprop: all P gradients from one forward and one backward pass. The time is the mean of a
  // few runs after an untimed one, as finite differences' is a mean over warm passes.
  ref::Gradients grads = ref::backward(net, batch, loss_kind);
  const uint32_t repeats = std::max<uint32_t>(1, options.backprop_repeats);
  r.backprop = {.forward = 1, .backward = 1, .seconds = 0};
  const Clock::time_point t_bp = Clock::now();
  for (uint32_t k = 0; k < repeats; ++k)
    grads = ref::backward(net, batch, loss_kind);
  r.backprop.seconds = seconds_since(t_bp) / repeats;
  r.loss = grads.loss;

  // Finite differences: two forward passes per parameter, on a copy perturbed in place.
  const std::vector<ParamRef> params = sample_params(net, options.max_params);
  r.differenced = params.size();
  r.differenced_per_layer.assign(net.layers.size(), 0);
  r.samples.reserve(params.size());
  ref::Net probe = net;
  const Clock::time_point t0 = Clock::now();
  for (const ParamRef& p : params) {
    double& v = value_of(probe, p);
    const double saved = v;
    const double h = options.rel_step * std::max(1.0, std::abs(saved));
    // plus - minus is the step actually taken, whatever rounding did to saved +- h.
    const double plus = saved + h, minus = saved - h;
    v = plus;
    const double loss_plus = ref::loss(probe, batch, loss_kind);
    v = minus;
    const double loss_minus = ref::loss(probe, batch, loss_kind);
    v = saved;
    r.finite_differences.forward += 2;
    r.samples.push_back({p, (loss_plus - loss_minus) / (plus - minus), grad_of(grads, p)});
    ++r.differenced_per_layer[p.layer];
    if (options.progress) options.progress(r.samples.size(), params.size());
  }
  r.finite_differences.seconds = seconds_since(t0);

  for (const WhySample& s : r.samples) {
    r.max_abs_diff = std::max(r.max_abs_diff, std::abs(s.finite_difference - s.backprop));
    r.max_abs_grad = std::max(r.max_abs_grad, std::abs(s.backprop));
  }

  r.extrapolated = r.differenced < r.params;
  r.finite_differences_all.forward = 2 * r.params;
  // Measured when every parameter was differenced (x * P / P need not round back to x).
  r.finite_differences_all.seconds =
      !r.extrapolated ? r.finite_differences.seconds
      : r.differenced == 0
          ? 0
          : r.finite_differences.seconds * double(r.params) / double(r.differenced);
  return r;
}

}  // namespace gt::net
