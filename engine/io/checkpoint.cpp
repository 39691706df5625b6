#include "io/checkpoint.hpp"

#include <sstream>

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

}  // namespace

std::vector<Tensor> params_to_tensors(const net::Params& params, const std::string& suffix) {
  std::vector<Tensor> out;
  for (size_t i = 0; i < params.size(); ++i) {
    const net::LayerParams& p = params[i];
    const std::string name = "layers." + std::to_string(i);
    out.push_back({name + ".weight" + suffix, {p.out, p.in}, p.w});
    out.push_back({name + ".bias" + suffix, {p.out}, p.b});
  }
  return out;
}

std::vector<Tensor> dump_tensors(const StepDump& d) {
  std::vector<Tensor> out = params_to_tensors(d.params);
  std::vector<Tensor> grads = params_to_tensors(d.grads, ".grad");
  // Interleave so each layer's tensors sit together: weight, bias, weight.grad, bias.grad.
  std::vector<Tensor> ordered;
  for (size_t i = 0; i < d.params.size(); ++i) {
    ordered.push_back(std::move(out[2 * i]));
    ordered.push_back(std::move(out[2 * i + 1]));
    ordered.push_back(std::move(grads[2 * i]));
    ordered.push_back(std::move(grads[2 * i + 1]));
  }
  const int64_t in = d.params.front().in, outn = d.params.back().out;
  ordered.push_back({"input", {int64_t(d.batch), in}, d.input});
  ordered.push_back({"target", {int64_t(d.batch), outn}, d.target});
  ordered.push_back({"loss", {1}, {d.loss}});
  return ordered;
}

net::Params params_from_tensors(const std::vector<Tensor>& tensors, const net::NetworkSpec& spec,
                                const std::filesystem::path& file) {
  const std::vector<uint32_t> sizes = spec.sizes();
  net::Params out(spec.num_layers());
  for (uint32_t i = 0; i < spec.num_layers(); ++i) {
    const std::string name = "layers." + std::to_string(i);
    const std::vector<int64_t> wshape{sizes[i + 1], sizes[i]}, bshape{sizes[i + 1]};
    const Tensor* w = find(tensors, name + ".weight");
    const Tensor* b = find(tensors, name + ".bias");
    for (const auto& [t, tname, shape] :
         {std::tuple{w, name + ".weight", wshape}, std::tuple{b, name + ".bias", bshape}}) {
      if (!t)
        throw Error(file.string() + ": tensor " + tname + " is missing (the scene's network has " +
                    std::to_string(spec.num_layers()) + " weight layers)");
      if (t->shape != shape)
        throw Error(file.string() + ": tensor " + tname + " has shape " + shape_text(t->shape) +
                    ", the scene's network needs " + shape_text(shape));
    }
    out[i].in = sizes[i];
    out[i].out = sizes[i + 1];
    out[i].w = w->data;
    out[i].b = b->data;
  }
  return out;
}

}  // namespace gt::io
