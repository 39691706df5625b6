// Scenes that define a network exactly: network.sizes, [[network.layer]] (the initial
// parameters) and data.kind = "inline" (data.input, data.target). Parsing, and every error
// naming file, line and key.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "net/init.hpp"
#include "net/reference.hpp"
#include "scene/scene.hpp"
#include "scene_test_util.hpp"

namespace gt::scene {
namespace {

using namespace testing_util;

// Line numbers matter: the error tests below edit this text and name its lines.
constexpr const char* kTiny = R"(title = "tiny"
[network]
sizes = [2, 2, 1]
activation = "relu"

[[network.layer]]
weight = [[0.25, 0.5], [0.5, -0.5]]
bias = [0.5, 0.25]

[[network.layer]]
weight = [[0.5, -0.5]]
bias = [0.25]

[data]
kind = "inline"
input = [[1, 0.5]]
target = [[1.5]]

[train]
loss = "mse"
lr = 0.1
)";

// kTiny with `from` (which must occur once) replaced by `to`.
std::string tiny_with(const std::string& from, const std::string& to) {
  std::string text = kTiny;
  const size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  EXPECT_EQ(text.find(from, at + 1), std::string::npos) << from;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

TEST(SceneExact, TinySceneParsedExactly) {
  const net::Scene s = parse(kTiny, "scenes/x.toml");
  const net::NetworkSpec& n = s.network;
  EXPECT_EQ(n.explicit_sizes, (std::vector<uint32_t>{2, 2, 1}));
  EXPECT_EQ(n.sizes(), (std::vector<uint32_t>{2, 2, 1}));
  EXPECT_EQ(n.num_layers(), 2u);
  EXPECT_EQ(n.input, 2u);
  EXPECT_EQ(n.depth, 1u);
  EXPECT_EQ(n.width, 2u);
  EXPECT_EQ(n.output, 1u);
  ASSERT_EQ(n.initial.size(), 2u);
  EXPECT_EQ(n.initial[0].in, 2u);
  EXPECT_EQ(n.initial[0].out, 2u);
  EXPECT_EQ(n.initial[0].w, (std::vector<float>{0.25f, 0.5f, 0.5f, -0.5f}));
  EXPECT_EQ(n.initial[0].b, (std::vector<float>{0.5f, 0.25f}));
  EXPECT_EQ(n.initial[1].in, 2u);
  EXPECT_EQ(n.initial[1].out, 1u);
  EXPECT_EQ(n.initial[1].w, (std::vector<float>{0.5f, -0.5f}));
  EXPECT_EQ(n.initial[1].b, (std::vector<float>{0.25f}));
  // The exact parameters are the initial parameters.
  const net::Params p = net::init_params(n);
  ASSERT_EQ(p.size(), 2u);
  EXPECT_EQ(p[0].w, n.initial[0].w);
  EXPECT_EQ(p[1].b, n.initial[1].b);

  EXPECT_EQ(s.data.kind, net::DataKind::inline_);
  EXPECT_TRUE(s.data.same_batch_each_step());
  EXPECT_EQ(s.data.batch, 1u);  // the rows of data.input
  EXPECT_EQ(s.data.input.rows, 1u);
  EXPECT_EQ(s.data.input.cols, 2u);
  EXPECT_EQ(s.data.input.values, (std::vector<float>{1.0f, 0.5f}));
  EXPECT_EQ(s.data.target.rows, 1u);
  EXPECT_EQ(s.data.target.cols, 1u);
  EXPECT_EQ(s.data.target.values, (std::vector<float>{1.5f}));

  const net::ref::Batch b = net::ref::inline_batch(s.data);
  EXPECT_EQ(b.size, 1u);
  EXPECT_EQ(b.input, (std::vector<double>{1.0, 0.5}));
  EXPECT_EQ(b.target, (std::vector<double>{1.5}));
}

TEST(SceneExact, ShippedTinySceneLoads) {
  const net::Scene s = load(std::string(GT_SOURCE_DIR) + "/scenes/tiny_worked_example.toml");
  EXPECT_EQ(s.network.sizes(), (std::vector<uint32_t>{2, 2, 1}));
  EXPECT_EQ(s.network.initial.size(), 2u);
  EXPECT_EQ(s.data.kind, net::DataKind::inline_);
  EXPECT_EQ(s.data.batch, 1u);
  EXPECT_EQ(s.train.loss, net::Loss::mse);
  EXPECT_EQ(s.train.optimizer, net::Optimizer::sgd);
  EXPECT_EQ(s.train.lr, 0.1);
}

TEST(SceneExact, UnequalHiddenWidthsAndOneLayer) {
  net::Scene s = parse(
      "[network]\nsizes = [3, 5, 7, 4, 2]\n[data]\nkind = \"teacher\"\n[train]\nloss = \"mse\"\n",
      "scenes/x.toml");
  EXPECT_EQ(s.network.sizes(), (std::vector<uint32_t>{3, 5, 7, 4, 2}));
  EXPECT_EQ(s.network.num_layers(), 4u);
  EXPECT_EQ(s.network.input, 3u);
  EXPECT_EQ(s.network.depth, 3u);
  EXPECT_EQ(s.network.width, 5u);  // the first hidden layer's
  EXPECT_EQ(s.network.output, 2u);
  const net::Params p = net::init_params(s.network);  // drawn by init, in the given shape
  ASSERT_EQ(p.size(), 4u);
  EXPECT_EQ(p[1].in, 5u);
  EXPECT_EQ(p[1].out, 7u);
  EXPECT_EQ(p[1].w.size(), 35u);

  s = parse("[network]\nsizes = [2, 3]\n", "scenes/x.toml");  // one weight layer, no hidden
  EXPECT_EQ(s.network.num_layers(), 1u);
  EXPECT_EQ(s.network.depth, 0u);
  EXPECT_EQ(s.network.sizes(), (std::vector<uint32_t>{2, 3}));

  // Exact parameters without sizes: the shape from input, depth, width, output.
  s = parse(
      "[network]\ninput = 1\ndepth = 1\nwidth = 1\noutput = 1\n"
      "[[network.layer]]\nweight = [[2]]\nbias = [0]\n"
      "[[network.layer]]\nweight = [[3]]\nbias = [-1]\n"
      "[data]\nkind = \"inline\"\ninput = [[1], [2]]\ntarget = [[0], [1]]\nbatch = 2\n"
      "[train]\nloss = \"mse\"\n",
      "scenes/x.toml");
  EXPECT_EQ(s.network.initial[1].w, (std::vector<float>{3.0f}));
  EXPECT_EQ(s.data.batch, 2u);
  EXPECT_EQ(s.data.input.values, (std::vector<float>{1.0f, 2.0f}));
}

TEST(SceneExact, OverridesAndRuns) {
  // Overrides that keep the shape are fine; the inline batch can come from --set.
  net::Scene s = parse(kTiny, "scenes/x.toml", {"train.lr=0.5", "data.target=[[2.5]]"});
  EXPECT_EQ(s.data.target.values, (std::vector<float>{2.5f}));
  s = parse(tiny_with("sizes = [2, 2, 1]\n", ""), "scenes/x.toml",
            {"network.input=2", "network.width=2", "network.depth=1", "network.output=1"});
  EXPECT_EQ(s.network.sizes(), (std::vector<uint32_t>{2, 2, 1}));
  // A run may change what the exact network leaves open.
  const std::vector<net::Scene> runs = parse_runs(
      std::string(kTiny) + "[[run]]\nlabel = \"a\"\n[[run]]\nlabel = \"b\"\n[run.train]\nlr = 1\n",
      "scenes/x.toml");
  ASSERT_EQ(runs.size(), 2u);
  EXPECT_EQ(runs[1].network.initial.size(), 2u);
  EXPECT_EQ(runs[1].data.batch, 1u);
  EXPECT_EQ(runs[1].train.lr, 1.0);
}

TEST(SceneExact, SizesErrors) {
  expect_errors({
      {"[network]\nsizes = [2]\n", "scenes/x.toml:2: network.sizes: ",
       "expected at least 2 sizes (the input's and the output's), got 1"},
      {"[network]\nsizes = [2, 0, 2]\n",
       "scenes/x.toml:2: network.sizes: ", "entry 2 is 0; a hidden size must be in 1..65536"},
      {"[network]\nsizes = [0, 2]\n",
       "scenes/x.toml:2: network.sizes: ", "the input size must be in 1..1048576"},
      {"[network]\nsizes = [2, 1.5, 2]\n",
       "scenes/x.toml:2: network.sizes: ", "entry 2 is a float; expected integers"},
      {"[network]\nsizes = \"2, 2\"\n",
       "scenes/x.toml:2: network.sizes: ", "expected an array of integers, got a string"},
      // sizes and the four shape keys exclude each other; the one set later is blamed.
      {"[network]\nsizes = [2, 2]\ndepth = 3\n", "scenes/x.toml:3: network.depth: ",
       "cannot be combined with network.sizes (set at scenes/x.toml:2)"},
      {"[network]\nwidth = 3\nsizes = [2, 2]\n", "scenes/x.toml:3: network.sizes: ",
       "cannot be combined with network.width (set at scenes/x.toml:2)"},
      // The rules on input and output blame network.sizes when it gave them.
      {"[network]\nsizes = [2, 4, 1]\n", "scenes/x.toml:2: network.sizes: ",
       "network.output is 1, but data.kind \"spiral\" needs network.output >= 2"},
  });
  EXPECT_EQ(parse_error(kTiny, {"network.depth=3"}),
            "--set network.depth=3: network.depth: cannot be combined with network.sizes (set at "
            "scenes/x.toml:3), which gives every layer's size");
  net::Scene s = parse(kTiny, "scenes/x.toml");
  EXPECT_EQ(error_of([&] { apply_override(s, "network.width=4"); }),
            "--set network.width=4: network.width: cannot be combined with network.sizes, which "
            "gives every layer's size");
}

TEST(SceneExact, LayerErrors) {
  expect_errors({
      // The shape against the sizes: [out][in].
      {tiny_with("weight = [[0.5, -0.5]]", "weight = [[0.5, -0.5], [1, 2]]"),
       "scenes/x.toml:11: network.layer[1].weight: ",
       "expected 1 row of 2 numbers, got 2 rows of 2 numbers (weight is [out][in]; layer 1 "
       "maps 2 -> 1 of sizes 2, 2, 1)"},
      {tiny_with("weight = [[0.25, 0.5], [0.5, -0.5]]",
                 "weight = [[0.25, 0.5, 1], [0.5, -0.5, 1]]"),
       "scenes/x.toml:7: network.layer[0].weight: ",
       "expected 2 rows of 2 numbers, got 2 rows of 3 numbers"},
      {tiny_with("bias = [0.5, 0.25]", "bias = [0.5, 0.25, 1]"),
       "scenes/x.toml:8: network.layer[0].bias: ",
       "expected 2 numbers, got 3 numbers (layer 0 maps 2 -> 2 of sizes 2, 2, 1)"},
      // The values.
      {tiny_with("weight = [[0.5, -0.5]]", "weight = [[0.5, \"a\"]]"),
       "scenes/x.toml:11: network.layer[1].weight: ",
       "row 1, number 2 is a string; expected a number"},
      {tiny_with("weight = [[0.25, 0.5], [0.5, -0.5]]", "weight = [[0.25, 0.5], [0.5]]"),
       "scenes/x.toml:7: network.layer[0].weight: ",
       "row 2 has 1 number, row 1 has 2; every row needs the same count"},
      {tiny_with("weight = [[0.5, -0.5]]", "weight = [0.5, -0.5]"),
       "scenes/x.toml:11: network.layer[1].weight: ",
       "row 1 is a float; expected an array of numbers"},
      {tiny_with("weight = [[0.5, -0.5]]", "weight = 0.5"),
       "scenes/x.toml:11: network.layer[1].weight: ",
       "expected an array of rows of numbers ([[1, 2], [3, 4]]), got a float"},
      {tiny_with("weight = [[0.5, -0.5]]", "weight = []"),
       "scenes/x.toml:11: network.layer[1].weight: ", "expected at least one row"},
      {tiny_with("weight = [[0.5, -0.5]]", "weight = [[inf, -0.5]]"),
       "scenes/x.toml:11: network.layer[1].weight: ", "row 1, number 1 must be finite"},
      {tiny_with("weight = [[0.5, -0.5]]", "weight = [[1e39, -0.5]]"),
       "scenes/x.toml:11: network.layer[1].weight: ",
       "row 1, number 1 is 1e+39, outside the float range"},
      {tiny_with("bias = [0.25]", "bias = [true]"),
       "scenes/x.toml:12: network.layer[1].bias: ", "number 1 is a boolean; expected a number"},
      {tiny_with("bias = [0.25]", "bias = 0.25"),
       "scenes/x.toml:12: network.layer[1].bias: ", "expected an array of numbers, got a float"},
      // The tables.
      {tiny_with("bias = [0.25]\n", ""), "scenes/x.toml:10: network.layer[1].bias: ",
       "missing; every [[network.layer]] needs weight ([out][in]) and bias ([out])"},
      {tiny_with("bias = [0.25]", "bias = [0.25]\nscale = 2"),
       "scenes/x.toml:13: network.layer[1].scale: ", "unknown key; expected one of: weight, bias"},
      {tiny_with("[[network.layer]]\nweight = [[0.5, -0.5]]\nbias = [0.25]\n", ""),
       "scenes/x.toml:6: network.layer: ",
       "1 table, but the network (sizes 2, 2, 1) has 2 weight layers; give one "
       "[[network.layer]] per weight layer, input side first"},
      {tiny_with("bias = [0.25]\n",
                 "bias = [0.25]\n[[network.layer]]\nweight = [[1]]\nbias = [1]\n"),
       "scenes/x.toml:6: network.layer: ", "3 tables, but the network (sizes 2, 2, 1) has 2"},
      {"[network]\nlayer = 3\n", "scenes/x.toml:2: network.layer: ",
       "must be an array of tables ([[network.layer]]), one per weight layer"},
      // Keys that have no effect with exact parameters.
      {tiny_with("activation = \"relu\"", "activation = \"relu\"\ninit = \"he_normal\""),
       "scenes/x.toml:5: network.init: ",
       "has no effect: [[network.layer]] gives every initial parameter"},
      {tiny_with("activation = \"relu\"", "seed = 3"),
       "scenes/x.toml:4: network.seed: ", "has no effect"},
      // Without sizes the layers follow input, depth, width, output.
      {"[network]\ninput = 1\ndepth = 1\nwidth = 2\noutput = 1\n[[network.layer]]\n"
       "weight = [[1]]\nbias = [0]\n[[network.layer]]\nweight = [[1]]\nbias = [0]\n",
       "scenes/x.toml:7: network.layer[0].weight: ",
       "expected 2 rows of 1 number, got 1 row of 1 number (weight is [out][in]; layer 0 maps "
       "1 -> 2 of sizes 1, 2, 1)"},
  });
  // An override that changes the shape is blamed, from its side.
  EXPECT_EQ(
      parse_error(tiny_with("sizes = [2, 2, 1]\n", "input = 2\ndepth = 1\nwidth = 2\noutput = 1\n"),
                  {"network.width=3"}),
      "--set network.width=3: network.width: layer 0 maps 2 -> 3 of sizes 2, 3, 1, but "
      "network.layer[0].weight has 2 rows of 2 numbers (weight is [out][in])");
  EXPECT_EQ(parse_error(kTiny, {"network.init=he_normal"}),
            "--set network.init=he_normal: network.init: has no effect: [[network.layer]] gives "
            "every initial parameter");
  EXPECT_EQ(parse_error(kTiny, {"network.layer=[]"}),
            "--set network.layer=[]: network.layer: the exact parameters ([[network.layer]]) are "
            "set in the scene file only");
  const std::string runs = error_of([&] {
    parse_runs(std::string(kTiny) +
                   "[[run]]\nlabel = \"a\"\n[[run.network.layer]]\n"
                   "weight = [[1, 1]]\nbias = [1]\n",
               "scenes/x.toml");
  });
  EXPECT_TRUE(starts_with(runs, "scenes/x.toml:24: run[0].network.layer: cannot be set in a run"))
      << runs;
}

TEST(SceneExact, InlineDataErrors) {
  expect_errors({
      {tiny_with("input = [[1, 0.5]]", "input = [[1, 0.5, 2]]"), "scenes/x.toml:16: data.input: ",
       "rows of 3 numbers, but the network takes 2 inputs (network.sizes)"},
      {tiny_with("target = [[1.5]]", "target = [[1.5, 1]]"), "scenes/x.toml:17: data.target: ",
       "rows of 2 numbers, but the network has 1 outputs (network.sizes)"},
      {tiny_with("target = [[1.5]]", "target = [[1.5], [2]]"), "scenes/x.toml:17: data.target: ",
       "2 rows, but data.input has 1; one target row per input row"},
      {tiny_with("input = [[1, 0.5]]", "input = [[1, 0.5]]\nbatch = 4"),
       "scenes/x.toml:17: data.batch: ",
       "is 4, but data.input has 1 row (an inline batch's size is its rows"},
      {tiny_with("input = [[1, 0.5]]", "input = [[1, 0.5], [1, 2]]"),
       "scenes/x.toml:17: data.target: ", "1 row, but data.input has 2"},
      {tiny_with("input = [[1, 0.5]]\n", ""), "scenes/x.toml:15: data.kind: ",
       "data.kind \"inline\" needs data.input ([batch][network input], one row per sample)"},
      {tiny_with("target = [[1.5]]\n", ""), "scenes/x.toml:15: data.kind: ",
       "data.kind \"inline\" needs data.target ([batch][network output], one row per sample)"},
      {tiny_with("kind = \"inline\"", "kind = \"teacher\""), "scenes/x.toml:16: data.input: ",
       "is for data.kind \"inline\", but the scene has data.kind \"teacher\""},
      {tiny_with("target = [[1.5]]", "target = [[1.5]]\nfixed = true"),
       "scenes/x.toml:18: data.fixed: ", "has no effect with data.kind \"inline\""},
      {tiny_with("target = [[1.5]]", "target = [[1.5]]\nseed = 4"),
       "scenes/x.toml:18: data.seed: ", "has no effect with data.kind \"inline\""},
      {tiny_with("input = [[1, 0.5]]", "input = [[1, nan]]"),
       "scenes/x.toml:16: data.input: ", "row 1, number 2 must be finite"},
      {tiny_with("input = [[1, 0.5]]", "input = \"1, 0.5\""), "scenes/x.toml:16: data.input: ",
       "expected an array of rows of numbers ([[1, 2], [3, 4]]), got a string"},
  });
  EXPECT_EQ(parse_error(kTiny, {"data.kind=spiral"}),
            "--set data.kind=spiral: data.kind: data.kind \"spiral\" makes its own batch, but the "
            "scene gives data.input (for data.kind \"inline\")");
  EXPECT_EQ(parse_error(kTiny, {"data.batch=2"}),
            "--set data.batch=2: data.batch: is 2, but data.input has 1 row (an inline batch's "
            "size is its rows; data.batch may be left out)");
  EXPECT_EQ(parse_error(kTiny, {"data.input=[[1, 2, 3]]"}),
            "--set data.input=[[1, 2, 3]]: data.input: rows of 3 numbers, but the network takes 2 "
            "inputs (network.sizes)");
  const std::string runs = error_of([&] {
    parse_runs(std::string(kTiny) + "[[run]]\nlabel = \"a\"\n[run.data]\ninput = [[1, 1]]\n",
               "scenes/x.toml");
  });
  EXPECT_TRUE(starts_with(runs, "scenes/x.toml:25: run[0].data.input: cannot be set in a run"))
      << runs;
}

TEST(SceneExact, SchemaListsTheKeys) {
  const std::string schema = describe_schema();
  for (const char* s : {"sizes", "[input, hidden..., output]", "[[network.layer]]", "weight",
                        "[out][in]", "bias", "inline", "input", "[batch][input]", "target",
                        "[batch][output]", "network.sizes excludes network.input"})
    EXPECT_NE(schema.find(s), std::string::npos) << s;
}

}  // namespace
}  // namespace gt::scene
