// Whole-network gradients of the GPU step against the double-precision CPU reference, on the
// same parameters and the same batch (read back from the GPU), for every activation, init, loss
// and GEMM kernel variant.
#include <gtest/gtest.h>

#include <tuple>

#include "gpu/network.hpp"
#include "gpu_fixture.hpp"
#include "net/init.hpp"
#include "net/reference.hpp"
#include "test_printers.hpp"

namespace gt {
namespace {

using test::ref_batch;

using test::close;

net::Scene small_scene(net::Activation act, net::Init init, net::Loss loss) {
  net::Scene s;
  s.title = "test";
  s.network.input = 5;
  s.network.depth = 3;
  s.network.width = 7;  // not a multiple of 4: exercises padding
  s.network.output = 3;
  s.network.activation = act;
  s.network.init = init;
  s.network.sigma_w = 1.5;
  s.network.sigma_b = 0.3;
  s.network.seed = 11;
  s.data.kind = net::DataKind::teacher;
  s.data.batch = 6;
  s.data.seed = 3;
  s.train.loss = loss;
  s.train.optimizer = net::Optimizer::sgd;
  s.train.lr = 0.05;
  return s;
}

// The CE loss wants probability rows: the teacher's regression targets are made into one-hot
// rows of their arg max, as a classification data set would give.
class Gradients : public test::GpuTest,
                  public ::testing::WithParamInterface<
                      std::tuple<net::Activation, net::Init, net::Loss, gpu::Kernels>> {};

TEST_P(Gradients, MatchCpuReference) {
  const auto [act, init, loss, kernels] = GetParam();
  net::Scene scene = small_scene(act, init, loss);
  gpu::NetworkOptions options;
  options.kernels = kernels;
  gpu::Network gnet(test::context(), scene, options);
  ASSERT_EQ(gnet.kernels(), kernels);
  const net::Params before = gnet.params();
  EXPECT_EQ(before[1].w, net::init_params(scene.network)[1].w)
      << "initial parameters uploaded as drawn";
  gnet.train(1);
  const net::Params grads = gnet.grads();
  const gpu::Batch batch = gnet.batch();
  const net::ref::Net ref_net = net::ref::Net::from(scene.network, before);
  const net::ref::Gradients ref = net::ref::backward(ref_net, ref_batch(batch), loss);
  EXPECT_NEAR(gnet.loss(), ref.loss, 1e-5 * std::max(1.0, std::abs(ref.loss)));
  for (size_t l = 0; l < grads.size(); ++l) {
    EXPECT_TRUE(close(grads[l].w, ref.dw[l], 2e-5)) << "dW of layer " << l;
    EXPECT_TRUE(close(grads[l].b, ref.db[l], 2e-5)) << "db of layer " << l;
  }
}

INSTANTIATE_TEST_SUITE_P(
    AllActivationsInitsLosses, Gradients,
    ::testing::Combine(::testing::Values(net::Activation::linear, net::Activation::relu,
                                         net::Activation::leaky_relu, net::Activation::tanh,
                                         net::Activation::sigmoid, net::Activation::gelu),
                       ::testing::Values(net::Init::gaussian, net::Init::xavier_uniform,
                                         net::Init::xavier_normal, net::Init::he_normal,
                                         net::Init::orthogonal),
                       ::testing::Values(net::Loss::mse, net::Loss::cross_entropy),
                       ::testing::Values(gpu::Kernels::texel, gpu::Kernels::shared)),
    [](const auto& p) {
      return std::string(net::to_string(std::get<0>(p.param))) + "_" +
             std::string(net::to_string(std::get<1>(p.param))) + "_" +
             std::string(net::to_string(std::get<2>(p.param))) + "_" +
             gpu::to_string(std::get<3>(p.param));
    });

// Vanishing signals are tiny numbers: every activation must keep its relative precision down to
// 1e-30 (tanh's (1 - e^-2z) / (1 + e^-2z) cancelled to 0 below 1.5e-8 before the series).
using TinyActivations = test::GpuTest;

TEST_F(TinyActivations, KeepTheirRelativePrecision) {
  for (net::Activation act : {net::Activation::tanh, net::Activation::gelu,
                              net::Activation::leaky_relu, net::Activation::linear}) {
    for (double sigma_w : {1e-3, 1e-7, 1e-12, 1e-25}) {
      net::Scene scene = small_scene(act, net::Init::gaussian, net::Loss::mse);
      scene.network.sigma_w = sigma_w;
      scene.network.sigma_b = 0.0;
      gpu::Network gnet(test::context(), scene);
      gnet.train(1);
      const net::ref::Net ref = net::ref::Net::from(scene.network, net::init_params(scene.network));
      const net::ref::Forward f = net::ref::forward(ref, ref_batch(gnet.batch()));
      const std::vector<float> x1 = gnet.activations(1);
      ASSERT_EQ(x1.size(), f.x[1].size());
      for (size_t i = 0; i < x1.size(); ++i)
        ASSERT_NEAR(x1[i], f.x[1][i], 1e-5 * std::abs(f.x[1][i]))
            << net::to_string(act) << " sigma_w " << sigma_w << " entry " << i;
    }
  }
}

}  // namespace
}  // namespace gt
