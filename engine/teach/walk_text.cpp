#include "teach/walk_text.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "net/reference.hpp"

namespace gt::teach {
namespace {

using Vec = std::vector<double>;

Vec to_vec(const std::vector<float>& v) {
  return {v.begin(), v.end()};
}

// A factor inside a product: negative numbers in parentheses.
std::string factor(double v) {
  const std::string s = format_number(v);
  return v < 0 ? "(" + s + ")" : s;
}

std::string matrix(const std::vector<float>& m, uint32_t rows, uint32_t cols) {
  std::string s = "[";
  for (uint32_t r = 0; r < rows; ++r) {
    if (r) s += ", ";
    s += format_vector(Vec(m.begin() + r * cols, m.begin() + (r + 1) * cols));
  }
  return s + "]";
}

// A prefix and a number ("a" + 1): appended, which GCC 12's -Wrestrict does not misread.
std::string named(const char* prefix, uint32_t n) {
  std::string s(prefix);
  s += std::to_string(n);
  return s;
}
std::string col_name(uint32_t c) {
  return c == 0 ? std::string("x") : named("a", c);
}
std::string z_name(uint32_t l) {
  return named("z", l + 1);
}
std::string act_name(net::Activation a) {
  return std::string(net::to_string(a));
}

class Builder {
 public:
  explicit Builder(const Walkthrough& w) : w_(w), v_(w.values), L_(w.layers()), sizes_(w.sizes()) {}

  std::vector<Step> build() {
    overview();
    for (uint32_t l = 0; l < L_; ++l) {
      linear(l);
      if (act(l) != net::Activation::linear) activation(l);
    }
    loss();
    output_delta();
    for (uint32_t l = L_; l-- > 0;) {
      gradients(l);
      if (l == 0) break;
      backprop(l);
      through_activation(l - 1);
    }
    update();
    return std::move(steps_);
  }

 private:
  net::Activation act(uint32_t l) const {
    return l + 1 == L_ ? v_.network.output_activation : v_.network.activation;
  }
  // "sample 2 of 3: " before per-sample values when the batch has more than one.
  std::string who() const {
    return v_.batch > 1 ? "sample " + std::to_string(w_.sample + 1) + " of " +
                              std::to_string(v_.batch) + ": "
                        : "";
  }
  Step& add(Phase phase, std::string title) {
    steps_.push_back({});
    steps_.back().phase = phase;
    steps_.back().title = std::move(title);
    return steps_.back();
  }

  void overview() {
    Step& s = add(Phase::overview, "The network before training step " +
                                       std::to_string(v_.step + 1) + ": weights on the edges");
    std::string sizes;
    for (uint32_t n : sizes_) {
      if (!sizes.empty()) sizes += '-';
      sizes += std::to_string(n);
    }
    s.formula.push_back("sizes " + sizes + ", hidden " + act_name(v_.network.activation) +
                        ", output " + act_name(v_.network.output_activation) + ", loss " +
                        std::string(net::to_string(v_.train.loss)) + ", " +
                        std::string(net::to_string(v_.train.optimizer)) + " with lr " +
                        format_number(v_.train.lr));
    s.formula.push_back(who() + "x = " + format_vector(to_vec(w_.a_of(0))) +
                        "    y = " + format_vector(to_vec(w_.target_of())));
    s.formula.push_back(
        "Forward: each layer computes z = W a + b, then a = act(z); the loss "
        "compares the output with y. Backward: the chain rule, from the loss "
        "back to every weight.");
    for (uint32_t c = 0; c <= L_; ++c)
      s.columns.push_back(c);
  }

  void linear(uint32_t l) {
    const net::LayerParams& p = v_.before[l];
    const std::string z = z_name(l), W = "W" + std::to_string(l + 1),
                      b = "b" + std::to_string(l + 1);
    Step& s = add(Phase::forward, "Forward, layer " + std::to_string(l + 1) + ": " + z + " = " + W +
                                      " " + col_name(l) + " + " + b);
    const std::vector<float> x = w_.a_of(l), zv = w_.z_of(l);
    for (uint32_t j = 0; j < p.out; ++j) {
      std::string line = z + "[" + std::to_string(j + 1) + "] = ";
      for (uint32_t k = 0; k < p.in; ++k)
        line += factor(p.w[j * p.in + k]) + "·" + factor(x[k]) + " + ";
      s.formula.push_back(line + factor(p.b[j]) + " = " + format_number(zv[j]));
    }
    s.formula.push_back(who() + z + " = " + format_vector(to_vec(zv)));
    s.columns = {l, l + 1};
    s.edges = {l};
    s.reveals.push_back({Quantity::z, l});
    if (act(l) == net::Activation::linear) {
      s.formula.push_back(col_name(l + 1) + " = " + z + " (linear: no activation)");
      s.reveals.push_back({Quantity::a, l + 1});
    }
  }

  void activation(uint32_t l) {
    const std::string a = act_name(act(l)), z = z_name(l);
    Step& s = add(Phase::forward, "Forward, layer " + std::to_string(l + 1) + ": " +
                                      col_name(l + 1) + " = " + a + "(" + z + ")");
    s.formula.push_back(who() + col_name(l + 1) + " = " + a + "(" + z + ") = " + a + "(" +
                        format_vector(to_vec(w_.z_of(l))) +
                        ") = " + format_vector(to_vec(w_.a_of(l + 1))));
    s.columns = {l + 1};
    s.reveals.push_back({Quantity::a, l + 1});
  }

  void loss() {
    const uint32_t out = sizes_.back();
    const std::string yhat = col_name(L_);
    const Vec a = to_vec(w_.a_of(L_)), y = to_vec(w_.target_of());
    Step& s = add(Phase::loss, "Loss: " + std::string(net::to_string(v_.train.loss)) +
                                   " of the output " + yhat + " against the target y");
    const std::string over = std::to_string(v_.batch) + " sample(s)";
    if (v_.train.loss == net::Loss::mse) {
      Vec d(out), d2(out);
      for (uint32_t j = 0; j < out; ++j) {
        d[j] = a[j] - y[j];
        d2[j] = d[j] * d[j];
      }
      s.formula.push_back("L = mean of (" + yhat + " - y)² over " + over + " × " +
                          std::to_string(out) + " output(s)");
      s.formula.push_back(who() + yhat + " - y = " + format_vector(a) + " - " + format_vector(y) +
                          " = " + format_vector(d) + ",  squared " + format_vector(d2));
    } else {
      const Vec p = softmax(w_.a_of(L_).data(), out);
      double own = 0;
      for (uint32_t j = 0; j < out; ++j)
        own -= y[j] * std::log(p[j]);
      s.formula.push_back("L = mean over " + over + " of -Σ y·log softmax(" + yhat + ")");
      s.formula.push_back(who() + "softmax(" + yhat + ") = " + format_vector(p) +
                          ",  -Σ y·log softmax = " + format_number(own));
    }
    s.formula.push_back("L = " + format_number(v_.loss));
    s.columns = {L_};
    s.loss_node = true;
    s.reveals.push_back({Quantity::loss, 0});
  }

  void output_delta() {
    const uint32_t out = sizes_.back(), l = L_ - 1;
    const std::string yhat = col_name(L_), z = z_name(l), a = act_name(act(l));
    Step& s = add(Phase::backward, "Backward: dL/d" + z + ", the loss's gradient at the output");
    const Vec y = to_vec(w_.target_of());
    if (v_.train.loss == net::Loss::mse) {
      s.formula.push_back(who() + "dL/d" + yhat + " = 2 (" + yhat +
                          " - y) / (batch × outputs) = 2·(" + format_vector(to_vec(w_.a_of(L_))) +
                          " - " + format_vector(y) + ") / " + std::to_string(v_.batch * out) +
                          " = " + format_vector(w_.da[L_]));
    } else {
      s.formula.push_back(who() + "dL/d" + yhat + " = (softmax(" + yhat + ") - y) / batch = (" +
                          format_vector(softmax(w_.a_of(L_).data(), out)) + " - " +
                          format_vector(y) + ") / " + std::to_string(v_.batch) + " = " +
                          format_vector(w_.da[L_]));
    }
    chain(s, l, yhat);
    s.columns = {L_};
    s.loss_node = true;
    s.reveals.push_back({Quantity::da, L_});
    s.reveals.push_back({Quantity::dz, l});
  }

  // The local derivative and the chain-rule product dL/dz = dL/da ⊙ act'(z) of layer l.
  void chain(Step& s, uint32_t l, const std::string& a_name) {
    const std::string z = z_name(l), a = act_name(act(l));
    const std::vector<float> zv = w_.z_of(l);
    Vec d(zv.size());
    for (size_t j = 0; j < zv.size(); ++j)
      d[j] = net::ref::activate_grad(act(l), zv[j]);
    s.formula.push_back(who() + a + "'(" + z + ") = " + format_vector(d) + "    (the local " +
                        "derivative of " + a_name + " = " + a + "(" + z + "))");
    s.formula.push_back("dL/d" + z + " = dL/d" + a_name + " ⊙ " + a + "'(" + z +
                        ") = " + format_vector(w_.da[l + 1]) + " ⊙ " + format_vector(d) + " = " +
                        format_vector(w_.dz[l]));
  }

  void gradients(uint32_t l) {
    const net::LayerParams& p = v_.before[l];
    const net::LayerParams& g = v_.grads[l];
    const std::string n = std::to_string(l + 1), z = z_name(l), x = col_name(l);
    Step& s = add(Phase::backward, "Backward, layer " + n + ": the gradients dW" + n + " and db" +
                                       n + " (shown on the edges)");
    const std::vector<float> xv = w_.a_of(l);
    if (v_.batch == 1) {
      std::string terms = "[";
      for (uint32_t j = 0; j < p.out; ++j) {
        terms += j ? ", [" : "[";
        for (uint32_t k = 0; k < p.in; ++k)
          terms += (k ? ", " : "") + factor(w_.dz[l][j]) + "·" + factor(xv[k]);
        terms += "]";
      }
      s.formula.push_back("dW" + n + " = dL/d" + z + " · " + x + "ᵀ = " + terms +
                          "] = " + matrix(g.w, p.out, p.in));
      s.formula.push_back("db" + n + " = dL/d" + z + " = " + format_vector(to_vec(g.b)));
    } else {
      s.formula.push_back("dW" + n + " = Σ over the " + std::to_string(v_.batch) +
                          " samples of dL/d" + z + " · " + x + "ᵀ = " + matrix(g.w, p.out, p.in));
      std::vector<float> own(size_t(p.out) * p.in);
      for (uint32_t j = 0; j < p.out; ++j)
        for (uint32_t k = 0; k < p.in; ++k)
          own[j * p.in + k] = float(w_.dz[l][j] * xv[k]);
      s.formula.push_back(who() + "dL/d" + z + " = " + format_vector(w_.dz[l]) + ", its term dL/d" +
                          z + " · " + x + "ᵀ = " + matrix(own, p.out, p.in));
      s.formula.push_back("db" + n + " = Σ over the samples of dL/d" + z + " = " +
                          format_vector(to_vec(g.b)));
    }
    s.columns = {l, l + 1};
    s.edges = {l};
    s.reveals.push_back({Quantity::grads, l});
  }

  // dL/da of column l through the weights of layer l (W^T times the next layer's dL/dz).
  void backprop(uint32_t l) {
    const net::LayerParams& p = v_.before[l];
    const std::string a = col_name(l), z = z_name(l), W = "W" + std::to_string(l + 1);
    Step& s = add(Phase::backward,
                  "Backward: dL/d" + a + " = " + W + "ᵀ dL/d" + z + " (back through the weights)");
    std::string terms = "[";
    for (uint32_t k = 0; k < p.in; ++k) {
      terms += k ? ", " : "";
      for (uint32_t j = 0; j < p.out; ++j)
        terms += (j ? " + " : "") + factor(p.w[j * p.in + k]) + "·" + factor(w_.dz[l][j]);
    }
    s.formula.push_back(who() + "dL/d" + a + " = " + W + "ᵀ · dL/d" + z + " = " + terms +
                        "] = " + format_vector(w_.da[l]));
    s.columns = {l, l + 1};
    s.edges = {l};
    s.reveals.push_back({Quantity::da, l});
  }

  void through_activation(uint32_t l) {
    const std::string a = act_name(act(l));
    Step& s = add(Phase::backward, "Backward, layer " + std::to_string(l + 1) + ": through " + a +
                                       ", dL/d" + z_name(l) + " = dL/d" + col_name(l + 1) + " ⊙ " +
                                       a + "'(" + z_name(l) + ")");
    chain(s, l, col_name(l + 1));
    s.columns = {l + 1};
    s.reveals.push_back({Quantity::dz, l});
  }

  void update() {
    const std::string lr = format_number(v_.train.lr);
    const bool sgd = v_.train.optimizer == net::Optimizer::sgd;
    Step& s = add(Phase::update, "Update: p ← p - lr·dp with lr = " + lr +
                                     (sgd ? "" : " (" + optimizer_rule() + ")"));
    for (uint32_t l = 0; l < L_; ++l) {
      const net::LayerParams &p = v_.before[l], &g = v_.grads[l], &q = v_.after[l];
      const std::string n = std::to_string(l + 1);
      if (sgd) {
        s.formula.push_back("W" + n + " = " + matrix(p.w, p.out, p.in) + " - " + lr + "·" +
                            matrix(g.w, p.out, p.in) + " = " + matrix(q.w, p.out, p.in));
        s.formula.push_back("b" + n + " = " + format_vector(to_vec(p.b)) + " - " + lr + "·" +
                            format_vector(to_vec(g.b)) + " = " + format_vector(to_vec(q.b)));
      } else {
        s.formula.push_back("W" + n + " ← " + matrix(q.w, p.out, p.in) + ",  b" + n + " ← " +
                            format_vector(to_vec(q.b)));
      }
    }
    s.formula.push_back(
        "The new weights are the GPU's (its update kernel); the next step "
        "starts from them.");
    for (uint32_t l = 0; l < L_; ++l)
      s.edges.push_back(l);
    s.reveals.push_back({Quantity::update, 0});
  }

  std::string optimizer_rule() const {
    return v_.train.optimizer == net::Optimizer::momentum
               ? "momentum: v ← μ v + dp, p ← p - lr·v"
               : "Adam: p ← p - lr·m / (√v + ε), m and v the moments";
  }

  const Walkthrough& w_;
  const StepValues& v_;
  uint32_t L_;
  std::vector<uint32_t> sizes_;
  std::vector<Step> steps_;
};

}  // namespace

std::string format_number(double v) {
  if (v == 0) return "0";  // no "-0"
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.5g", v);
  return buf;
}

std::string format_vector(const std::vector<double>& v) {
  std::string s = "[";
  for (size_t i = 0; i < v.size(); ++i)
    s += (i ? ", " : "") + format_number(v[i]);
  return s + "]";
}

std::vector<double> softmax(const float* x, uint32_t n) {
  const double m = *std::max_element(x, x + n);
  std::vector<double> p(n);
  double sum = 0;
  for (uint32_t j = 0; j < n; ++j)
    sum += p[j] = std::exp(double(x[j]) - m);
  for (double& q : p)
    q /= sum;
  return p;
}

std::vector<Step> walk_steps(const Walkthrough& w) {
  return Builder(w).build();
}

}  // namespace gt::teach
