// Whole training steps on the GPU: optimizers over several steps against the CPU reference,
// determinism, segmented buffers, hyperparameter changes, and very deep networks.
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "gpu/network.hpp"
#include "gpu_fixture.hpp"
#include "net/init.hpp"
#include "net/reference.hpp"

namespace gt {
namespace {

using test::ref_batch;

using test::close;

net::Scene train_scene(net::Optimizer opt, double lr) {
  net::Scene s;
  s.title = "training";
  s.network.input = 5;
  s.network.depth = 3;
  s.network.width = 11;
  s.network.output = 3;
  s.network.activation = net::Activation::tanh;
  s.network.init = net::Init::gaussian;
  s.network.sigma_w = 1.2;
  s.network.sigma_b = 0.2;
  s.network.seed = 7;
  s.data.kind = net::DataKind::teacher;
  s.data.batch = 9;
  s.data.seed = 13;
  s.train.loss = net::Loss::mse;
  s.train.optimizer = opt;
  s.train.lr = lr;
  return s;
}

void expect_params_close(const net::Params& gpu, const net::ref::Net& ref, double rtol,
                         const std::string& what, double atol = 1e-12) {
  ASSERT_EQ(gpu.size(), ref.layers.size());
  for (size_t l = 0; l < gpu.size(); ++l) {
    EXPECT_TRUE(close(gpu[l].w, ref.layers[l].w, rtol, atol)) << what << ": W of layer " << l;
    EXPECT_TRUE(close(gpu[l].b, ref.layers[l].b, rtol, atol)) << what << ": b of layer " << l;
  }
}

// Adam's step is lr * mhat / sqrt(vhat): about lr for every parameter, whatever its gradient, so
// entries near zero (biases from a zero start) get an absolute tolerance in units of lr. The
// bias correction 1 - beta^t is computed as -expm1(t ln beta) (update.comp), which keeps its
// digits; 1 - pow(beta2, t) lost them to cancellation (6e-5 lr per step on lavapipe).
double adam_atol(const net::TrainSpec& train, uint32_t steps_done) {
  return train.optimizer == net::Optimizer::adam ? 2e-6 * train.lr * steps_done : 1e-12;
}

template <typename T>
bool same_bits(const std::vector<T>& a, const std::vector<T>& b) {
  // An empty vector's data() may be null, which memcmp may not be given.
  return a.size() == b.size() &&
         (a.empty() || std::memcmp(a.data(), b.data(), a.size() * sizeof(T)) == 0);
}

bool same_params(const net::Params& a, const net::Params& b) {
  if (a.size() != b.size()) return false;
  for (size_t l = 0; l < a.size(); ++l)
    if (!same_bits(a[l].w, b[l].w) || !same_bits(a[l].b, b[l].b)) return false;
  return true;
}

bool same_stats(const gpu::StepStats& a, const gpu::StepStats& b) {
  return a.step == b.step && std::memcmp(&a.loss, &b.loss, sizeof a.loss) == 0 &&
         same_bits(a.layers, b.layers);
}

// The reference trains alongside the GPU, each step on the GPU's own (fresh) batch of that step.
void check_optimizer(net::Optimizer opt, double lr, uint32_t steps, double rtol) {
  const net::Scene scene = train_scene(opt, lr);
  gpu::Network gnet(test::context(), scene);
  net::ref::Net ref = net::ref::Net::from(scene.network, gnet.params());
  net::ref::OptimizerState state;
  double first_loss = 0;
  for (uint32_t s = 0; s < steps; ++s) {
    gnet.train(1);
    const net::ref::Gradients g =
        net::ref::backward(ref, ref_batch(gnet.batch()), scene.train.loss);
    if (s == 0) first_loss = g.loss;
    EXPECT_NEAR(gnet.loss(), g.loss, 1e-5 * std::max(1.0, g.loss)) << "step " << s;
    net::ref::update(ref, g, state, scene.train);
    expect_params_close(gnet.params(), ref, rtol, "after step " + std::to_string(s),
                        adam_atol(scene.train, s + 1));
  }
  EXPECT_NE(gnet.loss(), first_loss);
  EXPECT_EQ(gnet.steps_done(), steps);
}

class Training : public test::GpuTest {};

TEST_F(Training, SgdMatchesReferenceOverSteps) {
  check_optimizer(net::Optimizer::sgd, 0.2, 5, 1e-5);
}

TEST_F(Training, MomentumMatchesReferenceOverSteps) {
  check_optimizer(net::Optimizer::momentum, 0.05, 5, 1e-5);
}

TEST_F(Training, AdamMatchesReferenceOverSteps) {
  check_optimizer(net::Optimizer::adam, 0.01, 5, 1e-5);
}

// A cross-entropy classification run with adam, the parameters compared after every step.
TEST_F(Training, AdamCrossEntropyOnSpiralMatchesReference) {
  net::Scene scene = train_scene(net::Optimizer::adam, 0.003);
  scene.network.input = 2;
  scene.network.output = 4;
  scene.network.activation = net::Activation::relu;
  scene.network.init = net::Init::he_normal;
  scene.data.kind = net::DataKind::spiral;
  scene.data.batch = 20;
  scene.train.loss = net::Loss::cross_entropy;
  gpu::Network gnet(test::context(), scene);
  net::ref::Net ref = net::ref::Net::from(scene.network, gnet.params());
  net::ref::OptimizerState state;
  for (uint32_t s = 0; s < 4; ++s) {
    gnet.train(1);
    const net::ref::Gradients g =
        net::ref::backward(ref, ref_batch(gnet.batch()), scene.train.loss);
    EXPECT_NEAR(gnet.loss(), g.loss, 1e-5 * std::max(1.0, g.loss));
    net::ref::update(ref, g, state, scene.train);
    expect_params_close(gnet.params(), ref, 1e-5, "after step " + std::to_string(s),
                        adam_atol(scene.train, s + 1));
  }
}

struct Snapshot {
  net::Params params, grads;
  float loss = 0;
  gpu::StepStats stats;
  std::vector<float> neurons;
  std::vector<gpu::StepStats> history;
  gpu::Batch batch;
};

Snapshot run(const net::Scene& scene, uint32_t steps, const gpu::NetworkOptions& opt = {}) {
  gpu::Network gnet(test::context(), scene, opt);
  gnet.train(steps);
  return {gnet.params(),       gnet.grads(),   gnet.loss(), gnet.latest_stats(),
          gnet.neuron_stats(), gnet.history(), gnet.batch()};
}

void expect_identical(const Snapshot& a, const Snapshot& b) {
  EXPECT_TRUE(same_params(a.params, b.params)) << "params";
  EXPECT_TRUE(same_params(a.grads, b.grads)) << "grads";
  EXPECT_EQ(std::memcmp(&a.loss, &b.loss, sizeof a.loss), 0) << a.loss << " vs " << b.loss;
  EXPECT_TRUE(same_stats(a.stats, b.stats)) << "latest stats";
  EXPECT_TRUE(same_bits(a.neurons, b.neurons)) << "neuron stats";
  ASSERT_EQ(a.history.size(), b.history.size());
  for (size_t i = 0; i < a.history.size(); ++i)
    EXPECT_TRUE(same_stats(a.history[i], b.history[i])) << "history entry " << i;
  EXPECT_TRUE(same_bits(a.batch.input, b.batch.input) && same_bits(a.batch.target, b.batch.target));
}

TEST_F(Training, SameSceneIsBitIdenticalAndSeedsMatter) {
  net::Scene scene = train_scene(net::Optimizer::adam, 0.01);
  scene.network.width = 45;  // two dW tiles and several update chunks per layer
  scene.data.batch = 35;
  const Snapshot a = run(scene, 6);
  const Snapshot b = run(scene, 6);
  expect_identical(a, b);
  EXPECT_EQ(a.history.size(), 6u);

  net::Scene other_data = scene;
  other_data.data.seed += 1;
  const Snapshot c = run(other_data, 6);
  EXPECT_FALSE(same_bits(a.batch.input, c.batch.input)) << "data seed changes the batch";
  EXPECT_FALSE(same_params(a.params, c.params));
  EXPECT_NE(a.loss, c.loss);

  net::Scene other_init = scene;
  other_init.network.seed += 1;
  const Snapshot d = run(other_init, 6);
  EXPECT_TRUE(same_bits(a.batch.input, d.batch.input)) << "network seed leaves the data alone";
  EXPECT_FALSE(same_params(a.params, d.params));
  EXPECT_NE(a.loss, d.loss);
}

// Training 6 steps in one call (one submission) equals 6 calls of one step.
TEST_F(Training, StepsPerCallDoNotMatter) {
  const net::Scene scene = train_scene(net::Optimizer::momentum, 0.05);
  const Snapshot a = run(scene, 6);
  gpu::Network gnet(test::context(), scene);
  for (int i = 0; i < 6; ++i)
    gnet.train(1);
  EXPECT_TRUE(same_params(a.params, gnet.params()));
  EXPECT_TRUE(same_stats(a.stats, gnet.latest_stats()));
}

// Small segments put the layers' parameters and activations in several buffers; results are
// bit-identical to one buffer each, and match the reference.
TEST_F(Training, SegmentedBuffersGiveIdenticalResults) {
  net::Scene scene = train_scene(net::Optimizer::adam, 0.01);
  scene.network.depth = 6;
  scene.network.width = 24;  // 600 floats of parameters per hidden layer
  scene.data.batch = 10;     // 12 x 24 = 288 floats per activation
  gpu::NetworkOptions seg;
  seg.max_segment_bytes = 4096;  // 1024 floats: 1-2 layers' params, 3-4 activations
  seg.ring_len = 4;              // the statistics ring must fit in one segment too
  gpu::NetworkOptions whole;
  whole.ring_len = 4;
  {
    gpu::Network probe(test::context(), scene, seg);
    EXPECT_GE(probe.plan().params.segment_floats.size(), 4u);
    EXPECT_GE(probe.plan().acts.segment_floats.size(), 2u);
    for (uint64_t f : probe.plan().params.segment_floats)
      EXPECT_LE(f * 4, 4096u);
    for (uint64_t f : probe.plan().acts.segment_floats)
      EXPECT_LE(f * 4, 4096u);
    // Activations of one layer's input and output in different segments somewhere.
    bool split = false;
    for (uint32_t l = 0; l < probe.plan().num_layers; ++l)
      split |= probe.plan().acts.segment_of[l] != probe.plan().acts.segment_of[l + 1];
    EXPECT_TRUE(split);

    net::ref::Net ref = net::ref::Net::from(scene.network, probe.params());
    net::ref::OptimizerState state;
    for (int s = 0; s < 3; ++s) {
      probe.train(1);
      const gpu::Batch batch = probe.batch();
      const net::ref::Gradients g = net::ref::backward(ref, ref_batch(batch), scene.train.loss);
      if (s == 0) {
        const net::ref::Forward f = net::ref::forward(ref, ref_batch(batch));
        for (uint32_t a = 1; a <= probe.plan().num_layers; ++a)
          EXPECT_TRUE(close(probe.activations(a), f.x[a], 1e-5)) << "activation " << a;
        const net::Params grads = probe.grads();
        for (size_t l = 0; l < grads.size(); ++l)
          EXPECT_TRUE(close(grads[l].w, g.dw[l], 2e-5)) << "dW of layer " << l;
      }
      net::ref::update(ref, g, state, scene.train);
      expect_params_close(probe.params(), ref, 1e-5, "segmented, step " + std::to_string(s),
                          adam_atol(scene.train, uint32_t(s) + 1));
    }
  }
  gpu::Network one(test::context(), scene, whole);
  EXPECT_EQ(one.plan().params.segment_floats.size(), 1u);
  EXPECT_EQ(one.plan().acts.segment_floats.size(), 1u);
  expect_identical(run(scene, 5, seg), run(scene, 5, whole));
}

// The per-layer kernels read their LayerDesc as a uniform buffer at the layer's entry of the
// table. Where the device's uniform offset alignment does not divide sizeof(LayerDesc), a copy
// of the table with padded entries is bound instead; it must give bit-identical results (a wrong
// entry or offset would train some layer with another layer's shapes and offsets).
TEST_F(Training, PaddedLayerTableGivesIdenticalResults) {
  net::Scene scene = train_scene(net::Optimizer::momentum, 0.05);
  scene.network.depth = 5;
  scene.network.residual = true;
  scene.network.residual_every = 2;
  scene.network.norm = net::Norm::layer;  // the norm kernels read the table too
  gpu::NetworkOptions padded;
  padded.min_uniform_align = 256;
  const gpu::Network probe(test::context(), scene, padded);
  const gpu::Network own(test::context(), scene);
  ASSERT_EQ(probe.plan().layer_ubo_stride, 256u);
  EXPECT_EQ(own.plan().layer_ubo_stride % 16, 0u);
  EXPECT_EQ(probe.plan().total_bytes() - own.plan().total_bytes(),
            (own.plan().layer_ubo_stride == sizeof(shared::LayerDesc) ? 256u : 0u) *
                probe.plan().layers.size());
  expect_identical(run(scene, 4, padded), run(scene, 4));
}

// The memory check before allocation (Plan::total_bytes) must not undercount what is then
// allocated: at most the 16-byte stand-ins of buffers a network does not use differ.
TEST_F(Training, PlannedBytesAreWhatIsAllocated) {
  struct Case {
    net::Optimizer opt;
    bool residual;
    net::Norm norm;
    uint64_t segment;
    uint32_t align;
  };
  for (const Case& c : {Case{net::Optimizer::sgd, false, net::Norm::none, 0, 0},
                        Case{net::Optimizer::adam, true, net::Norm::layer, 0, 0},
                        Case{net::Optimizer::momentum, true, net::Norm::batch, 20480, 256}}) {
    net::Scene scene = train_scene(c.opt, 0.05);
    scene.network.depth = 5;
    scene.network.width = 48;  // ~10 KB of parameters a layer: several segments of 20 KB
    scene.network.residual = c.residual;
    scene.network.norm = c.norm;
    gpu::NetworkOptions options;
    options.max_segment_bytes = c.segment;
    options.min_uniform_align = c.align;
    const gpu::Network net(test::context(), scene, options);
    const gpu::Plan& p = net.plan();
    const uint64_t planned = p.total_bytes(), allocated = net.allocated_bytes();
    const uint64_t stand_ins =
        16 * (2 * p.params.segment_floats.size() + p.acts.segment_floats.size() + 3);
    SCOPED_TRACE("segments " + std::to_string(p.params.segment_floats.size()) + " / " +
                 std::to_string(p.acts.segment_floats.size()));
    EXPECT_GE(planned + stand_ins, allocated) << "planned " << planned;
    EXPECT_LE(planned, allocated);
    if (c.segment > 0) {
      EXPECT_GT(p.params.segment_floats.size(), 1u) << "not vacuous";
    }
  }
}

TEST_F(Training, SetTrainChangesLearningRateWithoutRebuilding) {
  const net::Scene scene = train_scene(net::Optimizer::sgd, 0.05);
  gpu::Network gnet(test::context(), scene);
  net::ref::Net ref = net::ref::Net::from(scene.network, gnet.params());
  net::ref::OptimizerState state;
  net::TrainSpec train = scene.train;
  for (double lr : {0.05, 0.5, 0.0, 0.2}) {
    train.lr = lr;
    gnet.set_train(train);
    const net::Params before = gnet.params();
    gnet.train(1);
    const net::ref::Gradients g = net::ref::backward(ref, ref_batch(gnet.batch()), train.loss);
    net::ref::update(ref, g, state, train);
    const net::Params after = gnet.params();
    expect_params_close(after, ref, 1e-5, "lr " + std::to_string(lr));
    if (lr == 0.0) {
      EXPECT_TRUE(same_params(before, after)) << "lr 0 leaves parameters alone";
    }
  }
  train.optimizer = net::Optimizer::adam;
  EXPECT_THROW(gnet.set_train(train), std::exception) << "no adam state in an sgd network";
}

TEST_F(Training, SetTrainChangesAdamConstants) {
  const net::Scene scene = train_scene(net::Optimizer::adam, 0.01);
  gpu::Network gnet(test::context(), scene);
  net::ref::Net ref = net::ref::Net::from(scene.network, gnet.params());
  net::ref::OptimizerState state;
  net::TrainSpec train = scene.train;
  for (int s = 0; s < 3; ++s) {
    if (s == 1) {
      train.lr = 0.03;
      train.beta1 = 0.5;
      train.beta2 = 0.9;
      gnet.set_train(train);
    }
    gnet.train(1);
    const net::ref::Gradients g = net::ref::backward(ref, ref_batch(gnet.batch()), train.loss);
    net::ref::update(ref, g, state, train);
    expect_params_close(gnet.params(), ref, 1e-5, "step " + std::to_string(s),
                        adam_atol(train, uint32_t(s) + 1));
  }
}

net::Scene deep_scene(uint32_t depth, uint32_t width, uint32_t batch) {
  net::Scene s;
  s.title = "deep";
  s.network.input = 8;
  s.network.depth = depth;
  s.network.width = width;
  s.network.output = 4;
  s.network.activation = net::Activation::tanh;
  s.network.init = net::Init::gaussian;
  s.network.sigma_w = 1.0;
  s.network.sigma_b = 0.05;
  s.network.seed = 3;
  s.data.kind = net::DataKind::teacher;
  s.data.batch = batch;
  s.data.seed = 9;
  s.train.loss = net::Loss::mse;
  s.train.optimizer = net::Optimizer::sgd;
  s.train.lr = 0.01;
  return s;
}

double frobenius(const std::vector<float>& v) {
  double s = 0;
  for (float x : v)
    s += double(x) * x;
  return std::sqrt(s);
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// 1,000 layers: the step-0 gradients of every layer against the reference. Rounding errors
// grow with depth, so the tolerance is looser than for shallow networks.
TEST_F(Training, ThousandLayersMatchReference) {
  const net::Scene scene = deep_scene(999, 32, 16);
  gpu::Network gnet(test::context(), scene);
  ASSERT_EQ(gnet.plan().num_layers, 1000u);
  const net::Params before = gnet.params();
  gnet.train(1);
  const net::ref::Net ref = net::ref::Net::from(scene.network, before);
  const net::ref::Gradients g = net::ref::backward(ref, ref_batch(gnet.batch()), scene.train.loss);
  EXPECT_NEAR(gnet.loss(), g.loss, 1e-4 * g.loss);
  const net::Params grads = gnet.grads();
  double worst = 0;
  for (size_t l = 0; l < grads.size(); ++l) {
    EXPECT_TRUE(close(grads[l].w, g.dw[l], 2e-3)) << "dW of layer " << l;
    EXPECT_TRUE(close(grads[l].b, g.db[l], 2e-3)) << "db of layer " << l;
    double scale = 0, err = 0;
    for (size_t i = 0; i < g.dw[l].size(); ++i) {
      scale = std::max(scale, std::abs(g.dw[l][i]));
      err = std::max(err, std::abs(grads[l].w[i] - g.dw[l][i]));
    }
    worst = std::max(worst, err / scale);
    if (l == 0 || l + 1 == grads.size())
      RecordProperty("dw_error_layer_" + std::to_string(l), std::to_string(err / scale));
  }
  RecordProperty("worst_relative_dw_error", std::to_string(worst));
  EXPECT_TRUE(close(grads.front().w, g.dw.front(), 5e-4)) << "first layer";
  EXPECT_TRUE(close(grads.back().w, g.dw.back(), 2e-5)) << "last layer";
  const gpu::StepStats st = gnet.latest_stats();
  ASSERT_EQ(st.layers.size(), 1000u);
  for (size_t l = 0; l < st.layers.size(); ++l)
    ASSERT_NEAR(st.layers[l].weight_norm, frobenius(before[l].w), 1e-5 * frobenius(before[l].w));
  gnet.train(2);
  EXPECT_TRUE(std::isfinite(gnet.loss()));
  EXPECT_EQ(gnet.latest_stats().step, 2u);
  EXPECT_EQ(gnet.history().size(), 3u);
}

// Checks that hold for any sane sgd step: finite, no non-finite entries, max <= norm, W norms as
// uploaded, and ||W_new - W_old|| = lr ||dW|| (sgd), so update_ratio = lr * grad_w_norm /
// weight_norm. Vanishing gradients may be denormal or flushed to zero near the input.
void expect_sane_sgd_stats(const gpu::StepStats& st, const net::Params& initial, double lr,
                           bool first_step) {
  ASSERT_EQ(st.layers.size(), initial.size());
  EXPECT_TRUE(std::isfinite(st.loss) && st.loss > 0) << st.loss;
  int bad = 0;
  for (size_t l = 0; l < st.layers.size() && bad < 5; ++l) {
    const shared::LayerStats& s = st.layers[l];
    const bool ok = s.nonfinite == 0 && std::isfinite(s.grad_w_norm) && s.grad_w_max_abs >= 0 &&
                    s.grad_w_max_abs <= s.grad_w_norm * (1 + 1e-6) &&
                    (s.grad_w_norm > 0) == (s.grad_w_max_abs > 0) &&
                    s.grad_w_mean_abs <= s.grad_w_max_abs && std::isfinite(s.delta_rms) &&
                    s.delta_rms >= 0 && std::isfinite(s.grad_b_norm) &&
                    std::abs(s.update_ratio - lr * s.grad_w_norm / s.weight_norm) <=
                        1e-3 * s.update_ratio + 1e-9 &&
                    (!first_step || std::abs(s.weight_norm - frobenius(initial[l].w)) <=
                                        1e-5 * frobenius(initial[l].w));
    if (!ok) {
      ++bad;
      ADD_FAILURE() << "layer " << l << ": |dW| " << s.grad_w_norm << " max " << s.grad_w_max_abs
                    << " mean " << s.grad_w_mean_abs << " delta_rms " << s.delta_rms << " |W| "
                    << s.weight_norm << " (init " << frobenius(initial[l].w) << ") ratio "
                    << s.update_ratio << " nonfinite " << s.nonfinite;
    }
  }
}

TEST_F(Training, ThousandLayersWidth256TrainsOnLavapipe) {
  const net::Scene scene = deep_scene(999, 256, 64);
  const auto t0 = std::chrono::steady_clock::now();
  gpu::Network gnet(test::context(), scene);
  const net::Params initial = net::init_params(scene.network);
  gnet.train(1);
  expect_sane_sgd_stats(gnet.latest_stats(), initial, scene.train.lr, true);
  // The output layer's gradient, from the GPU's own activations around it (linear output, mse):
  // dW[n][k] = sum_b 2 (y[b][n] - t[b][n]) / (B out) x[b][k].
  {
    const uint32_t last = gnet.plan().num_layers, width = scene.network.width;
    const uint32_t out = scene.network.output, bsz = scene.data.batch;
    const std::vector<float> x = gnet.activations(last - 1), y = gnet.activations(last);
    const gpu::Batch batch = gnet.batch();
    std::vector<double> dw(size_t(out) * width, 0.0);
    double loss = 0;
    for (uint32_t b = 0; b < bsz; ++b)
      for (uint32_t n = 0; n < out; ++n) {
        const double diff = double(y[b * out + n]) - batch.target[b * out + n];
        loss += diff * diff / (bsz * out);
        for (uint32_t k = 0; k < width; ++k)
          dw[n * width + k] += 2.0 * diff / (bsz * out) * x[size_t(b) * width + k];
      }
    EXPECT_NEAR(gnet.loss(), loss, 1e-5 * loss);
    EXPECT_TRUE(close(gnet.grads().back().w, dw, 1e-5)) << "output layer dW";
  }
  gnet.train(1);
  const gpu::StepStats st = gnet.latest_stats();
  EXPECT_EQ(st.step, 1u);
  expect_sane_sgd_stats(st, initial, scene.train.lr, false);
  const double secs = seconds_since(t0);
  // Recorded, not asserted: speed is the benchmarks' business (docs/PERFORMANCE.md), and a
  // loaded machine must not fail a correctness test.
  RecordProperty("seconds", std::to_string(secs));
}

TEST_F(Training, TenThousandLayersReportEveryLayer) {
  const net::Scene scene = deep_scene(9999, 64, 16);
  const auto t0 = std::chrono::steady_clock::now();
  gpu::Network gnet(test::context(), scene);
  ASSERT_EQ(gnet.plan().num_layers, 10000u);
  const net::Params initial = net::init_params(scene.network);
  gnet.train(1);
  const gpu::StepStats st = gnet.latest_stats();
  EXPECT_EQ(st.step, 0u);
  ASSERT_EQ(st.layers.size(), 10000u);
  expect_sane_sgd_stats(st, initial, scene.train.lr, true);
  const std::vector<gpu::StepStats> hist = gnet.history();
  ASSERT_EQ(hist.size(), 1u);
  EXPECT_TRUE(same_stats(hist[0], st));
  EXPECT_EQ(gnet.neuron_stats().size(), 9999u * 64u + 4u);
  const double gpu_secs = seconds_since(t0);

  // The reference through all 10,000 layers: loss, and each layer's gradient norm and delta
  // rms. Gradients vanish towards the input (tanh, sigma_w = 1): layers whose figures are below
  // the normal float range (denormal on the GPU, or flushed to zero) are only checked to be
  // finite and non-negative; the others within a tolerance for the depth.
  const net::ref::Net ref = net::ref::Net::from(scene.network, initial);
  const net::ref::Gradients g = net::ref::backward(ref, ref_batch(gnet.batch()), scene.train.loss);
  EXPECT_NEAR(st.loss, g.loss, 1e-4 * g.loss);
  const std::vector<net::ref::LayerStats> rs = net::ref::statistics(ref, g, {});
  uint32_t compared = 0;
  for (size_t l = 0; l < rs.size(); ++l) {
    const shared::LayerStats& s = st.layers[l];
    ASSERT_TRUE(s.grad_w_norm >= 0 && s.delta_rms >= 0) << "layer " << l;
    if (rs[l].grad_w_max_abs < 1e-36 || rs[l].delta_rms < 1e-36) continue;
    ++compared;
    ASSERT_NEAR(s.grad_w_norm, rs[l].grad_w_norm, 2e-3 * rs[l].grad_w_norm) << "layer " << l;
    ASSERT_NEAR(s.delta_rms, rs[l].delta_rms, 2e-3 * rs[l].delta_rms) << "layer " << l;
  }
  EXPECT_GT(compared, 1000u);
  RecordProperty("layers_compared", std::to_string(compared));
  RecordProperty("gpu_seconds", std::to_string(gpu_secs));
  RecordProperty("seconds", std::to_string(seconds_since(t0)));
}

// set_params clears the optimizer state: Adam's bias correction must restart with it (t counts
// from the reset, not from the network's first step), as a fresh reference OptimizerState does.
TEST_F(Training, AdamAfterSetParamsRestartsBiasCorrection) {
  const net::Scene scene = train_scene(net::Optimizer::adam, 0.01);
  gpu::Network gnet(test::context(), scene);
  gnet.train(5);
  const net::Params p = gnet.params();
  gnet.set_params(p);
  net::ref::Net ref = net::ref::Net::from(scene.network, p);
  net::ref::OptimizerState state;
  for (uint32_t s = 1; s <= 2; ++s) {
    gnet.train(1);
    const net::ref::Gradients g =
        net::ref::backward(ref, ref_batch(gnet.batch()), scene.train.loss);
    net::ref::update(ref, g, state, scene.train);
    expect_params_close(gnet.params(), ref, 1e-5, "step " + std::to_string(s) + " after set_params",
                        adam_atol(scene.train, s));
  }
}

}  // namespace
}  // namespace gt
