#include "ops/graph.hpp"

#include "ops/kind.hpp"

namespace gt::ops {
namespace {

[[noreturn]] void fail(const Op& op, size_t index, const std::string& what) {
  const std::string who =
      "op " + std::to_string(index + 1) + " (" + std::string(to_string(op.kind)) + ")";
  throw GraphError((op.where.empty() ? "" : op.where + ": ") + who + ": " + what,
                   static_cast<int64_t>(index), what);
}

void add_hidden(Graph& g, const net::NetworkSpec& spec, uint32_t units) {
  if (spec.norm == net::Norm::none) {
    g.ops.push_back(dense_op(units, spec.activation));
    return;
  }
  g.ops.push_back(dense_op(units, net::Activation::linear));
  const Kind k = spec.norm == net::Norm::layer ? Kind::layer_norm : Kind::batch_norm;
  g.ops.push_back(norm_op(k, spec.activation));
}

}  // namespace

Graph graph_of(const net::NetworkSpec& spec) {
  Graph g;
  g.input = spec.input;
  if (!spec.ops.empty()) {
    g.ops = spec.ops;
    return g;
  }
  const std::vector<uint32_t> sizes = spec.sizes();
  g.input = sizes.front();
  const uint32_t depth = static_cast<uint32_t>(sizes.size()) - 2;  // hidden layers
  // Residual blocks (docs/SCENES.md): hidden layers h = 1..depth; block j covers h = 2 + jk ..
  // 1 + (j+1)k (the last one possibly shorter) and adds X_{1+jk}, the output of hidden layer
  // 1 + jk, at its end.
  const bool residual = spec.residual && depth >= 2;
  const uint32_t k = spec.residual_every;
  std::vector<int32_t> last_op_of_hidden(depth + 1, kInput);
  for (uint32_t h = 1; h <= depth; ++h) {
    add_hidden(g, spec, sizes[h]);
    const bool end = residual && h >= 2 && ((h - 1) % k == 0 || h == depth);
    if (end) {
      const uint32_t start = 1 + (h - 2) / k * k;
      g.ops.push_back(residual_op(last_op_of_hidden[start]));
    }
    last_op_of_hidden[h] = static_cast<int32_t>(g.ops.size()) - 1;
  }
  g.ops.push_back(dense_op(sizes.back(), spec.output_activation));
  return g;
}

std::vector<uint32_t> output_widths(const Graph& graph) {
  std::vector<uint32_t> w;
  w.reserve(graph.ops.size());
  auto width_of = [&](int32_t i) { return i == kInput ? graph.input : w[size_t(i)]; };
  if (graph.ops.empty()) throw GraphError("the network has no ops");
  for (size_t i = 0; i < graph.ops.size(); ++i) {
    const Op& op = graph.ops[i];
    const uint32_t x = width_of(static_cast<int32_t>(i) - 1);
    switch (kind_of(op.kind).role) {
      case Role::layer:
        if (op.units == 0) fail(op, i, "units must be at least 1");
        w.push_back(op.units);
        break;
      case Role::recurrent:
        if (op.units == 0) fail(op, i, "units must be at least 1");
        if (op.steps == 0) fail(op, i, "steps must be at least 1");
        if (x % op.steps != 0)
          fail(op, i,
               "its input's " + std::to_string(x) + " features are not " +
                   std::to_string(op.steps) +
                   " time steps of equal width (an rnn reads [steps][features] per sample)");
        if (op.activation != net::Activation::tanh && op.activation != net::Activation::relu)
          fail(op, i, "an rnn's activation is tanh or relu (torch.nn.RNN's nonlinearity)");
        w.push_back(op.units);
        break;
      case Role::norm:
        w.push_back(x);
        break;
      case Role::skip:
      case Role::post: {
        if (op.from < kInput || op.from >= static_cast<int32_t>(i) - 1)
          fail(op, i, "`from` must name an op before the one this adds to");
        const uint32_t s = width_of(op.from);
        if (s != x)
          fail(op, i,
               "adds a skip of " + std::to_string(s) + " features to " + std::to_string(x) +
                   " features; both sides of a " + std::string(to_string(op.kind)) +
                   " need one width");
        w.push_back(x);
        break;
      }
    }
  }
  if (graph.ops.back().kind != Kind::dense)
    fail(graph.ops.back(), graph.ops.size() - 1, "the last op must be a dense layer (the output)");
  return w;
}

std::vector<FusedLayer> fuse(const Graph& graph) {
  output_widths(graph);  // shapes first: their errors are the clearer ones
  std::vector<FusedLayer> layers;
  // x_of[i]: the X index (0: input) op i's output is, when it ends a fused layer; -2: inside one.
  std::vector<int32_t> x_of(graph.ops.size(), -2);
  // before_post[i]: op i's output is X' of a layer whose post op (a norm) changes it in place;
  // a skip from it starts from the value before (its skip tensor keeps it).
  std::vector<bool> before_post(graph.ops.size(), false);
  std::vector<bool> read_by_skip(graph.ops.size(), false);
  for (const Op& op : graph.ops)
    if (reads_from(kind_of(op.kind).role) && op.from >= 0) read_by_skip[size_t(op.from)] = true;
  uint32_t width = graph.input;
  for (size_t i = 0; i < graph.ops.size(); ++i) {
    const Op& op = graph.ops[i];
    const Role prev = i == 0 ? Role::skip : kind_of(graph.ops[i - 1].kind).role;
    const Role role = kind_of(op.kind).role;
    switch (role) {
      case Role::recurrent:
        // Unrolled over time inside the op: its input is the network's (a stack of recurrent
        // layers and sequence outputs come later), and a dense op reads its last hidden state.
        if (i != 0)
          fail(op, i,
               "an rnn must be the network's first op for now (it reads the input sequence; "
               "stacked recurrent layers are not built yet)");
        if (i + 1 < graph.ops.size() && kind_of(graph.ops[i + 1].kind).role != Role::layer)
          fail(op, i, "an rnn must be followed by a dense op (which reads its last hidden state)");
        [[fallthrough]];
      case Role::layer:
        layers.push_back(FusedLayer{});
        layers.back().kind = op.kind;
        layers.back().steps = role == Role::recurrent ? op.steps : 1;
        layers.back().op = static_cast<int32_t>(i);
        layers.back().in = width;
        layers.back().out = op.units;
        layers.back().act = op.activation;
        width = op.units;
        break;
      case Role::norm: {
        // A layer_norm runs as a post op (its own kernels, in place over the layer's output)
        // where the fused kernels cannot: after a fused add (post-norm, LN(x + f(x))), after a
        // nonlinear dense, or where a later skip reads the value before it (pre-norm,
        // x + f(LN(x)): its skip tensor keeps x).
        const bool before_read = i > 0 && read_by_skip[i - 1];
        const bool nonlinear_dense =
            i > 0 && prev == Role::layer && layers.back().act != net::Activation::linear;
        if (i > 0 && op.kind == Kind::layer_norm && !layers.back().post &&
            (prev == Role::skip || before_read || nonlinear_dense)) {
          if (op.activation != net::Activation::linear)
            fail(op, i,
                 "a layer_norm run after its layer (after a residual_add, a nonlinear dense, or "
                 "before a skip's start) must be linear");
          layers.back().post = op.kind;
          layers.back().post_source = -1;
          layers.back().post_op = static_cast<int32_t>(i);
          if (before_read) {  // the value before the norm is an X too: X' of this layer
            x_of[i - 1] = static_cast<int32_t>(layers.size());
            before_post[i - 1] = true;
          }
          break;
        }
        if (i == 0 || prev != Role::layer)
          fail(op, i,
               "a norm must follow a dense layer directly (the fused kernels normalize "
               "the dense layer's pre-activation)");
        if (layers.back().act != net::Activation::linear)
          fail(op, i, "the dense layer before a norm must be linear; give the norm the activation");
        layers.back().norm = op.kind == Kind::layer_norm ? net::Norm::layer : net::Norm::batch;
        layers.back().act = op.activation;
        break;
      }
      case Role::skip:
      case Role::post: {
        const std::string name(to_string(op.kind));
        if (i == 0 || prev == Role::skip || prev == Role::post)
          fail(op, i, "a " + name + " must follow a dense layer or a norm");
        if (layers.back().skip_source >= 0 || layers.back().post)
          fail(op, i, "a layer ends at most one skip or post op (this one's already does)");
        const int32_t source = op.from == kInput ? 0 : x_of[size_t(op.from)];
        if (source == 0 && role == Role::skip)
          fail(op, i, "a skip from the network's input is not supported by the fused kernels");
        if (source == -2)
          fail(op, i, "`from` must be the last op of a layer (the op right before a dense)");
        const bool pre = op.from >= 0 && before_post[size_t(op.from)];
        if (pre && role == Role::post)
          fail(op, i,
               "a " + name +
                   " cannot start before a layer_norm run after its layer (it reads "
                   "the layer's output as the norm leaves it)");
        // Skips may nest and cross (each is its own tensor, gpu/plan.cpp), but an X starts at
        // most one: its layer writes one skip forward and adds one carry backward.
        FusedLayer* start = source > 0 ? &layers[size_t(source) - 1] : nullptr;
        if (start && start->kind != Kind::dense)
          fail(op, i, "a " + name + " from an rnn's output is not supported yet");
        if (start && start->skip_start && role == Role::skip && start->skip_before_post != pre)
          fail(op, i, "skips start from both sides of one layer_norm");
        if (start && (start->skip_start || start->carry_in))
          fail(op, i,
               "`from` is already the start of another skip (an output starts at most one skip "
               "or post op)");
        if (role == Role::skip) {
          layers.back().skip_source = source;
          start->skip_start = true;
          start->skip_before_post = pre;
        } else {
          layers.back().post = op.kind;
          layers.back().post_source = source;
          layers.back().post_op = static_cast<int32_t>(i);
          if (start) start->carry_in = true;
        }
        break;
      }
    }
    const Role next = i + 1 == graph.ops.size() ? Role::layer : kind_of(graph.ops[i + 1].kind).role;
    const bool ends_layer = next == Role::layer || next == Role::recurrent;
    if (ends_layer) x_of[i] = static_cast<int32_t>(layers.size());
  }
  return layers;
}

OutputSink output_sink(const FusedLayer& producer) {
  OutputSink s;
  // A recurrent layer's backward takes dL/dh_steps as it is and applies act' step by step.
  const bool own = producer.post || producer.kind != Kind::dense;
  s.act = own ? net::Activation::linear : producer.act;
  s.add_carry = (producer.skip_start && !producer.skip_before_post) || producer.carry_in;
  s.store_carry = producer.skip_source >= 0 && !producer.post;
  return s;
}

std::vector<FusedLayer> fused_layers(const net::NetworkSpec& spec) {
  return fuse(graph_of(spec));
}

}  // namespace gt::ops
