// The worked-example walkthrough (engine/teach): its numbers for scenes/tiny_worked_example.toml
// against the ones derived by hand in the scene's comment, for a random small network against
// the CPU reference, the steps' count and order, learning-rate changes, and its frames
// (deterministic, different from step to step).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "gpu/network.hpp"
#include "gpu_fixture.hpp"
#include "net/reference.hpp"
#include "render/walk_renderer.hpp"
#include "scene/scene.hpp"
#include "teach/walk_session.hpp"

namespace gt {
namespace {

using test::close;

net::Scene tiny_scene() {
  return scene::load(std::string(GT_SOURCE_DIR) + "/scenes/tiny_worked_example.toml");
}

template <typename T>
::testing::AssertionResult near(const std::vector<T>& got, const std::vector<double>& want,
                                double tol = 1e-6) {
  return close(got, want, 0.0, tol);
}

bool has_line(const teach::Step& s, const std::string& text) {
  for (const std::string& line : s.formula)
    if (line.find(text) != std::string::npos) return true;
  return false;
}

class Walkthrough : public test::GpuTest {};

// Every number of the scene's opening comment, as the walkthrough shows it.
TEST_F(Walkthrough, TinyWorkedExampleShowsTheHandDerivedNumbers) {
  gpu::Network net(test::context(), tiny_scene());
  teach::WalkSession session(net);
  const teach::Walkthrough& w = session.walk();
  EXPECT_EQ(w.values.step, 0u);
  EXPECT_TRUE(near(w.a_of(0), {1, 0.5}));
  EXPECT_TRUE(near(w.z_of(0), {1, 0.5}));
  EXPECT_TRUE(near(w.a_of(1), {1, 0.5}));
  EXPECT_TRUE(near(w.z_of(1), {0.5}));
  EXPECT_EQ(w.values.loss, 1.0f);
  EXPECT_TRUE(near(w.da[2], {-2}));  // dL/da2 = 2 (0.5 - 1.5)
  EXPECT_TRUE(near(w.dz[1], {-2}));
  EXPECT_TRUE(near(w.values.grads[1].w, {-2, -1}));
  EXPECT_TRUE(near(w.values.grads[1].b, {-2}));
  EXPECT_TRUE(near(w.da[1], {-1, 1}));  // W2^T dL/dz2
  EXPECT_TRUE(near(w.dz[0], {-1, 1}));  // times relu'(z1) = [1, 1]
  EXPECT_TRUE(near(w.values.grads[0].w, {-1, -0.5, 1, 0.5}));
  EXPECT_TRUE(near(w.values.grads[0].b, {-1, 1}));
  EXPECT_TRUE(near(w.values.after[0].w, {0.35, 0.55, 0.4, -0.55}));
  EXPECT_TRUE(near(w.values.after[0].b, {0.6, 0.15}));
  EXPECT_TRUE(near(w.values.after[1].w, {0.7, -0.4}));
  EXPECT_TRUE(near(w.values.after[1].b, {0.45}));

  // The formula lines carry the same numbers, written out.
  const std::vector<teach::Step>& s = w.steps;
  ASSERT_EQ(s.size(), 11u);
  EXPECT_TRUE(has_line(s[1], "z1[1] = 0.25·1 + 0.5·0.5 + 0.5 = 1")) << s[1].formula[0];
  EXPECT_TRUE(has_line(s[1], "z1 = [1, 0.5]"));
  EXPECT_TRUE(has_line(s[2], "a1 = relu(z1) = relu([1, 0.5]) = [1, 0.5]"));
  EXPECT_TRUE(has_line(s[4], "L = 1"));
  EXPECT_TRUE(has_line(s[5], "= [-2]"));
  EXPECT_TRUE(has_line(s[6], "dW2 = dL/dz2 · a1ᵀ = [[(-2)·1, (-2)·0.5]] = [[-2, -1]]"));
  EXPECT_TRUE(has_line(s[7], "dL/da1 = W2ᵀ · dL/dz2 = [0.5·(-2), (-0.5)·(-2)] = [-1, 1]"));
  EXPECT_TRUE(has_line(s[8], "relu'(z1) = [1, 1]"));
  EXPECT_TRUE(has_line(s[8], "dL/dz1 = dL/da1 ⊙ relu'(z1) = [-1, 1] ⊙ [1, 1] = [-1, 1]"));
  EXPECT_TRUE(has_line(s[9], "= [[-1, -0.5], [1, 0.5]]"));
  EXPECT_TRUE(has_line(s[10],
                       "W1 = [[0.25, 0.5], [0.5, -0.5]] - 0.1·[[-1, -0.5], [1, 0.5]] = "
                       "[[0.35, 0.55], [0.4, -0.55]]"));

  // Past the update: training step 2 on the new weights.
  session.go_to(10);
  session.next();
  const teach::Walkthrough& w2 = session.walk();
  EXPECT_EQ(session.index(), 0u);
  EXPECT_EQ(w2.values.step, 1u);
  EXPECT_TRUE(near(w2.values.before[0].w, {0.35, 0.55, 0.4, -0.55}));
  EXPECT_TRUE(near(w2.z_of(0), {1.225, 0.275}));
  EXPECT_TRUE(near(w2.z_of(1), {1.1975}));
  EXPECT_NEAR(w2.values.loss, 0.09150625, 1e-7);
}

// The order of the steps of x -> Linear -> ReLU -> Linear -> MSE, and what each one lights up.
TEST_F(Walkthrough, StepsComeInTheOrderOfTheComputation) {
  gpu::Network net(test::context(), tiny_scene());
  teach::WalkSession session(net);
  const std::vector<teach::Step>& s = session.walk().steps;
  using P = teach::Phase;
  const std::vector<P> phases = {P::overview, P::forward,  P::forward,  P::forward,
                                 P::loss,     P::backward, P::backward, P::backward,
                                 P::backward, P::backward, P::update};
  ASSERT_EQ(s.size(), phases.size());
  for (size_t i = 0; i < s.size(); ++i) {
    EXPECT_EQ(s[i].phase, phases[i]) << i << ": " << s[i].title;
    EXPECT_FALSE(s[i].formula.empty()) << i;
  }
  EXPECT_EQ(s[1].edges, std::vector<uint32_t>{0});  // z1: the first layer's weights
  EXPECT_EQ(s[3].edges, std::vector<uint32_t>{1});  // z2
  EXPECT_TRUE(s[4].loss_node);
  EXPECT_EQ(s[6].edges, std::vector<uint32_t>{1});  // dW2
  EXPECT_EQ(s[9].edges, std::vector<uint32_t>{0});  // dW1
  EXPECT_EQ(s[10].edges, (std::vector<uint32_t>{0, 1}));
  // Nothing is known before the step that computes it; everything after the last.
  const teach::Known k3 = session.walk().known(3), k8 = session.walk().known(8);
  EXPECT_TRUE(k3.z[1] && k3.a[2] && !k3.loss && !k3.grads[1]);
  EXPECT_TRUE(k8.dz[0] && k8.grads[1] && !k8.grads[0] && !k8.update);
  EXPECT_TRUE(session.walk().known(10).update);

  // prev stops at the first step; apply_update goes to the last.
  session.prev();
  EXPECT_EQ(session.index(), 0u);
  session.apply_update();
  EXPECT_EQ(session.index(), 10u);
}

// Another learning rate reruns the step from the same parameters: the same forward and
// backward values, the GPU's update with the new rate.
TEST_F(Walkthrough, LearningRateChangeRerunsTheUpdate) {
  gpu::Network net(test::context(), tiny_scene());
  teach::WalkSession session(net);
  EXPECT_TRUE(session.lr_fixed_reason().empty());
  session.go_to(5);
  session.set_lr(0.2);
  const teach::Walkthrough& w = session.walk();
  EXPECT_EQ(session.index(), 5u);
  EXPECT_EQ(w.values.step, 0u);
  EXPECT_DOUBLE_EQ(session.lr(), 0.2);
  EXPECT_EQ(w.values.loss, 1.0f);
  EXPECT_TRUE(near(w.values.grads[0].w, {-1, -0.5, 1, 0.5}));
  EXPECT_TRUE(near(w.values.after[0].w, {0.45, 0.6, 0.3, -0.6}));
  EXPECT_TRUE(near(w.values.after[1].b, {0.65}));
  EXPECT_TRUE(has_line(w.steps.back(), "- 0.2·"));
  // The next training step starts from those parameters and is numbered 2.
  session.apply_update();
  session.next();
  EXPECT_EQ(session.walk().values.step, 1u);
  EXPECT_TRUE(near(session.walk().values.before[0].w, {0.45, 0.6, 0.3, -0.6}));

  // Momentum keeps state a rerun would lose: the rate stays the scene's.
  gpu::Network momentum(test::context(),
                        scene::load(std::string(GT_SOURCE_DIR) + "/scenes/tiny_worked_example.toml",
                                    {"train.optimizer=momentum"}));
  teach::WalkSession m(momentum);
  EXPECT_FALSE(m.lr_fixed_reason().empty());
  EXPECT_THROW(m.set_lr(0.5), std::runtime_error);
}

// A random small network (tanh, 3 weight layers, batch 3, cross-entropy): every value the
// walkthrough shows, for every sample, equals the CPU reference on the GPU's parameters.
TEST_F(Walkthrough, RandomSmallNetworkMatchesTheReference) {
  const net::Scene sc = scene::parse(R"([network]
sizes = [3, 5, 4, 3]
activation = "tanh"
init = "xavier_normal"
sigma_b = 0.2
seed = 11
[data]
kind = "inline"
input = [[0.5, -1.25, 2], [1.5, 0.25, -0.75], [-2, 1, 0.125]]
target = [[1, 0, 0], [0, 0, 1], [0, 1, 0]]
[train]
loss = "cross_entropy"
optimizer = "sgd"
lr = 0.3
)",
                                     "random.toml");
  gpu::Network net(test::context(), sc);
  teach::WalkSession session(net);
  const teach::StepValues& v = session.walk().values;
  const net::ref::Net ref = net::ref::Net::from(sc.network, v.before);
  const net::ref::Batch batch = net::ref::inline_batch(sc.data);
  const net::ref::Forward f = net::ref::forward(ref, batch);
  const net::ref::Gradients g = net::ref::backward(ref, batch, sc.train.loss);
  EXPECT_NEAR(v.loss, g.loss, 1e-6);
  for (uint32_t l = 0; l < 3; ++l) {
    EXPECT_TRUE(close(v.grads[l].w, g.dw[l], 1e-5)) << "dW" << l + 1;
    EXPECT_TRUE(close(v.grads[l].b, g.db[l], 1e-5)) << "db" << l + 1;
  }
  net::ref::Net updated = ref;
  net::ref::OptimizerState state;
  net::ref::update(updated, g, state, sc.train);
  for (uint32_t l = 0; l < 3; ++l)
    EXPECT_TRUE(close(v.after[l].w, updated.layers[l].w, 1e-5)) << "new W" << l + 1;

  const std::vector<uint32_t> sizes = {3, 5, 4, 3};
  for (uint32_t b = 0; b < 3; ++b) {
    session.set_sample(b);
    const teach::Walkthrough& w = session.walk();
    auto slice = [&](const std::vector<double>& v2, uint32_t n) {
      return std::vector<double>(v2.begin() + b * n, v2.begin() + (b + 1) * n);
    };
    for (uint32_t l = 0; l < 3; ++l) {
      const std::string what = "sample " + std::to_string(b) + " layer " + std::to_string(l);
      EXPECT_TRUE(close(w.z_of(l), slice(f.z[l], sizes[l + 1]), 1e-5)) << what;
      EXPECT_TRUE(close(w.a_of(l + 1), slice(f.x[l + 1], sizes[l + 1]), 1e-5)) << what;
      EXPECT_TRUE(close(w.dz[l], slice(g.delta[l], sizes[l + 1]), 1e-5)) << what;
      if (l == 0) continue;
      // dL/da of column l = W_l+1^T delta_l+1, from the reference's delta.
      std::vector<double> da(sizes[l], 0.0);
      const net::ref::Layer& rl = ref.layers[l];
      for (uint32_t j = 0; j < rl.out; ++j)
        for (uint32_t k = 0; k < rl.in; ++k)
          da[k] += rl.w[j * rl.in + k] * g.delta[l][b * rl.out + j];
      EXPECT_TRUE(close(w.da[l], da, 1e-5)) << what;
    }
  }
  // Batch 3: dW is a sum over the batch, said so, and the sample's own term is shown.
  const std::vector<teach::Step>& s = session.walk().steps;
  EXPECT_EQ(s.size(), 1u + 5u + 1u + 1u + 3u + 4u + 1u);  // no forward step for the linear output
  bool sum_said = false;
  for (const teach::Step& st : s)
    sum_said = sum_said || has_line(st, "Σ over the 3 samples");
  EXPECT_TRUE(sum_said);
}

TEST_F(Walkthrough, NetworksOverTheLimitsAreRefusedClearly) {
  const net::Scene deep = scene::load(std::string(GT_SOURCE_DIR) + "/scenes/default.toml");
  const std::string e = teach::walk_limits_error(deep);
  EXPECT_NE(e.find("at most"), std::string::npos) << e;
  EXPECT_THROW(teach::check_walkable(deep), std::runtime_error);
  EXPECT_TRUE(teach::walk_limits_error(tiny_scene()).empty());
  const net::Scene wide = scene::parse(
      "[network]\nsizes = [2, 9, 1]\n[data]\nkind = \"teacher\"\nbatch = 2\n"
      "[train]\nloss = \"mse\"\n",
      "wide.toml");
  EXPECT_NE(teach::walk_limits_error(wide).find("hidden layer 1 has 9 features"), std::string::npos)
      << teach::walk_limits_error(wide);
}

// Frames: the same step twice is the same bytes; another step differs in its title band and
// in its formula box (the step's own text is drawn), and so does a changed title.
TEST_F(Walkthrough, FramesAreDeterministicAndDifferBetweenSteps) {
  gpu::Network net(test::context(), tiny_scene());
  teach::WalkSession session(net);
  const uint32_t W = 480, H = 270;
  render::WalkFrameRenderer a(test::context(), W, H);
  render::WalkFrameRenderer b(test::context(), W, H);
  const std::vector<uint8_t> s2 = a.render({&session.walk(), 1, "tiny"});
  EXPECT_EQ(s2, b.render({&session.walk(), 1, "tiny"}));
  EXPECT_EQ(s2, a.render({&session.walk(), 1, "tiny"}));
  const std::vector<uint8_t> s3 = a.render({&session.walk(), 2, "tiny"});
  auto band_differs = [&](const std::vector<uint8_t>& x, const std::vector<uint8_t>& y, uint32_t y0,
                          uint32_t y1) {
    for (size_t i = size_t(y0) * W * 4; i < size_t(y1) * W * 4; ++i)
      if (x[i] != y[i]) return true;
    return false;
  };
  EXPECT_TRUE(band_differs(s2, s3, 0, H / 8));          // "step 2 of 11" vs "step 3 of 11"
  EXPECT_TRUE(band_differs(s2, s3, H * 3 / 4, H - 1));  // the formula lines
  teach::Walkthrough edited = session.walk();
  edited.steps[1].formula.back() = "z1 = something else";
  EXPECT_TRUE(band_differs(s2, a.render({&edited, 1, "tiny"}), H * 3 / 4, H - 1));
  EXPECT_FALSE(band_differs(s2, a.render({&edited, 1, "tiny"}), 0, H / 8));
}

}  // namespace
}  // namespace gt
