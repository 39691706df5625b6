#include "net/init.hpp"

#include <cmath>
#include <numbers>
#include <utility>

#include "net/orthogonal.hpp"
#include "net/philox.hpp"
#include "ops/graph.hpp"
#include "ops/kind.hpp"

namespace gt::net {
namespace {

// Counter layout shared with the GPU: {element, layer, stream, 0}; key = the 64-bit seed.
constexpr uint32_t kStreamWeights = 0;
constexpr uint32_t kStreamBiases = 1;

U32x4 draw(uint64_t seed, uint32_t element, uint32_t layer, uint32_t stream) {
  return philox4x32_10(U32x4{{element, layer, stream, 0}}, static_cast<uint32_t>(seed),
                       static_cast<uint32_t>(seed >> 32));
}

double uniform01(const U32x4& r) {
  return u01_closed_open(r.v[0]);
}

// Box-Muller on the first two outputs.
double standard_normal(const U32x4& r) {
  return std::sqrt(-2.0 * std::log(u01_open_closed(r.v[0]))) *
         std::cos(2.0 * std::numbers::pi * u01_closed_open(r.v[1]));
}

// Normalized layers start as the identity map: gamma = 1, beta = 0 (as PyTorch). A standalone
// op's parameters start at their kind's ParamInfo::init (ReZero's alpha 0: the block starts as the
// identity; a post-norm's gamma 1 and beta 0).
void add_norm_params(const NetworkSpec& spec, Params& params) {
  const std::vector<ops::FusedLayer> layers = ops::fused_layers(spec);
  for (uint32_t i = 0; i < params.size() && i < layers.size(); ++i) {
    if (layers[i].post && params[i].post.empty()) {
      params[i].post_kind = std::string(ops::to_string(*layers[i].post));
      for (const ops::ParamInfo& info : ops::kind_of(*layers[i].post).params({}, params[i].out))
        params[i].post.resize(params[i].post.size() + size_t(info.rows) * info.cols,
                              static_cast<float>(info.init));
    }
    if (layers[i].norm == Norm::none || !params[i].gamma.empty()) continue;
    params[i].gamma.assign(params[i].out, 1.0f);
    params[i].beta.assign(params[i].out, 0.0f);
  }
}

// Orthogonal: the same standard normals as the gaussian init (stream kStreamWeights, counter
// {row * in + column, layer, 0, 0}), as a [out][in] matrix, made orthogonal (net/orthogonal.hpp)
// and scaled by sigma_w.
void orthogonal_weights(const NetworkSpec& spec, uint32_t layer, LayerParams& lp) {
  std::vector<double> a(lp.w.size());
  for (uint32_t e = 0; e < a.size(); ++e)
    a[e] = standard_normal(draw(spec.seed, e, layer, kStreamWeights));
  const std::vector<double> q = orthogonal_from(std::move(a), lp.out, lp.in);
  for (size_t e = 0; e < q.size(); ++e)
    lp.w[e] = static_cast<float>(q[e] * spec.sigma_w);
}

// The element-wise rules: each weight from its own draw.
void elementwise_weights(const NetworkSpec& spec, uint32_t layer, LayerParams& lp) {
  const double fan_in = lp.in;
  const double fan_out = lp.out;
  for (uint32_t e = 0; e < lp.w.size(); ++e) {
    const U32x4 r = draw(spec.seed, e, layer, kStreamWeights);
    double w = 0.0;
    switch (spec.init) {
      case Init::gaussian:
        w = standard_normal(r) * spec.sigma_w / std::sqrt(fan_in);
        break;
      case Init::xavier_uniform: {
        const double a = std::sqrt(6.0 / (fan_in + fan_out));
        w = (2.0 * uniform01(r) - 1.0) * a;
        break;
      }
      case Init::xavier_normal:
        w = standard_normal(r) * std::sqrt(2.0 / (fan_in + fan_out));
        break;
      case Init::he_normal:
        w = standard_normal(r) * std::sqrt(2.0 / fan_in);
        break;
      case Init::orthogonal:
        break;  // orthogonal_weights
    }
    lp.w[e] = static_cast<float>(w);
  }
}

// A recurrent layer (rnn): every parameter U(-1/sqrt(H), 1/sqrt(H)) as torch.nn.RNN's
// reset_parameters, from the weight stream (element e of W_ih then W_hh, then b_ih, b_hh); then
// W_hh as the op's init_hh asks, scaled by rho.
void recurrent_params(const NetworkSpec& spec, const ops::Op& op, uint32_t layer, LayerParams& lp) {
  const uint32_t h = lp.out, f = lp.in / lp.steps;
  const double k = 1.0 / std::sqrt(double(h));
  lp.w.resize(size_t(h) * (f + h));
  lp.b.resize(2 * size_t(h));
  uint32_t e = 0;
  for (float& v : lp.w)
    v = static_cast<float>((2.0 * uniform01(draw(spec.seed, e++, layer, kStreamWeights)) - 1.0) *
                           k);
  for (float& v : lp.b)
    v = static_cast<float>((2.0 * uniform01(draw(spec.seed, e++, layer, kStreamWeights)) - 1.0) *
                           k);
  float* whh = lp.w.data() + size_t(h) * f;
  const size_t n = size_t(h) * h;
  switch (op.init_hh) {
    case ops::InitHH::uniform:
      return;
    case ops::InitHH::gaussian:
      for (size_t i = 0; i < n; ++i)
        whh[i] =
            static_cast<float>(standard_normal(draw(spec.seed, uint32_t(i), layer, kStreamBiases)) *
                               op.rho / std::sqrt(double(h)));
      return;
    case ops::InitHH::orthogonal: {
      std::vector<double> a(n);
      for (size_t i = 0; i < n; ++i)
        a[i] = standard_normal(draw(spec.seed, uint32_t(i), layer, kStreamBiases));
      const std::vector<double> q = orthogonal_from(std::move(a), h, h);
      for (size_t i = 0; i < n; ++i)
        whh[i] = static_cast<float>(q[i] * op.rho);
      return;
    }
    case ops::InitHH::identity:
      for (size_t i = 0; i < n; ++i)
        whh[i] = i % (h + 1) == 0 ? static_cast<float>(op.rho) : 0.0f;
      return;
  }
}

}  // namespace

bool init_draws_biases(Init init) {
  return init == Init::gaussian || init == Init::orthogonal;
}

Params init_params(const NetworkSpec& spec) {
  if (!spec.initial.empty()) {
    Params given = spec.initial;
    add_norm_params(spec, given);
    return given;
  }
  const std::vector<uint32_t> sizes = spec.sizes();
  const ops::Graph graph = ops::graph_of(spec);
  const std::vector<ops::FusedLayer> fused = ops::fuse(graph);
  Params params;
  params.reserve(sizes.size() - 1);
  for (uint32_t i = 0; i + 1 < sizes.size(); ++i) {
    LayerParams lp;
    lp.in = sizes[i];
    lp.out = sizes[i + 1];
    if (fused[i].kind != ops::Kind::dense) {
      lp.steps = fused[i].steps;
      recurrent_params(spec, graph.ops[size_t(fused[i].op)], i, lp);
      params.push_back(std::move(lp));
      continue;
    }
    lp.w.resize(lp.in * lp.out);
    lp.b.assign(lp.out, 0.0f);
    if (spec.init == Init::orthogonal)
      orthogonal_weights(spec, i, lp);
    else
      elementwise_weights(spec, i, lp);
    if (init_draws_biases(spec.init)) {
      for (uint32_t j = 0; j < lp.out; ++j) {
        lp.b[j] = static_cast<float>(standard_normal(draw(spec.seed, j, i, kStreamBiases)) *
                                     spec.sigma_b);
      }
    }
    params.push_back(std::move(lp));
  }
  add_norm_params(spec, params);
  return params;
}

}  // namespace gt::net
