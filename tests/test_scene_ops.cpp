// [[network.op]]: the explicit op list of a scene. The explicit form of classic networks gives the
// classic graph (ops::graph_of), repeat blocks expand as written, and every error names the file,
// line and key.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "ops/graph.hpp"
#include "scene/scene.hpp"
#include "scene_test_util.hpp"
#include "theory/meanfield.hpp"

namespace gt::scene {
namespace {

using namespace testing_util;
using net::Activation;

// The explicit scene's network is the classic one: the same graph, and the same classic fields
// (what the data checks, theory and the CLI read).
void expect_same_network(const net::NetworkSpec& classic, const net::NetworkSpec& ops) {
  const ops::Graph graph = ops::graph_of(classic);
  EXPECT_EQ(ops.ops.size(), graph.ops.size());
  EXPECT_TRUE(ops.ops == graph.ops);
  EXPECT_EQ(ops.input, graph.input);
  EXPECT_EQ(ops.explicit_sizes, classic.sizes());
  EXPECT_EQ(ops.sizes(), classic.sizes());
  EXPECT_EQ(ops.num_layers(), classic.num_layers());
  EXPECT_EQ(ops.depth, classic.sizes().size() - 2);
  EXPECT_EQ(ops.width, classic.width);
  EXPECT_EQ(ops.output, classic.output);
  EXPECT_EQ(ops.activation, classic.activation);
  EXPECT_EQ(ops.output_activation, classic.output_activation);
  EXPECT_FALSE(ops.residual);
  EXPECT_EQ(ops.norm, net::Norm::none);
}

void expect_same(const std::string& classic, const std::string& ops) {
  SCOPED_TRACE(ops);
  expect_same_network(parse(classic, "scenes/c.toml").network, parse(ops, "scenes/o.toml").network);
}

TEST(SceneOps, ShippedResidualAndLayerNormScenesWrittenAsOps) {
  const std::vector<net::Scene> residual =
      load_runs(std::string(GT_SOURCE_DIR) + "/scenes/residual_1000.toml");
  ASSERT_EQ(residual.size(), 2u);
  const net::Scene ops = parse(R"([network]
input = 2
init = "gaussian"
sigma_w = 0.1
seed = 9

[[network.op]]
kind = "dense"
units = 32
activation = "tanh"

[[network.op]]
kind = "repeat"
times = 999
ops = [{ kind = "dense", units = 32, activation = "tanh" },
       { kind = "residual_add", from = "block" }]

[[network.op]]
kind = "dense"
units = 3
)",
                               "scenes/o.toml");
  expect_same_network(residual[1].network, ops.network);
  EXPECT_EQ(ops.network.ops.size(), 1u + 999 * 2 + 1);
  EXPECT_EQ(ops.network.sigma_w, 0.1);
  EXPECT_EQ(ops.network.seed, 9u);

  const std::vector<net::Scene> norm =
      load_runs(std::string(GT_SOURCE_DIR) + "/scenes/layer_norm.toml");
  ASSERT_EQ(norm.size(), 2u);
  // The block as [[network.op.ops]] tables: the same as an inline array.
  const net::Scene norm_ops = parse(R"([[network.op]]
kind = "repeat"
times = 48
[[network.op.ops]]
kind = "dense"
units = 64
[[network.op.ops]]
kind = "layer_norm"
activation = "tanh"

[[network.op]]
kind = "dense"
units = 3
)",
                                    "scenes/o.toml");
  expect_same_network(norm[1].network, norm_ops.network);
}

TEST(SceneOps, HandWrittenClassicNetworksWrittenAsOps) {
  // Plain.
  expect_same(
      "[network]\ndepth = 3\nwidth = 16\noutput = 4\nactivation = \"relu\"\n"
      "output_activation = \"sigmoid\"\n",
      "[[network.op]]\nkind = \"repeat\"\ntimes = 3\n"
      "ops = [{ kind = \"dense\", units = 16, activation = \"relu\" }]\n"
      "[[network.op]]\nkind = \"dense\"\nunits = 4\nactivation = \"sigmoid\"\n");
  // Sizes of differing widths.
  expect_same(
      "[network]\nsizes = [3, 8, 5, 3, 2]\nactivation = \"gelu\"\n[data]\nkind = "
      "\"teacher\"\n",
      "[network]\ninput = 3\n[data]\nkind = \"teacher\"\n"
      "[[network.op]]\nkind = \"dense\"\nunits = 8\nactivation = \"gelu\"\n"
      "[[network.op]]\nkind = \"dense\"\nunits = 5\nactivation = \"gelu\"\n"
      "[[network.op]]\nkind = \"dense\"\nunits = 3\nactivation = \"gelu\"\n"
      "[[network.op]]\nkind = \"dense\"\nunits = 2\n");
  // residual_every 3 at depth 7: hidden layer 1, then two blocks of three.
  const std::string dense8 = "{ kind = \"dense\", units = 8, activation = \"tanh\" }";
  const std::string stem = "[[network.op]]\nkind = \"dense\"\nunits = 8\nactivation = \"tanh\"\n";
  const std::string three = "ops = [" + dense8 + ", " + dense8 + ", " + dense8 +
                            ", { kind = \"residual_add\", from = \"block\" }]\n";
  const std::string out = "[[network.op]]\nkind = \"dense\"\nunits = 2\n";
  expect_same("[network]\ndepth = 7\nwidth = 8\nresidual = true\nresidual_every = 3\n",
              stem + "[[network.op]]\nkind = \"repeat\"\ntimes = 2\n" + three + out);
  // At depth 8 the last block is shorter: its skip comes from the repeat's end, by name.
  expect_same("[network]\ndepth = 8\nwidth = 8\nresidual = true\nresidual_every = 3\n",
              stem + "[[network.op]]\nkind = \"repeat\"\nname = \"blocks\"\ntimes = 2\n" + three +
                  "[[network.op]]\nkind = \"dense\"\nunits = 8\nactivation = \"tanh\"\n"
                  "[[network.op]]\nkind = \"residual_add\"\nfrom = \"blocks\"\n" +
                  out);
  // Batch norm with residual blocks of one layer.
  expect_same(
      "[network]\ndepth = 5\nwidth = 8\nactivation = \"relu\"\nresidual = true\n"
      "norm = \"batch\"\n",
      "[[network.op]]\nkind = \"dense\"\nunits = 8\nname = \"stem\"\n"
      "[[network.op]]\nkind = \"batch_norm\"\nactivation = \"relu\"\n"
      "[[network.op]]\nkind = \"repeat\"\ntimes = 4\n"
      "ops = [{ kind = \"dense\", units = 8 }, { kind = \"batch_norm\", activation = "
      "\"relu\" }, { kind = \"residual_add\", from = \"block\" }]\n" +
          out);
}

// Line numbers matter: tests below name them.
constexpr const char* kBlocks = R"([network]
input = 2
[[network.op]]
kind = "dense"
units = 16
name = "stem"
[[network.op]]
kind = "repeat"
times = 500
ops = [ { kind = "dense", units = 16, activation = "linear" },
        { kind = "layer_norm", activation = "relu" },
        { kind = "residual_add", from = "block" } ]
[[network.op]]
kind = "dense"
units = 2
)";

TEST(SceneOps, RepeatExpandsWithBlockInputs) {
  const net::Scene s = parse(kBlocks, "scenes/x.toml");
  const std::vector<ops::Op>& ops = s.network.ops;
  ASSERT_EQ(ops.size(), 1u + 500 * 3 + 1);
  EXPECT_EQ(ops[0].where, "scenes/x.toml:3");
  for (uint32_t r = 0; r < 500; ++r) {
    const size_t first = 1 + 3 * r;
    EXPECT_EQ(ops[first].kind, ops::Kind::dense);
    EXPECT_EQ(ops[first].units, 16u);
    EXPECT_EQ(ops[first].where, "scenes/x.toml:10");
    EXPECT_EQ(ops[first + 1].kind, ops::Kind::layer_norm);
    EXPECT_EQ(ops[first + 1].activation, Activation::relu);
    EXPECT_EQ(ops[first + 1].where, "scenes/x.toml:11");
    EXPECT_EQ(ops[first + 2].kind, ops::Kind::residual_add);
    EXPECT_EQ(ops[first + 2].from, static_cast<int32_t>(first) - 1) << "repetition " << r;
    EXPECT_EQ(ops[first + 2].where, "scenes/x.toml:12");
  }
  EXPECT_EQ(ops[1501].where, "scenes/x.toml:13");
  // The classic fields follow the fused layers: 502 weight layers.
  const net::NetworkSpec& n = s.network;
  EXPECT_EQ(n.num_layers(), 502u);
  EXPECT_EQ(n.depth, 501u);
  EXPECT_EQ(n.width, 16u);
  EXPECT_EQ(n.output, 2u);
  EXPECT_EQ(n.activation, Activation::linear) << "the stem has no activation";
  EXPECT_EQ(n.output_activation, Activation::linear);
}

TEST(SceneOps, FromBlockInAFirstRepeatIsTheInput) {
  // The first repetition's "block" is the network's input, which the fused kernels refuse as a
  // skip's source: the error names the op's table and the repetition.
  const std::string text =
      "[[network.op]]\nkind = \"repeat\"\ntimes = 2\nops = [{ kind = \"dense\", units = 2 }, "
      "{ kind = \"dense\", units = 2 }, { kind = \"residual_add\", from = \"block\" }]\n"
      "[[network.op]]\nkind = \"dense\"\nunits = 2\n";
  EXPECT_EQ(parse_error(text),
            "scenes/x.toml:4: network.op[0].ops[2]: op 3 (residual_add), repetition 1 of 2: a "
            "skip from the network's input is not supported by the fused kernels");
  // So does from = "input".
  EXPECT_EQ(parse_error("[[network.op]]\nkind = \"dense\"\nunits = 2\n[[network.op]]\nkind = "
                        "\"residual_add\"\nfrom = \"input\"\n[[network.op]]\nkind = "
                        "\"dense\"\nunits = 2\n"),
            "scenes/x.toml:4: network.op[1]: op 2 (residual_add): a skip from the network's "
            "input is not supported by the fused kernels");
}

// A network of one dense op: that op is the output, with the output's range (as network.sizes
// = [2, 70000]), whether the list has one table or more.
TEST(SceneOps, TheOnlyDenseOpIsTheOutput) {
  const std::string data = "[data]\nkind = \"teacher\"\n[train]\nloss = \"mse\"\n";
  const net::Scene one =
      parse("[[network.op]]\nkind = \"dense\"\nunits = 70000\n" + data, "scenes/x.toml");
  EXPECT_EQ(one.network.explicit_sizes, (std::vector<uint32_t>{2, 70000}));
  const net::Scene two = parse(
      "[[network.op]]\nkind = \"dense\"\nunits = 4\n[[network.op]]\nkind = \"dense\"\nunits = "
      "70000\n" +
          data,
      "scenes/x.toml");
  EXPECT_EQ(two.network.output, 70000u);
  // The last op of a last repeat is the output too, once: repeated, the others are hidden.
  const std::string repeat = "[[network.op]]\nkind = \"repeat\"\ntimes = ";
  const std::string block = "\nops = [{ kind = \"dense\", units = 70000 }]\n";
  EXPECT_EQ(parse(repeat + "1" + block + data, "scenes/x.toml").network.output, 70000u);
  EXPECT_EQ(parse_error(repeat + "2" + block + data),
            "scenes/x.toml:3: network.op[0].times: is 2, but network.op[0].ops[0] has 70000 "
            "units: only its last repetition is the output (up to 1048576); the others are hidden "
            "layers (1..65536, as network.width)");
}

TEST(SceneOps, KeysThatStillApply) {
  const std::string text = std::string(kBlocks) + "[data]\nkind = \"teacher\"\n";
  net::Scene s = parse(text, "scenes/x.toml", {"network.input=5", "network.seed=4"});
  EXPECT_EQ(s.network.input, 5u);
  EXPECT_EQ(s.network.explicit_sizes.front(), 5u);
  EXPECT_EQ(s.network.seed, 4u);
  apply_override(s, "network.input=7");
  EXPECT_EQ(s.network.explicit_sizes.front(), 7u);
  EXPECT_EQ(s.network.num_layers(), 502u);
  const std::vector<net::Scene> runs =
      parse_runs(text + "[[run]]\nlabel = \"a\"\n[run.network]\ninit = \"he_normal\"\ninput = 3\n",
                 "scenes/x.toml");
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_EQ(runs[0].network.init, net::Init::he_normal);
  EXPECT_EQ(runs[0].network.explicit_sizes.front(), 3u);
  EXPECT_EQ(runs[0].network.ops.size(), 1502u);
}

TEST(SceneOps, ExactLayersGiveOneTablePerDenseOp) {
  const std::string ops =
      "[[network.op]]\nkind = \"dense\"\nunits = 2\nactivation = \"relu\"\n"
      "[[network.op]]\nkind = \"dense\"\nunits = 2\n";
  const std::string layers =
      "[[network.layer]]\nweight = [[1, 2], [3, 4]]\nbias = [0, 1]\n"
      "[[network.layer]]\nweight = [[1, 0], [0, 1]]\nbias = [1, 1]\n";
  const net::Scene s = parse(ops + layers, "scenes/x.toml");
  ASSERT_EQ(s.network.initial.size(), 2u);
  EXPECT_EQ(s.network.initial[1].b, (std::vector<float>{1, 1}));
  EXPECT_EQ(parse_error(ops + "[[network.layer]]\nweight = [[1, 2], [3, 4]]\nbias = [0, 1]\n"),
            "scenes/x.toml:8: network.layer: 1 table, but the network (sizes 2, 2, 2) has 2 "
            "weight layers; give one [[network.layer]] per weight layer, input side first");
}

TEST(SceneOps, SchemaDescribesTheOps) {
  const std::string schema = describe_schema();
  // Every registered kind (ops/kinds.cpp), then repeat.
  std::string kinds;
  for (std::string_view k : ops::names_of_kinds())
    kinds += std::string(k) + "|";
  kinds += "repeat";
  EXPECT_NE(kinds.find("dense|layer_norm|batch_norm|residual_add|"), std::string::npos);
  EXPECT_NE(schema.find(kinds), std::string::npos) << kinds;
  for (const char* s :
       {"[[network.op]]", "residual_add  kind, from, name", "repeat        kind, times, ops, name",
        "dense         kind, units, activation, name", "name|block|input",
        "[[network.op]] excludes network.sizes", "1..100000"})
    EXPECT_NE(schema.find(s), std::string::npos) << s;
}

TEST(SceneOps, ShippedScene) {
  const net::Scene s = load(std::string(GT_SOURCE_DIR) + "/scenes/op_list_residual.toml");
  const std::vector<ops::FusedLayer> layers = ops::fused_layers(s.network);
  ASSERT_EQ(layers.size(), 202u);
  EXPECT_EQ(layers[0].skip_source, -1);
  EXPECT_EQ(layers[0].norm, net::Norm::layer);
  for (size_t l = 1; l <= 200; ++l) {
    EXPECT_EQ(layers[l].norm, net::Norm::layer) << l;
    EXPECT_EQ(layers[l].act, Activation::tanh) << l;
    EXPECT_EQ(layers[l].skip_source, static_cast<int32_t>(l)) << l;
  }
  EXPECT_EQ(layers.back().skip_source, -1);
  EXPECT_EQ(s.network.num_layers(), 202u);
  // As its comment says: the network of depth 201, width 32, residual, layer norm.
  expect_same_network(parse("[network]\ndepth = 201\nwidth = 32\noutput = 3\nresidual = true\n"
                            "norm = \"layer\"\n",
                            "scenes/c.toml")
                          .network,
                      s.network);
  // residual and norm are left off, yet theory still declines: the ops carry them.
  const std::optional<std::string> declined = theory::not_covered(s.network);
  ASSERT_TRUE(declined);
  EXPECT_NE(declined->find("residual connections (residual_add ops) and layer normalization"),
            std::string::npos)
      << *declined;
  const net::Scene plain = parse(
      "[[network.op]]\nkind = \"dense\"\nunits = 4\n[[network.op]]\n"
      "kind = \"dense\"\nunits = 2\n",
      "scenes/x.toml");
  EXPECT_FALSE(theory::not_covered(plain.network));
}

}  // namespace
}  // namespace gt::scene

namespace gt::scene {
namespace {

// [[run.network.op]]: a run's own op list replaces the network of the file's top level (its ops
// or its shape keys); runs without one keep it. The side-by-side form for networks of different
// structure (as scenes/rezero_10000.toml does).
TEST(SceneOps, ARunMayListItsOwnOps) {
  const std::string text = R"(title = "t"
[network]
input = 2
depth = 3
width = 4
residual = true
[data]
kind = "spiral"
[[run]]
label = "classic"
[[run]]
label = "ops"
[run.network]
seed = 9
[[run.network.op]]
kind = "dense"
units = 5
activation = "tanh"
name = "a"
[[run.network.op]]
kind = "dense"
units = 5
activation = "tanh"
[[run.network.op]]
kind = "residual_add"
from = "a"
[[run.network.op]]
kind = "residual_add"
from = "a"
)";
  // The last table is not a dense op: the run's own error.
  try {
    parse_runs(text, "r.toml");
    ADD_FAILURE() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(
        std::string(e.what()),
        "r.toml:27: run[1].network.op[3]: op 4 (residual_add): the last op must be a dense layer "
        "(the output)");
  }
  std::string good = text.substr(0, text.rfind("[[run.network.op]]"));
  good += "[[run.network.op]]\nkind = \"dense\"\nunits = 3\n";
  const std::vector<net::Scene> runs = parse_runs(good, "r.toml");
  ASSERT_EQ(runs.size(), 2u);
  EXPECT_TRUE(runs[0].network.ops.empty());
  EXPECT_TRUE(runs[0].network.residual);
  EXPECT_EQ(runs[0].network.sizes(), (std::vector<uint32_t>{2, 4, 4, 4, 2}));
  ASSERT_EQ(runs[1].network.ops.size(), 4u);
  EXPECT_EQ(runs[1].network.ops[2].kind, ops::Kind::residual_add);
  EXPECT_FALSE(runs[1].network.residual) << "the op list carries the skips";
  EXPECT_EQ(runs[1].network.sizes(), (std::vector<uint32_t>{2, 5, 5, 3}));
  EXPECT_EQ(runs[1].network.seed, 9u) << "the run's own keys still apply";
  const std::vector<ops::FusedLayer> l = ops::fused_layers(runs[1].network);
  ASSERT_EQ(l.size(), 3u);
  EXPECT_EQ(l[1].skip_source, 1);
}

}  // namespace
}  // namespace gt::scene
