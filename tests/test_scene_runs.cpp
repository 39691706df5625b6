// Scenes with several runs ([[run]]) and camera paths ([[view.camera]]).
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "scene/scene.hpp"
#include "scene_test_util.hpp"

namespace gt::scene {
namespace {

using namespace testing_util;
using net::Activation;
using net::DataKind;
using net::Init;
using net::Loss;
using net::Optimizer;

constexpr const char* kTwoRuns = R"(title = "Sigmoid vs ReLU"
[network]
depth = 24
output = 3
[data]
seed = 7
[train]
lr = 0.1
steps = 150

[[run]]
label = "sigmoid"
[run.network]
activation = "sigmoid"

[[run]]
label = "relu + He"
[run.network]
activation = "relu"
init = "he_normal"
[run.train]
lr = 0.05
)";

std::string runs_error(const std::string& text, const std::vector<std::string>& overrides = {}) {
  return error_of([&] { parse_runs(text, "scenes/x.toml", overrides); });
}

void expect_same_scene(const net::Scene& a, const net::Scene& b) {
  EXPECT_EQ(a.title, b.title);
  EXPECT_EQ(a.path, b.path);
  EXPECT_EQ(a.network.input, b.network.input);
  EXPECT_EQ(a.network.depth, b.network.depth);
  EXPECT_EQ(a.network.width, b.network.width);
  EXPECT_EQ(a.network.output, b.network.output);
  EXPECT_EQ(a.network.activation, b.network.activation);
  EXPECT_EQ(a.network.output_activation, b.network.output_activation);
  EXPECT_EQ(a.network.init, b.network.init);
  EXPECT_EQ(a.network.sigma_w, b.network.sigma_w);
  EXPECT_EQ(a.network.sigma_b, b.network.sigma_b);
  EXPECT_EQ(a.network.seed, b.network.seed);
  EXPECT_EQ(a.data.kind, b.data.kind);
  EXPECT_EQ(a.data.batch, b.data.batch);
  EXPECT_EQ(a.data.seed, b.data.seed);
  EXPECT_EQ(a.data.fixed, b.data.fixed);
  EXPECT_EQ(a.train.loss, b.train.loss);
  EXPECT_EQ(a.train.optimizer, b.train.optimizer);
  EXPECT_EQ(a.train.lr, b.train.lr);
  EXPECT_EQ(a.train.steps, b.train.steps);
  EXPECT_EQ(a.train.momentum, b.train.momentum);
  EXPECT_EQ(a.train.beta1, b.train.beta1);
  EXPECT_EQ(a.train.beta2, b.train.beta2);
  EXPECT_EQ(a.train.eps, b.train.eps);
}

TEST(SceneRuns, TwoRunsGiveTwoScenesOnTheBase) {
  const std::vector<net::Scene> runs = parse_runs(kTwoRuns, "x.toml");
  ASSERT_EQ(runs.size(), 2u);
  EXPECT_EQ(runs[0].title, "sigmoid");
  EXPECT_EQ(runs[0].network.activation, Activation::sigmoid);
  EXPECT_EQ(runs[0].network.init, Init::gaussian);
  EXPECT_EQ(runs[0].train.lr, 0.1);
  EXPECT_EQ(runs[1].title, "relu + He");
  EXPECT_EQ(runs[1].network.activation, Activation::relu);
  EXPECT_EQ(runs[1].network.init, Init::he_normal);
  EXPECT_EQ(runs[1].train.lr, 0.05);
  for (const net::Scene& s : runs) {
    EXPECT_EQ(s.network.depth, 24u);
    EXPECT_EQ(s.network.output, 3u);
    EXPECT_EQ(s.data.seed, 7u);
    EXPECT_EQ(s.train.steps, 150u);
    EXPECT_TRUE(s.path.empty());
  }
  // parse() gives the base: the top-level keys, no run's.
  const net::Scene base = parse(kTwoRuns, "x.toml");
  EXPECT_EQ(base.title, "Sigmoid vs ReLU");
  EXPECT_EQ(base.network.activation, Activation::tanh);
  EXPECT_EQ(base.network.depth, 24u);
  EXPECT_EQ(base.train.lr, 0.1);
}

TEST(SceneRuns, NoRunsGiveTheSceneItself) {
  const std::vector<net::Scene> runs = parse_runs(kFullScene, "scenes/full.toml", {"train.lr=2"});
  ASSERT_EQ(runs.size(), 1u);
  expect_same_scene(runs[0], parse(kFullScene, "scenes/full.toml", {"train.lr=2"}));
  EXPECT_EQ(runs[0].train.lr, 2.0);
  const std::vector<net::Scene> empty = parse_runs("", "dir/plain.toml");
  ASSERT_EQ(empty.size(), 1u);
  EXPECT_EQ(empty[0].title, "plain");
}

TEST(SceneRuns, UnknownOrBadKeysNameFileLineAndRun) {
  EXPECT_EQ(runs_error("[[run]]\nlabel = \"a\"\n[[run]]\nlabel = \"b\"\n[run.network]\n"
                       "depth = 3\nactivaton = \"relu\"\n"),
            "scenes/x.toml:7: run[1].network.activaton: unknown key; expected one of: input, "
            "depth, width, output, sizes, activation, output_activation, init, sigma_w, sigma_b, "
            "seed, residual, residual_every, norm");
  EXPECT_EQ(runs_error("[[run]]\nlabel = \"a\"\n[run.network]\nactivation = \"sigmoidd\"\n"),
            "scenes/x.toml:4: run[0].network.activation: unknown value \"sigmoidd\"; expected "
            "one of: linear, relu, leaky_relu, tanh, sigmoid, gelu");
  EXPECT_EQ(runs_error("[[run]]\nlabel = \"a\"\n[run.train]\nlr = \"fast\"\n"),
            "scenes/x.toml:4: run[0].train.lr: expected a number, got a string");
  EXPECT_EQ(runs_error("[[run]]\nlabel = \"a\"\n[run.network]\nwidth = 0\n"),
            "scenes/x.toml:4: run[0].network.width: must be >= 1");
  EXPECT_EQ(runs_error("[[run]]\nlabel = \"a\"\ncolour = \"red\"\n"),
            "scenes/x.toml:3: run[0].colour: unknown key; expected label or a section: network, "
            "data, train, eval");
  EXPECT_EQ(runs_error("[[run]]\nlabel = \"a\"\n[run.netwrk]\ndepth = 3\n"),
            "scenes/x.toml:3: run[0].netwrk: unknown section; expected one of: network, data, "
            "train, eval");
  EXPECT_EQ(runs_error("[[run]]\nlabel = \"a\"\nnetwork = 3\n"),
            "scenes/x.toml:3: run[0].network: must be a table ([run.network])");
  EXPECT_EQ(runs_error("[run]\nlabel = \"a\"\n"),
            "scenes/x.toml:1: run: must be an array of tables ([[run]])");
  // parse() validates the runs too.
  EXPECT_EQ(parse_error("[[run]]\nlabel = \"a\"\n[run.data]\nfixd = true\n"),
            "scenes/x.toml:4: run[0].data.fixd: unknown key; expected one of: kind, batch, seed, "
            "fixed, input, target, path, target_path, split, label, limit, drop_last");
  // The first error in file order wins, base or run.
  EXPECT_EQ(runs_error("[[run]]\nlabel = \"a\"\n[run.network]\ndepth = 0\n[train]\nlr = 0\n"),
            "scenes/x.toml:4: run[0].network.depth: must be >= 1");
}

TEST(SceneRuns, LabelsAreRequiredAndUnique) {
  EXPECT_EQ(runs_error("[[run]]\nlabel = \"a\"\n\n[[run]]\n[run.network]\ndepth = 3\n"),
            "scenes/x.toml:4: run[1].label: missing; every run needs a label");
  EXPECT_EQ(runs_error("[[run]]\nlabel = \"a\"\n[[run]]\nlabel = \"b\"\n[[run]]\nlabel = \"a\"\n"),
            "scenes/x.toml:6: run[2].label: duplicate label \"a\" (also run[0]); every run needs "
            "its own label");
  EXPECT_EQ(runs_error("[[run]]\nlabel = \"\"\n"),
            "scenes/x.toml:2: run[0].label: must not be empty");
  EXPECT_EQ(runs_error("[[run]]\nlabel = 3\n"),
            "scenes/x.toml:2: run[0].label: expected a string, got an integer");
}

TEST(SceneRuns, AtMostEightRuns) {
  std::string text;
  for (int i = 0; i < 8; ++i)
    text += "[[run]]\nlabel = \"r" + std::to_string(i) + "\"\n";
  EXPECT_EQ(parse_runs(text, "x.toml").size(), 8u);
  text += "[[run]]\nlabel = \"r8\"\n";
  EXPECT_EQ(runs_error(text), "scenes/x.toml:17: run: too many runs (9); a scene holds at most 8");
}

TEST(SceneRuns, StepsAndBatchBelongToTheBase) {
  EXPECT_EQ(runs_error("[train]\nsteps = 10\n[[run]]\nlabel = \"a\"\n[run.train]\nlr = 1\n"
                       "steps = 20\n"),
            "scenes/x.toml:7: run[0].train.steps: cannot be set in a run: runs train in "
            "lockstep, so every run uses the top-level train.steps");
  EXPECT_EQ(runs_error("[[run]]\nlabel = \"a\"\n[run.data]\nbatch = 64\n"),
            "scenes/x.toml:4: run[0].data.batch: cannot be set in a run: runs train in lockstep, "
            "so every run uses the top-level data.batch");
  // data.seed and train.lr may differ.
  const std::vector<net::Scene> runs = parse_runs(
      "[[run]]\nlabel = \"a\"\n[run.data]\nseed = 3\n[[run]]\nlabel = \"b\"\n[run.train]\n"
      "lr = 0.5\n",
      "x.toml");
  ASSERT_EQ(runs.size(), 2u);
  EXPECT_EQ(runs[0].data.seed, 3u);
  EXPECT_EQ(runs[1].train.lr, 0.5);
}

TEST(SceneRuns, CrossKeyRulesPerRunBlameTheRunKey) {
  // The base is valid; the second run makes it xor with 3 outputs.
  EXPECT_EQ(runs_error("[network]\noutput = 3\n[[run]]\nlabel = \"a\"\n[[run]]\nlabel = \"b\"\n"
                       "[run.data]\nkind = \"xor\"\n"),
            "scenes/x.toml:8: run[1].data.kind: network.output is 3, but data.kind \"xor\" (2 "
            "classes) needs network.output = 2");
  // A run may fix what it changes: teacher regression with its own input and loss.
  const std::vector<net::Scene> runs = parse_runs(
      "[[run]]\nlabel = \"spiral\"\n[[run]]\nlabel = \"teacher\"\n[run.data]\nkind = \"teacher\"\n"
      "[run.network]\ninput = 16\noutput = 1\n[run.train]\nloss = \"mse\"\n",
      "x.toml");
  ASSERT_EQ(runs.size(), 2u);
  EXPECT_EQ(runs[1].network.input, 16u);
  // The base must be valid on its own: load() returns it.
  EXPECT_TRUE(starts_with(
      runs_error("[network]\ninput = 3\n[[run]]\nlabel = \"a\"\n[run.network]\ninput = 2\n"),
      "scenes/x.toml:2: network.input: "));
}

TEST(SceneRuns, OverridesApplyToEveryRunButARunKeyWins) {
  const std::vector<net::Scene> runs =
      parse_runs(kTwoRuns, "x.toml", {"network.width=16", "train.lr=0.2", "title=T"});
  ASSERT_EQ(runs.size(), 2u);
  EXPECT_EQ(runs[0].network.width, 16u);
  EXPECT_EQ(runs[1].network.width, 16u);
  EXPECT_EQ(runs[0].train.lr, 0.2);   // from the override
  EXPECT_EQ(runs[1].train.lr, 0.05);  // the run's own key
  EXPECT_EQ(runs[0].title, "sigmoid");
  EXPECT_EQ(parse(kTwoRuns, "x.toml", {"title=T"}).title, "T");
  // An override that breaks a run: the run key set last takes the blame.
  EXPECT_EQ(runs_error("[network]\noutput = 2\n[[run]]\nlabel = \"a\"\n[run.data]\n"
                       "kind = \"xor\"\n",
                       {"network.output=3", "data.kind=spiral"}),
            "scenes/x.toml:6: run[0].data.kind: network.output is 3, but data.kind \"xor\" (2 "
            "classes) needs network.output = 2");
  EXPECT_EQ(runs_error(kTwoRuns, {"network.depth=0"}),
            "--set network.depth=0: network.depth: must be >= 1");
}

class SceneRunsFiles : public SceneFiles {};

TEST_F(SceneRunsFiles, LoadRunsSetsPathOnEveryRun) {
  const auto file = write("pair.toml", kTwoRuns);
  const std::vector<net::Scene> runs = load_runs(file, {"network.seed=5"});
  ASSERT_EQ(runs.size(), 2u);
  for (const net::Scene& s : runs) {
    EXPECT_EQ(s.path, file);
    EXPECT_EQ(s.network.seed, 5u);
  }
  const net::Scene base = load(file);
  EXPECT_EQ(base.path, file);
  EXPECT_EQ(base.title, "Sigmoid vs ReLU");
  const auto bad = write("bad.toml", "[[run]]\nlabel = \"a\"\n[run.train]\nsteps = 3\n");
  EXPECT_TRUE(starts_with(error_of([&] { load_runs(bad); }),
                          bad.string() + ":4: run[0].train.steps: cannot be set in a run"));
  EXPECT_TRUE(starts_with(error_of([&] { load(bad); }), bad.string() + ":4: run[0].train.steps"));
}

TEST(SceneRuns, ShippedSigmoidVsRelu) {
  const auto file = std::filesystem::path(GT_SOURCE_DIR) / "scenes/sigmoid_vs_relu.toml";
  const std::vector<net::Scene> runs = load_runs(file);
  ASSERT_EQ(runs.size(), 2u);
  EXPECT_EQ(runs[0].title, "sigmoid");
  EXPECT_EQ(runs[0].network.activation, Activation::sigmoid);
  EXPECT_EQ(runs[0].network.init, Init::gaussian);
  EXPECT_EQ(runs[1].title, "relu + He");
  EXPECT_EQ(runs[1].network.activation, Activation::relu);
  EXPECT_EQ(runs[1].network.init, Init::he_normal);
  for (const net::Scene& s : runs) {
    EXPECT_EQ(s.network.input, 2u);
    EXPECT_EQ(s.network.depth, 24u);
    EXPECT_EQ(s.network.width, 64u);
    EXPECT_EQ(s.network.output, 3u);
    EXPECT_EQ(s.network.sigma_w, 1.0);
    EXPECT_EQ(s.data.kind, DataKind::spiral);
    EXPECT_EQ(s.data.batch, 128u);
    EXPECT_EQ(s.data.seed, 7u);
    EXPECT_EQ(s.train.loss, Loss::cross_entropy);
    EXPECT_EQ(s.train.optimizer, Optimizer::sgd);
    EXPECT_EQ(s.train.lr, 0.1);
    EXPECT_EQ(s.train.steps, 150u);
  }
  EXPECT_EQ(load(file).title, "Sigmoid vs ReLU at 24 layers");
}

// Gaussian next to orthogonal at tanh's edge of chaos: the init is the only difference.
TEST(SceneRuns, ShippedOrthogonalVsGaussian) {
  const auto file = std::filesystem::path(GT_SOURCE_DIR) / "scenes/orthogonal_vs_gaussian.toml";
  const std::vector<net::Scene> runs = load_runs(file);
  ASSERT_EQ(runs.size(), 2u);
  EXPECT_EQ(runs[0].title, "gaussian");
  EXPECT_EQ(runs[0].network.init, Init::gaussian);
  EXPECT_EQ(runs[1].title, "orthogonal");
  EXPECT_EQ(runs[1].network.init, Init::orthogonal);
  for (const net::Scene& s : runs) {
    EXPECT_EQ(s.network.activation, Activation::tanh);
    EXPECT_NEAR(s.network.sigma_w * s.network.sigma_w, 1.76, 1e-3);
    EXPECT_NEAR(s.network.sigma_b * s.network.sigma_b, 0.05, 1e-4);
    EXPECT_GE(s.network.depth, 100u);
  }
  net::Scene a = runs[0], b = runs[1];
  a.title = b.title;
  a.network.init = b.network.init;
  expect_same_scene(a, b);
}

constexpr const char* kCameraPath = R"(title = "Orbit"
[network]
depth = 4

[[view.camera]]
t = 0.0
yaw = 35
pitch = 12
zoom = 1.0

[[view.camera]]
t = 4
yaw = -20.5
)";

TEST(SceneView, TwoKeyframesParseWithDefaultsFilledIn) {
  const net::Scene s = parse(kCameraPath, "scenes/x.toml");
  EXPECT_EQ(s.network.depth, 4u);
  ASSERT_EQ(s.view.camera.size(), 2u);
  EXPECT_EQ(s.view.camera[0].t, 0.0);
  EXPECT_EQ(s.view.camera[0].yaw, 35.0);
  EXPECT_EQ(s.view.camera[0].pitch, 12.0);
  EXPECT_EQ(s.view.camera[0].zoom, 1.0);
  EXPECT_EQ(s.view.camera[1].t, 4.0);
  EXPECT_EQ(s.view.camera[1].yaw, -20.5);
  EXPECT_EQ(s.view.camera[1].pitch, 14.0);  // defaults
  EXPECT_EQ(s.view.camera[1].zoom, 1.0);
  // A keyframe with no keys at all is the default camera at t = 0.
  const net::Scene one = parse("[[view.camera]]\n", "scenes/x.toml");
  ASSERT_EQ(one.view.camera.size(), 1u);
  EXPECT_EQ(one.view.camera[0].t, 0.0);
  EXPECT_EQ(one.view.camera[0].yaw, 28.0);
  EXPECT_EQ(one.view.camera[0].pitch, 14.0);
  EXPECT_EQ(one.view.camera[0].zoom, 1.0);
  // Inline tables and limits inclusive where the schema says so.
  const net::Scene inline_path = parse(
      "[view]\ncamera = [{t = 0, yaw = -720, pitch = -89, zoom = 20}, {t = 1, yaw = 720, "
      "pitch = 89}]\n",
      "scenes/x.toml");
  ASSERT_EQ(inline_path.view.camera.size(), 2u);
  EXPECT_EQ(inline_path.view.camera[0].zoom, 20.0);
  EXPECT_EQ(inline_path.view.camera[1].pitch, 89.0);
}

TEST(SceneView, NoViewGivesAnEmptyPath) {
  EXPECT_TRUE(parse(kFullScene, "scenes/full.toml").view.camera.empty());
  EXPECT_TRUE(parse("", "scenes/x.toml").view.camera.empty());
  EXPECT_TRUE(parse("[view]\n", "scenes/x.toml").view.camera.empty());
  EXPECT_TRUE(parse("[view]\ncamera = []\n", "scenes/x.toml").view.camera.empty());
}

TEST(SceneView, BadKeyframesNameFileLineAndKey) {
  // t must increase strictly.
  EXPECT_EQ(parse_error("[[view.camera]]\nt = 2\n[[view.camera]]\nt = 2\n"),
            "scenes/x.toml:4: view.camera[1].t: must be greater than the previous keyframe's t "
            "(2); keyframes are in time order");
  EXPECT_EQ(parse_error("[[view.camera]]\nt = 1\n[[view.camera]]\nyaw = 3\n"),
            "scenes/x.toml:3: view.camera[1].t: missing; every keyframe after the first needs a t "
            "greater than the previous one's");
  EXPECT_EQ(parse_error("[[view.camera]]\nt = -1\n"),
            "scenes/x.toml:2: view.camera[0].t: must be >= 0");
  // Ranges.
  EXPECT_EQ(parse_error("[[view.camera]]\n[[view.camera]]\nt = 1\npitch = 90\n"),
            "scenes/x.toml:4: view.camera[1].pitch: must be <= 89");
  EXPECT_EQ(parse_error("[[view.camera]]\npitch = -89.5\n"),
            "scenes/x.toml:2: view.camera[0].pitch: must be >= -89");
  EXPECT_EQ(parse_error("[[view.camera]]\nyaw = 721\n"),
            "scenes/x.toml:2: view.camera[0].yaw: must be <= 720");
  EXPECT_EQ(parse_error("[[view.camera]]\n\nzoom = 0\n"),
            "scenes/x.toml:3: view.camera[0].zoom: must be > 0");
  EXPECT_EQ(parse_error("[[view.camera]]\nzoom = 20.5\n"),
            "scenes/x.toml:2: view.camera[0].zoom: must be <= 20");
  EXPECT_EQ(parse_error("[[view.camera]]\nzoom = inf\n"),
            "scenes/x.toml:2: view.camera[0].zoom: must be finite");
  // Types and unknown keys.
  EXPECT_EQ(parse_error("[[view.camera]]\nyaw = \"left\"\n"),
            "scenes/x.toml:2: view.camera[0].yaw: expected a number, got a string");
  EXPECT_EQ(parse_error("[[view.camera]]\nt = 0\n[[view.camera]]\nt = 1\nroll = 5\n"),
            "scenes/x.toml:5: view.camera[1].roll: unknown key; expected one of: t, yaw, pitch, "
            "zoom");
  EXPECT_EQ(parse_error("[view]\nfov = 40\n"),
            "scenes/x.toml:2: view.fov: unknown key; expected one of: camera");
  EXPECT_EQ(parse_error("[view]\ncamera = 3\n"),
            "scenes/x.toml:2: view.camera: must be an array of tables ([[view.camera]])");
  EXPECT_EQ(parse_error("view = 3\n"), "scenes/x.toml:1: view: must be a table ([view])");
  EXPECT_EQ(parse_error("[veiw]\n"),
            "scenes/x.toml:1: veiw: unknown section; expected one of: network, data, train, eval, "
            "view");
  // The first error in file order wins, camera or not.
  EXPECT_EQ(parse_error("[[view.camera]]\nzoom = 0\n[network]\ndepth = 0\n"),
            "scenes/x.toml:2: view.camera[0].zoom: must be > 0");
  EXPECT_EQ(parse_error("[network]\ndepth = 0\n[[view.camera]]\nzoom = 0\n"),
            "scenes/x.toml:2: network.depth: must be >= 1");
}

TEST(SceneView, AtMost64Keyframes) {
  std::string text;
  for (int i = 0; i < 64; ++i)
    text += "[[view.camera]]\nt = " + std::to_string(i) + "\n";
  EXPECT_EQ(parse(text, "x.toml").view.camera.size(), 64u);
  text += "[[view.camera]]\nt = 64\n";
  EXPECT_EQ(parse_error(text),
            "scenes/x.toml:129: view.camera: too many keyframes (65); a camera path holds at most "
            "64");
}

TEST(SceneView, NotInARunAndSharedByAllRuns) {
  EXPECT_EQ(runs_error("[[run]]\nlabel = \"a\"\n[[run]]\nlabel = \"b\"\n[[run.view.camera]]\n"
                       "t = 0\n"),
            "scenes/x.toml:5: run[1].view: cannot be set in a run: the camera is shared by all "
            "runs; set [view] at the top level");
  EXPECT_TRUE(starts_with(parse_error("[[run]]\nlabel = \"a\"\n[run.view]\n"),
                          "scenes/x.toml:3: run[0].view: cannot be set in a run"));
  const std::vector<net::Scene> runs =
      parse_runs(std::string(kTwoRuns) + "\n[[view.camera]]\nyaw = 10\n[[view.camera]]\nt = 3\n",
                 "scenes/x.toml");
  ASSERT_EQ(runs.size(), 2u);
  for (const net::Scene& s : runs) {
    ASSERT_EQ(s.view.camera.size(), 2u);
    EXPECT_EQ(s.view.camera[0].yaw, 10.0);
    EXPECT_EQ(s.view.camera[1].t, 3.0);
  }
}

TEST(SceneView, SetCannotChangeTheCamera) {
  EXPECT_EQ(parse_error("", {"view.camera[0].yaw=3"}),
            "--set view.camera[0].yaw=3: view.camera[0].yaw: the camera path is set in the scene "
            "file only");
  net::Scene s = parse(kCameraPath, "scenes/x.toml");
  EXPECT_EQ(error_of([&] { apply_override(s, "view.camera=[]"); }),
            "--set view.camera=[]: view.camera: the camera path is set in the scene file only");
  EXPECT_EQ(s.view.camera.size(), 2u);
}

TEST(SceneView, ShippedDefaultHasAGentlePath) {
  const net::Scene s = load(std::filesystem::path(GT_SOURCE_DIR) / "scenes/default.toml");
  ASSERT_GE(s.view.camera.size(), 2u);
  EXPECT_EQ(s.view.camera.front().t, 0.0);
  // The default recording is 200 frames at 30 fps: the path ends within it.
  EXPECT_LE(s.view.camera.back().t, 200.0 / 30.0);
  for (const net::CameraKey& k : s.view.camera) {
    EXPECT_GE(k.zoom, 0.9);  // the whole tower stays in view
    EXPECT_LE(k.zoom, 1.1);
  }
}

}  // namespace
}  // namespace gt::scene
