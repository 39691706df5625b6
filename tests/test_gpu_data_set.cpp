// A whole data set on the GPU (batch_gather.comp): each step's batch against the CPU's epoch
// permutation (data/permutation.hpp) of the samples, every sample at most once per epoch, the
// same batches when the set is cut into many segments, fixed batches, and training on it.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <memory>
#include <set>
#include <vector>

#include "data/permutation.hpp"
#include "gpu/network.hpp"
#include "gpu_fixture.hpp"
#include "net/philox.hpp"
#include "net/reference.hpp"

namespace gt {
namespace {

constexpr uint64_t kSeed = 0x9E3779B97F4A7C15ull;  // both 32-bit key words non-zero

// 37 samples of 5 features and 3 classes; sample i's features are (100 i + j) / 1000, so a batch
// row names the sample it holds.
std::shared_ptr<const data::Dataset> numbered_set(uint32_t rows = 37, uint32_t features = 5) {
  auto d = std::make_shared<data::Dataset>();
  d->source = "numbered";
  d->rows = rows;
  d->features = features;
  d->outputs = d->classes = 3;
  std::vector<uint32_t> labels;
  for (uint32_t i = 0; i < rows; ++i) {
    for (uint32_t j = 0; j < features; ++j)
      d->input.push_back(float(100 * i + j) / 1000.0f);
    labels.push_back(i % 3);
  }
  d->target = data::one_hot(labels, 3);
  return d;
}

net::Scene set_scene(uint32_t batch, std::shared_ptr<const data::Dataset> set) {
  net::Scene s;
  s.title = "data set";
  s.network.input = set->features;
  s.network.depth = 1;
  s.network.width = 6;
  s.network.output = set->outputs;
  s.network.seed = 2;
  s.data.kind = net::DataKind::file;
  s.data.batch = batch;
  s.data.seed = kSeed;
  s.data.set = std::move(set);
  s.train.loss = net::Loss::cross_entropy;
  s.train.optimizer = net::Optimizer::sgd;
  s.train.lr = 0.01;
  return s;
}

// The samples of step `step`'s batch as the CPU orders the epoch.
std::vector<uint32_t> expected_samples(const net::Scene& s, uint32_t step) {
  const uint32_t rows = s.data.set->rows, batches = s.data.batches_per_epoch();
  const uint32_t epoch = step / batches, first = (step % batches) * s.data.batch;
  std::vector<uint32_t> out;
  for (uint32_t b = 0; b < s.data.batch; ++b)
    out.push_back(data::permuted_sample(first + b, rows, data::permutation_half_bits(rows), epoch,
                                        s.data.seed));
  return out;
}

// Checks the network's latest batch row by row against the samples; returns them.
std::vector<uint32_t> check_batch(gpu::Network& net, const net::Scene& s, uint32_t step) {
  const gpu::Batch got = net.batch();
  const data::Dataset& d = *s.data.set;
  std::vector<uint32_t> want = expected_samples(s, step);
  const uint32_t rows = s.data.rows_of_step(step);
  want.resize(rows);
  for (uint32_t b = 0; b < s.data.batch; ++b) {
    if (b >= rows) {  // past an epoch's partial last batch: padding, zero
      for (uint32_t j = 0; j < d.features; ++j)
        EXPECT_EQ(got.input[b * d.features + j], 0.0f) << "step " << step << " row " << b;
      for (uint32_t o = 0; o < d.outputs; ++o)
        EXPECT_EQ(got.target[b * d.outputs + o], 0.0f) << "step " << step << " row " << b;
      continue;
    }
    for (uint32_t j = 0; j < d.features; ++j)
      EXPECT_EQ(got.input[b * d.features + j], d.input[want[b] * d.features + j])
          << "step " << step << " row " << b << " feature " << j;
    for (uint32_t o = 0; o < d.outputs; ++o)
      EXPECT_EQ(got.target[b * d.outputs + o], d.target[want[b] * d.outputs + o])
          << "step " << step << " row " << b << " target " << o;
  }
  return want;
}

TEST(GpuDataSet, EachBatchIsTheCpuPermutationsAndEachSampleComesOncePerEpoch) {
  net::Scene s = set_scene(8, numbered_set());
  s.data.drop_last = true;
  ASSERT_EQ(s.data.batches_per_epoch(), 4u);  // 37 samples: 4 whole batches, 5 dropped
  gpu::Network net(test::context(), s);
  std::set<uint32_t> epoch0, epoch1;
  for (uint32_t step = 0; step < 8; ++step) {
    net.train(1);
    for (const uint32_t i : check_batch(net, s, step)) {
      std::set<uint32_t>& seen = step < 4 ? epoch0 : epoch1;
      EXPECT_TRUE(seen.insert(i).second) << "sample " << i << " twice in an epoch";
    }
  }
  EXPECT_EQ(epoch0.size(), 32u);
  EXPECT_EQ(epoch1.size(), 32u);
  EXPECT_NE(epoch0, epoch1);  // another order each epoch: other samples dropped
}

TEST(GpuDataSet, ManySegmentsGatherTheSameBatches) {
  // 80 samples of 61 inputs and 3 targets, 20 of them in 5 KiB (which holds every other tensor,
  // the targets with the teacher's 16 x 64 weights the largest): 4 segments.
  const net::Scene s = set_scene(8, numbered_set(80, 61));
  gpu::NetworkOptions small;
  small.max_segment_bytes = 5120;
  small.ring_len = 8;  // the statistics' history in 5 KiB too
  gpu::Network one(test::context(), s);
  gpu::Network many(test::context(), s, small);
  ASSERT_EQ(one.plan().data.segment_floats.size(), 1u);
  ASSERT_EQ(many.plan().data.segment_floats.size(), 4u);
  for (uint32_t step = 0; step < 12; ++step) {  // more than one epoch of 10 batches
    one.train(1);
    many.train(1);
    check_batch(many, s, step);
    const gpu::Batch a = one.batch(), b = many.batch();
    EXPECT_EQ(a.input, b.input) << step;
    EXPECT_EQ(a.target, b.target) << step;
  }
}

TEST(GpuDataSet, AFixedBatchIsTheFirstBatchEveryStep) {
  net::Scene s = set_scene(8, numbered_set());
  s.data.fixed = true;
  gpu::Network net(test::context(), s);
  for (uint32_t step = 0; step < 5; ++step) {
    net.train(1);
    check_batch(net, s, 0);
  }
}

// A batch that is not a multiple of the vector width (padding rows), with a set of one epoch
// batch: every sample every step, reordered.
TEST(GpuDataSet, PaddingRowsAndAOneBatchEpoch) {
  const net::Scene s = set_scene(7, numbered_set(7));
  ASSERT_EQ(s.data.batches_per_epoch(), 1u);
  gpu::Network net(test::context(), s);
  for (uint32_t step = 0; step < 3; ++step) {
    net.train(1);
    std::vector<uint32_t> got = check_batch(net, s, step);
    std::sort(got.begin(), got.end());
    EXPECT_EQ(got, (std::vector<uint32_t>{0, 1, 2, 3, 4, 5, 6}));
  }
}

TEST(GpuDataSet, TrainingOnASetLowersItsLoss) {
  // Two separable classes: feature 0 says which.
  auto d = std::make_shared<data::Dataset>();
  d->source = "two classes";
  d->rows = 256;
  d->features = 5;
  d->outputs = d->classes = 3;
  std::vector<uint32_t> labels;
  for (uint32_t i = 0; i < d->rows; ++i) {
    const uint32_t c = i % 2;
    for (uint32_t j = 0; j < 5; ++j)
      d->input.push_back(j == 0 ? (c ? 1.0f : -1.0f) : 0.1f * float((i * 7 + j) % 5));
    labels.push_back(c);
  }
  d->target = data::one_hot(labels, 3);
  net::Scene s = set_scene(32, d);
  s.train.lr = 0.5;
  gpu::Network net(test::context(), s);
  net.train(1);
  const float first = net.loss();
  net.train(40);
  EXPECT_LT(net.loss(), 0.2f * first);
}

// Random samples of 6 features and 4 classes (a data seed of their own).
std::shared_ptr<const data::Dataset> random_set(uint32_t rows, uint32_t seed) {
  auto d = std::make_shared<data::Dataset>();
  d->source = "random";
  d->rows = rows;
  d->features = 6;
  d->outputs = d->classes = 4;
  std::vector<uint32_t> labels;
  for (uint32_t i = 0; i < rows; ++i) {
    for (uint32_t j = 0; j < 6; ++j) {
      const net::U32x4 r = net::philox4x32_10({{i, j, seed, 0}}, 11, 13);
      d->input.push_back(float(net::u01_closed_open(r.v[0]) * 4.0 - 2.0));
    }
    labels.push_back(net::philox4x32_10({{i, 99, seed, 0}}, 11, 13).v[0] % 4);
  }
  d->target = data::one_hot(labels, 4);
  return d;
}

net::Scene eval_scene(uint32_t held_out) {
  net::Scene s = set_scene(8, random_set(60, 1));  // 8 batches an epoch, the last of 4 rows
  s.network.depth = 2;
  s.network.activation = net::Activation::tanh;
  s.train.lr = 0.1;
  s.eval.every = 1;
  s.eval.set = random_set(held_out, 2);
  return s;
}

// The CPU's loss and accuracy of the parameters over the held-out set, as one batch in double.
std::pair<double, double> cpu_eval(const net::Scene& s, const net::Params& params) {
  const data::Dataset& d = *s.eval.set;
  const net::ref::Net net = net::ref::Net::from(s.network, params);
  net::ref::Batch batch;
  batch.size = d.rows;
  batch.input.assign(d.input.begin(), d.input.end());
  batch.target.assign(d.target.begin(), d.target.end());
  const net::ref::Forward f = net::ref::forward(net, batch);
  const std::vector<double>& y = f.x.back();
  uint32_t hits = 0;
  for (uint32_t r = 0; r < d.rows; ++r) {
    uint32_t best = 0;
    for (uint32_t c = 1; c < d.outputs; ++c)
      if (y[r * d.outputs + c] > y[r * d.outputs + best]) best = c;
    hits += best == d.label(r);
  }
  return {net::ref::output_loss(y, batch, d.outputs, s.train.loss), double(hits) / d.rows};
}

// 45 held-out samples in batches of 8: a partial last batch of 5; also cut into segments.
TEST(GpuEval, EqualsACpuForwardPassOfTheSameWeights) {
  const net::Scene s = eval_scene(45);
  gpu::NetworkOptions small;
  small.max_segment_bytes = 1600;  // 40 samples of 10 floats a segment: the held-out set in 2
  small.ring_len = 8;
  for (const gpu::NetworkOptions& o : {gpu::NetworkOptions{}, small}) {
    gpu::Network net(test::context(), s, o);
    EXPECT_EQ(net.plan().eval_batches, 6u);
    for (int round = 0; round < 3; ++round) {
      const auto [loss, accuracy] = cpu_eval(s, net.params());
      const gpu::EvalResult r = net.evaluate();
      EXPECT_EQ(r.samples, 45u);
      EXPECT_NEAR(r.loss, loss, 1e-5 * loss) << round;
      EXPECT_NEAR(r.accuracy, accuracy, 1.5 / 45) << round;  // a near tie may fall either way
      net.train(5);
    }
  }
  gpu::Network many(test::context(), s, small);
  EXPECT_EQ(many.plan().eval.segment_floats.size(), 2u);
}

TEST(GpuEval, LeavesTheTrainingAsItWas) {
  // (Also just before an epoch's partial last batch, whose rows the evaluation sets aside.)
  const net::Scene s = eval_scene(30);
  gpu::Network plain(test::context(), s), evaluated(test::context(), s);
  plain.train(10);
  evaluated.train(3);
  evaluated.evaluate();
  evaluated.train(4);
  evaluated.evaluate();  // before the partial step 7: evaluates whole batches, then trains 4 rows
  evaluated.train(3);
  const std::vector<gpu::StepStats> a = plain.history(), b = evaluated.history();
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].loss, b[i].loss) << i;
    EXPECT_EQ(a[i].accuracy, b[i].accuracy) << i;
    for (size_t l = 0; l < a[i].layers.size(); ++l)
      EXPECT_EQ(0, std::memcmp(&a[i].layers[l], &b[i].layers[l], sizeof(a[i].layers[l])))
          << "step " << i << " layer " << l;
  }
  EXPECT_EQ(plain.params().size(), evaluated.params().size());
  EXPECT_EQ(plain.evaluate().loss, evaluated.evaluate().loss);
}

// drop_last = false (PyTorch's default): 37 samples in batches of 8 are 5 batches an epoch, the
// last of 5 rows; every sample exactly once an epoch; the partial step's gradients and loss are
// the CPU reference's on those 5 rows; the next epoch's batches are whole again.
TEST(GpuDataSet, APartialLastBatchTrainsOnTheSamplesLeft) {
  net::Scene s = set_scene(8, numbered_set(37, 5));
  s.data.drop_last = false;
  s.network.activation = net::Activation::tanh;
  ASSERT_EQ(s.data.batches_per_epoch(), 5u);
  for (const auto kernels : {gpu::Kernels::texel, gpu::Kernels::shared}) {
    gpu::NetworkOptions o;
    o.kernels = kernels;
    gpu::Network net(test::context(), s, o);
    std::set<uint32_t> epoch0;
    for (uint32_t step = 0; step < 7; ++step) {
      const net::Params before = net.params();
      net.train(1);
      const std::vector<uint32_t> got = check_batch(net, s, step);
      if (step < 5) {
        for (const uint32_t i : got)
          EXPECT_TRUE(epoch0.insert(i).second) << i;
      }
      EXPECT_EQ(got.size(), step == 4 ? 5u : 8u);
      if (step != 4 && step != 5) continue;
      // The CPU reference on the step's real rows.
      const gpu::Batch b = net.batch();
      net::ref::Batch batch;
      batch.size = uint32_t(got.size());
      batch.input.assign(b.input.begin(), b.input.begin() + batch.size * 5);
      batch.target.assign(b.target.begin(), b.target.begin() + batch.size * 3);
      const net::ref::Net ref = net::ref::Net::from(s.network, before);
      const net::ref::Gradients g = net::ref::backward(ref, batch, s.train.loss);
      const net::Params grads = net.grads();
      for (size_t l = 0; l < grads.size(); ++l) {
        double num = 0, den = 0;
        for (size_t i = 0; i < g.dw[l].size(); ++i) {
          num += (grads[l].w[i] - g.dw[l][i]) * (grads[l].w[i] - g.dw[l][i]);
          den += g.dw[l][i] * g.dw[l][i];
        }
        ASSERT_GT(den, 0.0) << "step " << step << " layer " << l;
        EXPECT_LT(std::sqrt(num / den), 1e-4) << "step " << step << " layer " << l;
      }
      EXPECT_NEAR(net.loss(), net::ref::loss(ref, batch, s.train.loss), 1e-4) << step;
    }
    EXPECT_EQ(epoch0.size(), 37u);
  }
}

// A fixed batch is written once and the step has no data op: the held-out batches, which pass
// through the same buffers, must not become the training batch.
TEST(GpuEval, AFixedBatchSurvivesAnEvaluation) {
  net::Scene s = eval_scene(13);
  s.data.fixed = true;
  gpu::Network net(test::context(), s);
  net.train(1);
  check_batch(net, s, 0);
  net.evaluate();
  net.train(1);
  check_batch(net, s, 0);
}

// The training batch's accuracy (loss.comp) against the CPU forward pass of that batch with the
// parameters the step started from.
TEST(GpuEval, EachStepRecordsItsBatchsAccuracy) {
  const net::Scene s = eval_scene(8);
  gpu::Network net(test::context(), s);
  for (int step = 0; step < 4; ++step) {
    const net::ref::Net before = net::ref::Net::from(s.network, net.params());
    net.train(1);
    const gpu::Batch b = net.batch();
    net::ref::Batch batch;
    batch.size = b.size;
    batch.input.assign(b.input.begin(), b.input.end());
    batch.target.assign(b.target.begin(), b.target.end());
    const net::ref::Forward f = net::ref::forward(before, batch);
    const std::vector<double>& y = f.x.back();
    uint32_t hits = 0;
    for (uint32_t r = 0; r < b.size; ++r) {
      uint32_t bx = 0, bt = 0;
      for (uint32_t c = 1; c < 4; ++c) {
        if (y[r * 4 + c] > y[r * 4 + bx]) bx = c;
        if (b.target[r * 4 + c] > b.target[r * 4 + bt]) bt = c;
      }
      hits += bx == bt;
    }
    EXPECT_NEAR(net.latest_stats().accuracy, double(hits) / b.size, 1.0 / b.size + 1e-6) << step;
  }
}

}  // namespace
}  // namespace gt
