// Internal to engine/scene: [[network.op]], the network as an explicit list of ops
// (docs/SCENES.md, "Explicit networks"). Each table is checked in file order as it comes, its
// repeat blocks expanded into NetworkSpec::ops; finish_ops() then fuses the graph once the file,
// the overrides and a run's keys are in, and derives the classic shape fields from it.
#pragma once

#include <toml++/toml.h>

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "scene/keys.hpp"

namespace gt::scene::detail {

inline constexpr size_t kMaxOps = 300000;            // expanded ops of one network
inline constexpr size_t kMaxDenseOps = 100001;       // weight layers, as network.depth allows
inline constexpr int64_t kMaxTimes = 100000;         // repetitions of one repeat block
inline constexpr int64_t kMaxSteps = 100000;         // an rnn's time steps
inline constexpr int64_t kMaxHiddenUnits = 65536;    // as network.width
inline constexpr int64_t kMaxOutputUnits = 1 << 20;  // as network.output

// The [network] keys that [[network.op]] replaces; either side set later is an error.
inline constexpr std::string_view kOpExcludedKeys[] = {
    "network.sizes",    "network.depth",          "network.width",
    "network.output",   "network.activation",     "network.output_activation",
    "network.residual", "network.residual_every", "network.norm"};
bool excluded_by_ops(std::string_view key);

// What the op tables leave for later messages: the top-level names and, per expanded op, the
// table it came from.
struct OpList {
  struct Source {
    uint32_t table = 0;       // index of its [[network.op]] table
    int32_t inner = -1;       // index in the repeat's ops, -1: the table itself
    uint32_t repetition = 0;  // 1-based, 0: not repeated
    uint32_t times = 0;
  };
  std::string source_name;
  std::string prefix;  // "run[1]." for a run's own op list ([[run.network.op]]), else empty
  size_t tables = 0;   // [[network.op]] tables in the file
  size_t dense = 0;    // dense ops so far, expanded
  std::map<std::string, int32_t, std::less<>> names;  // name -> the index of its op's last op
  std::vector<Source> sources;                        // one per expanded op

  // "network.op[2].ops[1]" of an expanded op (after the prefix).
  std::string key_of(size_t op) const;
  // op_key_name after the prefix.
  std::string key(size_t table, int inner = -1, std::string_view field = "") const;
};

std::string op_key_name(size_t table, int inner = -1, std::string_view field = "");

// The [[network.op]] array itself: checks its shape and records origins["network.op"] (an error
// when a key it excludes is set already); the rules on the output then name its last table.
void apply_op_array(const toml::node& node, const std::string& where, Origins& origins,
                    OpList& list);
// The index-th table: checks its keys and appends its ops, repeats expanded, to network.ops.
void apply_op_table(net::Scene& scene, const toml::table& table, size_t index, OpList& list);
// When the scene lists ops: refuses the excluded keys (a scene changed by apply_override), fuses
// the graph (ops::fuse; a GraphError becomes an Error at the op's line, named by `list` when
// given) and sets explicit_sizes, depth, width, output, activation and output_activation from
// the fused layers.
void finish_ops(net::Scene& scene, const Origins& origins, const std::string& fallback,
                const OpList* list);

// The [[network.op]] part of describe_schema().
std::string describe_ops(size_t name_w, size_t range_w, size_t default_w);

}  // namespace gt::scene::detail
