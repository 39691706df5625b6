// [[network.op]]: reading each op table (its kind first, then its keys in file order), resolving
// `from`, expanding repeat blocks, and the fused graph's shape written back into the classic
// fields (op_list.hpp).
#include "scene/op_list.hpp"

#include <algorithm>

#include "ops/graph.hpp"
#include "ops/kind.hpp"

namespace gt::scene::detail {

using net::Scene;

namespace {

constexpr std::string_view kRepeat = "repeat";

std::vector<std::string_view> kind_names() {
  std::vector<std::string_view> names = ops::names_of_kinds();
  names.push_back(kRepeat);
  return names;
}

// The keys of an op table of this kind; ops inside a repeat have no name.
std::vector<std::string_view> fields_of(std::string_view kind, bool inner) {
  std::vector<std::string_view> f = {"kind"};
  ops::Kind k{};
  if (ops::parse_kind(kind, k)) {
    const ops::Role role = ops::kind_of(k).role;
    if (role == ops::Role::layer) f.insert(f.end(), {"units", "activation"});
    if (role == ops::Role::recurrent)
      f.insert(f.end(), {"units", "steps", "activation", "init_hh", "rho"});
    if (role == ops::Role::norm) f.push_back("activation");
    if (ops::reads_from(role)) f.push_back("from");
  } else if (kind == kRepeat) {
    f.insert(f.end(), {"times", "ops"});
  }
  if (!inner) f.push_back("name");
  return f;
}

// One op as written: `from` resolved to an op index, or to the input of its block's repetition.
struct Written {
  ops::Op op;
  int32_t inner = -1;  // index in the repeat's ops
  bool from_block = false;
};

// One table as written: its op, or a repeat's block, and how often it repeats.
struct Table {
  std::vector<Written> block;
  uint32_t times = 1;
  bool repeat = false;
  std::string name;
  std::string times_where;  // where `times` was set, blamed for the expansion's limits
};

// Where an op table is read: the list so far, and the table's place in the file.
struct Place {
  const OpList& list;
  size_t table;
  int inner;  // -1: a top-level table
  bool last;  // the file's last [[network.op]] table (its dense op is the output)

  std::string key(std::string_view field = "") const { return list.key(table, inner, field); }
  std::string where(const toml::source_position& pos) const {
    return list.source_name + ":" + std::to_string(pos.line);
  }
};

using Field = std::pair<const toml::key*, const toml::node*>;

std::vector<Field> in_file_order(const toml::table& t) {
  std::vector<Field> fields;
  for (const auto& [k, node] : t)
    fields.emplace_back(&k, &node);
  std::stable_sort(fields.begin(), fields.end(), [](const Field& a, const Field& b) {
    return a.first->source().begin < b.first->source().begin;
  });
  return fields;
}

std::string got(const toml::node& node) {
  return ", got " + std::string(node_type_text(node.type()));
}

const std::string& read_string(const toml::node& node, const std::string& where,
                               const std::string& key) {
  if (!node.is_string()) fail(where, key, "expected a string" + got(node));
  return node.as_string()->get();
}

int64_t read_int(const toml::node& node, const std::string& where, const std::string& key,
                 int64_t lo, int64_t hi, const std::string& note = "") {
  if (!node.is_integer()) fail(where, key, "expected an integer" + got(node));
  const int64_t v = node.as_integer()->get();
  if (v < lo || v > hi) {
    fail(where, key,
         "is " + std::to_string(v) + "; must be in " + std::to_string(lo) + ".." +
             std::to_string(hi) + note);
  }
  return v;
}

constexpr std::string_view kInitHH[] = {"uniform", "gaussian", "orthogonal", "identity"};

void read_init_hh(const toml::node& node, const std::string& where, const Place& p, ops::Op& op) {
  const std::string& v = read_string(node, where, p.key("init_hh"));
  for (size_t i = 0; i < std::size(kInitHH); ++i)
    if (v == kInitHH[i]) {
      op.init_hh = static_cast<ops::InitHH>(i);
      return;
    }
  fail(where, p.key("init_hh"),
       "unknown value \"" + v + "\"; expected one of: " +
           join(std::vector<std::string_view>(std::begin(kInitHH), std::end(kInitHH)), ", "));
}

double read_rho(const toml::node& node, const std::string& where, const Place& p) {
  double v = 0;
  if (node.is_floating_point())
    v = node.as_floating_point()->get();
  else if (node.is_integer())
    v = double(node.as_integer()->get());
  else
    fail(where, p.key("rho"), "expected a number" + got(node));
  if (!(v > 0.0 && v <= 100.0))
    fail(where, p.key("rho"),
         "is " + std::to_string(v) + "; must be in (0, 100] (W_hh's spectral radius)");
  return v;
}

std::string read_kind(const toml::table& t, const Place& p) {
  const auto it = t.find("kind");
  if (it == t.end()) {
    fail(p.where(t.source().begin), p.key("kind"),
         "missing; every op needs a kind, one of: " + join(kind_names(), ", "));
  }
  const std::string where = p.where(it->first.source().begin);
  const std::string& kind = read_string(it->second, where, p.key("kind"));
  const std::vector<std::string_view> kinds = kind_names();
  if (std::find(kinds.begin(), kinds.end(), kind) == kinds.end()) {
    fail(where, p.key("kind"),
         "unknown value \"" + kind + "\"; expected one of: " + join(kinds, ", "));
  }
  if (kind == kRepeat && p.inner >= 0) {
    fail(where, p.key("kind"),
         "a repeat cannot hold another repeat (blocks nest one level); write the inner block's "
         "ops out in this block, or make it a top-level repeat of its own");
  }
  return kind;
}

void read_from(const toml::node& node, const std::string& where, const Place& p, Written& w) {
  const std::string& from = read_string(node, where, p.key("from"));
  if (from == "input") {
    w.op.from = ops::kInput;
  } else if (from == "block") {
    if (p.inner < 0) {
      fail(where, p.key("from"),
           "\"block\" is the input of a repeat block's repetition; at the top level `from` "
           "takes \"input\" or the name of an earlier op");
    }
    w.from_block = true;
  } else if (const auto it = p.list.names.find(from); it != p.list.names.end()) {
    w.op.from = it->second;
  } else {
    fail(where, p.key("from"),
         "no earlier op is named \"" + from +
             "\"; `from` takes \"input\", the name of an earlier top-level op, or \"block\" "
             "inside a repeat (the input of the block's repetition)");
  }
}

void read_name(const toml::node& node, const std::string& where, const Place& p, Table& t) {
  t.name = read_string(node, where, p.key("name"));
  if (t.name.empty()) fail(where, p.key("name"), "must not be empty");
  if (t.name == "input" || t.name == "block") {
    fail(where, p.key("name"),
         "\"" + t.name + "\" is reserved: `from` = \"" + t.name + "\" means the " +
             (t.name == "input" ? "network's input" : "input of a repeat block's repetition"));
  }
  if (const auto it = p.list.names.find(t.name); it != p.list.names.end()) {
    fail(where, p.key("name"),
         "duplicate name \"" + t.name + "\" (also " +
             p.list.key(p.list.sources[size_t(it->second)].table) + "); every name is unique");
  }
}

Table read_table(const toml::table& t, const Place& p);

void read_block(const toml::node& node, const std::string& where, const Place& p, Table& t) {
  const toml::array* array = node.as_array();
  if (!array || !array->is_array_of_tables() || array->empty()) {
    fail(where, p.key("ops"),
         array && array->empty()
             ? std::string("must hold at least one op")
             : "expected an array of op tables ([{ kind = \"dense\", units = 64 }, ...])" +
                   got(node));
  }
  for (size_t j = 0; j < array->size(); ++j) {
    // The last op of the file's last block ends the network: the output (in its last repetition).
    const Place inner{p.list, p.table, static_cast<int>(j), p.last && j + 1 == array->size()};
    Table one = read_table(*(*array)[j].as_table(), inner);
    one.block.front().inner = static_cast<int32_t>(j);
    t.block.push_back(one.block.front());
  }
}

// Reads one op table (a repeat's block inside it too); `from` and `name` against p.list.
Table read_table(const toml::table& t, const Place& p) {
  const std::string kind = read_kind(t, p);
  const std::vector<std::string_view> fields = fields_of(kind, p.inner >= 0);
  Table out;
  out.repeat = kind == kRepeat;
  Written w;
  if (!out.repeat) {
    ops::parse_kind(kind, w.op.kind);
    // torch.nn.RNN's default nonlinearity is tanh; the other kinds default to none.
    w.op.activation = w.op.kind == ops::Kind::rnn ? net::Activation::tanh : net::Activation::linear;
    w.op.where = p.where(t.source().begin);
  }
  for (const auto& [k, node] : in_file_order(t)) {
    const std::string where = p.where(k->source().begin);
    const std::string_view name = k->str();
    if (std::find(fields.begin(), fields.end(), name) == fields.end()) {
      if (name == "name" && p.inner >= 0) {
        fail(where, p.key(name),
             "only top-level ops have names; inside a repeat, `from` takes \"block\" (the input "
             "of the block's repetition) or the name of a top-level op before the repeat");
      }
      fail(where, p.key(name),
           "unknown key for a " + kind + " op; expected one of: " + join(fields, ", "));
    }
    if (name == "units") {
      const bool output = p.last;
      w.op.units = static_cast<uint32_t>(
          read_int(*node, where, p.key(name), 1, output ? kMaxOutputUnits : kMaxHiddenUnits,
                   output ? " (the output's range, as network.output)"
                          : " (as network.width; only the last op, the output, may have up to " +
                                std::to_string(kMaxOutputUnits) + ")"));
    } else if (name == "activation") {
      const std::string& a = read_string(*node, where, p.key(name));
      const std::optional<net::Activation> act = net::parse_activation(a);
      if (!act) {
        fail(where, p.key(name),
             "unknown value \"" + a +
                 "\"; expected one of: " + join(net::names_of_activations(), ", "));
      }
      w.op.activation = *act;
    } else if (name == "steps") {
      w.op.steps = static_cast<uint32_t>(read_int(*node, where, p.key(name), 1, kMaxSteps));
    } else if (name == "init_hh") {
      read_init_hh(*node, where, p, w.op);
    } else if (name == "rho") {
      w.op.rho = read_rho(*node, where, p);
    } else if (name == "from") {
      read_from(*node, where, p, w);
    } else if (name == "name") {
      read_name(*node, where, p, out);
    } else if (name == "times") {
      out.times = static_cast<uint32_t>(read_int(*node, where, p.key(name), 1, kMaxTimes));
      out.times_where = where;
    } else if (name == "ops") {
      read_block(*node, where, p, out);
    }
  }
  const std::string table_where = p.where(t.source().begin);
  const auto needs = [&](std::string_view field, const std::string& what) {
    if (!t.contains(field)) fail(table_where, p.key(field), "missing; " + what);
  };
  if (kind == "dense") needs("units", "a dense op needs units (its output features)");
  if (kind == "rnn") {
    needs("units", "an rnn needs units (its hidden state's size)");
    needs("steps", "an rnn needs steps (the time steps of each input sequence)");
  }
  ops::Kind k{};
  if (ops::parse_kind(kind, k) && ops::reads_from(ops::kind_of(k).role)) {
    needs("from", "a " + std::string(kind) +
                      " needs `from`: the op whose output it adds (a name, \"block\" inside a "
                      "repeat, or \"input\")");
  }
  if (out.repeat) {
    needs("times", "a repeat needs times (1.." + std::to_string(kMaxTimes) + ")");
    needs("ops", "a repeat needs ops, its block ([{ kind = \"dense\", units = 64 }, ...])");
  } else {
    out.block.push_back(std::move(w));
  }
  return out;
}

std::string count_of(size_t n, std::string_view what) {
  return std::to_string(n) + " " + std::string(what) + (n == 1 ? "" : "s");
}

}  // namespace

bool excluded_by_ops(std::string_view key) {
  return std::find(std::begin(kOpExcludedKeys), std::end(kOpExcludedKeys), key) !=
         std::end(kOpExcludedKeys);
}

std::string op_key_name(size_t table, int inner, std::string_view field) {
  std::string out = "network.op[" + std::to_string(table) + "]";
  if (inner >= 0) out += ".ops[" + std::to_string(inner) + "]";
  if (!field.empty()) out += "." + std::string(field);
  return out;
}

std::string OpList::key_of(size_t op) const {
  return key(sources[op].table, sources[op].inner);
}

std::string OpList::key(size_t table, int inner, std::string_view field) const {
  return prefix + op_key_name(table, inner, field);
}

void apply_op_array(const toml::node& node, const std::string& where, Origins& origins,
                    OpList& list) {
  const toml::array* array = node.as_array();
  if (!array || array->empty() || !array->is_array_of_tables()) {
    fail(where, list.prefix + "network.op",
         "must be an array of tables ([[" + list.prefix + "network.op]]), one per op, in order");
  }
  for (std::string_view k : kOpExcludedKeys)
    if (const auto it = origins.find(k); it != origins.end()) {
      fail(where, list.prefix + "network.op",
           "cannot be combined with " + std::string(k) + " (set at " + it->second.where +
               "); [[network.op]] lists every op of the network");
    }
  origins["network.op"] = Origin{where, 0, list.prefix.empty() ? "" : list.prefix + "network.op"};
  list.tables = array->size();
  // The rules on the output (data kinds, the loss) name the last table, whose op gives it.
  const size_t last = array->size() - 1;
  origins["network.output"] =
      Origin{list.source_name + ":" + std::to_string((*array)[last].source().begin.line), 0,
             list.key(last)};
}

void apply_op_table(Scene& scene, const toml::table& table, size_t index, OpList& list) {
  const Place place{list, index, -1, index + 1 == list.tables};
  const Table t = read_table(table, place);
  std::vector<ops::Op>& ops = scene.network.ops;
  const size_t count = t.block.size() * t.times;
  const size_t dense =
      static_cast<size_t>(std::count_if(t.block.begin(), t.block.end(), [](const Written& w) {
        return w.op.kind == ops::Kind::dense;
      }));
  // A repeated output op: its other repetitions are hidden layers, with their range.
  const ops::Op& end = t.block.back().op;
  if (t.repeat && place.last && t.times > 1 && end.kind == ops::Kind::dense &&
      end.units > kMaxHiddenUnits) {
    fail(t.times_where, place.key("times"),
         "is " + std::to_string(t.times) + ", but " + list.key(index, t.block.back().inner) +
             " has " + std::to_string(end.units) + " units: only its last repetition is the " +
             "output (up to " + std::to_string(kMaxOutputUnits) + "); the others are hidden " +
             "layers (1.." + std::to_string(kMaxHiddenUnits) + ", as network.width)");
  }
  const std::string limit_where = t.repeat ? t.times_where : place.where(table.source().begin);
  const std::string limit_key = t.repeat ? place.key("times") : place.key();
  const std::string expands =
      t.repeat ? " (" + count_of(t.block.size(), "op") + " x " + std::to_string(t.times) + ")" : "";
  if (ops.size() + count > kMaxOps) {
    fail(limit_where, limit_key,
         "the network would hold " + std::to_string(ops.size() + count) + " ops, this table " +
             std::to_string(count) + expands + "; a network holds at most " +
             std::to_string(kMaxOps));
  }
  if (list.dense + dense * t.times > kMaxDenseOps) {
    fail(limit_where, limit_key,
         "the network would hold " + std::to_string(list.dense + dense * t.times) +
             " dense ops (weight layers); at most " + std::to_string(kMaxDenseOps) +
             ", as network.depth allows");
  }
  ops.reserve(ops.size() + count);
  for (uint32_t rep = 0; rep < t.times; ++rep) {
    const int32_t block_input = static_cast<int32_t>(ops.size()) - 1;  // kInput for the first
    for (const Written& w : t.block) {
      ops.push_back(w.op);
      if (w.from_block) ops.back().from = block_input;
      list.sources.push_back(
          {static_cast<uint32_t>(index), w.inner, t.repeat ? rep + 1 : 0, t.repeat ? t.times : 0});
    }
  }
  list.dense += dense * t.times;
  if (!t.name.empty()) list.names[t.name] = static_cast<int32_t>(ops.size()) - 1;
}

namespace {

// fuse()'s "WHERE: op N (KIND): WHAT" as "WHERE: KEY: op N (KIND)[, repetition R of T]: WHAT".
// The fuse() error as the scene names it: "FILE:LINE: network.op[i](.ops[j]): op N (kind),
// repetition r of t: reason".
std::string located(const ops::GraphError& e, const net::NetworkSpec& n, const OpList* list) {
  if (!list || e.op < 0 || size_t(e.op) >= list->sources.size() || size_t(e.op) >= n.ops.size())
    return e.what();
  const size_t i = size_t(e.op);
  const OpList::Source& src = list->sources[i];
  std::string out = n.ops[i].where + ": " + list->key_of(i) + ": op " + std::to_string(i + 1) +
                    " (" + std::string(ops::to_string(n.ops[i].kind)) + ")";
  if (src.repetition > 0)
    out += ", repetition " + std::to_string(src.repetition) + " of " + std::to_string(src.times);
  return out + ": " + e.what_alone;
}

}  // namespace

void finish_ops(Scene& scene, const Origins& origins, const std::string& fallback,
                const OpList* list) {
  net::NetworkSpec& n = scene.network;
  if (n.ops.empty()) return;
  // Caught as they are set (record_origin); here for a scene changed by apply_override.
  for (std::string_view k : kOpExcludedKeys) {
    const auto it = origins.find(k);
    if (it == origins.end() || it->second.name.find("network.op") != std::string::npos) continue;
    const Origin& o = it->second;
    fail(o.where.empty() ? fallback : o.where, o.name.empty() ? std::string(k) : o.name,
         "cannot be combined with [[network.op]], which lists every op of the network");
  }
  std::vector<ops::FusedLayer> layers;
  try {
    layers = ops::fuse(ops::Graph{n.input, n.ops});
  } catch (const ops::GraphError& e) {
    throw Error(located(e, n, list));
  }
  n.explicit_sizes = {n.input};
  for (const ops::FusedLayer& l : layers)
    n.explicit_sizes.push_back(l.out);
  n.depth = static_cast<uint32_t>(layers.size()) - 1;
  n.output = layers.back().out;
  n.width = layers.size() > 1 ? layers.front().out : n.output;
  if (layers.size() > 1) n.activation = layers.front().act;
  n.output_activation = layers.back().act;
  // The fused layers carry the norms and skips.
  n.residual = false;
  n.residual_every = 1;
  n.norm = net::Norm::none;
}

std::string describe_ops(size_t name_w, size_t range_w, size_t default_w) {
  const auto pad = [](std::string s, size_t w) {
    s.resize(std::max(s.size(), w), ' ');
    return s;
  };
  const auto row = [&](std::string_view name, std::string_view type, const std::string& range,
                       std::string_view def, std::string_view help) {
    return "  " + pad(std::string(name), name_w) + "  " + pad(std::string(type), 6) + "  " +
           pad(range, range_w) + "  " + pad(std::string(def), default_w) + "  " +
           std::string(help) + "\n";
  };
  std::string out =
      "[[network.op]]  (the network as a list of ops, one table each, input side first; instead\n"
      "                of network.depth, width, output, sizes, activation, output_activation,\n"
      "                residual, residual_every, norm; in the scene file, and in a [[run]] as\n"
      "                [[run.network.op]], which replaces the top level's network; not --set)\n";
  out += row("kind", "string", join(kind_names(), "|"), "", "the op; its keys below");
  out += row("units", "int", "1..65536", "",
             "dense: output features (the last op, the output: up to 1048576); rnn: hidden units");
  out += row("activation", "string", join(net::names_of_activations(), "|"), "linear",
             "dense and norms: applied to the op's output; rnn: tanh (its default) or relu");
  out += row("steps", "int", "1.." + std::to_string(kMaxSteps), "",
             "rnn: time steps per sequence (its input: [steps][features], flattened)");
  out += row("init_hh", "string",
             join(std::vector<std::string_view>(std::begin(kInitHH), std::end(kInitHH)), "|"),
             "uniform", "rnn: W_hh's start (uniform: PyTorch's; the others scaled by rho)");
  out += row("rho", "float", "(0, 100]", "1", "rnn: W_hh's spectral radius for init_hh");
  std::vector<std::string_view> skips;  // the kinds that read `from`
  for (const ops::KindInfo* k : ops::all_kinds())
    if (ops::reads_from(k->role)) skips.push_back(k->name);
  out += row("from", "string", "name|block|input", "",
             join(skips, ", ") + ": adds this op's output (block: the repetition's input)");
  out += row("name", "string", "any text", "", "a top-level op's name, for a later `from`");
  out += row("times", "int", "1.." + std::to_string(kMaxTimes), "",
             "repeat: repetitions of its block");
  out += row("ops", "tables", "[{ kind = ... }, ...]", "",
             "repeat: the block's op tables (no name, no repeat)");
  out += "  Keys per kind:\n";
  for (std::string_view kind : kind_names()) {
    out += "    ";
    out += pad(std::string(kind), 14);
    out += join(fields_of(kind, false), ", ");
    out += '\n';
  }
  out += "  At most " + std::to_string(kMaxOps) + " ops once repeats are expanded, " +
         std::to_string(kMaxDenseOps) +
         " of them dense (weight layers).\n"
         "  Today's fused kernels run a norm only right after a linear dense op (the norm carries\n"
         "  the activation), skips that may nest and cross but at most one from an op's output (a\n"
         "  residual_add none from the input); the last op is a dense (the output). An rnn is the\n"
         "  first op, followed by a dense (which reads its last hidden state).\n"
         "  network.input, init, sigma_w, sigma_b, seed still\n"
         "  apply. A [[run]] may list its own ops as [[run.network.op]].\n";
  return out;
}

}  // namespace gt::scene::detail
