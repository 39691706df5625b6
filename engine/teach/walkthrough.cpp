#include "teach/walkthrough.hpp"

#include <cmath>
#include <cstdio>
#include <stdexcept>

#include "net/reference.hpp"
#include "ops/graph.hpp"
#include "teach/walk_text.hpp"

namespace gt::teach {
namespace {

// dL/da of the output column for one sample, from the GPU's output and the target, exactly as
// the loss kernel defines it (MSE: the mean over batch and outputs, no 1/2; cross-entropy: the
// mean over the batch of -sum y log softmax).
std::vector<double> output_grad(const StepValues& v, uint32_t b) {
  const uint32_t out = v.before.back().out, B = v.batch;
  const float* a = &v.a.back()[b * out];
  const float* y = &v.target[b * out];
  std::vector<double> g(out);
  if (v.train.loss == net::Loss::mse) {
    for (uint32_t j = 0; j < out; ++j)
      g[j] = 2.0 * (double(a[j]) - y[j]) / (double(B) * out);
    return g;
  }
  const std::vector<double> p = softmax(a, out);
  double y_sum = 0;
  for (uint32_t j = 0; j < out; ++j)
    y_sum += y[j];
  for (uint32_t j = 0; j < out; ++j)
    g[j] = (p[j] * y_sum - y[j]) / B;
  return g;
}

net::Activation act_of(const StepValues& v, uint32_t layer) {
  return layer + 1 == v.before.size() ? v.network.output_activation : v.network.activation;
}

// dL/dz and dL/da of one sample by the chain rule from the GPU's values: the output's dL/da
// from its activations and the target, then dz = da * act'(z) and da = W^T dz layer by layer.
void chain_rule(Walkthrough& w) {
  const StepValues& v = w.values;
  const uint32_t L = w.layers();
  w.dz.assign(L, {});
  w.da.assign(L + 1, {});
  w.da[L] = output_grad(v, w.sample);
  for (uint32_t l = L; l-- > 0;) {
    const net::LayerParams& p = v.before[l];
    const std::vector<float> z = w.z_of(l);
    std::vector<double>& dz = w.dz[l];
    dz.resize(p.out);
    for (uint32_t j = 0; j < p.out; ++j)
      dz[j] = w.da[l + 1][j] * net::ref::activate_grad(act_of(v, l), z[j]);
    // One sample: the GPU's db is this sample's dL/dz, so show the GPU's own numbers.
    if (v.batch == 1)
      for (uint32_t j = 0; j < p.out; ++j)
        dz[j] = v.grads[l].b[j];
    if (l == 0) break;
    std::vector<double>& da = w.da[l];
    da.assign(p.in, 0.0);
    for (uint32_t j = 0; j < p.out; ++j)
      for (uint32_t k = 0; k < p.in; ++k)
        da[k] += double(p.w[j * p.in + k]) * dz[j];
  }
}

void check_values(const StepValues& v) {
  const uint32_t L = uint32_t(v.before.size());
  if (L == 0 || v.grads.size() != L || v.after.size() != L || v.z.size() != L ||
      v.a.size() != L + 1 || v.batch == 0)
    throw std::invalid_argument("walkthrough: the step's values do not fit together");
  for (uint32_t l = 0; l < L; ++l) {
    const net::LayerParams& p = v.before[l];
    if (p.w.size() != size_t(p.in) * p.out || p.b.size() != p.out ||
        v.grads[l].w.size() != p.w.size() || v.grads[l].b.size() != p.out ||
        v.z[l].size() != size_t(v.batch) * p.out || v.a[l + 1].size() != size_t(v.batch) * p.out ||
        v.a[l].size() != size_t(v.batch) * p.in)
      throw std::invalid_argument("walkthrough: layer " + std::to_string(l + 1) +
                                  "'s values do not fit its sizes");
  }
  if (v.input.size() != v.a[0].size() || v.target.size() != size_t(v.batch) * v.before.back().out)
    throw std::invalid_argument("walkthrough: the batch does not fit the network");
}

}  // namespace

std::string walk_limits_error(const net::Scene& scene) {
  const std::vector<uint32_t> sizes = scene.network.sizes();
  const uint32_t layers = uint32_t(sizes.size() - 1);
  const auto limits = [] {
    return " (the walkthrough draws at most " + std::to_string(kMaxWalkLayers) +
           " weight layers of at most " + std::to_string(kMaxWalkFeatures) +
           " features each, and a batch of at most " + std::to_string(kMaxWalkBatch) + ")";
  };
  if (layers > kMaxWalkLayers)
    return "the network has " + std::to_string(layers) + " weight layers" + limits();
  for (size_t c = 0; c < sizes.size(); ++c)
    if (sizes[c] > kMaxWalkFeatures)
      return "the network's " +
             std::string(c == 0                  ? "input"
                         : c + 1 == sizes.size() ? "output"
                                                 : "hidden layer " + std::to_string(c)) +
             " has " + std::to_string(sizes[c]) + " features" + limits();
  if (scene.data.batch > kMaxWalkBatch)
    return "the batch has " + std::to_string(scene.data.batch) + " samples" + limits();
  // Its chain rule is that of plain dense layers with one hidden activation (act_of, walk_text).
  const std::vector<ops::FusedLayer> fused = ops::fused_layers(scene.network);
  const std::string plain =
      " (the walkthrough shows plain dense layers with one hidden activation: no norms, no skips)";
  for (size_t l = 0; l < fused.size(); ++l) {
    const std::string layer = "layer " + std::to_string(l + 1);
    if (fused[l].kind != ops::Kind::dense)
      return layer + " is an " + std::string(ops::to_string(fused[l].kind)) + plain;
    if (fused[l].norm != net::Norm::none) return layer + " normalizes its pre-activation" + plain;
    if (fused[l].skip_source >= 0 || fused[l].post) return layer + " adds a skip" + plain;
    const net::Activation want =
        l + 1 == fused.size() ? scene.network.output_activation : scene.network.activation;
    if (fused[l].act != want) return "the layers have different activations" + plain;
  }
  return {};
}

void check_walkable(const net::Scene& scene) {
  const std::string error = walk_limits_error(scene);
  if (!error.empty()) throw std::runtime_error("--walkthrough: " + error);
}

std::vector<uint32_t> Walkthrough::sizes() const {
  std::vector<uint32_t> s{values.before.front().in};
  for (const net::LayerParams& p : values.before)
    s.push_back(p.out);
  return s;
}

std::vector<float> Walkthrough::z_of(uint32_t layer) const {
  const uint32_t n = values.before[layer].out;
  const auto* p = &values.z[layer][size_t(sample) * n];
  return {p, p + n};
}

std::vector<float> Walkthrough::a_of(uint32_t column) const {
  const uint32_t n = sizes()[column];
  const auto* p = &values.a[column][size_t(sample) * n];
  return {p, p + n};
}

std::vector<float> Walkthrough::target_of() const {
  const uint32_t n = values.before.back().out;
  const auto* p = &values.target[size_t(sample) * n];
  return {p, p + n};
}

Known Walkthrough::known(size_t step) const {
  const uint32_t L = layers();
  Known k;
  k.z.assign(L, false);
  k.dz.assign(L, false);
  k.grads.assign(L, false);
  k.a.assign(L + 1, false);
  k.da.assign(L + 1, false);
  k.a[0] = true;  // the input is given
  for (size_t s = 0; s <= step && s < steps.size(); ++s)
    for (const Reveal& r : steps[s].reveals) {
      switch (r.what) {
        case Quantity::z:
          k.z[r.layer] = true;
          break;
        case Quantity::a:
          k.a[r.layer] = true;
          break;
        case Quantity::loss:
          k.loss = true;
          break;
        case Quantity::dz:
          k.dz[r.layer] = true;
          break;
        case Quantity::da:
          k.da[r.layer] = true;
          break;
        case Quantity::grads:
          k.grads[r.layer] = true;
          break;
        case Quantity::update:
          k.update = true;
          break;
      }
    }
  return k;
}

Walkthrough build_walkthrough(const StepValues& values, uint32_t sample) {
  check_values(values);
  net::Scene probe;
  probe.network.explicit_sizes.push_back(values.before.front().in);
  for (const net::LayerParams& p : values.before)
    probe.network.explicit_sizes.push_back(p.out);
  probe.data.batch = values.batch;
  check_walkable(probe);
  if (sample >= values.batch)
    throw std::runtime_error("--walk-sample " + std::to_string(sample + 1) + ": the batch has " +
                             std::to_string(values.batch) + " sample(s)");
  Walkthrough w;
  w.values = values;
  w.sample = sample;
  chain_rule(w);
  w.steps = walk_steps(w);
  return w;
}

}  // namespace gt::teach
