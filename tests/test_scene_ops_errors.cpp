// [[network.op]] errors: each names the file, line and key (or the --set), the first in file
// order; graphs today's fused kernels cannot run (a norm they cannot place, two skips from one
// output, a skip from the input) are refused at the op's line.
#include <gtest/gtest.h>

#include <string>

#include "ops/op.hpp"
#include "scene/scene.hpp"
#include "scene_test_util.hpp"

namespace gt::scene {
namespace {

using namespace testing_util;

// "[[network.op]]" and the lines of one table.
std::string op(const std::string& body) {
  return "[[network.op]]\n" + body;
}
const std::string kOut = op("kind = \"dense\"\nunits = 2\n");
const std::string kStem = op("kind = \"dense\"\nunits = 8\nactivation = \"tanh\"\n");
// A repeat of `times` with this block, on lines 1..4 of its text.
std::string repeat(int times, const std::string& block) {
  return op("kind = \"repeat\"\ntimes = " + std::to_string(times) + "\nops = [" + block + "]\n");
}

TEST(SceneOpErrors, KindsAndKeys) {
  // Every registered kind (ops/kinds.cpp), then repeat.
  std::string kinds;
  for (std::string_view k : ops::names_of_kinds())
    kinds += std::string(k) + ", ";
  kinds += "repeat";
  ASSERT_EQ(kinds.rfind("dense, layer_norm, batch_norm, residual_add, ", 0), 0u);
  expect_errors({
      {op("units = 4\n") + kOut,
       "scenes/x.toml:1: network.op[0].kind: ", "missing; every op needs a kind, one of: " + kinds},
      {op("kind = \"conv\"\n") + kOut, "scenes/x.toml:2: network.op[0].kind: ",
       "unknown value \"conv\"; expected one of: " + kinds},
      {op("kind = 3\n") + kOut,
       "scenes/x.toml:2: network.op[0].kind: ", "expected a string, got an integer"},
      {op("kind = \"dense\"\nunits = 4\nfrom = \"input\"\n") + kOut,
       "scenes/x.toml:4: network.op[0].from: ",
       "unknown key for a dense op; expected one of: kind, units, activation, name"},
      {kStem + op("kind = \"layer_norm\"\nunits = 8\n") + kOut,
       "scenes/x.toml:7: network.op[1].units: ",
       "unknown key for a layer_norm op; expected one of: kind, activation, name"},
      {kStem + op("kind = \"residual_add\"\nactivation = \"relu\"\n") + kOut,
       "scenes/x.toml:7: network.op[1].activation: ",
       "unknown key for a residual_add op; expected one of: kind, from, name"},
      {op("kind = \"repeat\"\nunits = 3\n") + kOut, "scenes/x.toml:3: network.op[0].units: ",
       "unknown key for a repeat op; expected one of: kind, times, ops, name"},
      {op("kind = \"dense\"\n\n") + kOut, "scenes/x.toml:1: network.op[0].units: ",
       "missing; a dense op needs units (its output features)"},
      {op("kind = \"dense\"\nunits = 0\n") + kOut,
       "scenes/x.toml:3: network.op[0].units: ", "is 0; must be in 1..65536 (as network.width"},
      {op("kind = \"dense\"\nunits = 70000\n") + kOut, "scenes/x.toml:3: network.op[0].units: ",
       "is 70000; must be in 1..65536 (as network.width; only the last op, the output, may "
       "have up to 1048576)"},
      {kStem + op("kind = \"dense\"\nunits = 1048577\n"), "scenes/x.toml:7: network.op[1].units: ",
       "is 1048577; must be in 1..1048576 (the output's range, as network.output)"},
      {op("kind = \"dense\"\nunits = 4.0\n") + kOut,
       "scenes/x.toml:3: network.op[0].units: ", "expected an integer, got a float"},
      {op("kind = \"dense\"\nunits = 4\nactivation = \"swish\"\n") + kOut,
       "scenes/x.toml:4: network.op[0].activation: ",
       "unknown value \"swish\"; expected one of: linear, relu, leaky_relu, tanh, sigmoid, gelu"},
      {"[network]\nop = 3\n", "scenes/x.toml:2: network.op: ",
       "must be an array of tables ([[network.op]]), one per op, in order"},
  });
  // The output's wider range holds for the last table only.
  EXPECT_NO_THROW(parse(kStem + op("kind = \"dense\"\nunits = 70000\n"), "scenes/x.toml"));
}

TEST(SceneOpErrors, RepeatBlocks) {
  const std::string dense = "{ kind = \"dense\", units = 8 }";
  expect_errors({
      {repeat(0, dense) + kOut,
       "scenes/x.toml:3: network.op[0].times: ", "is 0; must be in 1..100000"},
      {repeat(100001, dense) + kOut,
       "scenes/x.toml:3: network.op[0].times: ", "is 100001; must be in 1..100000"},
      {op("kind = \"repeat\"\nops = [" + dense + "]\n") + kOut,
       "scenes/x.toml:1: network.op[0].times: ", "missing; a repeat needs times (1..100000)"},
      {op("kind = \"repeat\"\ntimes = 2\n") + kOut,
       "scenes/x.toml:1: network.op[0].ops: ", "missing; a repeat needs ops"},
      {repeat(2, "") + kOut, "scenes/x.toml:4: network.op[0].ops: ", "must hold at least one op"},
      {op("kind = \"repeat\"\ntimes = 2\nops = 3\n") + kOut, "scenes/x.toml:4: network.op[0].ops: ",
       "expected an array of op tables ([{ kind = \"dense\", units = 64 }, ...]), got an integer"},
      // Inside the block: its own keys (no name), no nested repeat.
      {repeat(2, dense + ", { kind = \"dense\", units = 8, from = \"block\" }") + kOut,
       "scenes/x.toml:4: network.op[0].ops[1].from: ",
       "unknown key for a dense op; expected one of: kind, units, activation"},
      {repeat(2, "{ kind = \"dense\", units = 8, name = \"a\" }") + kOut,
       "scenes/x.toml:4: network.op[0].ops[0].name: ", "only top-level ops have names"},
      {repeat(2, "{ kind = \"repeat\", times = 2, ops = [" + dense + "] }") + kOut,
       "scenes/x.toml:4: network.op[0].ops[0].kind: ",
       "a repeat cannot hold another repeat (blocks nest one level)"},
      {repeat(2, "{ units = 8 }") + kOut,
       "scenes/x.toml:4: network.op[0].ops[0].kind: ", "missing; every op needs a kind"},
      // The limits, at `times`, before anything is expanded.
      {repeat(100000, dense + ", { kind = \"layer_norm\" }, " + dense + ", " + dense) + kOut,
       "scenes/x.toml:3: network.op[0].times: ",
       "the network would hold 400000 ops, this table 400000 (4 ops x 100000); a network holds "
       "at most 300000"},
      {repeat(100000, dense + ", " + dense) + kOut, "scenes/x.toml:3: network.op[0].times: ",
       "the network would hold 200000 dense ops (weight layers); at most 100001, as "
       "network.depth allows"},
  });
}

TEST(SceneOpErrors, FromAndNames) {
  expect_errors({
      {kStem + op("kind = \"residual_add\"\n") + kOut,
       "scenes/x.toml:5: network.op[1].from: ", "missing; a residual_add needs `from`"},
      {kStem + kStem + op("kind = \"residual_add\"\nfrom = \"block\"\n") + kOut,
       "scenes/x.toml:11: network.op[2].from: ",
       "\"block\" is the input of a repeat block's repetition; at the top level `from` takes "
       "\"input\" or the name of an earlier op"},
      {kStem + kStem + op("kind = \"residual_add\"\nfrom = \"stem\"\n") + kOut,
       "scenes/x.toml:11: network.op[2].from: ",
       "no earlier op is named \"stem\"; `from` takes \"input\", the name of an earlier "
       "top-level op, or \"block\" inside a repeat"},
      // Names are defined by their table: a later one is not yet known.
      {kStem + op("kind = \"residual_add\"\nfrom = \"late\"\n") +
           op("kind = \"dense\"\nunits = 2\nname = \"late\"\n"),
       "scenes/x.toml:7: network.op[1].from: ", "no earlier op is named \"late\""},
      {op("kind = \"dense\"\nunits = 8\nname = \"a\"\n") +
           op("kind = \"dense\"\nunits = 8\nname = \"a\"\n") + kOut,
       "scenes/x.toml:8: network.op[1].name: ",
       "duplicate name \"a\" (also network.op[0]); every name is unique"},
      {op("kind = \"dense\"\nunits = 8\nname = \"block\"\n") + kOut,
       "scenes/x.toml:4: network.op[0].name: ", "\"block\" is reserved"},
      {op("kind = \"dense\"\nunits = 8\nname = \"\"\n") + kOut,
       "scenes/x.toml:4: network.op[0].name: ", "must not be empty"},
      {op("kind = \"dense\"\nunits = 8\nname = 1\n") + kOut,
       "scenes/x.toml:4: network.op[0].name: ", "expected a string, got an integer"},
  });
}

TEST(SceneOpErrors, GraphsTheFusedKernelsRefuse) {
  expect_errors({
      // Pre-norm with an activation on the norm (it runs after its layer: linear only).
      {kStem +
           repeat(3,
                  "{ kind = \"layer_norm\", activation = \"tanh\" }, { kind = \"dense\", "
                  "units = 8, activation = \"tanh\" }, { kind = \"residual_add\", from = "
                  "\"block\" }") +
           kOut,
       "scenes/x.toml:8: network.op[1].ops[0]: op 2 (layer_norm), repetition 1 of 3: ",
       "must be linear"},
      // Post-norm with a batch norm (only layer_norm runs after the add).
      {kStem +
           repeat(3,
                  "{ kind = \"dense\", units = 8, activation = \"tanh\" }, { kind = "
                  "\"residual_add\", from = \"block\" }, { kind = \"batch_norm\" }") +
           kOut,
       "scenes/x.toml:8: network.op[1].ops[2]: op 4 (batch_norm), repetition 1 of 3: ",
       "a norm must follow a dense layer directly"},
      // A norm first, or after a nonlinear dense.
      {op("kind = \"layer_norm\"\n") + kOut, "scenes/x.toml:1: network.op[0]: op 1 (layer_norm): ",
       "a norm must follow a dense layer directly"},
      // Widths on both sides of an add.
      {kStem + op("kind = \"dense\"\nunits = 4\n") +
           op("kind = \"residual_add\"\nfrom = \"input\"\n") + kOut,
       "scenes/x.toml:8: network.op[2]: op 3 (residual_add): ",
       "adds a skip of 2 features to 4 features; both sides of a residual_add need one width"},
      // Two skips from one output (skips may nest and cross, but each output starts one).
      {op("kind = \"dense\"\nunits = 8\nname = \"a\"\n") +
           op("kind = \"dense\"\nunits = 8\nname = \"b\"\n") + kStem +
           op("kind = \"residual_add\"\nfrom = \"a\"\n") + kStem +
           op("kind = \"residual_add\"\nfrom = \"a\"\n") + kOut,
       "scenes/x.toml:20: network.op[5]: op 6 (residual_add): ",
       "`from` is already the start of another skip (an output starts at most one skip or post "
       "op)"},
      // The output.
      {kStem + op("kind = \"layer_norm\"\n"), "scenes/x.toml:5: network.op[1]: op 2 (layer_norm): ",
       "the last op must be a dense layer (the output)"},
  });
}

TEST(SceneOpErrors, ExcludedKeysBlameTheLaterOne) {
  const std::string ops = kStem + kOut;  // [[network.op]] at line 1
  expect_errors({
      {"[network]\ndepth = 3\n" + ops, "scenes/x.toml:3: network.op: ",
       "cannot be combined with network.depth (set at scenes/x.toml:2); [[network.op]] lists "
       "every op of the network"},
      {"[network]\nsizes = [2, 3]\n" + ops, "scenes/x.toml:3: network.op: ",
       "cannot be combined with network.sizes (set at scenes/x.toml:2)"},
      {"[network]\nnorm = \"layer\"\n" + ops,
       "scenes/x.toml:3: network.op: ", "cannot be combined with network.norm"},
      // [network] may follow its [[network.op]] tables: the key is then the later one.
      {ops + "[network]\nresidual = true\n", "scenes/x.toml:9: network.residual: ",
       "cannot be combined with [[network.op]] (at scenes/x.toml:1), which lists every op of the "
       "network"},
      // input, init, sigma_w, sigma_b, seed still apply.
      {"[network]\ninput = 2\ninit = \"he_normal\"\nsigma_b = 0.5\nseed = 3\n" + ops +
           "[data]\nkind = \"xor\"\n[train]\nlr = 0\n",
       "scenes/x.toml:16: train.lr: ", "must be > 0"},
  });
  for (const char* set :
       {"network.depth=3", "network.width=4", "network.output=3", "network.sizes=[2, 2]",
        "network.activation=relu", "network.output_activation=relu", "network.residual=true",
        "network.residual_every=2", "network.norm=batch"}) {
    const std::string key = std::string(set).substr(0, std::string(set).find('='));
    EXPECT_EQ(parse_error(ops, {set}), "--set " + std::string(set) + ": " + key +
                                           ": cannot be combined with [[network.op]] (at "
                                           "scenes/x.toml:1), which lists every op of the network");
  }
  net::Scene s = parse(ops, "scenes/x.toml");
  EXPECT_EQ(error_of([&] { apply_override(s, "network.width=4"); }),
            "--set network.width=4: network.width: cannot be combined with [[network.op]], which "
            "lists every op of the network");
  EXPECT_EQ(s.network.width, 8u) << "apply_override leaves the scene alone on an error";
  // The op list is the file's only: not --set (a run may list its own, below).
  EXPECT_EQ(parse_error(ops, {"network.op=[]"}),
            "--set network.op=[]: network.op: the op list ([[network.op]]) is set in the scene "
            "file only");
  EXPECT_EQ(parse_error(ops, {"network.op[0].units=3"}),
            "--set network.op[0].units=3: network.op[0].units: the op list ([[network.op]]) is "
            "set in the scene file only");
  const std::string run = ops + "[[run]]\nlabel = \"a\"\n";
  EXPECT_EQ(parse_error(run + "[run.network]\nresidual = true\n"),
            "scenes/x.toml:11: run[0].network.residual: cannot be combined with [[network.op]] "
            "(at scenes/x.toml:1), which lists every op of the network");
  // A run may list its own ops ([[run.network.op]], replacing the network): errors name the run.
  EXPECT_TRUE(starts_with(parse_error(run + "[[run.network.op]]\nkind = \"conv\"\n"),
                          "scenes/x.toml:11: run[0].network.op[0].kind: unknown value \"conv\""))
      << parse_error(run + "[[run.network.op]]\nkind = \"conv\"\n");
  EXPECT_EQ(parse_error(run + "[run.network]\nresidual = true\n[[run.network.op]]\nkind = "
                              "\"dense\"\nunits = 2\n"),
            "scenes/x.toml:11: run[0].network.residual: cannot be combined with [[network.op]] (at "
            "scenes/x.toml:12), which lists every op of the network");
  EXPECT_EQ(parse_error(run + "[[run.network.op]]\nkind = \"dense\"\nunits = 2\n[[run.network.op]]"
                              "\nkind = \"layer_norm\"\n"),
            "scenes/x.toml:13: run[0].network.op[1]: op 2 (layer_norm): the last op must be a "
            "dense layer (the output)");
}

TEST(SceneOpErrors, RulesOnTheOutputNameTheLastTable) {
  EXPECT_EQ(parse_error(kStem + op("kind = \"dense\"\nunits = 1\n")),
            "scenes/x.toml:5: network.op[1]: network.output is 1, but data.kind \"spiral\" needs "
            "network.output >= 2 (one output per class)");
  EXPECT_EQ(parse_error(kStem + kOut, {"data.kind=xor", "network.input=3"}),
            "--set network.input=3: network.input: network.input is 3, but data.kind \"xor\" (2-D "
            "points) needs network.input = 2");
}

TEST(SceneOpErrors, FirstErrorInFileOrder) {
  // The tables of [[network.op]] need not be contiguous: the [train] error between them comes
  // first, and an op table's error before a later key's.
  EXPECT_TRUE(starts_with(parse_error(kStem + "[train]\nlr = 0\n" + op("kind = \"conv\"\n") + kOut),
                          "scenes/x.toml:6: train.lr: "))
      << parse_error(kStem + "[train]\nlr = 0\n" + op("kind = \"conv\"\n") + kOut);
  EXPECT_TRUE(starts_with(parse_error(op("kind = \"conv\"\n") + kOut + "[train]\nlr = 0\n"),
                          "scenes/x.toml:2: network.op[0].kind: "));
}

}  // namespace
}  // namespace gt::scene
