// Diagnostics computed on the GPU every step (issue #6): the per-layer |dW| histograms
// (update.comp, finalize.comp) against a CPU binning of the GPU's own gradients and of the CPU
// reference's, with their special counts (below and above the range, exact zeros, non-finite);
// the activation statistics of the forward pass (mean, std, saturated fraction) against the
// reference's forward activations; histograms of steps trained in pieces.
#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "gpu/network.hpp"
#include "gpu_fixture.hpp"
#include "net/reference.hpp"
#include "stats/histogram.hpp"
#include "test_printers.hpp"

namespace gt {
namespace {

using test::ref_batch;

using namespace gt::shared;

net::Scene diag_scene(net::Activation act, double sigma_w, double sigma_b) {
  net::Scene s;
  s.title = "diagnostics";
  s.network.input = 5;  // odd sizes: padding rows and columns must not be counted
  s.network.depth = 3;
  s.network.width = 13;
  s.network.output = 3;
  s.network.activation = act;
  s.network.sigma_w = sigma_w;
  s.network.sigma_b = sigma_b;
  s.network.seed = 17;
  s.data.kind = net::DataKind::teacher;
  s.data.batch = 11;
  s.data.seed = 4;
  s.train.loss = net::Loss::mse;
  s.train.optimizer = net::Optimizer::sgd;
  s.train.lr = 0.01;
  return s;
}

// A histogram binned on the CPU as layout.h defines it, and how many entries lie within 1e-5
// relative of a bin edge (where float and double rounding may disagree).
struct CpuHist {
  std::vector<uint32_t> counts = std::vector<uint32_t>(GT_HIST_NONFINITE + 1, 0);
  uint32_t near_edge = 0;
};

template <typename T>
CpuHist bin_on_cpu(const std::vector<T>& values, int lo, int hi) {
  CpuHist h;
  const double bins = GT_HIST_BINS, width = double(hi - lo) / bins;
  for (T v : values) {
    const double a = std::abs(double(v));
    if (a == 0) {
      ++h.counts[GT_HIST_ZERO];
      continue;
    }
    if (!std::isfinite(a)) {
      ++h.counts[GT_HIST_NONFINITE];
      continue;
    }
    const double t = (std::log10(a) - lo) / (hi - lo) * bins;
    const double edge = std::round(t);
    if (edge >= 0 && edge <= bins && std::abs(t - edge) * width * std::log(10.0) < 1e-5)
      ++h.near_edge;
    if (t < 0)
      ++h.counts[GT_HIST_UNDERFLOW];
    else if (t >= bins)
      ++h.counts[GT_HIST_OVERFLOW];
    else
      ++h.counts[static_cast<uint32_t>(std::floor(t))];
  }
  return h;
}

std::vector<uint32_t> record_of(const std::vector<uint32_t>& all, size_t layer) {
  return {all.begin() + layer * GT_HIST_STRIDE,
          all.begin() + layer * GT_HIST_STRIDE + GT_HIST_NONFINITE + 1};
}

// Equal, except that each entry near an edge may have moved to the neighbouring slot.
::testing::AssertionResult same_counts(const std::vector<uint32_t>& gpu, const CpuHist& cpu) {
  uint64_t moved = 0;
  for (size_t i = 0; i < gpu.size(); ++i)
    moved += gpu[i] > cpu.counts[i] ? gpu[i] - cpu.counts[i] : cpu.counts[i] - gpu[i];
  if (moved <= 2ull * cpu.near_edge) return ::testing::AssertionSuccess();
  auto f = ::testing::AssertionFailure();
  f << moved << " counts differ (" << cpu.near_edge << " entries near an edge):";
  for (size_t i = 0; i < gpu.size(); ++i)
    if (gpu[i] != cpu.counts[i]) f << " [" << i << "] gpu " << gpu[i] << " cpu " << cpu.counts[i];
  return f;
}

uint64_t total(const std::vector<uint32_t>& counts) {
  uint64_t t = 0;
  for (uint32_t c : counts)
    t += c;
  return t;
}

// One step; every layer's histogram against both CPU binnings. Returns the GPU's histograms.
// The "texel" kernels count in per-invocation counters, the "shared" ones with atomics.
std::vector<uint32_t> check_histograms(const net::Scene& scene, gpu::Kernels kernels) {
  SCOPED_TRACE(gpu::to_string(kernels));
  gpu::NetworkOptions options;
  options.kernels = kernels;
  gpu::Network gnet(test::context(), scene, options);
  const net::Params before = gnet.params();
  gnet.train(1);
  const std::vector<uint32_t> hist = gnet.histograms();
  EXPECT_EQ(hist.size(), size_t(gnet.plan().num_layers) * GT_HIST_STRIDE);
  const net::Params grads = gnet.grads();
  const net::ref::Gradients ref = net::ref::backward(net::ref::Net::from(scene.network, before),
                                                     ref_batch(gnet.batch()), scene.train.loss);
  const gpu::StepStats stats = gnet.latest_stats();
  const int lo = scene.train.hist_lo, hi = scene.train.hist_hi;
  for (size_t l = 0; l < grads.size(); ++l) {
    SCOPED_TRACE("layer " + std::to_string(l));
    const std::vector<uint32_t> gpu = record_of(hist, l);
    const uint32_t* r = &hist[l * GT_HIST_STRIDE];
    EXPECT_EQ(r[GT_HIST_STEP], 0u);
    float range[2];
    std::memcpy(&range[0], &r[GT_HIST_LO], 4);
    std::memcpy(&range[1], &r[GT_HIST_HI], 4);
    EXPECT_EQ(range[0], float(lo));
    EXPECT_EQ(range[1], float(hi));
    EXPECT_EQ(total(gpu), uint64_t(grads[l].in) * grads[l].out) << "every real entry, once";
    EXPECT_EQ(gpu[GT_HIST_NONFINITE], stats.layers[l].nonfinite);
    EXPECT_TRUE(same_counts(gpu, bin_on_cpu(grads[l].w, lo, hi))) << "the GPU's own dW";
    EXPECT_TRUE(same_counts(gpu, bin_on_cpu(ref.dw[l], lo, hi))) << "the reference's dW";
  }
  return hist;
}

// Both ways of counting give the same histograms.
std::vector<uint32_t> check_histograms(const net::Scene& scene) {
  const std::vector<uint32_t> texel = check_histograms(scene, gpu::Kernels::texel);
  EXPECT_EQ(texel, check_histograms(scene, gpu::Kernels::shared));
  return texel;
}

class Diagnostics : public test::GpuTest {};

TEST_F(Diagnostics, HistogramsMatchCpuBinning) {
  const std::vector<uint32_t> h = check_histograms(diag_scene(net::Activation::tanh, 1.4, 0.2));
  uint32_t in_range = 0;
  for (uint32_t b = 0; b < GT_HIST_BINS; ++b)
    in_range += h[b];
  EXPECT_GT(in_range, 0u) << "the comparison is not only of special counts";
}

TEST_F(Diagnostics, UnderflowAndOverflowOfANarrowRange) {
  net::Scene s = diag_scene(net::Activation::tanh, 1.4, 0.2);
  s.train.hist_lo = -3;
  s.train.hist_hi = -2;
  const std::vector<uint32_t> h = check_histograms(s);
  uint32_t under = 0, over = 0;
  for (size_t l = 0; l * GT_HIST_STRIDE < h.size(); ++l) {
    under += h[l * GT_HIST_STRIDE + GT_HIST_UNDERFLOW];
    over += h[l * GT_HIST_STRIDE + GT_HIST_OVERFLOW];
  }
  EXPECT_GT(under, 0u);
  EXPECT_GT(over, 0u);
}

TEST_F(Diagnostics, ExactZerosOfDeadReluUnitsAreCounted) {
  // Biases far below zero: most ReLU units are dead for the whole batch, so their rows of dW
  // (and the next layer's columns fed by them) are exactly zero.
  net::Scene s = diag_scene(net::Activation::relu, 1.0, 1.5);
  s.network.seed = 5;
  const std::vector<uint32_t> h = check_histograms(s);
  uint32_t zeros = 0;
  for (size_t l = 0; l * GT_HIST_STRIDE < h.size(); ++l)
    zeros += h[l * GT_HIST_STRIDE + GT_HIST_ZERO];
  EXPECT_GT(zeros, 0u);
}

TEST_F(Diagnostics, NonFiniteGradientsAreCounted) {
  // The exploding recipe of test_gpu_clipping.cpp: weights of 1e30, linear layers.
  net::Scene s = diag_scene(net::Activation::linear, 1e30, 0.3);
  s.network.depth = 4;
  gpu::Network gnet(test::context(), s);
  gnet.train(1);
  const std::vector<uint32_t> h = gnet.histograms();
  const gpu::StepStats stats = gnet.latest_stats();
  const net::Params grads = gnet.grads();
  uint32_t nonfinite = 0;
  for (size_t l = 0; l < grads.size(); ++l) {
    const std::vector<uint32_t> gpu = record_of(h, l);
    EXPECT_EQ(total(gpu), uint64_t(grads[l].in) * grads[l].out) << "layer " << l;
    EXPECT_EQ(gpu[GT_HIST_NONFINITE], stats.layers[l].nonfinite) << "layer " << l;
    EXPECT_TRUE(same_counts(gpu, bin_on_cpu(grads[l].w, s.train.hist_lo, s.train.hist_hi)))
        << "layer " << l;
    nonfinite += gpu[GT_HIST_NONFINITE];
  }
  EXPECT_GT(nonfinite, 0u);
}

TEST_F(Diagnostics, VanishingGradientsDownToDenormals) {
  // A deep, nearly linear tanh net with small weights: |dW| falls by about sigma_w per layer,
  // below the smallest normal float (1.2e-38) at the input. The histogram reaches down there.
  net::Scene s = diag_scene(net::Activation::tanh, 0.08, 0.0);
  s.network.depth = 36;
  s.network.width = 8;
  s.train.hist_lo = -45;
  s.train.hist_hi = 3;
  gpu::Network gnet(test::context(), s);
  gnet.train(1);
  const std::vector<uint32_t> h = gnet.histograms();
  const net::Params grads = gnet.grads();
  bool denormal_seen = false;
  for (size_t l = 0; l < grads.size(); ++l) {
    for (float v : grads[l].w)
      denormal_seen |= v != 0 && std::abs(v) < 1.17549435e-38f;
    EXPECT_TRUE(same_counts(record_of(h, l), bin_on_cpu(grads[l].w, -45, 3))) << "layer " << l;
  }
  EXPECT_TRUE(denormal_seen) << "the test wants denormal gradients";
}

TEST_F(Diagnostics, SetTrainChangesTheRangeWithoutRebuilding) {
  net::Scene s = diag_scene(net::Activation::tanh, 1.4, 0.2);
  gpu::Network gnet(test::context(), s);
  gnet.train(1);
  s.train.hist_lo = -6;
  s.train.hist_hi = -1;
  gnet.set_train(s.train);
  gnet.train(1);
  const std::vector<uint32_t> h = gnet.histograms();
  const net::Params grads = gnet.grads();
  for (size_t l = 0; l < grads.size(); ++l) {
    float lo = 0;
    std::memcpy(&lo, &h[l * GT_HIST_STRIDE + GT_HIST_LO], 4);
    EXPECT_EQ(lo, -6.0f);
    EXPECT_EQ(h[l * GT_HIST_STRIDE + GT_HIST_STEP], 1u);
    EXPECT_TRUE(same_counts(record_of(h, l), bin_on_cpu(grads[l].w, -6, -1))) << "layer " << l;
  }
  s.train.hist_hi = -6;
  EXPECT_THROW(gnet.set_train(s.train), std::exception);
}

// Activation statistics of the layer outputs X over batch and neurons, from the reference's
// forward pass: mean, population std, and the saturated fraction with its definition per
// activation (layout.h, LayerStats). `near` counts entries within 1e-5 of the threshold.
struct RefAct {
  double mean = 0, std = 0, saturated = 0, near = 0;
};

RefAct ref_act(net::Activation act, const std::vector<double>& z, const std::vector<double>& x) {
  RefAct r;
  const double n = double(x.size());
  for (double v : x)
    r.mean += v;
  r.mean /= n;
  for (double v : x)
    r.std += (v - r.mean) * (v - r.mean);
  r.std = std::sqrt(r.std / n);
  for (size_t i = 0; i < x.size(); ++i) {
    bool sat = false;
    double dist = 1;
    switch (act) {
      case net::Activation::tanh:
        sat = std::abs(x[i]) > 0.99;
        dist = std::abs(std::abs(x[i]) - 0.99);
        break;
      case net::Activation::sigmoid:
        sat = x[i] < 0.01 || x[i] > 0.99;
        dist = std::min(std::abs(x[i] - 0.01), std::abs(x[i] - 0.99));
        break;
      case net::Activation::relu:
      case net::Activation::leaky_relu:
      case net::Activation::gelu:
        sat = z[i] <= 0;
        dist = std::abs(z[i]);
        break;
      case net::Activation::linear:
        break;
    }
    r.saturated += sat ? 1 : 0;
    r.near += dist < 1e-5 ? 1 : 0;
  }
  r.saturated /= n;
  r.near /= n;
  return r;
}

class ActivationStats : public test::GpuTest,
                        public ::testing::WithParamInterface<net::Activation> {};

TEST_P(ActivationStats, MatchTheReferenceForward) {
  // sigma_w 2.5 pushes tanh and sigmoid into their tails; the biases move the mean off zero.
  net::Scene s = diag_scene(GetParam(), 2.5, 0.7);
  s.network.output_activation = net::Activation::sigmoid;
  s.data.batch = 37;  // more than one forward tile of samples, padded
  s.network.width = 45;
  for (gpu::Kernels k : {gpu::Kernels::texel, gpu::Kernels::shared}) {
    SCOPED_TRACE(gpu::to_string(k));
    gpu::NetworkOptions o;
    o.kernels = k;
    gpu::Network gnet(test::context(), s, o);
    const net::Params before = gnet.params();
    gnet.train(1);
    const net::ref::Net ref = net::ref::Net::from(s.network, before);
    const net::ref::Forward f = net::ref::forward(ref, ref_batch(gnet.batch()));
    const gpu::StepStats st = gnet.latest_stats();
    double saturated_seen = 0;
    for (size_t l = 0; l < st.layers.size(); ++l) {
      SCOPED_TRACE("layer " + std::to_string(l));
      const net::Activation act = l + 1 == st.layers.size() ? ref.output : ref.hidden;
      const RefAct r = ref_act(act, f.z[l], f.x[l + 1]);
      const LayerStats& g = st.layers[l];
      EXPECT_NEAR(g.act_mean, r.mean, 1e-5 * (1 + r.std));
      EXPECT_NEAR(g.act_std, r.std, 1e-5 * r.std + 1e-7);
      EXPECT_NEAR(g.saturated, r.saturated, r.near + 1e-6);
      if (act == net::Activation::linear) {
        EXPECT_EQ(g.saturated, 0.0f);
      }
      saturated_seen += g.saturated;
    }
    if (GetParam() != net::Activation::linear) {
      EXPECT_GT(saturated_seen, 0.0);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Activations, ActivationStats,
                         ::testing::Values(net::Activation::tanh, net::Activation::sigmoid,
                                           net::Activation::relu, net::Activation::leaky_relu,
                                           net::Activation::gelu, net::Activation::linear),
                         [](const auto& p) { return std::string(net::to_string(p.param)); });

TEST_F(Diagnostics, PiecesGiveTheSameHistogramsAsWholeSteps) {
  net::Scene s = diag_scene(net::Activation::tanh, 1.3, 0.1);
  s.network.depth = 30;  // long enough to be cut into many pieces
  s.data.fixed = false;
  gpu::Network whole(test::context(), s);
  gpu::Network cut(test::context(), s);
  whole.train(2);
  while (cut.steps_done() < 2)
    cut.train_pieces(0.0);
  EXPECT_EQ(whole.histograms(), cut.histograms());
  // Between pieces the published histograms stay the previous step's.
  const std::vector<uint32_t> before = cut.histograms();
  uint32_t pieces = 0;
  while (cut.train_pieces(0.0) == 0) {
    ++pieces;
    EXPECT_EQ(cut.histograms(), before) << "after piece " << pieces;
  }
  EXPECT_GT(pieces, 4u);
  whole.train(1);
  EXPECT_EQ(whole.histograms(), cut.histograms());
  EXPECT_EQ(whole.histograms()[GT_HIST_STEP], 2u);
  const gpu::StepStats a = whole.latest_stats(), b = cut.latest_stats();
  for (size_t l = 0; l < a.layers.size(); ++l) {
    EXPECT_EQ(a.layers[l].act_mean, b.layers[l].act_mean);
    EXPECT_EQ(a.layers[l].act_std, b.layers[l].act_std);
    EXPECT_EQ(a.layers[l].saturated, b.layers[l].saturated);
  }
}

// The host's decoding of the records (stats/histogram.hpp), on records written by hand: what the
// live window's histogram and heatmap draw.
std::vector<uint32_t> hand_records(const std::vector<std::vector<uint32_t>>& per_layer) {
  std::vector<uint32_t> all;
  for (const auto& counts : per_layer) {
    std::vector<uint32_t> r(GT_HIST_STRIDE, 0);
    std::copy(counts.begin(), counts.end(), r.begin());  // bins, then the special counts
    r[GT_HIST_STEP] = 7;
    r[GT_HIST_LO] = std::bit_cast<uint32_t>(-9.0f);
    r[GT_HIST_HI] = std::bit_cast<uint32_t>(1.0f);
    all.insert(all.end(), r.begin(), r.end());
  }
  return all;
}

TEST(HistogramView, DecodesOneLayersRecord) {
  std::vector<uint32_t> c(GT_HIST_NONFINITE + 1, 0);
  c[0] = 3;
  c[63] = 4;
  c[GT_HIST_UNDERFLOW] = 5;
  c[GT_HIST_OVERFLOW] = 6;
  c[GT_HIST_ZERO] = 7;
  c[GT_HIST_NONFINITE] = 8;
  const std::vector<uint32_t> all = hand_records({std::vector<uint32_t>(c.size(), 1), c});
  const stats::LayerHistogram h = stats::layer_histogram(all, 1);
  EXPECT_EQ(h.bins[0], 3u);
  EXPECT_EQ(h.bins[63], 4u);
  EXPECT_EQ(h.underflow, 5u);
  EXPECT_EQ(h.overflow, 6u);
  EXPECT_EQ(h.zero, 7u);
  EXPECT_EQ(h.nonfinite, 8u);
  EXPECT_EQ(h.step, 7u);
  EXPECT_EQ(h.lo, -9.0f);
  EXPECT_EQ(h.hi, 1.0f);
  EXPECT_EQ(h.total(), 33u);
  EXPECT_FLOAT_EQ(h.bin_lo(32), -4.0f);
  EXPECT_EQ(stats::layer_histogram(all, 0).total(), uint64_t(GT_HIST_NONFINITE + 1));
  EXPECT_THROW(stats::layer_histogram(all, 2), std::out_of_range);
}

TEST(HistogramView, GridMergesNeighbouringLayers) {
  // Five layers: layer i has i + 1 entries in bin i and one zero.
  std::vector<std::vector<uint32_t>> layers;
  for (uint32_t i = 0; i < 5; ++i) {
    std::vector<uint32_t> c(GT_HIST_NONFINITE + 1, 0);
    c[i] = i + 1;
    c[GT_HIST_ZERO] = 1;
    layers.push_back(c);
  }
  const std::vector<uint32_t> all = hand_records(layers);
  const stats::HistGrid g = stats::hist_grid(all, 2);
  ASSERT_EQ(g.rows, 2u);
  EXPECT_EQ(g.first, (std::vector<uint32_t>{0, 2, 5}));
  EXPECT_EQ(g.step, 7u);
  auto cell = [&](uint32_t r, uint32_t col) { return g.fraction[r * stats::kHistColumns + col]; };
  // Row 0 = layers 1-2: 1 + 2 entries in bins 0 and 1, two zeros, of 5.
  EXPECT_FLOAT_EQ(cell(0, stats::kColFirstBin + 0), 1.0f / 5);
  EXPECT_FLOAT_EQ(cell(0, stats::kColFirstBin + 1), 2.0f / 5);
  EXPECT_FLOAT_EQ(cell(0, stats::kColZero), 2.0f / 5);
  EXPECT_EQ(cell(0, stats::kColFirstBin + 2), 0.0f);
  // Row 1 = layers 3-5: 3 + 4 + 5 in bins 2-4, three zeros, of 15.
  EXPECT_FLOAT_EQ(cell(1, stats::kColFirstBin + 4), 5.0f / 15);
  EXPECT_FLOAT_EQ(cell(1, stats::kColZero), 3.0f / 15);
  for (uint32_t r = 0; r < g.rows; ++r) {
    double sum = 0;
    for (uint32_t c = 0; c < stats::kHistColumns; ++c)
      sum += cell(r, c);
    EXPECT_NEAR(sum, 1.0, 1e-6) << "row " << r;
  }
  EXPECT_EQ(stats::hist_grid(all, 100).rows, 5u) << "never more rows than layers";
  EXPECT_EQ(stats::hist_grid(all, 0).rows, 1u);
  EXPECT_EQ(stats::hist_grid({}, 10).rows, 0u);
}

TEST_F(Diagnostics, GridOfAGpuRunHoldsEachLayersShares) {
  net::Scene s = diag_scene(net::Activation::tanh, 1.4, 0.2);
  s.network.depth = 6;
  gpu::Network gnet(test::context(), s);
  gnet.train(2);
  const std::vector<uint32_t> all = gnet.histograms();
  const stats::HistGrid g = stats::hist_grid(all, 1000);
  ASSERT_EQ(g.rows, gnet.plan().num_layers);
  EXPECT_EQ(g.step, 1u);
  for (uint32_t l = 0; l < g.rows; ++l) {
    const stats::LayerHistogram h = stats::layer_histogram(all, l);
    const auto& d = gnet.plan().layers[l];
    ASSERT_EQ(h.total(), uint64_t(d.in_dim) * d.out_dim) << "layer " << l;
    for (uint32_t k = 0; k < GT_HIST_BINS; ++k)
      EXPECT_FLOAT_EQ(g.fraction[l * stats::kHistColumns + stats::kColFirstBin + k],
                      float(double(h.bins[k]) / double(h.total())))
          << "layer " << l << " bin " << k;
  }
}

}  // namespace
}  // namespace gt
