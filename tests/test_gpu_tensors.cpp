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

// The plan of a scene on a device with room for anything (1 GiB buffers, 1 TiB of memory), so
// only what a test sets decides the layout.
gpu::Plan roomy_plan(const net::Scene& s) {
  gpu::DeviceLimits limits;
  limits.max_segment_bytes = 1ull << 30;
  limits.device_memory_bytes = 1ull << 40;
  return gpu::make_plan(s.network, s.data, s.train, limits, /*ring_len=*/4);
}

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
    const gpu::Plan p = roomy_plan(s);
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

// The deepest network a scene may build (100,001 dense layers), residual every layer: its
// 200,002 error signals and 99,999 skips are placed (by a sweep over their lifetimes: comparing
// every pair would take about 10^10 comparisons) in two places each, as a shallow network's.
TEST(Tensors, TheDeepestNetworkIsPlannedLikeAShallowOne) {
  net::Scene s;
  s.network.input = 3;
  s.network.depth = 100000;
  s.network.width = 4;
  s.network.output = 2;
  s.network.residual = true;
  s.data.kind = net::DataKind::teacher;
  s.data.batch = 4;
  const gpu::Plan p = roomy_plan(s);
  ASSERT_EQ(p.num_layers, 100001u);
  EXPECT_EQ(p.delta_floats, 2u * 4 * 4) << "two 4 x 4 signals at a time";
  EXPECT_EQ(p.skip_floats, 4u * 4) << "chained skips share one place";
  for (uint32_t l : {1u, 500u, 99999u})
    EXPECT_NE(p.layers[l].d_off, p.layers[l].d_prev_off) << l;
}

// A kept tensor larger than the device's largest buffer is refused by its name before anything
// is placed: a layer's parameters, or X and Z of an activation.
TEST(Tensors, AKeptTensorPastTheLimitIsRefusedByName) {
  net::Scene s;
  s.network.input = 8;
  s.network.depth = 2;
  s.network.width = 64;
  s.network.output = 2;
  s.data.kind = net::DataKind::teacher;
  s.data.batch = 4;
  gpu::DeviceLimits limits;
  limits.device_memory_bytes = 1ull << 40;
  const auto refusal = [&](uint64_t segment_bytes) {
    limits.max_segment_bytes = segment_bytes;
    try {
      gpu::make_plan(s.network, s.data, s.train, limits, /*ring_len=*/4);
    } catch (const gpu::PlanError& e) {
      return std::string(e.what());
    }
    return std::string("<no error>");
  };
  // 64 x 64 + 64 floats of layer 2 do not fit 4,000 floats (layer 1's 64 x 8 + 64 do).
  EXPECT_EQ(refusal(4000 * 4).rfind("the parameters of layer 2 (64 -> 64) needs ", 0), 0u)
      << refusal(4000 * 4);
  // With batch 400, X_1 (400 x 64 floats) does not fit 20,000 floats; every parameter block does.
  s.data.batch = 400;
  EXPECT_EQ(refusal(20000 * 4).rfind("X_1 and Z_1 (layer 1's output, batch 400 x 64) needs ", 0),
            0u)
      << refusal(20000 * 4);
}

// Each skip is a tensor of its own, sized to its source: chained blocks share one place (what
// the one skip buffer was), nested and crossing skips get places of their own. Checked against
// the skips read off the fused layers here, by two rules of the kernels: where one skip ends at
// the X another starts from, one invocation reads the one and writes the other element by
// element, so the two have one offset; any other two whose spans X_s..X_e meet are in use at
// once and may not alias.
TEST(Tensors, EachSkipIsItsOwnTensor) {
  using ops::dense_op, ops::residual_op;
  const net::Activation tanh = net::Activation::tanh, lin = net::Activation::linear;
  const auto plan_of = [](std::vector<ops::Op> list, std::vector<uint32_t> sizes) {
    net::Scene s;
    s.network.input = sizes.front();
    s.network.ops = std::move(list);
    s.network.explicit_sizes = sizes;
    s.network.depth = uint32_t(sizes.size() - 2);
    s.network.output = sizes.back();
    s.data.kind = net::DataKind::teacher;
    s.data.batch = 6;
    return roomy_plan(s);
  };
  struct Span {
    uint32_t from, to;
    uint64_t off, floats;
  };
  const auto spans_of = [](const gpu::Plan& p) {
    std::vector<Span> out;
    for (uint32_t l = 0; l < p.num_layers; ++l) {
      const int32_t s = p.fused[l].skip_source >= 0
                            ? p.fused[l].skip_source
                            : (p.fused[l].post ? p.fused[l].post_source : -1);
      if (s <= 0) continue;
      const shared::LayerDesc& start = p.layers[uint32_t(s) - 1];
      EXPECT_EQ(start.skip_start_off, p.layers[l].skip_end_off) << "one tensor, both ends";
      out.push_back(
          {uint32_t(s), l + 1, p.layers[l].skip_end_off, uint64_t(p.batch_pad) * start.ld_out});
    }
    for (uint32_t l = 1; l < p.num_layers; ++l) {
      EXPECT_EQ(p.layers[l].prev_skip_start_off, p.layers[l - 1].skip_start_off);
      EXPECT_EQ(p.layers[l].prev_skip_end_off, p.layers[l - 1].skip_end_off);
    }
    for (size_t a = 0; a < out.size(); ++a) {
      EXPECT_EQ(out[a].off % shared::GT_VEC, 0u);
      EXPECT_LE(out[a].off + out[a].floats, p.skip_floats);
      for (size_t b = a + 1; b < out.size(); ++b) {
        const std::string pair = "X_" + std::to_string(out[a].from) + "->X_" +
                                 std::to_string(out[a].to) + " and X_" +
                                 std::to_string(out[b].from) + "->X_" + std::to_string(out[b].to);
        if (out[a].to == out[b].from || out[b].to == out[a].from) {
          EXPECT_EQ(out[a].off, out[b].off) << "chained: " << pair;
          continue;
        }
        const bool meet = out[a].from <= out[b].to && out[b].from <= out[a].to;
        const bool alias =
            out[a].off < out[b].off + out[b].floats && out[b].off < out[a].off + out[a].floats;
        EXPECT_FALSE(meet && alias) << pair;
      }
    }
    return out;
  };
  // Chained blocks of 8 and then 12 (X_1 -> X_3 -> X_5, X_6 -> X_8): one place, the widest.
  const gpu::Plan chain =
      plan_of({dense_op(8, tanh), dense_op(8, tanh), dense_op(8, tanh), residual_op(0),
               dense_op(8, tanh), dense_op(8, tanh), residual_op(3), dense_op(12, tanh),
               dense_op(12, tanh), dense_op(12, tanh), residual_op(7), dense_op(2, tanh)},
              {4, 8, 8, 8, 8, 8, 12, 12, 12, 2});
  const std::vector<Span> c = spans_of(chain);
  ASSERT_EQ(c.size(), 3u);
  for (const Span& sp : c)
    EXPECT_EQ(sp.off, 0u) << "X_" << sp.from;
  EXPECT_EQ(chain.skip_floats, 8u * 12);
  // Nested (X_1 -> X_5 around X_2 -> X_4) and crossing (X_5 -> X_7, X_6 -> X_8).
  const gpu::Plan nest = plan_of(
      {dense_op(8, tanh), dense_op(4, tanh), dense_op(4, tanh), dense_op(4, tanh), residual_op(1),
       dense_op(8, tanh), residual_op(0), dense_op(8, tanh), dense_op(8, tanh), residual_op(6),
       dense_op(8, tanh), residual_op(7), dense_op(2, tanh)},
      {4, 8, 4, 4, 4, 8, 8, 8, 8, 2});
  const std::vector<Span> n = spans_of(nest);
  ASSERT_EQ(n.size(), 4u);
  EXPECT_NE(n[0].off, n[1].off) << "nested";
  EXPECT_NE(n[2].off, n[3].off) << "crossing";
  EXPECT_EQ(nest.skip_floats, 8u * (8 + 8)) << "the crossing pair (8 wide each) live together; the "
                                               "4-wide inner one fits beside the outer";
  // Chains of different widths around each other (found by review: placed link by link, the
  // 52-wide X_4 -> X_7 started 320 floats before X_2 -> X_4 and overlapped its first 96, which
  // X_4's epilogue reads as it writes X_4 -> X_7): X_1 -> X_3 (100 wide), X_2 -> X_4 -> X_7
  // (52), X_5 -> X_6 (60).
  const gpu::Plan mixed =
      plan_of({dense_op(100, tanh), dense_op(52, tanh), dense_op(100, tanh), residual_op(0),
               dense_op(52, tanh), residual_op(1), dense_op(60, tanh), dense_op(60, tanh),
               residual_op(6), dense_op(52, tanh), residual_op(5), dense_op(2, tanh)},
              {4, 100, 52, 100, 52, 60, 60, 52, 2});
  const std::vector<Span> m = spans_of(mixed);
  ASSERT_EQ(m.size(), 4u);
  // The same with the chain's second link a rezero (its carry shares the chain's place) and a
  // pre-norm link (a skip from before a layer_norm) around it: X_1 -> X_3 from before the norm.
  ops::Op rezero;
  rezero.kind = ops::Kind::rezero;
  rezero.from = 6;
  const gpu::Plan post =
      plan_of({dense_op(100, net::Activation::linear), ops::norm_op(ops::Kind::layer_norm, lin),
               dense_op(52, tanh), dense_op(100, tanh), residual_op(0), dense_op(52, tanh),
               residual_op(2), dense_op(60, tanh), dense_op(60, tanh), residual_op(7),
               dense_op(52, tanh), rezero, dense_op(2, tanh)},
              {4, 100, 52, 100, 52, 60, 60, 52, 2});
  ASSERT_TRUE(post.fused[0].skip_before_post && post.fused[6].post == ops::Kind::rezero);
  EXPECT_EQ(spans_of(post).size(), 4u);
}

}  // namespace
}  // namespace gt
