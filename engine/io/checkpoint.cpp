#include "io/checkpoint.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <sstream>
#include <string_view>
#include <tuple>

#include "ops/graph.hpp"
#include "ops/kind.hpp"

namespace gt::io {
namespace {

std::string shape_text(const std::vector<int64_t>& shape) {
  std::ostringstream s;
  s << "[";
  for (size_t i = 0; i < shape.size(); ++i)
    s << (i ? ", " : "") << shape[i];
  s << "]";
  return s.str();
}

// Parameters must be finite, as a scene's [[network.layer]] values must be: the first that is
// not is named by tensor and index (row and column of a weight).
void check_finite(const Tensor& t, const std::filesystem::path& file) {
  const auto bad =
      std::find_if(t.data.begin(), t.data.end(), [](float v) { return !std::isfinite(v); });
  if (bad == t.data.end()) return;
  const auto k = static_cast<size_t>(bad - t.data.begin());
  std::string where = t.name + "[" + std::to_string(k) + "]";
  if (t.shape.size() == 2) {
    const auto cols = static_cast<size_t>(t.shape[1]);
    where += " (row " + std::to_string(k / cols) + ", column " + std::to_string(k % cols) + ")";
  }
  throw Error(file.string() + ": tensor " + where + ": not finite (" +
              (std::isnan(*bad) ? "nan"
               : *bad > 0       ? "inf"
                                : "-inf") +
              "); parameters must be finite");
}

}  // namespace

// The tensors of layer i's standalone op (ops/kind.hpp: params, in order): their names
// (layers.{i}.KIND.NAME, as PyTorch names a parameter NAME of a module KIND inside the layer) and
// shapes ([rows] for a vector).
static std::vector<std::pair<std::string, std::vector<int64_t>>> post_tensors(ops::Kind kind,
                                                                              uint32_t out,
                                                                              size_t i) {
  std::vector<std::pair<std::string, std::vector<int64_t>>> t;
  const std::string name = "layers." + std::to_string(i) + "." + std::string(ops::to_string(kind));
  for (const ops::ParamInfo& p : ops::kind_of(kind).params({}, out))
    t.push_back({name + "." + p.name, p.cols == 1 ? std::vector<int64_t>{p.rows}
                                                  : std::vector<int64_t>{p.rows, p.cols}});
  return t;
}

// Layer i's own tensors, in order, whose data is w then b: a dense layer's layers.{i}.weight
// [out][in] and layers.{i}.bias [out]; a recurrent layer's as torch.nn.RNN names them inside a
// module `rnn` (rnn.weight_ih_l0 [out][F], rnn.weight_hh_l0 [out][out], rnn.bias_ih_l0,
// rnn.bias_hh_l0). `weights`: how many of them are w.
struct MainTensors {
  std::vector<std::pair<std::string, std::vector<int64_t>>> t;
  size_t weights = 1;
};
static MainTensors main_tensors(uint32_t in, uint32_t out, uint32_t steps, size_t i) {
  MainTensors m;
  if (steps == 0) {
    const std::string name = "layers." + std::to_string(i);
    m.t = {{name + ".weight", {out, in}}, {name + ".bias", {out}}};
    return m;
  }
  m.t = {{"rnn.weight_ih_l0", {out, in / steps}},
         {"rnn.weight_hh_l0", {out, out}},
         {"rnn.bias_ih_l0", {out}},
         {"rnn.bias_hh_l0", {out}}};
  m.weights = 2;
  return m;
}

static size_t elements(const std::vector<int64_t>& shape) {
  size_t n = 1;
  for (int64_t d : shape)
    n *= size_t(d);
  return n;
}

// Layer i's tensors: its own (main_tensors), and for a normalized layer its scale and shift,
// named as PyTorch names a LayerNorm / BatchNorm1d module `norm` inside the layer; then its
// standalone op's (rezero: layers.{i}.rezero.alpha).
static void layer_tensors(const net::LayerParams& p, size_t i, const std::string& suffix,
                          std::vector<Tensor>& out) {
  const std::string name = "layers." + std::to_string(i);
  const MainTensors m = main_tensors(p.in, p.out, p.steps, i);
  size_t at = 0;
  for (size_t k = 0; k < m.t.size(); ++k) {
    const std::vector<float>& src = k < m.weights ? p.w : p.b;
    if (k == m.weights) at = 0;
    const size_t n = elements(m.t[k].second);
    if (at + n > src.size())
      throw Error("layer " + std::to_string(i) + ": parameters do not match their shapes");
    out.push_back({m.t[k].first + suffix, m.t[k].second,
                   std::vector<float>(src.begin() + long(at), src.begin() + long(at + n))});
    at += n;
  }
  if (!p.gamma.empty()) {
    out.push_back({name + ".norm.weight" + suffix, {p.out}, p.gamma});
    out.push_back({name + ".norm.bias" + suffix, {p.out}, p.beta});
  }
  if (p.post.empty()) return;
  ops::Kind kind{};
  if (!ops::parse_kind(p.post_kind, kind))
    throw Error("layer " + std::to_string(i) + ": " + std::to_string(p.post.size()) +
                " parameters of a post op of unknown kind \"" + p.post_kind +
                "\"; cannot name them");
  at = 0;
  for (const auto& [tname, shape] : post_tensors(kind, p.out, i)) {
    const size_t n = elements(shape);
    out.push_back({tname + suffix, shape,
                   std::vector<float>(p.post.begin() + long(at), p.post.begin() + long(at + n))});
    at += n;
  }
}

std::vector<Tensor> params_to_tensors(const net::Params& params, const std::string& suffix) {
  std::vector<Tensor> out;
  for (size_t i = 0; i < params.size(); ++i)
    layer_tensors(params[i], i, suffix, out);
  return out;
}

std::vector<Tensor> dump_tensors(const StepDump& d) {
  // Each layer's tensors together: its parameters, then their gradients.
  std::vector<Tensor> ordered;
  for (size_t i = 0; i < d.params.size(); ++i) {
    layer_tensors(d.params[i], i, "", ordered);
    layer_tensors(d.grads[i], i, ".grad", ordered);
  }
  const int64_t in = d.params.front().in, outn = d.params.back().out;
  ordered.push_back({"input", {int64_t(d.batch), in}, d.input});
  ordered.push_back({"target", {int64_t(d.batch), outn}, d.target});
  ordered.push_back({"loss", {1}, {d.loss}});
  return ordered;
}

net::Params params_from_tensors(const std::vector<Tensor>& tensors, const net::NetworkSpec& spec,
                                const std::filesystem::path& file) {
  // By name: a deep network's checkpoint holds hundreds of thousands of tensors.
  std::map<std::string_view, const Tensor*> by_name;
  for (const Tensor& t : tensors)
    by_name.emplace(t.name, &t);
  const auto lookup = [&](const std::string& name) -> const Tensor* {
    const auto it = by_name.find(name);
    return it == by_name.end() ? nullptr : it->second;
  };
  const std::vector<uint32_t> sizes = spec.sizes();
  const std::vector<ops::FusedLayer> layers = ops::fused_layers(spec);
  net::Params out(spec.num_layers());
  for (uint32_t i = 0; i < spec.num_layers(); ++i) {
    const std::string name = "layers." + std::to_string(i);
    const std::vector<int64_t> bshape{sizes[i + 1]};
    const uint32_t steps = layers[i].kind == ops::Kind::dense ? 0 : layers[i].steps;
    const MainTensors m = main_tensors(sizes[i], sizes[i + 1], steps, i);
    out[i].in = sizes[i];
    out[i].out = sizes[i + 1];
    out[i].steps = steps;
    for (size_t k = 0; k < m.t.size(); ++k) {
      const auto& [tname, shape] = m.t[k];
      const Tensor* t = lookup(tname);
      if (!t)
        throw Error(file.string() + ": tensor " + tname + " is missing (the scene's network has " +
                    std::to_string(spec.num_layers()) + " weight layers)");
      if (t->shape != shape)
        throw Error(file.string() + ": tensor " + tname + " has shape " + shape_text(t->shape) +
                    ", the scene's network needs " + shape_text(shape));
      check_finite(*t, file);
      std::vector<float>& dst = k < m.weights ? out[i].w : out[i].b;
      dst.insert(dst.end(), t->data.begin(), t->data.end());
    }
    if (layers[i].post) {
      out[i].post_kind = std::string(ops::to_string(*layers[i].post));
      for (const auto& [tname, shape] : post_tensors(*layers[i].post, sizes[i + 1], i)) {
        const Tensor* t = lookup(tname);
        if (!t)
          throw Error(file.string() + ": tensor " + tname +
                      " is missing (the scene's network has a " + out[i].post_kind +
                      " op after layer " + std::to_string(i) + ")");
        if (t->shape != shape)
          throw Error(file.string() + ": tensor " + tname + " has shape " + shape_text(t->shape) +
                      ", the scene's network needs " + shape_text(shape));
        check_finite(*t, file);
        out[i].post.insert(out[i].post.end(), t->data.begin(), t->data.end());
      }
    }
    if (layers[i].norm == net::Norm::none) continue;
    for (const auto& [field, tname] : {std::pair{&net::LayerParams::gamma, name + ".norm.weight"},
                                       std::pair{&net::LayerParams::beta, name + ".norm.bias"}}) {
      const Tensor* t = lookup(tname);
      if (!t)
        throw Error(file.string() + ": tensor " + tname + " is missing (the scene's network has " +
                    std::string(net::to_string(layers[i].norm)) + " norm on layer " +
                    std::to_string(i) + ")");
      if (t->shape != bshape)
        throw Error(file.string() + ": tensor " + tname + " has shape " + shape_text(t->shape) +
                    ", the scene's network needs " + shape_text(bshape));
      check_finite(*t, file);
      out[i].*field = t->data;
    }
  }
  return out;
}

net::Params read_params(const std::filesystem::path& file, const net::NetworkSpec& spec) {
  // The shape of every tensor the network needs, by name; only their data is read.
  const std::vector<uint32_t> sizes = spec.sizes();
  std::map<std::string, std::vector<int64_t>, std::less<>> needed;
  const std::vector<ops::FusedLayer> layers = ops::fused_layers(spec);
  for (uint32_t i = 0; i < spec.num_layers(); ++i) {
    const std::string name = "layers." + std::to_string(i);
    const uint32_t steps = layers[i].kind == ops::Kind::dense ? 0 : layers[i].steps;
    for (auto& [tname, shape] : main_tensors(sizes[i], sizes[i + 1], steps, i).t)
      needed[tname] = shape;
    if (layers[i].norm != net::Norm::none) {
      needed[name + ".norm.weight"] = {sizes[i + 1]};
      needed[name + ".norm.bias"] = {sizes[i + 1]};
    }
    if (layers[i].post)
      for (auto& [tname, shape] : post_tensors(*layers[i].post, sizes[i + 1], i))
        needed[tname] = shape;
  }
  std::vector<Tensor> other_shapes;
  std::vector<Tensor> tensors = read_safetensors(file, [&](const TensorInfo& t) {
    const auto it = needed.find(t.name);
    if (it == needed.end()) return false;
    if (it->second == t.shape) return true;
    other_shapes.push_back({std::string(t.name), t.shape, {}});
    return false;
  });
  // A needed tensor of another shape stands in without its data: params_from_tensors names the
  // shape it has.
  tensors.insert(tensors.end(), other_shapes.begin(), other_shapes.end());
  return params_from_tensors(tensors, spec, file);
}

}  // namespace gt::io
