// Scene keys of residual connections and normalization: values, defaults and errors that name
// the file, line and key (or the --set).
#include <gtest/gtest.h>

#include "scene/scene.hpp"
#include "scene_test_util.hpp"

namespace gt::scene {
namespace {

using testing_util::parse_error;

TEST(SceneBlocks, DefaultsAreOff) {
  const net::Scene s = parse("", "x.toml");
  EXPECT_FALSE(s.network.residual);
  EXPECT_EQ(s.network.residual_every, 1u);
  EXPECT_EQ(s.network.norm, net::Norm::none);
  EXPECT_FALSE(s.network.normalized(0));
}

TEST(SceneBlocks, KeysAndOverridesSetTheSpec) {
  const net::Scene s = parse(
      "[network]\ndepth = 6\nresidual = true\nresidual_every = 3\nnorm = \"layer\"\n", "x.toml");
  EXPECT_TRUE(s.network.residual);
  EXPECT_EQ(s.network.residual_every, 3u);
  EXPECT_EQ(s.network.norm, net::Norm::layer);
  EXPECT_TRUE(s.network.normalized(5));
  EXPECT_FALSE(s.network.normalized(6)) << "the output layer is never normalized";
  const net::Scene o = parse("", "x.toml", {"network.norm=batch", "network.residual=true"});
  EXPECT_EQ(o.network.norm, net::Norm::batch);
  EXPECT_TRUE(o.network.residual);
}

TEST(SceneBlocks, BadValuesNameFileLineAndKey) {
  EXPECT_EQ(parse_error("[network]\ndepth = 4\nresidual_every = 0\n"),
            "scenes/x.toml:3: network.residual_every: must be >= 1");
  EXPECT_EQ(parse_error("[network]\n\nnorm = \"foo\"\n"),
            "scenes/x.toml:3: network.norm: unknown value \"foo\"; expected one of: none, layer, "
            "batch");
  EXPECT_EQ(parse_error("[network]\nresidual = 1\n"),
            "scenes/x.toml:2: network.residual: expected a boolean (true or false), got an "
            "integer");
  EXPECT_EQ(parse_error("", {"network.residual_every=0"}),
            "--set network.residual_every=0: network.residual_every: must be >= 1");
  EXPECT_EQ(parse_error("", {"network.norm=foo"}),
            "--set network.norm=foo: network.norm: unknown value \"foo\"; expected one of: none, "
            "layer, batch");
}

TEST(SceneBlocks, ResidualNeedsOneHiddenSize) {
  EXPECT_EQ(parse_error("[network]\nsizes = [2, 8, 8, 6, 2]\nresidual = true\n"),
            "scenes/x.toml:3: network.residual: network.sizes has hidden sizes 8 and 6, but "
            "network.residual adds layers' outputs, so every hidden layer needs the same size");
  EXPECT_NO_THROW(parse("[network]\nsizes = [2, 8, 8, 8, 2]\nresidual = true\n", "x.toml"));
}

}  // namespace
}  // namespace gt::scene
