#include "scene/scene.hpp"

#include "io/input_file.hpp"
#include "scene/data.hpp"
#include "scene/keys.hpp"
#include "scene/op_list.hpp"
#include "scene/prescan.hpp"

#include <toml++/toml.h>
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <map>
#include <optional>

namespace gt::scene {
namespace {

using namespace detail;
using net::Scene;

std::string_view trim(std::string_view s) {
  const auto first = s.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  const auto last = s.find_last_not_of(" \t");
  return s.substr(first, last - first + 1);
}

void apply_assignment(Scene& scene, const std::string& assignment, Origins& origins, int order) {
  const std::string where = "--set " + shortened(assignment);
  const size_t eq = assignment.find('=');
  if (eq == std::string::npos) fail(where, "--set", "expected section.key=value");
  const std::string_view lhs = trim(std::string_view(assignment).substr(0, eq));
  const std::string_view rhs = trim(std::string_view(assignment).substr(eq + 1));

  const size_t dot = lhs.find('.');
  const std::string_view section = dot == std::string_view::npos ? "" : lhs.substr(0, dot);
  const std::string_view name = dot == std::string_view::npos ? lhs : lhs.substr(dot + 1);
  if (section == "view") {
    fail(where, lhs,
         name.substr(0, 6) == "camera"
             ? "the camera path is set in the scene file only"
             : "unknown key; [view] has only camera, and the camera path is set in the scene file "
               "only");
  }
  if (section == "network" && name.substr(0, 5) == "layer") {
    fail(where, lhs, "the exact parameters ([[network.layer]]) are set in the scene file only");
  }
  if (section == "network" && (name == "op" || name.substr(0, 3) == "op." ||
                               name.substr(0, 3) == "op[" || name.substr(0, 3) == "ops")) {
    fail(where, lhs, "the op list ([[network.op]]) is set in the scene file only");
  }
  if (!section.empty() && !is_section(section)) {
    fail(where, section, "unknown section; expected one of: network, data, train, eval");
  }
  if (section.empty() && is_section(name)) fail(where, lhs, "expected section.key=value");
  const Key* key = find_key(section, name);
  if (!key) {
    fail(where, lhs,
         section.empty() ? std::string("unknown key; expected section.key=value or title=value")
                         : "unknown key; expected one of: " + key_names(section));
  }

  const std::string text = "v = " + std::string(rhs);
  if (const std::optional<ShapeProblem> p = find_shape_problem(text))
    fail(where, key->full_name(), p->what);
  std::optional<toml::table> parsed;
  try {
    parsed = toml::parse(text);
  } catch (const toml::parse_error&) {
  }
  const toml::node* node = parsed && parsed->size() == 1 ? parsed->get("v") : nullptr;
  // String keys also take a bare word: network.activation=relu.
  const toml::value<std::string> bare{std::string(rhs)};
  if (key->type == Type::string && (!node || !node->is_string())) node = &bare;
  if (!node) {
    fail(where, key->full_name(),
         "cannot read \"" + shortened(rhs) + "\" as a TOML value (expected " +
             std::string(expected_text(key->type)) + ")");
  }
  set_key(scene, *key, *node, where);
  record_origin(origins, key->full_name(), Origin{where, order, {}});
}

void check_rules(const Scene& s, const Origins& origins, const std::string& fallback) {
  // Of the two conflicting keys, blame the one set last; on a tie, the first (a network key).
  const auto conflict = [&](std::string_view a, std::string_view b, const std::string& what) {
    const auto origin_of = [&](std::string_view k) {
      const auto it = origins.find(k);
      return it == origins.end() ? Origin{} : it->second;
    };
    const Origin oa = origin_of(a);
    const Origin ob = origin_of(b);
    const bool blame_b = ob.order > oa.order;
    const Origin& o = blame_b ? ob : oa;
    fail(o.where.empty() ? fallback : o.where,
         o.name.empty() ? std::string(blame_b ? b : a) : o.name, what);
  };
  const net::NetworkSpec& n = s.network;
  const net::DataKind kind = s.data.kind;
  const std::string kind_text = "data.kind \"" + std::string(net::to_string(kind)) + "\"";
  if (net::is_classification(kind) && n.input != 2) {
    conflict("network.input", "data.kind",
             "network.input is " + std::to_string(n.input) + ", but " + kind_text +
                 " (2-D points) needs network.input = 2");
  }
  if ((kind == net::DataKind::xor_ || kind == net::DataKind::circles) && n.output != 2) {
    conflict("network.output", "data.kind",
             "network.output is " + std::to_string(n.output) + ", but " + kind_text +
                 " (2 classes) needs network.output = 2");
  }
  if ((kind == net::DataKind::spiral || kind == net::DataKind::blobs) && n.output < 2) {
    conflict("network.output", "data.kind",
             "network.output is " + std::to_string(n.output) + ", but " + kind_text +
                 " needs network.output >= 2 (one output per class)");
  }
  if (kind == net::DataKind::adding && (n.input % 2 != 0 || n.input < 4)) {
    conflict("network.input", "data.kind",
             "network.input is " + std::to_string(n.input) + ", but " + kind_text +
                 " needs 2 features per time step (value, marker) and at least 2 steps: an even "
                 "network.input >= 4");
  }
  if (kind == net::DataKind::adding && !n.ops.empty() && n.ops.front().kind == ops::Kind::rnn &&
      uint64_t(n.ops.front().steps) * 2 != n.input) {
    conflict("network.op", "data.kind",
             "the rnn reads " + std::to_string(n.ops.front().steps) + " steps, but " + kind_text +
                 " gives network.input / 2 = " + std::to_string(n.input / 2) +
                 " steps of (value, marker): set the rnn's steps to " +
                 std::to_string(n.input / 2));
  }
  if (kind == net::DataKind::adding && n.output != 1) {
    conflict("network.output", "data.kind",
             "network.output is " + std::to_string(n.output) + ", but " + kind_text +
                 " (one sum per sequence) needs network.output = 1");
  }
  if (s.train.loss == net::Loss::cross_entropy && n.output < 2) {
    conflict("network.output", "train.loss",
             "network.output is " + std::to_string(n.output) +
                 ", but train.loss \"cross_entropy\" needs network.output >= 2");
  }
  if (n.residual && !n.explicit_sizes.empty()) {
    const std::vector<uint32_t>& sz = n.explicit_sizes;
    for (size_t i = 2; i + 1 < sz.size(); ++i) {
      if (sz[i] != sz[1]) {
        conflict("network.residual", "network.sizes",
                 "network.sizes has hidden sizes " + std::to_string(sz[1]) + " and " +
                     std::to_string(sz[i]) +
                     ", but network.residual adds layers' outputs, so every hidden layer needs "
                     "the same size");
      }
    }
  }
  if (s.train.hist_lo >= s.train.hist_hi) {
    conflict("train.hist_lo", "train.hist_hi",
             "train.hist_lo is " + std::to_string(s.train.hist_lo) + ", but train.hist_hi is " +
                 std::to_string(s.train.hist_hi) + ": the range needs hist_lo < hist_hi");
  }
}

constexpr size_t kMaxRuns = 8;

// Keys a run may not set: runs are trained in lockstep on batches of the same size.
constexpr std::string_view kBaseOnlyKeys[] = {"data.batch", "data.input", "data.target",
                                              "train.steps"};

// One key of the file: a top-level key (run < 0) or a key of the run-th [[run]] table.
struct Entry {
  toml::source_position pos;
  int run = -1;
  std::string_view section;
  std::string_view name;
  const toml::node* node;
  // Camera path entries (section "view", name "camera"): the keyframe's index, and whether this
  // is the keyframe's table itself (its start) rather than one of its keys.
  int frame = -1;
  bool frame_start = false;
  // [[network.op]]: the array itself (frame -1) or the start of its frame-th table.
  bool op = false;
};

struct RunKey {
  const Key* key;
  const toml::node* node;
  std::string where;
};

struct Run {
  std::string label;
  bool has_label = false;
  toml::source_position pos;  // of the [[run]] header
  std::vector<RunKey> keys;   // in file order
  // [[run.network.op]]: the run's own op list, which replaces the top level's network.
  bool has_ops = false;
  Scene op_scene;  // holds the run's expanded ops
  OpList op_list;
  Origins op_origins;
};

struct Parsed {
  Scene base;
  std::vector<Scene> runs;  // empty when the file has no [[run]] tables
};

std::string line_of(const std::string& source_name, const toml::source_position& pos) {
  return source_name + ":" + std::to_string(pos.line);
}

std::string run_prefix(int run) {
  return "run[" + std::to_string(run) + "].";
}

void collect_ops(const toml::source_position& pos, const toml::node& node,
                 std::vector<Entry>& entries, int run);

// Adds the entries of one [[run]] table; structural problems become entries that fail later, so
// that the first error in file order is the one reported. [[run.network.op]] becomes the run's
// own op list (collect_ops).
void collect_run(const toml::table& table, int run, std::vector<Entry>& entries) {
  for (const auto& [k, node] : table) {
    if (is_section(k.str()) && node.is_table()) {
      for (const auto& [k2, node2] : *node.as_table()) {
        if (k.str() == "network" && k2.str() == "op" && node2.is_array()) {
          collect_ops(k2.source().begin, node2, entries, run);
          continue;
        }
        entries.push_back({k2.source().begin, run, k.str(), k2.str(), &node2});
      }
    } else {
      entries.push_back({k.source().begin, run, "", k.str(), &node});
    }
  }
}

// Adds the entries of the top-level [view] table. A well-formed camera path becomes one entry per
// keyframe (at its start) and one per keyframe key; the checks happen in file order later.
void collect_view(const toml::table& view, std::vector<Entry>& entries) {
  for (const auto& [k, node] : view) {
    entries.push_back({k.source().begin, -1, "view", k.str(), &node});
    const toml::array* array = node.as_array();
    if (k.str() != "camera" || !array || !array->is_array_of_tables()) continue;
    // One start entry past the limit, which reports "too many keyframes".
    const size_t frames = std::min(array->size(), kMaxCameraKeys + 1);
    for (size_t i = 0; i < frames; ++i) {
      const toml::table& table = *(*array)[i].as_table();
      Entry start{table.source().begin, -1, "view", "camera", &node};
      start.frame = static_cast<int>(i);
      start.frame_start = true;
      entries.push_back(start);
      if (i >= kMaxCameraKeys) break;
      for (const auto& [k2, node2] : table) {
        Entry key{k2.source().begin, -1, "view", k2.str(), &node2};
        key.frame = static_cast<int>(i);
        entries.push_back(key);
      }
    }
  }
}

// Adds the entries of [[network.layer]]: the array itself, then per table one entry at its start
// and one per key (frame = the layer's index), checked in file order by apply_layer_entry.
void collect_layers(const toml::source_position& pos, const toml::node& node,
                    std::vector<Entry>& entries) {
  entries.push_back({pos, -1, "network", "layer", &node});
  const toml::array* array = node.as_array();
  if (!array || !array->is_array_of_tables()) return;
  for (size_t i = 0; i < array->size(); ++i) {
    const toml::table& table = *(*array)[i].as_table();
    Entry start{table.source().begin, -1, "network", "layer", &node};
    start.frame = static_cast<int>(i);
    start.frame_start = true;
    entries.push_back(start);
    for (const auto& [k, value] : table) {
      Entry key{k.source().begin, -1, "network", k.str(), &value};
      key.frame = static_cast<int>(i);
      entries.push_back(key);
    }
  }
}

// Adds the entries of [[network.op]]: the array itself, then one per table at its start; each
// table is checked whole there (its keys lie between it and the next table).
void collect_ops(const toml::source_position& pos, const toml::node& node,
                 std::vector<Entry>& entries, int run = -1) {
  Entry array{pos, run, "network", "op", &node};
  array.op = true;
  const toml::array* tables = node.as_array();
  // The array first: its key's position lies inside the first table's header ("[[network.op"
  // starts before "op"), and the tables need its count (which one is the output's).
  if (tables && !tables->empty() && (*tables)[0].source().begin < array.pos)
    array.pos = (*tables)[0].source().begin;
  entries.push_back(array);
  if (!tables || !tables->is_array_of_tables()) return;
  for (size_t i = 0; i < tables->size(); ++i) {
    Entry start{(*tables)[i].source().begin, run, "network", "op", &node};
    start.op = true;
    start.frame = static_cast<int>(i);
    start.frame_start = true;
    entries.push_back(start);
  }
}

// Checks one entry of [view] (see collect_view) and adds it to scene.view.
void apply_view_entry(Scene& scene, const Entry& e, const std::string& where) {
  std::vector<net::CameraKey>& camera = scene.view.camera;
  if (e.frame < 0) {
    if (e.name != "camera") {
      fail(where, "view." + std::string(e.name), "unknown key; expected one of: camera");
    }
    const toml::array* array = e.node->as_array();
    if (!array || !(array->empty() || array->is_array_of_tables())) {
      fail(where, "view.camera", "must be an array of tables ([[view.camera]])");
    }
    return;
  }
  const size_t frame = static_cast<size_t>(e.frame);
  if (e.frame_start) {
    if (frame >= kMaxCameraKeys) {
      fail(where, "view.camera",
           "too many keyframes (" + std::to_string(e.node->as_array()->size()) +
               "); a camera path holds at most " + std::to_string(kMaxCameraKeys));
    }
    const toml::table& table = *(*e.node->as_array())[frame].as_table();
    if (frame > 0 && !table.contains("t")) {
      fail(where, camera_key_name(frame, "t"),
           "missing; every keyframe after the first needs a t greater than the previous one's");
    }
    camera.emplace_back();
    return;
  }
  const auto& fields = camera_fields();
  const auto field = std::find_if(fields.begin(), fields.end(),
                                  [&](const CameraField& f) { return f.name == e.name; });
  const std::string name = camera_key_name(frame, e.name);
  if (field == fields.end()) fail(where, name, "unknown key; expected one of: t, yaw, pitch, zoom");
  double v = 0.0;
  if (e.node->is_integer()) {
    v = static_cast<double>(e.node->as_integer()->get());
  } else if (e.node->is_floating_point()) {
    v = e.node->as_floating_point()->get();
  } else {
    fail(where, name, "expected a number, got " + std::string(node_type_text(e.node->type())));
  }
  if (!std::isfinite(v)) fail(where, name, "must be finite");
  if (field->lo_inclusive ? v < field->lo : v <= field->lo) {
    fail(where, name,
         (field->lo_inclusive ? "must be >= " : "must be > ") + format_double(field->lo));
  }
  if (v > field->hi) fail(where, name, "must be <= " + format_double(field->hi));
  if (field->field == &net::CameraKey::t && frame > 0 && v <= camera[frame - 1].t) {
    fail(where, name,
         "must be greater than the previous keyframe's t (" + format_double(camera[frame - 1].t) +
             "); keyframes are in time order");
  }
  camera[frame].*(field->field) = v;
}

Parsed parse_all(std::string_view text, const std::string& source_name,
                 const std::vector<std::string>& overrides) {
  if (const std::optional<ShapeProblem> p = find_shape_problem(text))
    fail(source_name + ":" + std::to_string(p->line), p->key, p->what);
  toml::table root;
  try {
    root = toml::parse(text, source_name);
  } catch (const toml::parse_error& e) {
    throw Error(source_name + ":" + std::to_string(e.source().begin.line) +
                ": syntax error: " + std::string(e.description()));
  }

  Scene base;
  base.title = std::filesystem::path(source_name).stem().string();

  // Handle keys in file order so the first error reported is the first in the file.
  std::vector<Entry> entries;
  std::vector<Run> runs;
  for (const auto& [k, node] : root) {
    if (k.str() == "run") {
      const toml::array* array = node.as_array();
      if (!array || array->empty() || !array->is_array_of_tables()) {
        fail(line_of(source_name, k.source().begin), "run", "must be an array of tables ([[run]])");
      }
      if (array->size() > kMaxRuns) {
        fail(line_of(source_name, (*array)[kMaxRuns].source().begin), "run",
             "too many runs (" + std::to_string(array->size()) + "); a scene holds at most " +
                 std::to_string(kMaxRuns));
      }
      for (size_t i = 0; i < array->size(); ++i) {
        const toml::table& table = *(*array)[i].as_table();
        runs.push_back(Run{{}, false, table.source().begin, {}});
        collect_run(table, static_cast<int>(i), entries);
      }
    } else if (k.str() == "view" && node.is_table()) {
      collect_view(*node.as_table(), entries);
    } else if (is_section(k.str()) && node.is_table()) {
      for (const auto& [k2, node2] : *node.as_table()) {
        if (k.str() == "network" && k2.str() == "layer") {
          collect_layers(k2.source().begin, node2, entries);
          continue;
        }
        if (k.str() == "network" && k2.str() == "op") {
          collect_ops(k2.source().begin, node2, entries);
          continue;
        }
        entries.push_back({k2.source().begin, -1, k.str(), k2.str(), &node2});
      }
    } else {
      entries.push_back({k.source().begin, -1, "", k.str(), &node});
    }
  }
  std::stable_sort(entries.begin(), entries.end(),
                   [](const Entry& a, const Entry& b) { return a.pos < b.pos; });

  Origins origins;
  OpList op_list;
  op_list.source_name = source_name;
  Scene scratch;  // checks the values of run keys; the runs are built once the base is complete
  for (const Entry& e : entries) {
    const std::string where = line_of(source_name, e.pos);
    const std::string prefix = e.run < 0 ? "" : run_prefix(e.run);
    const std::string plain = e.section.empty()
                                  ? std::string(e.name)
                                  : std::string(e.section) + "." + std::string(e.name);
    if (e.section.empty() && e.run >= 0 && e.name == "label") {
      Run& run = runs[static_cast<size_t>(e.run)];
      if (!e.node->is_string()) {
        fail(where, prefix + plain,
             "expected a string, got " + std::string(node_type_text(e.node->type())));
      }
      run.label = e.node->as_string()->get();
      if (run.label.empty()) fail(where, prefix + plain, "must not be empty");
      for (int other = 0; other < e.run; ++other) {
        if (runs[static_cast<size_t>(other)].label == run.label) {
          fail(where, prefix + plain,
               "duplicate label \"" + run.label + "\" (also run[" + std::to_string(other) +
                   "]); every run needs its own label");
        }
      }
      run.has_label = true;
      continue;
    }
    if (e.section == "view" && e.run < 0) {
      apply_view_entry(base, e, where);
      continue;
    }
    if (e.op) {
      Run* run = e.run < 0 ? nullptr : &runs[static_cast<size_t>(e.run)];
      if (run && !run->has_ops) {
        run->has_ops = true;
        run->op_list.source_name = source_name;
        run->op_list.prefix = prefix;
      }
      OpList& list = run ? run->op_list : op_list;
      if (e.frame < 0) {
        apply_op_array(*e.node, where, run ? run->op_origins : origins, list);
      } else {
        const toml::table& table = *(*e.node->as_array())[size_t(e.frame)].as_table();
        apply_op_table(run ? run->op_scene : base, table, size_t(e.frame), list);
      }
      continue;
    }
    if (e.section == "network" && e.run >= 0 && e.name == "op") {
      fail(where, prefix + "network.op",
           "must be an array of tables ([[" + prefix + "network.op]]), one per op, in order");
    }
    if (e.section == "network" && (e.frame >= 0 || e.name == "layer")) {
      if (e.run >= 0) {
        fail(where, prefix + "network.layer",
             "cannot be set in a run: the exact parameters are the top-level scene's");
      }
      apply_layer_entry(base, e.frame, e.frame_start, e.name, *e.node, where, origins);
      continue;
    }
    if (e.section.empty() && e.name == "view") {
      if (e.run >= 0) {
        fail(where, prefix + plain,
             "cannot be set in a run: the camera is shared by all runs; set [view] at the top "
             "level");
      }
      fail(where, plain, "must be a table ([view])");
    }
    if (e.section.empty() && (e.run >= 0 || e.name != "title")) {
      const std::string_view table = e.run < 0 ? "" : "run.";
      const std::string_view sections =
          e.run < 0 ? "network, data, train, eval, view" : "network, data, train, eval";
      if (is_section(e.name)) {
        fail(where, prefix + plain,
             "must be a table ([" + std::string(table) + std::string(e.name) + "])");
      }
      if (e.node->is_table()) {
        fail(where, prefix + plain, "unknown section; expected one of: " + std::string(sections));
      }
      fail(where, prefix + plain,
           (e.run < 0 ? "unknown key; expected title or a section: "
                      : "unknown key; expected label or a section: ") +
               std::string(sections));
    }
    const Key* key = find_key(e.section, e.name);
    if (!key) fail(where, prefix + plain, "unknown key; expected one of: " + key_names(e.section));
    if (e.run < 0) {
      set_key(base, *key, *e.node, where);
      record_origin(origins, key->full_name(), Origin{where, 0, {}});
      continue;
    }
    if (std::find(std::begin(kBaseOnlyKeys), std::end(kBaseOnlyKeys), plain) !=
        std::end(kBaseOnlyKeys)) {
      fail(where, prefix + plain,
           "cannot be set in a run: runs train in lockstep, so every run uses the top-level " +
               plain);
    }
    set_key(scratch, *key, *e.node, where, prefix);
    runs[static_cast<size_t>(e.run)].keys.push_back(RunKey{key, e.node, where});
  }
  for (size_t i = 0; i < runs.size(); ++i) {
    if (!runs[i].has_label) {
      fail(line_of(source_name, runs[i].pos), run_prefix(static_cast<int>(i)) + "label",
           "missing; every run needs a label");
    }
  }

  for (size_t i = 0; i < overrides.size(); ++i) {
    apply_assignment(base, overrides[i], origins, static_cast<int>(i) + 1);
  }
  finish_ops(base, origins, source_name, &op_list);
  check_exact(base, origins, source_name);
  check_rules(base, origins, source_name);
  const std::filesystem::path dir = std::filesystem::path(source_name).parent_path();
  attach_data(base, origins, source_name, dir);

  Parsed parsed;
  parsed.base = base;
  // A run's own keys come after the file and the overrides, so they win and take the blame.
  const int run_order = static_cast<int>(overrides.size()) + 1;
  for (size_t i = 0; i < runs.size(); ++i) {
    Scene scene = base;
    scene.title = runs[i].label;
    Origins run_origins = origins;
    const std::string prefix = run_prefix(static_cast<int>(i));
    if (runs[i].has_ops) {
      // The run's op list replaces the network the file's top level gives (its ops or its shape
      // keys); --set overrides of those keys stay, and finish_ops refuses them.
      for (std::string_view k : kOpExcludedKeys)
        if (const auto it = run_origins.find(k); it != run_origins.end() && it->second.order <= 0)
          run_origins.erase(it);
      // And the file's network.sizes standing in for the other shape keys (network.input).
      for (auto it = run_origins.begin(); it != run_origins.end();) {
        const std::string& n = it->second.name;
        const bool alias = n.size() >= 13 && n.compare(n.size() - 13, 13, "network.sizes") == 0;
        it = alias && it->second.order <= 0 ? run_origins.erase(it) : std::next(it);
      }
      run_origins.erase("network.op");
      for (const auto& [k, o] : runs[i].op_origins)
        run_origins[k] = o;
      scene.network.ops = runs[i].op_scene.network.ops;
    }
    for (const RunKey& rk : runs[i].keys) {
      set_key(scene, *rk.key, *rk.node, rk.where, prefix);
      record_origin(run_origins, rk.key->full_name(),
                    Origin{rk.where, run_order, prefix + rk.key->full_name()});
    }
    finish_ops(scene, run_origins, source_name, runs[i].has_ops ? &runs[i].op_list : &op_list);
    check_exact(scene, run_origins, source_name);
    check_rules(scene, run_origins, source_name);
    attach_data(scene, run_origins, source_name, dir);
    parsed.runs.push_back(std::move(scene));
  }
  return parsed;
}

std::string read_file(const std::filesystem::path& file) {
  const std::string kind = "a scene file";
  io::InputFile in = io::open_input(file, kMaxSceneBytes, kind);
  std::string text;
  if (in.error.empty()) in.error = io::read_all(in, kMaxSceneBytes, kind, text);
  if (!in.error.empty()) throw Error(file.string() + ": " + in.error);
  return text;
}

}  // namespace

net::Scene parse(std::string_view text, const std::string& source_name,
                 const std::vector<std::string>& overrides) {
  return parse_all(text, source_name, overrides).base;
}

std::vector<net::Scene> parse_runs(std::string_view text, const std::string& source_name,
                                   const std::vector<std::string>& overrides) {
  Parsed parsed = parse_all(text, source_name, overrides);
  if (parsed.runs.empty()) return {std::move(parsed.base)};
  return std::move(parsed.runs);
}

net::Scene load(const std::filesystem::path& file, const std::vector<std::string>& overrides) {
  Scene scene = parse(read_file(file), file.string(), overrides);
  scene.path = file;
  return scene;
}

std::vector<net::Scene> load_runs(const std::filesystem::path& file,
                                  const std::vector<std::string>& overrides) {
  std::vector<Scene> scenes = parse_runs(read_file(file), file.string(), overrides);
  for (Scene& scene : scenes)
    scene.path = file;
  return scenes;
}

void apply_override(net::Scene& scene, const std::string& assignment) {
  Scene updated = scene;
  Origins origins;
  apply_assignment(updated, assignment, origins, 1);
  finish_ops(updated, origins, "--set " + assignment, nullptr);
  check_exact(updated, origins, "--set " + assignment);
  check_rules(updated, origins, "--set " + assignment);
  attach_data(updated, origins, "--set " + assignment, scene.path.parent_path());
  scene = std::move(updated);
}

}  // namespace gt::scene
