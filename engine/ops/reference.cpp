#include "ops/reference.hpp"

#include <stdexcept>

namespace gt::ops {
namespace {

// The op indices each op reads: its predecessor (kInput for op 0) and, for the kinds that read
// one (residual_add, rezero), `from`.
std::vector<int32_t> inputs_of(const Graph& g, size_t i) {
  std::vector<int32_t> in{static_cast<int32_t>(i) - 1};
  if (reads_from(kind_of(g.ops[i].kind).role)) in.push_back(g.ops[i].from);
  return in;
}

Tensor input_tensor(const net::ref::Batch& batch, uint32_t features) {
  return Tensor{batch.size, features, batch.input};
}

}  // namespace

GraphParams zero_params(const Graph& graph) {
  const std::vector<uint32_t> widths = output_widths(graph);
  GraphParams p(graph.ops.size());
  for (size_t i = 0; i < graph.ops.size(); ++i) {
    const uint32_t in = i == 0 ? graph.input : widths[i - 1];
    for (const ParamInfo& info : kind_of(graph.ops[i].kind).params(graph.ops[i], in))
      p[i].emplace_back(size_t(info.rows) * info.cols, 0.0);
  }
  return p;
}

GraphParams params_from_layers(const Graph& graph, const net::Params& layers) {
  GraphParams p = zero_params(graph);
  const std::vector<FusedLayer> fused = fuse(graph);
  int32_t layer = -1;
  for (size_t i = 0; i < graph.ops.size(); ++i) {
    const Kind k = graph.ops[i].kind;
    const Role role = kind_of(k).role;
    if (role == Role::layer || role == Role::recurrent) ++layer;
    if (p[i].empty()) continue;  // no parameters (residual_add)
    if (layer < 0 || size_t(layer) >= layers.size())
      throw std::invalid_argument("ops: parameters do not match the graph's layers");
    const net::LayerParams& l = layers[size_t(layer)];
    // The layer's post op's, one after the other: a post kind, or a norm fuse() runs after its
    // layer (pre- and post-norm).
    if (fused[size_t(layer)].post_op == static_cast<int32_t>(i)) {
      size_t at = 0;
      for (std::vector<double>& t : p[i]) {
        if (at + t.size() > l.post.size())
          throw std::invalid_argument("ops: parameter shapes do not match the graph");
        t.assign(l.post.begin() + long(at), l.post.begin() + long(at + t.size()));
        at += t.size();
      }
      if (at != l.post.size())
        throw std::invalid_argument("ops: parameter shapes do not match the graph");
      continue;
    }
    if (role == Role::recurrent) {  // w: W_ih then W_hh, b: b_ih then b_hh (net::LayerParams)
      const size_t nih = p[i][0].size(), nhh = p[i][1].size(), nb = p[i][2].size();
      if (l.w.size() != nih + nhh || l.b.size() != 2 * nb)
        throw std::invalid_argument("ops: parameter shapes do not match the graph");
      p[i][0].assign(l.w.begin(), l.w.begin() + long(nih));
      p[i][1].assign(l.w.begin() + long(nih), l.w.end());
      p[i][2].assign(l.b.begin(), l.b.begin() + long(nb));
      p[i][3].assign(l.b.begin() + long(nb), l.b.end());
      continue;
    }
    const std::vector<float>& a = k == Kind::dense ? l.w : l.gamma;
    const std::vector<float>& b = k == Kind::dense ? l.b : l.beta;
    if (a.size() != p[i][0].size() || b.size() != p[i][1].size())
      throw std::invalid_argument("ops: parameter shapes do not match the graph");
    p[i][0].assign(a.begin(), a.end());
    p[i][1].assign(b.begin(), b.end());
  }
  return p;
}

GraphForward forward(const Graph& graph, const GraphParams& params, const Tensor& input) {
  GraphForward f;
  f.out.resize(graph.ops.size());
  f.saved.resize(graph.ops.size());
  for (size_t i = 0; i < graph.ops.size(); ++i) {
    std::vector<const Tensor*> in;
    for (int32_t j : inputs_of(graph, i))
      in.push_back(j == kInput ? &input : &f.out[size_t(j)]);
    f.out[i] = kind_of(graph.ops[i].kind).forward(graph.ops[i], in, params[i], f.saved[i]);
  }
  return f;
}

double loss(const Graph& graph, const GraphParams& params, const net::ref::Batch& batch,
            net::Loss loss_kind) {
  const GraphForward f = forward(graph, params, input_tensor(batch, graph.input));
  return net::ref::output_loss(f.out.back().v, batch, f.out.back().cols, loss_kind);
}

GraphGradients backward(const Graph& graph, const GraphParams& params, const net::ref::Batch& batch,
                        net::Loss loss_kind) {
  const Tensor input = input_tensor(batch, graph.input);
  const GraphForward f = forward(graph, params, input);
  const Tensor& y_hat = f.out.back();
  GraphGradients g;
  g.loss = net::ref::output_loss(y_hat.v, batch, y_hat.cols, loss_kind);
  g.grads = zero_params(graph);
  // d[i]: dL/d op i's output, complete once every op reading it has been passed (ops read only
  // earlier ops, so walking down completes each before its own backward).
  std::vector<Tensor> d(graph.ops.size());
  for (size_t i = 0; i < graph.ops.size(); ++i)
    d[i] = Tensor{f.out[i].rows, f.out[i].cols, std::vector<double>(f.out[i].v.size(), 0.0)};
  g.dinput = Tensor{input.rows, input.cols, std::vector<double>(input.v.size(), 0.0)};
  d.back().v = net::ref::output_loss_grad(y_hat.v, batch, y_hat.cols, loss_kind);
  for (size_t i = graph.ops.size(); i-- > 0;) {
    const std::vector<int32_t> ids = inputs_of(graph, i);
    std::vector<const Tensor*> in;
    for (int32_t j : ids)
      in.push_back(j == kInput ? &input : &f.out[size_t(j)]);
    const std::vector<Tensor> dx =
        kind_of(graph.ops[i].kind)
            .backward(graph.ops[i], in, params[i], f.saved[i], d[i], g.grads[i]);
    for (size_t k = 0; k < ids.size(); ++k) {
      Tensor& to = ids[k] == kInput ? g.dinput : d[size_t(ids[k])];
      for (size_t e = 0; e < to.v.size(); ++e)
        to.v[e] += dx[k].v[e];
    }
  }
  return g;
}

}  // namespace gt::ops
