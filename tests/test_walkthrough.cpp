// The walkthrough's model on the CPU (engine/teach/walkthrough): from a step's values made by the
// CPU reference, for every activation and both losses, the per-sample dL/dz and dL/da it derives
// by the chain rule equal the reference's backward pass, the steps cover the whole computation,
// and bad input is refused with a reason. (The GPU's values: tests/test_gpu_walkthrough.cpp.)
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "net/init.hpp"
#include "net/reference.hpp"
#include "scene/scene.hpp"
#include "teach/walkthrough.hpp"

namespace gt {
namespace {

std::vector<float> to_float(const std::vector<double>& v) {
  return {v.begin(), v.end()};
}

// One step's values as the GPU would report them, computed by the reference.
teach::StepValues reference_step(net::Activation hidden, net::Activation output, net::Loss loss) {
  teach::StepValues v;
  v.network.explicit_sizes = {3, 4, 2};
  v.network.activation = hidden;
  v.network.output_activation = output;
  v.network.init = net::Init::xavier_normal;
  v.network.sigma_b = 0.3;
  v.network.seed = 7;
  v.train.loss = loss;
  v.train.lr = 0.1;
  v.before = net::init_params(v.network);
  v.batch = 2;
  v.input = {0.5f, -1.0f, 2.0f, 1.5f, 0.25f, -0.75f};
  v.target = {1, 0, 0, 1};
  const net::ref::Net ref = net::ref::Net::from(v.network, v.before);
  const net::ref::Batch batch{
      2, {v.input.begin(), v.input.end()}, {v.target.begin(), v.target.end()}};
  const net::ref::Forward f = net::ref::forward(ref, batch);
  const net::ref::Gradients g = net::ref::backward(ref, batch, loss);
  for (const auto& z : f.z)
    v.z.push_back(to_float(z));
  for (const auto& x : f.x)
    v.a.push_back(to_float(x));
  v.loss = float(g.loss);
  v.grads = v.before;
  v.after = v.before;
  for (size_t l = 0; l < v.before.size(); ++l) {
    v.grads[l].w = to_float(g.dw[l]);
    v.grads[l].b = to_float(g.db[l]);
    for (size_t i = 0; i < v.after[l].w.size(); ++i)
      v.after[l].w[i] -= float(v.train.lr) * v.grads[l].w[i];
  }
  return v;
}

TEST(WalkthroughModel, ChainRuleEqualsTheReferenceForEveryActivationAndLoss) {
  using A = net::Activation;
  for (A hidden : {A::linear, A::relu, A::leaky_relu, A::tanh, A::sigmoid, A::gelu})
    for (A output : {A::linear, A::sigmoid})
      for (net::Loss loss : {net::Loss::mse, net::Loss::cross_entropy}) {
        const teach::StepValues v = reference_step(hidden, output, loss);
        const net::ref::Net ref = net::ref::Net::from(v.network, v.before);
        const net::ref::Batch batch{
            2, {v.input.begin(), v.input.end()}, {v.target.begin(), v.target.end()}};
        const net::ref::Gradients g = net::ref::backward(ref, batch, loss);
        const std::string what = std::string(net::to_string(hidden)) + "/" +
                                 std::string(net::to_string(output)) + "/" +
                                 std::string(net::to_string(loss));
        for (uint32_t b = 0; b < 2; ++b) {
          const teach::Walkthrough w = teach::build_walkthrough(v, b);
          for (uint32_t l = 0; l < 2; ++l) {
            const uint32_t n = v.before[l].out;
            for (uint32_t j = 0; j < n; ++j)
              EXPECT_NEAR(w.dz[l][j], g.delta[l][b * n + j], 1e-6) << what << " dz" << l << j;
          }
          // dL/da of the hidden column: W2^T delta2.
          for (uint32_t k = 0; k < 4; ++k) {
            double da = 0;
            for (uint32_t j = 0; j < 2; ++j)
              da += ref.layers[1].w[j * 4 + k] * g.delta[1][b * 2 + j];
            EXPECT_NEAR(w.da[1][k], da, 1e-6) << what << " da1 " << k;
          }
          // Linear hidden layers have no forward activation step; the backward one stays.
          const size_t forward = 2 + (hidden != A::linear) + (output != A::linear);
          EXPECT_EQ(w.steps.size(), 1 + forward + 1 + 1 + 2 + 2 + 1) << what;
          const teach::Known all = w.known(w.steps.size() - 1);
          EXPECT_TRUE(all.loss && all.update && all.dz[0] && all.dz[1] && all.grads[0] &&
                      all.a[2] && all.da[1])
              << what;
          for (const teach::Step& s : w.steps)
            EXPECT_FALSE(s.formula.empty()) << what << ": " << s.title;
        }
      }
}

TEST(WalkthroughModel, RefusesWhatItCannotShow) {
  teach::StepValues v =
      reference_step(net::Activation::tanh, net::Activation::linear, net::Loss::mse);
  EXPECT_THROW(teach::build_walkthrough(v, 2), std::runtime_error);  // the batch has 2
  teach::StepValues broken = v;
  broken.z[1].pop_back();
  EXPECT_THROW(teach::build_walkthrough(broken, 0), std::invalid_argument);

  net::Scene s;
  s.network.explicit_sizes = {2, 3, 3, 3, 3, 3, 3, 1};  // 7 weight layers
  s.data.batch = 1;
  EXPECT_NE(teach::walk_limits_error(s).find("the network has 7 weight layers"), std::string::npos);
  s.network.explicit_sizes = {2, 3, 1};
  s.data.batch = 5;
  EXPECT_NE(teach::walk_limits_error(s).find("the batch has 5 samples"), std::string::npos);
  s.data.batch = 4;
  EXPECT_EQ(teach::walk_limits_error(s), "");
  s.network.explicit_sizes = {9, 3, 1};
  EXPECT_NE(teach::walk_limits_error(s).find("input has 9 features"), std::string::npos);
}

// The walkthrough's chain rule is that of plain dense layers, one hidden activation: a network
// with a norm, a skip or hidden layers of different activations (an op list, or the classic
// norm and residual keys) is refused, not shown with wrong gradients.
TEST(WalkthroughModel, RefusesNormsSkipsAndMixedActivations) {
  const std::string data = "\n[data]\nkind = \"teacher\"\nbatch = 1\n[train]\nloss = \"mse\"\n";
  const auto limits = [&](const std::string& network) {
    return teach::walk_limits_error(scene::parse(network + data, "walk.toml"));
  };
  const std::string dense3 = "[[network.op]]\nkind = \"dense\"\nunits = 3\n";
  EXPECT_EQ(limits("[network]\ninput = 2\n" + dense3 + "activation = \"tanh\"\n" + dense3 +
                   "activation = \"tanh\"\n[[network.op]]\nkind = \"dense\"\nunits = 1\n"),
            "");
  EXPECT_NE(limits("[network]\ninput = 2\n" + dense3 + "activation = \"relu\"\n" + dense3 +
                   "activation = \"tanh\"\n[[network.op]]\nkind = \"dense\"\nunits = 1\n")
                .find("different activations"),
            std::string::npos);
  EXPECT_NE(limits("[network]\ninput = 2\n" + dense3 +
                   "[[network.op]]\nkind = \"layer_norm\"\nactivation = \"tanh\"\n"
                   "[[network.op]]\nkind = \"dense\"\nunits = 1\n")
                .find("normaliz"),
            std::string::npos);
  EXPECT_NE(limits("[network]\ninput = 2\nwidth = 3\ndepth = 3\noutput = 1\nresidual = true\n")
                .find("skip"),
            std::string::npos);
  EXPECT_NE(limits("[network]\ninput = 2\nwidth = 3\ndepth = 2\noutput = 1\nnorm = \"batch\"\n")
                .find("normaliz"),
            std::string::npos);
}

TEST(WalkthroughModel, NumbersAreWrittenShortAndExact) {
  EXPECT_EQ(teach::format_number(0.35f), "0.35");
  EXPECT_EQ(teach::format_number(-0.5), "-0.5");
  EXPECT_EQ(teach::format_number(-0.0), "0");
  EXPECT_EQ(teach::format_number(0.09150625), "0.091506");
  EXPECT_EQ(teach::format_vector({1, 0.5}), "[1, 0.5]");
}

}  // namespace
}  // namespace gt
