// Scratch tensors with lifetimes (gpu/tensors.hpp) and the plan's error signals placed with them:
// tensors live at a common stage never alias, tensors that never coexist share memory, every
// offset is whole vec4s, and a tensor past the device's largest buffer is refused by name. No
// device needed.
#include <gtest/gtest.h>

#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "gpu/plan.hpp"
#include "gpu/tensors.hpp"
#include "net/spec.hpp"

namespace gt {
namespace {

using gpu::ScratchTensor;

// The independent check: every pair of tensors, by brute force, overlapping in stages and in
// memory at once.
bool any_live_overlap(const std::vector<ScratchTensor>& t, const gpu::ScratchLayout& layout) {
  for (size_t i = 0; i < t.size(); ++i)
    for (size_t j = i + 1; j < t.size(); ++j) {
      const bool together = t[i].first <= t[j].last && t[j].first <= t[i].last;
      const uint64_t a = layout.offset_of[i], b = layout.offset_of[j];
      if (together && a < b + t[j].floats && b < a + t[i].floats) return true;
    }
  return false;
}

TEST(Tensors, AChainOfEqualTensorsPingPongsBetweenTwoPlaces) {
  // Each stage reads one tensor and writes the next, as the backward pass does.
  std::vector<ScratchTensor> chain;
  for (uint32_t i = 0; i < 7; ++i)
    chain.push_back({std::to_string(i), 32, i, i + 1});
  const gpu::ScratchLayout l = gpu::place_scratch(chain, 1000, 4);
  EXPECT_EQ(l.floats, 64u);
  for (uint32_t i = 0; i < 7; ++i)
    EXPECT_EQ(l.offset_of[i], i % 2 ? 32u : 0u) << i;
  EXPECT_FALSE(any_live_overlap(chain, l));
}

TEST(Tensors, TensorsThatNeverCoexistShareMemoryAndOnesThatDoNot) {
  const std::vector<ScratchTensor> t = {
      {"a", 10, 0, 1}, {"b", 6, 2, 3}, {"c", 5, 1, 2}, {"d", 3, 4, 4}};
  const gpu::ScratchLayout l = gpu::place_scratch(t, 100, 4);
  EXPECT_EQ(l.offset_of[0], 0u);
  EXPECT_EQ(l.offset_of[1], 0u);   // a is dead by stage 2
  EXPECT_EQ(l.offset_of[2], 12u);  // lives with a and b: after a (10, rounded up to 12)
  EXPECT_EQ(l.offset_of[3], 0u);   // alone at stage 4
  EXPECT_EQ(l.floats, 17u);
  EXPECT_FALSE(any_live_overlap(t, l));
  // The checker itself sees an overlap when there is one.
  gpu::ScratchLayout bad = l;
  bad.offset_of[2] = 8;
  EXPECT_TRUE(any_live_overlap(t, bad));
}

TEST(Tensors, RandomLifetimesNeverAlias) {
  std::mt19937 rng(5);
  for (int trial = 0; trial < 200; ++trial) {
    std::vector<ScratchTensor> t;
    const int n = 1 + int(rng() % 30);
    for (int i = 0; i < n; ++i) {
      const uint32_t first = static_cast<uint32_t>(rng() % 20),
                     len = static_cast<uint32_t>(rng() % 6);
      t.push_back({std::to_string(i), 1 + rng() % 50, first, first + len});
    }
    const gpu::ScratchLayout l = gpu::place_scratch(t, 1u << 20, 4);
    ASSERT_FALSE(any_live_overlap(t, l)) << "trial " << trial;
    uint64_t end = 0;
    for (int i = 0; i < n; ++i) {
      EXPECT_EQ(l.offset_of[i] % 4, 0u);
      end = std::max(end, l.offset_of[i] + t[i].floats);
    }
    EXPECT_EQ(l.floats, end);
  }
}

TEST(Tensors, ATensorPastTheLimitIsRefusedByName) {
  const std::vector<ScratchTensor> t = {{"dL/dZ of layer 2", 64, 0, 1},
                                        {"dL/dZ of layer 1", 64, 1, 2}};
  EXPECT_NO_THROW(gpu::place_scratch(t, 128, 4));
  try {
    gpu::place_scratch(t, 100, 4);
    FAIL() << "no error";
  } catch (const gpu::PlanError& e) {
    EXPECT_EQ(std::string(e.what()),
              "dL/dZ of layer 1 (0.0 MiB, placed after the 0.0 MiB of tensors live with it) does "
              "not fit the device's largest buffer (0.0 MiB)");
  }
  EXPECT_THROW(gpu::place_scratch({{"x", 4, 3, 2}}, 100, 4), std::logic_error);
}

// A narrowing network: the error signals take what two neighbouring layers need, not two of the
// widest, and no layer's backward reads a signal it overwrites.
TEST(Tensors, ThePlanPlacesTheErrorSignalsByTheirLifetimes) {
  for (const net::Norm norm : {net::Norm::none, net::Norm::layer, net::Norm::batch}) {
    SCOPED_TRACE(std::string(net::to_string(norm)));
    net::Scene s;
    s.network.explicit_sizes = {256, 128, 64, 32, 16, 8, 4};
    s.network.input = 256;
    s.network.depth = 5;
    s.network.output = 4;
    s.network.norm = norm;
    s.data.kind = net::DataKind::teacher;
    s.data.batch = 16;
    gpu::DeviceLimits limits;
    limits.max_segment_bytes = 1ull << 30;
    limits.device_memory_bytes = 1ull << 40;
    const gpu::Plan p = gpu::make_plan(s.network, s.data, s.train, limits);
    const uint64_t b = 16;
    // The widest two live together: the first layer's dL/dZ and its dL/dX (the input's, kept
    // though the first layer computes none, so that the two never share an offset). Before,
    // two halves of the widest.
    EXPECT_EQ(p.delta_floats, b * (256 + 128));
    EXPECT_LT(p.delta_floats, 2 * b * 256);
    for (const shared::LayerDesc& d : p.layers) {
      const auto disjoint = [](uint64_t a, uint64_t na, uint64_t c, uint64_t nc) {
        return a + na <= c || c + nc <= a;
      };
      const uint64_t dx = b * d.ld_in;
      EXPECT_TRUE(disjoint(d.d_off, b * d.ld_out, d.d_prev_off, dx));
      if (gpu::is_normalized(d)) {
        EXPECT_TRUE(disjoint(d.dy_off, b * d.ld_out, d.d_off, b * d.ld_out));
      }
      EXPECT_LE(d.d_off + b * d.ld_out, p.delta_floats);
      EXPECT_LE(d.d_prev_off + dx, p.delta_floats);
    }
  }
}

// N-hat is kept per norm, not per activation: only normalized layers (and layer_norms run after
// their layer) have one, a layer with both keeps two, disjoint, and each fits its segment.
TEST(Tensors, EachNormKeepsItsOwnNHat) {
  using ops::dense_op, ops::norm_op, ops::residual_op, ops::Kind;
  const net::Activation lin = net::Activation::linear, tanh = net::Activation::tanh;
  net::Scene s;
  s.network.input = 5;
  // Layer 0 plain; layer 1 normalized, then a layer_norm after its add; layer 2 plain; layer 3
  // (the output) plain.
  s.network.ops = {dense_op(24, tanh),
                   dense_op(24, lin),
                   norm_op(Kind::batch_norm, tanh),
                   residual_op(0),
                   norm_op(Kind::layer_norm, lin),
                   dense_op(24, tanh),
                   dense_op(3, lin)};
  s.network.explicit_sizes = {5, 24, 24, 24, 3};  // as the scene loader keeps them
  s.network.depth = 3;
  s.network.output = 3;
  s.data.kind = net::DataKind::teacher;
  s.data.batch = 20;
  gpu::DeviceLimits limits;
  limits.device_memory_bytes = 1ull << 40;
  const uint64_t n = 20 * 24;  // batch 20, 24 neurons
  for (const uint64_t segment : {uint64_t{1} << 30, uint64_t{1500 * 4}}) {
    SCOPED_TRACE("segments of " + std::to_string(segment) + " bytes");
    limits.max_segment_bytes = segment;
    const gpu::Plan p = gpu::make_plan(s.network, s.data, s.train, limits, /*ring_len=*/4);
    ASSERT_EQ(p.num_layers, 4u);
    if (segment < (uint64_t{1} << 20)) {
      EXPECT_GE(p.acts.segment_floats.size(), 2u) << "not vacuous";
    }
    uint64_t kept = 0;
    for (uint64_t f : p.nhat.segment_floats)
      kept += f;
    EXPECT_EQ(kept, 2 * n) << "two norms: two tensors, nothing for the plain layers";
    const shared::LayerDesc& d = p.layers[1];
    EXPECT_NE(d.stat_off, d.post_stat_off);
    if (p.nhat_segment(1, false) == p.nhat_segment(1, true)) {
      EXPECT_TRUE(d.nhat_off + n <= d.post_nhat_off || d.post_nhat_off + n <= d.nhat_off);
    }
    EXPECT_LE(d.nhat_off + n, p.nhat.segment_floats[p.nhat_segment(1, false)]);
    EXPECT_LE(d.post_nhat_off + n, p.nhat.segment_floats[p.nhat_segment(1, true)]);
  }
}

}  // namespace
}  // namespace gt
