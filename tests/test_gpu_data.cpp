// The synthetic data sets generated on the GPU (datagen.comp) against a CPU re-derivation from
// the CPU Philox (engine/net/philox.hpp): shapes, labels, the teacher network, fixed and fresh
// batches, seeds.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <numbers>
#include <string>
#include <vector>

#include "gpu/network.hpp"
#include "gpu_fixture.hpp"
#include "layout.h"
#include "net/philox.hpp"

namespace gt {
namespace {

constexpr uint64_t kSeed = 0x9E3779B97F4A7C15ull;  // both 32-bit key words non-zero
constexpr uint32_t kStreamSample = 2, kStreamTeacherInput = 3;

net::Scene data_scene(net::DataKind kind, uint32_t input, uint32_t output, uint32_t batch) {
  net::Scene s;
  s.title = "data";
  s.network.input = input;
  s.network.depth = 1;
  s.network.width = 6;
  s.network.output = output;
  s.network.seed = 2;
  s.data.kind = kind;
  s.data.batch = batch;
  s.data.seed = kSeed;
  s.train.loss = net::is_classification(kind) ? net::Loss::cross_entropy : net::Loss::mse;
  s.train.optimizer = net::Optimizer::sgd;
  s.train.lr = 0.01;
  return s;
}

gpu::Batch batch_of_step(const net::Scene& scene, uint32_t steps) {
  gpu::Network gnet(test::context(), scene);
  gnet.train(steps);
  return gnet.batch();
}

net::U32x4 draw(uint32_t b, uint32_t step, uint32_t stream, uint32_t j, uint64_t seed) {
  return net::philox4x32_10({{b, step, stream, j}}, static_cast<uint32_t>(seed),
                            static_cast<uint32_t>(seed >> 32));
}

// The shader's uniforms: 24 random bits, exact in float.
double u01_closed_open24(uint32_t x) {
  return double(x >> 8) / 16777216.0;
}
double u01_open_closed24(uint32_t x) {
  return (double(x >> 8) + 1.0) / 16777216.0;
}

// The shader's Box-Muller pair.
std::pair<double, double> normal2(uint32_t a, uint32_t b) {
  const double r = std::sqrt(-2.0 * std::log(u01_open_closed24(a)));
  const double t = 2.0 * std::numbers::pi * u01_closed_open24(b);
  return {r * std::cos(t), r * std::sin(t)};
}

struct Sample {
  double x0, x1;
  uint32_t cls;
};

// Sample b of step `step` of a 2-D classification kind, as datagen.comp defines it.
Sample expected_sample(net::DataKind kind, uint32_t b, uint32_t step, uint32_t classes) {
  const net::U32x4 r = draw(b, step, kStreamSample, 0, kSeed);
  const auto [nx, ny] = normal2(r.v[2], r.v[3]);
  const double u = u01_closed_open24(r.v[0]), u2 = u01_closed_open24(r.v[1]);
  const double pi = std::numbers::pi;
  switch (kind) {
    case net::DataKind::spiral: {
      const uint32_t c = b % classes;
      const double angle = 2.0 * pi * c / classes + 4.0 * u + 0.2 * nx;
      return {u * std::sin(angle), u * std::cos(angle), c};
    }
    case net::DataKind::xor_: {
      const double x0 = 2.0 * u - 1.0, x1 = 2.0 * u2 - 1.0;
      return {x0, x1, x0 * x1 >= 0.0 ? 0u : 1u};
    }
    case net::DataKind::circles: {
      const uint32_t c = b % 2;
      const double radius = (c == 0 ? 0.5 : 1.0) + 0.05 * nx;
      return {radius * std::cos(2.0 * pi * u), radius * std::sin(2.0 * pi * u), c};
    }
    default: {
      const uint32_t c = b % classes;
      const double angle = 2.0 * pi * c / classes;
      return {2.0 * std::cos(angle) + 0.5 * nx, 2.0 * std::sin(angle) + 0.5 * ny, c};
    }
  }
}

// Every target row has exactly one 1 and zeros elsewhere; returns the class of each row.
std::vector<uint32_t> one_hot_classes(const gpu::Batch& batch, uint32_t classes) {
  std::vector<uint32_t> cls(batch.size, classes);
  EXPECT_EQ(batch.target.size(), size_t(batch.size) * classes);
  for (uint32_t b = 0; b < batch.size; ++b) {
    uint32_t ones = 0;
    for (uint32_t c = 0; c < classes; ++c) {
      const float v = batch.target[size_t(b) * classes + c];
      EXPECT_TRUE(v == 0.0f || v == 1.0f) << "row " << b << " col " << c << ": " << v;
      if (v == 1.0f) {
        ++ones;
        cls[b] = c;
      }
    }
    EXPECT_EQ(ones, 1u) << "row " << b;
  }
  return cls;
}

class Data : public test::GpuTest {};

struct KindCase {
  net::DataKind kind;
  uint32_t classes;
};

TEST_F(Data, ClassificationBatchesMatchTheirDefinition) {
  const uint32_t batch = 61;  // not a multiple of the class counts or of 4
  for (const KindCase k :
       {KindCase{net::DataKind::spiral, 3}, KindCase{net::DataKind::xor_, 2},
        KindCase{net::DataKind::circles, 2}, KindCase{net::DataKind::blobs, 5}}) {
    SCOPED_TRACE(std::string(net::to_string(k.kind)));
    for (uint32_t steps : {1u, 3u}) {
      const gpu::Batch got = batch_of_step(data_scene(k.kind, 2, k.classes, batch), steps);
      ASSERT_EQ(got.size, batch);
      ASSERT_EQ(got.input.size(), size_t(batch) * 2);
      const std::vector<uint32_t> cls = one_hot_classes(got, k.classes);
      std::vector<uint32_t> count(k.classes, 0);
      double worst = 0;
      for (uint32_t b = 0; b < batch; ++b) {
        const Sample s = expected_sample(k.kind, b, steps - 1, k.classes);
        EXPECT_EQ(cls[b], s.cls) << "sample " << b;
        worst = std::max(
            {worst, std::abs(got.input[2 * b] - s.x0), std::abs(got.input[2 * b + 1] - s.x1)});
        ++count[cls[b]];
      }
      EXPECT_LT(worst, 2e-5) << "inputs against the CPU derivation";
      if (k.kind != net::DataKind::xor_) {
        // Balanced: class b % classes.
        for (uint32_t c = 0; c < k.classes; ++c)
          EXPECT_EQ(count[c], batch / k.classes + (c < batch % k.classes ? 1u : 0u));
      }
    }
  }
}

TEST_F(Data, XorLabelsFollowTheSignRule) {
  const gpu::Batch got = batch_of_step(data_scene(net::DataKind::xor_, 2, 2, 200), 2);
  const std::vector<uint32_t> cls = one_hot_classes(got, 2);
  uint32_t count[2] = {0, 0};
  for (uint32_t b = 0; b < got.size; ++b) {
    const float x0 = got.input[2 * b], x1 = got.input[2 * b + 1];
    EXPECT_TRUE(x0 >= -1.0f && x0 < 1.0f && x1 >= -1.0f && x1 < 1.0f);
    EXPECT_EQ(cls[b], (x0 >= 0) == (x1 >= 0) ? 0u : 1u) << "sample " << b;
    ++count[cls[b]];
  }
  EXPECT_GT(count[0], 60u);
  EXPECT_GT(count[1], 60u);
}

TEST_F(Data, CircleRadiiByClass) {
  const gpu::Batch got = batch_of_step(data_scene(net::DataKind::circles, 2, 2, 400), 1);
  const std::vector<uint32_t> cls = one_hot_classes(got, 2);
  double mean_dev[2] = {0, 0};
  for (uint32_t b = 0; b < got.size; ++b) {
    EXPECT_EQ(cls[b], b % 2);
    const double r = std::hypot(got.input[2 * b], got.input[2 * b + 1]);
    const double want = cls[b] == 0 ? 0.5 : 1.0;
    EXPECT_LT(std::abs(r - want), 0.3) << "sample " << b << " radius " << r;  // 6 sigma
    mean_dev[cls[b]] += (r - want) / (got.size / 2);
  }
  EXPECT_LT(std::abs(mean_dev[0]), 0.02);
  EXPECT_LT(std::abs(mean_dev[1]), 0.02);
}

TEST_F(Data, BlobCentersAndSpiralRadii) {
  const uint32_t classes = 4, batch = 400;
  {
    const gpu::Batch got = batch_of_step(data_scene(net::DataKind::blobs, 2, classes, batch), 1);
    const std::vector<uint32_t> cls = one_hot_classes(got, classes);
    std::vector<double> mx(classes, 0), my(classes, 0);
    for (uint32_t b = 0; b < batch; ++b) {
      EXPECT_EQ(cls[b], b % classes);
      mx[cls[b]] += got.input[2 * b] / (batch / classes);
      my[cls[b]] += got.input[2 * b + 1] / (batch / classes);
    }
    for (uint32_t c = 0; c < classes; ++c) {
      const double angle = 2.0 * std::numbers::pi * c / classes;
      EXPECT_NEAR(mx[c], 2.0 * std::cos(angle), 0.25) << "class " << c;  // 0.5 / sqrt(100) x 5
      EXPECT_NEAR(my[c], 2.0 * std::sin(angle), 0.25) << "class " << c;
    }
  }
  {
    const gpu::Batch got = batch_of_step(data_scene(net::DataKind::spiral, 2, classes, batch), 1);
    const std::vector<uint32_t> cls = one_hot_classes(got, classes);
    for (uint32_t b = 0; b < batch; ++b) {
      EXPECT_EQ(cls[b], b % classes);
      EXPECT_LT(std::hypot(got.input[2 * b], got.input[2 * b + 1]), 1.0) << "radius u in [0, 1)";
    }
  }
}

// The teacher: weights drawn as Network::upload_teacher does (N(0, 1) by Box-Muller on the 32-bit
// uniforms of philox.hpp, streams 4 and 5, counter = the weight's index), then
// y = B tanh(A x / sqrt(in)) / sqrt(16) on the GPU's inputs, in double.
std::vector<double> teacher_targets(const gpu::Batch& batch, uint32_t in, uint32_t out) {
  const uint32_t h = shared::GT_TEACHER_HIDDEN;
  std::vector<float> w(size_t(h) * (in + out));
  for (uint32_t i = 0; i < w.size(); ++i) {
    const net::U32x4 r = draw(i, 0, i < h * in ? 4 : 5, 0, kSeed);
    w[i] = static_cast<float>(std::sqrt(-2.0 * std::log(net::u01_open_closed(r.v[0]))) *
                              std::cos(2.0 * std::numbers::pi * net::u01_closed_open(r.v[1])));
  }
  std::vector<double> y(size_t(batch.size) * out);
  for (uint32_t b = 0; b < batch.size; ++b) {
    std::vector<double> hid(h);
    for (uint32_t k = 0; k < h; ++k) {
      double s = 0;
      for (uint32_t j = 0; j < in; ++j)
        s += double(w[k * in + j]) * batch.input[size_t(b) * in + j];
      hid[k] = std::tanh(s / std::sqrt(double(in)));
    }
    for (uint32_t o = 0; o < out; ++o) {
      double s = 0;
      for (uint32_t k = 0; k < h; ++k)
        s += double(w[h * in + o * h + k]) * hid[k];
      y[size_t(b) * out + o] = s / std::sqrt(double(h));
    }
  }
  return y;
}

TEST_F(Data, TeacherTargetsMatchCpuTeacher) {
  struct Dims {
    uint32_t in, out;
  };
  for (const Dims d : {Dims{5, 3}, Dims{1, 1}, Dims{9, 7}, Dims{16, 2}}) {
    SCOPED_TRACE("in " + std::to_string(d.in) + " out " + std::to_string(d.out));
    for (uint32_t steps : {1u, 2u}) {
      const uint32_t step = steps - 1, bsz = 7;
      const gpu::Batch got =
          batch_of_step(data_scene(net::DataKind::teacher, d.in, d.out, bsz), steps);
      ASSERT_EQ(got.input.size(), size_t(bsz) * d.in);
      ASSERT_EQ(got.target.size(), size_t(bsz) * d.out);
      // Inputs: N(0, 1) pairs from counter (b, step, 3, j) for j = 0, 4, 8, ...
      double worst_x = 0;
      for (uint32_t b = 0; b < bsz; ++b)
        for (uint32_t j = 0; j < d.in; j += 4) {
          const net::U32x4 q = draw(b, step, kStreamTeacherInput, j, kSeed);
          const auto [a0, a1] = normal2(q.v[0], q.v[1]);
          const auto [a2, a3] = normal2(q.v[2], q.v[3]);
          const double v[4] = {a0, a1, a2, a3};
          for (uint32_t c = 0; c < 4 && j + c < d.in; ++c)
            worst_x = std::max(worst_x, std::abs(got.input[size_t(b) * d.in + j + c] - v[c]) /
                                            std::max(1.0, std::abs(v[c])));
        }
      EXPECT_LT(worst_x, 2e-5) << "teacher inputs against the CPU Philox";
      const std::vector<double> want = teacher_targets(got, d.in, d.out);
      for (size_t i = 0; i < want.size(); ++i)
        EXPECT_NEAR(got.target[i], want[i], 1e-5) << "target " << i;
    }
  }
}

// xor inputs are 2 u - 1 with u = (x >> 8) / 2^24: exact in float, so the GPU Philox must give
// bit for bit what the CPU Philox gives.
TEST_F(Data, GpuPhiloxEqualsCpuPhilox) {
  const uint32_t bsz = 64;
  const net::Scene scene = data_scene(net::DataKind::xor_, 2, 2, bsz);
  gpu::Network gnet(test::context(), scene);
  for (uint32_t step = 0; step < 3; ++step) {
    gnet.train(1);
    const gpu::Batch got = gnet.batch();
    for (uint32_t b = 0; b < bsz; ++b) {
      const net::U32x4 r = draw(b, step, kStreamSample, 0, kSeed);
      const float u = static_cast<float>(r.v[0] >> 8) / 16777216.0f;
      const float u2 = static_cast<float>(r.v[1] >> 8) / 16777216.0f;
      EXPECT_EQ(got.input[2 * b], 2.0f * u - 1.0f) << "step " << step << " sample " << b;
      EXPECT_EQ(got.input[2 * b + 1], 2.0f * u2 - 1.0f) << "step " << step << " sample " << b;
    }
  }
}

bool same_batch(const gpu::Batch& a, const gpu::Batch& b) {
  return a.size == b.size && a.input.size() == b.input.size() &&
         a.target.size() == b.target.size() &&
         std::memcmp(a.input.data(), b.input.data(), a.input.size() * 4) == 0 &&
         std::memcmp(a.target.data(), b.target.data(), a.target.size() * 4) == 0;
}

TEST_F(Data, FixedBatchRepeatsFreshBatchChanges) {
  for (net::DataKind kind : {net::DataKind::spiral, net::DataKind::teacher}) {
    SCOPED_TRACE(std::string(net::to_string(kind)));
    net::Scene scene = data_scene(kind, kind == net::DataKind::teacher ? 6 : 2, 3, 21);
    net::Scene fixed = scene;
    fixed.data.fixed = true;
    gpu::Network fixed_net(test::context(), fixed);
    gpu::Network fresh_net(test::context(), scene);
    fixed_net.train(1);
    fresh_net.train(1);
    const gpu::Batch fixed0 = fixed_net.batch(), fresh0 = fresh_net.batch();
    // The fixed batch is the one of step 0.
    EXPECT_TRUE(same_batch(fixed0, fresh0));
    fixed_net.train(3);
    fresh_net.train(1);
    EXPECT_TRUE(same_batch(fixed_net.batch(), fixed0)) << "fixed: the same batch every step";
    const gpu::Batch fresh1 = fresh_net.batch();
    EXPECT_FALSE(same_batch(fresh1, fresh0)) << "fresh: a new batch each step";
    for (uint32_t i = 0; i < fresh1.input.size(); ++i)
      ASSERT_NE(fresh1.input[i], fresh0.input[i]) << "input " << i;
  }
}

TEST_F(Data, SameDataSeedSameBatchAcrossNetworks) {
  net::Scene a = data_scene(net::DataKind::teacher, 5, 3, 13);
  net::Scene b = a;
  b.network.seed = 99;  // other parameters, deeper: the data must not care
  b.network.depth = 3;
  b.network.width = 17;
  EXPECT_TRUE(same_batch(batch_of_step(a, 2), batch_of_step(b, 2)));
  net::Scene c = a;
  c.data.seed = kSeed + 1;
  EXPECT_FALSE(same_batch(batch_of_step(a, 2), batch_of_step(c, 2)));
  net::Scene s1 = data_scene(net::DataKind::blobs, 2, 3, 13), s2 = s1;
  s2.network.activation = net::Activation::relu;
  EXPECT_TRUE(same_batch(batch_of_step(s1, 1), batch_of_step(s2, 1)));
}

}  // namespace
}  // namespace gt
