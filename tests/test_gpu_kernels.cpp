// Each compute kernel (forward, loss, backward dW / dX / columns, update) on shapes that are not
// multiples of the vec4 width or of the 32-wide workgroup tile, against the CPU reference.
// Network: in -> out -> out -> in, so every GEMM shape appears both ways and the middle layer's
// dX kernel produces a hidden layer's dL/dz (seen through layer 0's dW, db and neuron stats).
#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <ostream>
#include <string>
#include <tuple>
#include <vector>

#include "gpu/network.hpp"
#include "gpu_fixture.hpp"
#include "layout.h"
#include "net/init.hpp"
#include "net/reference.hpp"
#include "test_printers.hpp"

namespace gt {
namespace {

using test::ref_batch;

using test::close;

struct Shape {
  uint32_t in, out, batch;
};

struct Variant {
  const char* name;
  net::Activation hidden, output;
  net::Loss loss;
};

void PrintTo(const Shape& s, std::ostream* os) {
  *os << "in " << s.in << " out " << s.out << " batch " << s.batch;
}
void PrintTo(const Variant& v, std::ostream* os) {
  *os << v.name;
}

constexpr std::array<Shape, 6> kShapes{
    {{1, 1, 1}, {3, 33, 5}, {33, 3, 31}, {64, 65, 64}, {70, 129, 37}, {130, 31, 3}}};

constexpr std::array<Variant, 3> kVariants{{
    {"mse_tanh", net::Activation::tanh, net::Activation::linear, net::Loss::mse},
    {"ce_leaky_sigmoid", net::Activation::leaky_relu, net::Activation::sigmoid,
     net::Loss::cross_entropy},
    {"mse_gelu_tanh", net::Activation::gelu, net::Activation::tanh, net::Loss::mse},
}};

net::Scene kernel_scene(const Shape& s, const Variant& v) {
  net::Scene sc;
  sc.title = "kernels";
  sc.network.input = s.in;
  sc.network.depth = 2;
  sc.network.width = s.out;
  sc.network.output = s.in;
  sc.network.activation = v.hidden;
  sc.network.output_activation = v.output;
  sc.network.init = net::Init::gaussian;
  sc.network.sigma_w = 1.4;
  sc.network.sigma_b = 0.3;
  sc.network.seed = 100 + s.in + s.out;
  sc.data.kind = net::DataKind::teacher;
  sc.data.batch = s.batch;
  sc.data.seed = 17 + s.batch;
  sc.train.loss = v.loss;
  sc.train.optimizer = net::Optimizer::sgd;
  sc.train.lr = 0.1;
  return sc;
}

double max_abs(const std::vector<double>& v) {
  double m = 0;
  for (double x : v)
    m = std::max(m, std::abs(x));
  return m;
}

class Kernel : public test::GpuTest,
               public ::testing::WithParamInterface<std::tuple<Shape, Variant, gpu::Kernels>> {};

TEST_P(Kernel, ForwardBackwardLossUpdateMatchReference) {
  const auto [shape, variant, kernels] = GetParam();
  const net::Scene scene = kernel_scene(shape, variant);
  gpu::NetworkOptions options;
  options.kernels = kernels;  // every GEMM variant, whatever the device would pick
  gpu::Network gnet(test::context(), scene, options);
  const net::Params before = gnet.params();
  gnet.train(1);
  const gpu::Batch batch = gnet.batch();
  ASSERT_EQ(batch.input.size(), size_t(shape.batch) * shape.in);
  const net::ref::Net ref_net = net::ref::Net::from(scene.network, before);
  const net::ref::Batch rb = ref_batch(batch);

  // (a) forward: X and Z of every layer.
  const net::ref::Forward f = net::ref::forward(ref_net, rb);
  for (uint32_t a = 1; a <= 3; ++a) {
    EXPECT_GT(max_abs(f.z[a - 1]), 0.0);
    EXPECT_TRUE(close(gnet.preactivations(a), f.z[a - 1], 1e-5)) << "Z of layer " << a - 1;
    EXPECT_TRUE(close(gnet.activations(a), f.x[a], 1e-5)) << "X of layer " << a - 1;
  }

  // (c) the loss.
  const net::ref::Gradients g = net::ref::backward(ref_net, rb, scene.train.loss);
  EXPECT_NEAR(gnet.loss(), g.loss, 1e-5 * std::max(1.0, std::abs(g.loss)));

  // (b) backward: dW and db of every layer (layer 0's come from the deltas the dX kernels of
  // layers 2 and 1 produced), and mean |dL/dz| per neuron of every layer.
  const net::Params grads = gnet.grads();
  ASSERT_EQ(grads.size(), 3u);
  for (size_t l = 0; l < grads.size(); ++l) {
    EXPECT_TRUE(close(grads[l].w, g.dw[l], 2e-5)) << "dW of layer " << l;
    EXPECT_TRUE(close(grads[l].b, g.db[l], 2e-5)) << "db of layer " << l;
  }
  const std::vector<net::ref::LayerStats> rs = net::ref::statistics(ref_net, g, {});
  std::vector<double> neurons;
  for (const auto& s : rs)
    neurons.insert(neurons.end(), s.neuron_mean_abs_delta.begin(), s.neuron_mean_abs_delta.end());
  EXPECT_TRUE(close(gnet.neuron_stats(), neurons, 2e-5)) << "mean |dL/dz| per neuron";
  // A copy (a reference into the temporary StepStats would dangle).
  const shared::LayerStats s0 = gnet.latest_stats().layers[0];
  EXPECT_NEAR(s0.delta_rms, rs[0].delta_rms, 2e-5 * rs[0].delta_rms + 1e-12) << "hidden dL/dz";

  // The update (sgd) on every parameter, over several update chunks for the larger shapes.
  net::ref::Net after = ref_net;
  net::ref::OptimizerState state;
  net::ref::update(after, g, state, scene.train);
  const net::Params params = gnet.params();
  for (size_t l = 0; l < params.size(); ++l) {
    EXPECT_TRUE(close(params[l].w, after.layers[l].w, 1e-6)) << "W of layer " << l;
    EXPECT_TRUE(close(params[l].b, after.layers[l].b, 1e-6)) << "b of layer " << l;
  }
}

INSTANTIATE_TEST_SUITE_P(
    KernelShapes, Kernel,
    ::testing::Combine(::testing::ValuesIn(kShapes), ::testing::ValuesIn(kVariants),
                       ::testing::Values(gpu::Kernels::texel, gpu::Kernels::shared)),
    [](const auto& p) {
      const Shape& s = std::get<0>(p.param);
      return "in" + std::to_string(s.in) + "_out" + std::to_string(s.out) + "_b" +
             std::to_string(s.batch) + "_" + std::get<1>(p.param).name + "_" +
             gpu::to_string(std::get<2>(p.param));
    });

class KernelUpdate : public test::GpuTest, public ::testing::WithParamInterface<net::Optimizer> {};

// The update kernel with optimizer moments over layers of 9,636 and 17,556 parameters (several
// update chunks, the last one partial), three steps. The reference applies ref::update to the
// GPU's own gradients of each step (checked against ref::backward on the GPU's parameters of
// that step first), so the comparison
// isolates the update: adam divides by sqrt(v) ~ |g|, which would amplify the gradients' float
// error wherever m nearly cancels between steps.
TEST_P(KernelUpdate, OptimizerStateAcrossChunksMatchesReference) {
  net::Scene scene = kernel_scene({70, 129, 37}, kVariants[0]);
  scene.train.optimizer = GetParam();
  scene.train.lr = 0.01;
  gpu::Network gnet(test::context(), scene);
  // 132 x 72 + 132 and 132 x 132 + 132 floats: several chunks each, the last one partial.
  const uint32_t chunk = shared::GT_UPDATE_CHUNK;
  ASSERT_EQ(gnet.plan().layers[0].upd_chunks, (9636 + chunk - 1) / chunk);
  ASSERT_EQ(gnet.plan().layers[1].upd_chunks, (17556 + chunk - 1) / chunk);
  ASSERT_GT(gnet.plan().layers[0].upd_chunks, 1u);
  ASSERT_NE(9636 % chunk, 0u);
  net::ref::Net ref = net::ref::Net::from(scene.network, gnet.params());
  net::ref::OptimizerState state;
  for (uint32_t step = 1; step <= 3; ++step) {
    SCOPED_TRACE("step " + std::to_string(step));
    const net::ref::Net before = net::ref::Net::from(scene.network, gnet.params());
    gnet.train(1);
    const net::ref::Gradients expect =
        net::ref::backward(before, ref_batch(gnet.batch()), scene.train.loss);
    const net::Params grads = gnet.grads();
    net::ref::Gradients g;
    for (size_t l = 0; l < grads.size(); ++l) {
      EXPECT_TRUE(close(grads[l].w, expect.dw[l], 2e-5)) << "dW of layer " << l;
      g.dw.push_back(test::to_double(grads[l].w));
      g.db.push_back(test::to_double(grads[l].b));
    }
    net::ref::update(ref, g, state, scene.train);
    // Adam: the shader's bias correction 1 - pow(beta2, t) is off by a few float ulp of pow,
    // times 1 / (1 - beta2): about 6e-5 lr per step on lavapipe.
    const double atol = GetParam() == net::Optimizer::adam ? 2e-6 * scene.train.lr * step : 1e-12;
    const net::Params p = gnet.params();
    for (size_t l = 0; l < p.size(); ++l) {
      EXPECT_TRUE(close(p[l].w, ref.layers[l].w, 1e-6, atol)) << "W of layer " << l;
      EXPECT_TRUE(close(p[l].b, ref.layers[l].b, 1e-6, atol)) << "b of layer " << l;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(KernelOptimizers, KernelUpdate,
                         ::testing::Values(net::Optimizer::sgd, net::Optimizer::momentum,
                                           net::Optimizer::adam),
                         [](const auto& p) { return std::string(net::to_string(p.param)); });

}  // namespace
}  // namespace gt
