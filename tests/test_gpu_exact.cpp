// Networks given exactly by a scene: scenes/tiny_worked_example.toml on the GPU against the
// numbers worked out by hand (in its opening comment) and against the CPU reference; networks
// whose hidden layers differ in width; inline batches with padding rows.
#include <gtest/gtest.h>

#include <string>
#include <tuple>
#include <vector>

#include "gpu/network.hpp"
#include "gpu_fixture.hpp"
#include "net/init.hpp"
#include "net/reference.hpp"
#include "scene/scene.hpp"

namespace gt {
namespace {

using test::close;

net::Scene tiny_scene() {
  return scene::load(std::string(GT_SOURCE_DIR) + "/scenes/tiny_worked_example.toml");
}

// The reference's values of the layers, flattened as the GPU reads them back.
std::vector<double> flat(const std::vector<std::vector<double>>& v, size_t i) {
  return v[i];
}

// Absolute tolerances for gradients and parameters on top of a relative 1e-5 (of each tensor's
// largest entry): where a loss is nearly minimised, the output error (z - y) is a difference of
// O(1) floats and keeps only their absolute precision, and so do the gradients made from it.
struct Atol {
  double grads = 1e-12;
  double params = 1e-12;
};

// Every readback of one step against the reference on the same parameters and batch: loss,
// activations and pre-activations, gradients, and the parameters after the update.
void expect_step_matches_reference(gpu::Network& gnet, net::ref::Net& ref,
                                   const net::ref::Batch& batch, net::ref::OptimizerState& state,
                                   const net::TrainSpec& train, const std::string& what,
                                   Atol atol = {}) {
  const net::ref::Forward f = net::ref::forward(ref, batch);
  const net::ref::Gradients g = net::ref::backward(ref, batch, train.loss);
  gnet.train(1);
  EXPECT_NEAR(gnet.loss(), g.loss, 1e-6 * std::max(1.0, g.loss) + 1e-12) << what;
  const uint32_t layers = gnet.plan().num_layers;
  for (uint32_t a = 0; a <= layers; ++a) {
    EXPECT_TRUE(close(gnet.activations(a), flat(f.x, a), 1e-5)) << what << ": X_" << a;
    if (a > 0) {
      EXPECT_TRUE(close(gnet.preactivations(a), flat(f.z, a - 1), 1e-5)) << what << ": Z_" << a;
    }
  }
  const net::Params grads = gnet.grads();
  for (uint32_t l = 0; l < layers; ++l) {
    EXPECT_TRUE(close(grads[l].w, g.dw[l], 1e-5, atol.grads)) << what << ": dW of layer " << l;
    EXPECT_TRUE(close(grads[l].b, g.db[l], 1e-5, atol.grads)) << what << ": db of layer " << l;
  }
  net::ref::update(ref, g, state, train);
  const net::Params params = gnet.params();
  for (uint32_t l = 0; l < layers; ++l) {
    EXPECT_TRUE(close(params[l].w, ref.layers[l].w, 1e-5, atol.params))
        << what << ": W of layer " << l;
    EXPECT_TRUE(close(params[l].b, ref.layers[l].b, 1e-5, atol.params))
        << what << ": b of layer " << l;
  }
}

class ExactNetwork : public test::GpuTest {};

// The numbers of the scene's opening comment, derived by hand (and checked with exact rational
// arithmetic in python3): x = [1, 0.5], y = 1.5, W1 = [[0.25, 0.5], [0.5, -0.5]], b1 = [0.5,
// 0.25], W2 = [[0.5, -0.5]], b2 = [0.25], ReLU hidden, linear output, MSE, SGD with lr 0.1.
// Every value of the first forward and backward pass is a short binary fraction, exact in float
// whatever the order of the sums, so the GPU must reproduce them bit for bit.
TEST_F(ExactNetwork, TinyWorkedExampleMatchesTheHandDerivedNumbers) {
  const net::Scene scene = tiny_scene();
  gpu::Network gnet(test::context(), scene);
  ASSERT_EQ(gnet.plan().num_layers, 2u);

  // Before any step: the scene's parameters, exactly.
  net::Params p = gnet.params();
  EXPECT_EQ(p[0].w, (std::vector<float>{0.25f, 0.5f, 0.5f, -0.5f}));
  EXPECT_EQ(p[0].b, (std::vector<float>{0.5f, 0.25f}));
  EXPECT_EQ(p[1].w, (std::vector<float>{0.5f, -0.5f}));
  EXPECT_EQ(p[1].b, (std::vector<float>{0.25f}));

  gnet.train(1);
  const gpu::Batch batch = gnet.batch();
  EXPECT_EQ(batch.size, 1u);
  EXPECT_EQ(batch.input, (std::vector<float>{1.0f, 0.5f}));
  EXPECT_EQ(batch.target, (std::vector<float>{1.5f}));

  // Forward: z1 = W1 x + b1 = [0.25 + 0.25 + 0.5, 0.5 - 0.25 + 0.25] = [1, 0.5]; a1 = relu(z1)
  // = [1, 0.5]; z2 = 0.5 * 1 - 0.5 * 0.5 + 0.25 = 0.5; L = (0.5 - 1.5)^2 = 1.
  EXPECT_EQ(gnet.activations(0), (std::vector<float>{1.0f, 0.5f}));
  EXPECT_EQ(gnet.preactivations(1), (std::vector<float>{1.0f, 0.5f}));
  EXPECT_EQ(gnet.activations(1), (std::vector<float>{1.0f, 0.5f}));
  EXPECT_EQ(gnet.preactivations(2), (std::vector<float>{0.5f}));
  EXPECT_EQ(gnet.activations(2), (std::vector<float>{0.5f}));
  EXPECT_EQ(gnet.loss(), 1.0f);

  // Backward: dL/dz2 = 2 (z2 - y) = -2; dW2 = dL/dz2 a1 = [[-2, -1]]; db2 = [-2];
  // dL/da1 = W2^T dL/dz2 = [-1, 1]; dL/dz1 = dL/da1 * relu'(z1) = [-1, 1];
  // dW1 = dL/dz1 x^T = [[-1, -0.5], [1, 0.5]]; db1 = [-1, 1].
  const net::Params g = gnet.grads();
  EXPECT_EQ(g[0].w, (std::vector<float>{-1.0f, -0.5f, 1.0f, 0.5f}));
  EXPECT_EQ(g[0].b, (std::vector<float>{-1.0f, 1.0f}));
  EXPECT_EQ(g[1].w, (std::vector<float>{-2.0f, -1.0f}));
  EXPECT_EQ(g[1].b, (std::vector<float>{-2.0f}));
  // Mean |dL/dz| per neuron, layer after layer: |dL/dz1| = [1, 1], |dL/dz2| = [2].
  EXPECT_EQ(gnet.neuron_stats(), (std::vector<float>{1.0f, 1.0f, 2.0f}));

  // One SGD step with lr 0.1 (not exact in float: to float precision).
  p = gnet.params();
  const auto near = [](const std::vector<float>& got, const std::vector<double>& want) {
    return close(got, want, 0.0, 2e-7);
  };
  EXPECT_TRUE(near(p[0].w, {0.35, 0.55, 0.4, -0.55}));
  EXPECT_TRUE(near(p[0].b, {0.6, 0.15}));
  EXPECT_TRUE(near(p[1].w, {0.7, -0.4}));
  EXPECT_TRUE(near(p[1].b, {0.45}));

  // Step 2 on the new parameters: z1 = [1.225, 0.275], z2 = 1.1975, L = 0.3025^2.
  gnet.train(1);
  EXPECT_TRUE(near(gnet.preactivations(1), {1.225, 0.275}));
  EXPECT_TRUE(near(gnet.preactivations(2), {1.1975}));
  EXPECT_NEAR(gnet.loss(), 0.09150625, 1e-7);
  // Steps 3 and 4 (exact rationals, rounded): the output closes in on the target.
  gnet.train(1);
  EXPECT_NEAR(gnet.loss(), 0.0027039523714597353, 1e-8);
  gnet.train(1);
  EXPECT_NEAR(gnet.loss(), 2.7831891558544942e-05, 1e-9);
}

TEST_F(ExactNetwork, TinyWorkedExampleMatchesTheReference) {
  const net::Scene scene = tiny_scene();
  const net::ref::Batch batch = net::ref::inline_batch(scene.data);

  // The hand-derived numbers hold in the reference too (double precision).
  net::ref::Net hand = net::ref::Net::from(scene.network, net::init_params(scene.network));
  const net::ref::Gradients hg = net::ref::backward(hand, batch, scene.train.loss);
  EXPECT_DOUBLE_EQ(hg.loss, 1.0);
  EXPECT_EQ(hg.dw[0], (std::vector<double>{-1, -0.5, 1, 0.5}));
  EXPECT_EQ(hg.db[0], (std::vector<double>{-1, 1}));
  EXPECT_EQ(hg.dw[1], (std::vector<double>{-2, -1}));
  EXPECT_EQ(hg.db[1], (std::vector<double>{-2}));
  EXPECT_EQ(hg.delta[1], (std::vector<double>{-2}));
  EXPECT_EQ(hg.delta[0], (std::vector<double>{-1, 1}));

  for (gpu::Kernels kernels : {gpu::Kernels::texel, gpu::Kernels::shared}) {
    gpu::NetworkOptions options;
    options.kernels = kernels;
    gpu::Network gnet(test::context(), scene, options);
    net::ref::Net ref = net::ref::Net::from(scene.network, gnet.params());
    net::ref::OptimizerState state;
    for (uint32_t s = 0; s < scene.train.steps; ++s)
      expect_step_matches_reference(
          gnet, ref, batch, state, scene.train,
          std::string(gpu::to_string(kernels)) + " step " + std::to_string(s),
          Atol{1e-6, 2e-7});  // O(1) values: a few float ulps
  }
}

std::string sizes_text(const std::vector<uint32_t>& sizes) {
  std::string t;
  for (size_t i = 0; i < sizes.size(); ++i)
    t += (i ? ", " : "") + std::to_string(sizes[i]);
  return t;
}

// Hidden layers of different widths (not multiples of 4, across 32-wide tiles), on one fixed
// generated batch, against the reference: both kernel variants, and small segments.
TEST_F(ExactNetwork, UnequalHiddenWidthsMatchTheReference) {
  const std::vector<std::vector<uint32_t>> shapes = {
      {3, 37, 5, 70, 2}, {5, 1, 33, 4}, {2, 3}, {6, 64, 9}};
  for (const std::vector<uint32_t>& sizes : shapes) {
    const net::Scene s = scene::parse("[network]\nsizes = [" + sizes_text(sizes) +
                                          "]\nactivation = \"tanh\"\nsigma_b = 0.3\n"
                                          "[data]\nkind = \"teacher\"\nbatch = 7\nfixed = true\n"
                                          "[train]\nloss = \"mse\"\nlr = 0.05\n"
                                          "optimizer = \"momentum\"\n",
                                      "unequal.toml");
    ASSERT_EQ(s.network.sizes(), sizes);
    const std::vector<std::tuple<gpu::Kernels, uint64_t>> variants = {
        {gpu::Kernels::texel, 0}, {gpu::Kernels::shared, 0}, {gpu::Kernels::texel, 16 << 10}};
    for (const auto& [kernels, segment] : variants) {
      const std::string what = "sizes " + sizes_text(sizes) + ", " + gpu::to_string(kernels) +
                               (segment ? ", small segments" : "");
      gpu::NetworkOptions options;
      options.kernels = kernels;
      options.max_segment_bytes = segment;
      gpu::Network gnet(test::context(), s, options);
      ASSERT_EQ(gnet.plan().num_layers, sizes.size() - 1);
      for (uint32_t l = 0; l + 1 < sizes.size(); ++l) {
        EXPECT_EQ(gnet.plan().layers[l].in_dim, sizes[l]);
        EXPECT_EQ(gnet.plan().layers[l].out_dim, sizes[l + 1]);
      }
      const gpu::Batch b = gnet.batch();  // the fixed batch, made at construction
      net::ref::Batch batch{b.size, test::to_double(b.input), test::to_double(b.target)};
      net::ref::Net ref = net::ref::Net::from(s.network, gnet.params());
      net::ref::OptimizerState state;
      for (uint32_t step = 0; step < 3; ++step)
        expect_step_matches_reference(gnet, ref, batch, state, s.train,
                                      what + ", step " + std::to_string(step));
    }
  }
}

// An inline batch of several rows (the batch padded from 3 to 4 rows, rows of 3 padded to 4):
// uploaded once, left alone by the steps, trained on as the reference does; cross-entropy
// targets as given (not one-hot), momentum.
TEST_F(ExactNetwork, InlineBatchOfSeveralRowsMatchesTheReference) {
  const net::Scene s = scene::parse(R"([network]
sizes = [3, 6, 2]
activation = "gelu"
init = "xavier_normal"
[data]
kind = "inline"
input = [[1, -2, 0.5], [0.25, 0, -1], [3, 1, 2]]
target = [[1, 0], [0.25, 0.75], [0, 1]]
[train]
loss = "cross_entropy"
optimizer = "momentum"
lr = 0.1
)",
                                    "inline.toml");
  ASSERT_EQ(s.data.batch, 3u);
  const net::ref::Batch batch = net::ref::inline_batch(s.data);
  gpu::Network gnet(test::context(), s);
  net::ref::Net ref = net::ref::Net::from(s.network, gnet.params());
  net::ref::OptimizerState state;
  for (uint32_t step = 0; step < 4; ++step)
    expect_step_matches_reference(gnet, ref, batch, state, s.train,
                                  "inline step " + std::to_string(step));
  const gpu::Batch b = gnet.batch();
  EXPECT_EQ(b.size, 3u);
  EXPECT_EQ(b.input, s.data.input.values);
  EXPECT_EQ(b.target, s.data.target.values);
}

}  // namespace
}  // namespace gt
