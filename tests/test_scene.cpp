// Scene files: values, defaults, every kind of error with its exact location, --set overrides and
// the cross-key rules.
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

TEST(SceneParse, FullSceneHasEveryValue) {
  const net::Scene s = parse(kFullScene, "scenes/full.toml");
  EXPECT_EQ(s.title, "Full");
  EXPECT_TRUE(s.path.empty());
  EXPECT_EQ(s.network.input, 2u);
  EXPECT_EQ(s.network.depth, 12u);
  EXPECT_EQ(s.network.width, 32u);
  EXPECT_EQ(s.network.output, 3u);
  EXPECT_EQ(s.network.activation, Activation::relu);
  EXPECT_EQ(s.network.output_activation, Activation::sigmoid);
  EXPECT_EQ(s.network.init, Init::xavier_normal);
  EXPECT_EQ(s.network.sigma_w, 1.5);
  EXPECT_EQ(s.network.sigma_b, 0.1);
  EXPECT_EQ(s.network.seed, 42u);
  EXPECT_EQ(s.data.kind, DataKind::blobs);
  EXPECT_EQ(s.data.batch, 256u);
  EXPECT_EQ(s.data.seed, 9u);
  EXPECT_TRUE(s.data.fixed);
  EXPECT_EQ(s.train.loss, Loss::mse);
  EXPECT_EQ(s.train.optimizer, Optimizer::adam);
  EXPECT_EQ(s.train.lr, 1.0);  // an integer where a float is expected
  EXPECT_EQ(s.train.steps, 500u);
  EXPECT_EQ(s.train.momentum, 0.5);
  EXPECT_EQ(s.train.beta1, 0.8);
  EXPECT_EQ(s.train.beta2, 0.99);
  EXPECT_EQ(s.train.eps, 1e-6);
}

TEST(SceneParse, EmptyFileGivesDefaultsAndStemTitle) {
  const net::Scene s = parse("# nothing here\n", "some/dir/my_scene.toml");
  const net::Scene d;
  EXPECT_EQ(s.title, "my_scene");
  EXPECT_EQ(s.network.input, d.network.input);
  EXPECT_EQ(s.network.depth, d.network.depth);
  EXPECT_EQ(s.network.width, d.network.width);
  EXPECT_EQ(s.network.output, d.network.output);
  EXPECT_EQ(s.network.activation, d.network.activation);
  EXPECT_EQ(s.network.output_activation, d.network.output_activation);
  EXPECT_EQ(s.network.init, d.network.init);
  EXPECT_EQ(s.network.sigma_w, d.network.sigma_w);
  EXPECT_EQ(s.network.sigma_b, d.network.sigma_b);
  EXPECT_EQ(s.network.seed, d.network.seed);
  EXPECT_EQ(s.data.kind, d.data.kind);
  EXPECT_EQ(s.data.batch, d.data.batch);
  EXPECT_EQ(s.data.seed, d.data.seed);
  EXPECT_EQ(s.data.fixed, d.data.fixed);
  EXPECT_EQ(s.train.loss, d.train.loss);
  EXPECT_EQ(s.train.optimizer, d.train.optimizer);
  EXPECT_EQ(s.train.lr, d.train.lr);
  EXPECT_EQ(s.train.steps, d.train.steps);
  EXPECT_EQ(s.train.momentum, d.train.momentum);
  EXPECT_EQ(s.train.beta1, d.train.beta1);
  EXPECT_EQ(s.train.beta2, d.train.beta2);
  EXPECT_EQ(s.train.eps, d.train.eps);
}

TEST(SceneParse, PartialSectionKeepsOtherDefaults) {
  const net::Scene s = parse("[network]\ndepth = 3\n", "x.toml");
  EXPECT_EQ(s.network.depth, 3u);
  EXPECT_EQ(s.network.width, net::NetworkSpec{}.width);
  EXPECT_EQ(s.train.lr, net::TrainSpec{}.lr);
}

TEST(SceneErrors, BadEnumListsValidNamesWithExactLocation) {
  EXPECT_EQ(parse_error("# comment\n[network]\ndepth = 4\nactivation = \"sigmoidd\"\n"),
            "scenes/x.toml:4: network.activation: unknown value \"sigmoidd\"; expected one of: "
            "linear, relu, leaky_relu, tanh, sigmoid, gelu");
  EXPECT_EQ(parse_error("[train]\n\noptimizer = \"rmsprop\"\n"),
            "scenes/x.toml:3: train.optimizer: unknown value \"rmsprop\"; expected one of: sgd, "
            "momentum, adam");
  EXPECT_EQ(parse_error("[data]\nkind = \"mnist\"\n"),
            "scenes/x.toml:2: data.kind: unknown value \"mnist\"; expected one of: spiral, xor, "
            "circles, blobs, teacher, inline, fashion_mnist, file, adding");
  EXPECT_EQ(parse_error("[network]\ninit = \"orthogonol\"\n"),
            "scenes/x.toml:2: network.init: unknown value \"orthogonol\"; expected one of: "
            "gaussian, xavier_uniform, xavier_normal, he_normal, orthogonal");
}

TEST(SceneParse, OrthogonalInit) {
  const net::Scene s = parse("[network]\ninit = \"orthogonal\"\nsigma_w = 1.3\n", "x.toml");
  EXPECT_EQ(s.network.init, Init::orthogonal);
  EXPECT_EQ(s.network.sigma_w, 1.3);
}

TEST(SceneErrors, UnknownSectionsAndKeys) {
  expect_errors({
      {"title = \"t\"\n\n[netwrk]\ndepth = 3\n",
       "scenes/x.toml:3: netwrk: ", "unknown section; expected one of: network, data, train, eval"},
      {"[network]\ndepth = 3\ndept = 5\n", "scenes/x.toml:3: network.dept: ",
       "unknown key; expected one of: input, depth, width, output, sizes, activation"},
      {"\nfoo = 1\n", "scenes/x.toml:2: foo: ", "unknown key"},
      {"[train]\nlr = 0.1\n[train.extra]\nx = 1\n",
       "scenes/x.toml:3: train.extra: ", "unknown key"},
      {"network = 5\n", "scenes/x.toml:1: network: ", "must be a table"},
  });
}

TEST(SceneErrors, WrongTypes) {
  expect_errors({
      {"[network]\n\ndepth = \"5\"\n",
       "scenes/x.toml:3: network.depth: ", "expected an integer, got a string"},
      {"[network]\ndepth = 2.5\n",
       "scenes/x.toml:2: network.depth: ", "expected an integer, got a float"},
      {"[train]\nlr = \"fast\"\n",
       "scenes/x.toml:2: train.lr: ", "expected a number, got a string"},
      {"[data]\nbatch = 8\nfixed = 1\n",
       "scenes/x.toml:3: data.fixed: ", "expected a boolean (true or false), got an integer"},
      {"[network]\nactivation = 3\n",
       "scenes/x.toml:2: network.activation: ", "expected a string, got an integer"},
      {"title = [1, 2]\n", "scenes/x.toml:1: title: ", "expected a string, got an array"},
  });
}

TEST(SceneErrors, OutOfRange) {
  expect_errors({
      {"[network]\ndepth = 0\n", "scenes/x.toml:2: network.depth: ", "must be >= 1"},
      {"[network]\ndepth = 100001\n", "scenes/x.toml:2: network.depth: ", "must be <= 100000"},
      {"[network]\nwidth = 65537\n", "scenes/x.toml:2: network.width: ", "must be <= 65536"},
      {"[network]\ninput = 1048577\n", "scenes/x.toml:2: network.input: ", "must be <= 1048576"},
      {"[network]\noutput = 1048577\n", "scenes/x.toml:2: network.output: ", "must be <= 1048576"},
      {"[network]\nsigma_w = 0\n", "scenes/x.toml:2: network.sigma_w: ", "must be > 0"},
      {"[network]\nsigma_w = inf\n", "scenes/x.toml:2: network.sigma_w: ", "must be finite"},
      {"[network]\nsigma_b = -0.1\n", "scenes/x.toml:2: network.sigma_b: ", "must be >= 0"},
      {"[network]\nseed = -1\n", "scenes/x.toml:2: network.seed: ", "must be >= 0"},
      {"[data]\nbatch = 0\n", "scenes/x.toml:2: data.batch: ", "must be >= 1"},
      {"[data]\nbatch = 65537\n", "scenes/x.toml:2: data.batch: ", "must be <= 65536"},
      {"[train]\nlr = nan\n", "scenes/x.toml:2: train.lr: ", "must be finite"},
      {"[train]\nlr = -1e-3\n", "scenes/x.toml:2: train.lr: ", "must be > 0"},
      {"[train]\nsteps = -1\n", "scenes/x.toml:2: train.steps: ", "must be >= 0"},
      {"[train]\nmomentum = 1.0\n", "scenes/x.toml:2: train.momentum: ", "must be < 1"},
      {"[train]\nbeta1 = -0.5\n", "scenes/x.toml:2: train.beta1: ", "must be >= 0"},
      {"[train]\nbeta2 = 1\n", "scenes/x.toml:2: train.beta2: ", "must be < 1"},
      {"[train]\neps = 0.0\n", "scenes/x.toml:2: train.eps: ", "must be > 0"},
  });
}

TEST(SceneErrors, BoundaryValuesAreAccepted) {
  const net::Scene s = parse(
      "[network]\ndepth = 100000\nwidth = 65536\nsigma_b = 0\nseed = 0\n"
      "[data]\nbatch = 65536\n[train]\nsteps = 0\nmomentum = 0\nbeta2 = 0.999999\n",
      "x.toml");
  EXPECT_EQ(s.network.depth, 100000u);
  EXPECT_EQ(s.network.width, 65536u);
  EXPECT_EQ(s.data.batch, 65536u);
  EXPECT_EQ(s.train.steps, 0u);
}

TEST(SceneErrors, SyntaxErrorsUseTheReportedLine) {
  const std::string bad_value = parse_error("[network]\ndepth = 4\nwidth = = 4\n");
  EXPECT_TRUE(starts_with(bad_value, "scenes/x.toml:3: syntax error: ")) << bad_value;
  const std::string duplicate = parse_error("[network]\ndepth = 4\n\ndepth = 5\n");
  EXPECT_TRUE(starts_with(duplicate, "scenes/x.toml:4: syntax error: ")) << duplicate;
  const std::string unclosed = parse_error("title = \"t\"\n[network\n");
  EXPECT_TRUE(starts_with(unclosed, "scenes/x.toml:2: syntax error: ")) << unclosed;
}

TEST(SceneErrors, FirstErrorInFileOrderIsReported) {
  // toml++ keeps keys sorted; "data" sorts first but its error is on a later line.
  EXPECT_TRUE(starts_with(parse_error("[train]\nlr = 0\n[data]\nbatch = 0\n"),
                          "scenes/x.toml:2: train.lr: "));
}

TEST(SceneOverrides, ValuesApplyInOrder) {
  const net::Scene s =
      parse(kFullScene, "full.toml",
            {"network.depth=50", "network.activation=\"tanh\"", "network.output_activation=gelu",
             " train.lr = 1e-3 ", "data.fixed=false", "network.width=8", "network.width=16",
             "title=Hello world", "train.momentum=0"});
  EXPECT_EQ(s.network.depth, 50u);
  EXPECT_EQ(s.network.activation, Activation::tanh);
  EXPECT_EQ(s.network.output_activation, Activation::gelu);
  EXPECT_EQ(s.train.lr, 1e-3);
  EXPECT_FALSE(s.data.fixed);
  EXPECT_EQ(s.network.width, 16u);
  EXPECT_EQ(s.title, "Hello world");
  EXPECT_EQ(s.train.momentum, 0.0);
  EXPECT_EQ(s.network.seed, 42u);  // untouched keys keep the file's values
}

TEST(SceneOverrides, ErrorsNameTheSet) {
  const std::string text = "[network]\ndepth = 4\n";
  EXPECT_EQ(parse_error(text, {"network.depth=-3"}),
            "--set network.depth=-3: network.depth: must be >= 1");
  EXPECT_EQ(parse_error(text, {"network.depth=5", "network.activation=relux"}),
            "--set network.activation=relux: network.activation: unknown value \"relux\"; "
            "expected one of: linear, relu, leaky_relu, tanh, sigmoid, gelu");
  EXPECT_EQ(parse_error(text, {"network.depth=\"5\""}),
            "--set network.depth=\"5\": network.depth: expected an integer, got a string");
  EXPECT_TRUE(starts_with(parse_error(text, {"network.depth=abc"}),
                          "--set network.depth=abc: network.depth: cannot read \"abc\""));
  EXPECT_TRUE(starts_with(parse_error(text, {"network.depth=5\nx = 1"}),
                          "--set network.depth=5\nx = 1: network.depth: cannot read"));
  EXPECT_TRUE(starts_with(parse_error(text, {"network.dept=3"}),
                          "--set network.dept=3: network.dept: unknown key; expected one of: "));
  EXPECT_TRUE(starts_with(parse_error(text, {"netwrk.depth=3"}),
                          "--set netwrk.depth=3: netwrk: unknown section"));
  EXPECT_TRUE(starts_with(parse_error(text, {"network.depth"}),
                          "--set network.depth: --set: expected section.key=value"));
  EXPECT_TRUE(starts_with(parse_error(text, {"network=3"}),
                          "--set network=3: network: expected section.key=value"));
  EXPECT_TRUE(
      starts_with(parse_error(text, {"train.lr=0"}), "--set train.lr=0: train.lr: must be > 0"));
}

TEST(SceneRules, ClassificationNeedsTwoInputs) {
  EXPECT_EQ(parse_error("[network]\ndepth = 2\ninput = 3\n"),
            "scenes/x.toml:3: network.input: network.input is 3, but data.kind \"spiral\" (2-D "
            "points) needs network.input = 2");
}

TEST(SceneRules, XorAndCirclesNeedTwoOutputs) {
  const std::string xor_error = parse_error("[network]\noutput = 3\n[data]\nkind = \"xor\"\n");
  EXPECT_TRUE(starts_with(xor_error, "scenes/x.toml:2: network.output: network.output is 3"))
      << xor_error;
  EXPECT_NE(xor_error.find("data.kind \"xor\""), std::string::npos);
  EXPECT_TRUE(starts_with(parse_error("[data]\nkind = \"circles\"\n[network]\noutput = 4\n"),
                          "scenes/x.toml:4: network.output: "));
  EXPECT_NO_THROW(parse("[data]\nkind = \"circles\"\n[network]\noutput = 2\n", "x.toml"));
}

TEST(SceneRules, SpiralBlobsAndCrossEntropyNeedTwoOrMoreOutputs) {
  const std::string spiral =
      parse_error("[network]\noutput = 1\n[train]\nloss = \"mse\"\n[data]\nkind = \"blobs\"\n");
  EXPECT_TRUE(starts_with(spiral, "scenes/x.toml:2: network.output: ")) << spiral;
  EXPECT_NE(spiral.find("data.kind \"blobs\""), std::string::npos) << spiral;
  const std::string ce =
      parse_error("[data]\nkind = \"teacher\"\n[network]\ninput = 5\n\noutput = 1\n");
  EXPECT_EQ(ce,
            "scenes/x.toml:6: network.output: network.output is 1, but train.loss "
            "\"cross_entropy\" needs network.output >= 2");
  EXPECT_NO_THROW(
      parse("[data]\nkind = \"teacher\"\n[network]\ninput = 5\noutput = 1\n"
            "[train]\nloss = \"mse\"\n",
            "x.toml"));
}

TEST(SceneRules, CheckedAfterAllOverridesAndBlameTheSet) {
  const std::string teacher =
      "[network]\ninput = 16\noutput = 4\n[data]\nkind = \"teacher\"\n[train]\nloss = \"mse\"\n";
  EXPECT_EQ(parse_error(teacher, {"data.kind=spiral"}),
            "--set data.kind=spiral: data.kind: network.input is 16, but data.kind \"spiral\" "
            "(2-D points) needs network.input = 2");
  // A later override can resolve the conflict an earlier one made.
  const net::Scene s = parse(teacher, "x.toml", {"data.kind=spiral", "network.input=2"});
  EXPECT_EQ(s.data.kind, DataKind::spiral);
  EXPECT_EQ(s.network.input, 2u);
  // And an override can resolve a conflict in the file.
  EXPECT_NO_THROW(parse("[network]\ninput = 8\n", "x.toml", {"data.kind=teacher"}));
  // Blame goes to the key set last: here the override, not data.kind on line 3.
  EXPECT_TRUE(starts_with(parse_error("[data]\n\nkind = \"xor\"\n", {"network.output=3"}),
                          "--set network.output=3: network.output: network.output is 3"));
}

TEST(SceneOverrides, ApplyOverrideChecksAndIsAtomic) {
  net::Scene s = parse(kFullScene, "full.toml");
  apply_override(s, "network.depth=7");
  EXPECT_EQ(s.network.depth, 7u);
  EXPECT_EQ(error_of([&] { apply_override(s, "network.input=3"); }),
            "--set network.input=3: network.input: network.input is 3, but data.kind \"blobs\" "
            "(2-D points) needs network.input = 2");
  EXPECT_EQ(s.network.input, 2u);
  EXPECT_EQ(error_of([&] { apply_override(s, "data.batch=0"); }),
            "--set data.batch=0: data.batch: must be >= 1");
  EXPECT_EQ(s.data.batch, 256u);
}

TEST_F(SceneFiles, LoadSetsPathTitleAndNamesTheFileInErrors) {
  const auto good = write("deep_tanh.toml", "[network]\ndepth = 20\n");
  const net::Scene s = load(good, {"network.width=8"});
  EXPECT_EQ(s.path, good);
  EXPECT_EQ(s.title, "deep_tanh");
  EXPECT_EQ(s.network.depth, 20u);
  EXPECT_EQ(s.network.width, 8u);

  const auto bad = write("bad.toml", "[network]\n\n\nwidth = 0\n");
  EXPECT_EQ(error_of([&] { load(bad); }), bad.string() + ":4: network.width: must be >= 1");
}

TEST_F(SceneFiles, MissingFileOrDirectoryCannotOpen) {
  const auto missing = dir_ / "nope.toml";
  EXPECT_EQ(error_of([&] { load(missing); }),
            missing.string() + ": cannot open: No such file or directory");
  EXPECT_TRUE(starts_with(error_of([&] { load(dir_); }), dir_.string() + ": cannot open: "));
}

TEST(SceneShipped, DefaultSceneShowsVanishingGradients) {
  const net::Scene s = load(std::filesystem::path(GT_SOURCE_DIR) / "scenes/default.toml");
  EXPECT_EQ(s.title, "Vanishing gradients: 32 sigmoid layers");
  EXPECT_EQ(s.network.input, 2u);
  EXPECT_EQ(s.network.depth, 32u);
  EXPECT_EQ(s.network.width, 64u);
  EXPECT_EQ(s.network.output, 3u);
  EXPECT_EQ(s.network.activation, Activation::sigmoid);
  EXPECT_EQ(s.network.output_activation, Activation::linear);
  EXPECT_EQ(s.network.init, Init::gaussian);
  EXPECT_EQ(s.network.sigma_w, 1.0);
  EXPECT_EQ(s.network.sigma_b, 0.0);
  EXPECT_EQ(s.network.seed, 1u);
  EXPECT_EQ(s.data.kind, DataKind::spiral);
  EXPECT_EQ(s.data.batch, 128u);
  EXPECT_EQ(s.data.seed, 7u);
  EXPECT_EQ(s.train.loss, Loss::cross_entropy);
  EXPECT_EQ(s.train.optimizer, Optimizer::sgd);
  EXPECT_EQ(s.train.lr, 0.1);
  EXPECT_EQ(s.train.steps, 200u);
}

TEST(SceneShipped, TeacherReluIsRegression) {
  const net::Scene s = load(std::filesystem::path(GT_SOURCE_DIR) / "scenes/teacher_relu.toml");
  EXPECT_EQ(s.data.kind, DataKind::teacher);
  EXPECT_EQ(s.network.input, 16u);
  EXPECT_EQ(s.network.output, 4u);
  EXPECT_EQ(s.network.depth, 16u);
  EXPECT_EQ(s.network.width, 64u);
  EXPECT_EQ(s.network.activation, Activation::relu);
  EXPECT_EQ(s.network.init, Init::he_normal);
  EXPECT_EQ(s.train.loss, Loss::mse);
  EXPECT_EQ(s.train.optimizer, Optimizer::adam);
  EXPECT_EQ(s.train.lr, 1e-3);
  EXPECT_EQ(s.train.steps, 100u);
}

TEST(SceneSchema, DescribesEveryKeyWithRangeAndDefault) {
  const std::string schema = describe_schema();
  for (const char* word : {"[network]",
                           "[data]",
                           "[train]",
                           "title",
                           "input",
                           "depth",
                           "width",
                           "output",
                           "activation",
                           "output_activation",
                           "init",
                           "sigma_w",
                           "sigma_b",
                           "seed",
                           "kind",
                           "batch",
                           "fixed",
                           "loss",
                           "optimizer",
                           "lr",
                           "steps",
                           "momentum",
                           "beta1",
                           "beta2",
                           "eps",
                           "1..100000",
                           "1..65536",
                           "linear|relu|leaky_relu|tanh|sigmoid|gelu",
                           "gaussian|xavier_uniform|xavier_normal|he_normal|orthogonal",
                           "orthogonal: the gain",
                           "[0, 1)",
                           "0.999",
                           "1e-08",
                           "cross_entropy",
                           "[[view.camera]]",
                           "yaw",
                           "pitch",
                           "zoom",
                           "[-89, 89]",
                           "(0, 20]",
                           "--set section.key=value"}) {
    EXPECT_NE(schema.find(word), std::string::npos) << word << "\n" << schema;
  }
}

}  // namespace
}  // namespace gt::scene
