// The scene schema: every key with its type, range, help and how it is stored, the camera
// keyframe fields, typed setting of a TOML value, and the schema as text.
#include "scene/keys.hpp"
#include "scene/op_list.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <limits>
#include <type_traits>

namespace gt::scene::detail {

using net::Scene;

std::string format_double(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

std::string join(const std::vector<std::string_view>& items, std::string_view sep) {
  std::string out;
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += sep;
    out += items[i];
  }
  return out;
}

namespace {

template <typename Section, typename T>
Key int_key(Section Scene::*section, T Section::*field, std::string_view sec, std::string_view name,
            int64_t lo, int64_t hi, std::string_view help) {
  std::string range = hi == std::numeric_limits<int64_t>::max() ||
                              static_cast<uint64_t>(hi) == std::numeric_limits<T>::max()
                          ? ">= " + std::to_string(lo)
                          : std::to_string(lo) + ".." + std::to_string(hi);
  return Key{sec,
             name,
             Type::integer,
             std::move(range),
             help,
             [=](Scene& s, const Value& v) -> std::optional<std::string> {
               if (v.i < lo) return "must be >= " + std::to_string(lo);
               if (v.i > hi) return "must be <= " + std::to_string(hi);
               (s.*section).*field = static_cast<T>(v.i);
               return std::nullopt;
             },
             [=](const Scene& s) { return std::to_string((s.*section).*field); }};
}

// lo is exclusive unless lo_inclusive; hi, when given, is exclusive.
template <typename Section>
Key float_key(Section Scene::*section, double Section::*field, std::string_view sec,
              std::string_view name, double lo, bool lo_inclusive, std::optional<double> hi,
              std::string_view help) {
  std::string range;
  if (hi) {
    range = (lo_inclusive ? "[" : "(") + format_double(lo) + ", " + format_double(*hi) + ")";
  } else {
    range = (lo_inclusive ? ">= " : "> ") + format_double(lo);
  }
  return Key{sec,
             name,
             Type::floating,
             std::move(range),
             help,
             [=](Scene& s, const Value& v) -> std::optional<std::string> {
               if (!std::isfinite(v.f)) return std::string("must be finite");
               if (lo_inclusive ? v.f < lo : v.f <= lo)
                 return (lo_inclusive ? "must be >= " : "must be > ") + format_double(lo);
               if (hi && v.f >= *hi) return "must be < " + format_double(*hi);
               (s.*section).*field = v.f;
               return std::nullopt;
             },
             [=](const Scene& s) { return format_double((s.*section).*field); }};
}

template <typename Section, typename E>
Key enum_key(Section Scene::*section, E Section::*field, std::string_view sec,
             std::string_view name, std::optional<E> (*parse_fn)(std::string_view),
             std::vector<std::string_view> (*names_fn)(), std::string_view help) {
  return Key{sec,
             name,
             Type::string,
             join(names_fn(), "|"),
             help,
             [=](Scene& s, const Value& v) -> std::optional<std::string> {
               const std::optional<E> e = parse_fn(v.s);
               if (!e) {
                 return "unknown value \"" + v.s + "\"; expected one of: " + join(names_fn(), ", ");
               }
               (s.*section).*field = *e;
               return std::nullopt;
             },
             [=](const Scene& s) { return std::string(net::to_string((s.*section).*field)); }};
}

// network.sizes: every layer's size; keeps input, depth, width and output consistent with it.
Key sizes_key() {
  return Key{"network",
             "sizes",
             Type::integers,
             "[input, hidden..., output]",
             "every feature size, input first (instead of input, depth, width, output)",
             [](Scene& s, const Value& v) -> std::optional<std::string> {
               constexpr int64_t kMaxEnd = 1 << 20, kMaxHidden = 65536, kMaxLayers = 100001;
               if (v.list.size() < 2) {
                 return "expected at least 2 sizes (the input's and the output's), got " +
                        std::to_string(v.list.size());
               }
               if (v.list.size() - 1 > kMaxLayers)
                 return "at most " + std::to_string(kMaxLayers) + " weight layers";
               std::vector<uint32_t> sizes;
               for (size_t i = 0; i < v.list.size(); ++i) {
                 const bool end = i == 0 || i + 1 == v.list.size();
                 const int64_t hi = end ? kMaxEnd : kMaxHidden;
                 if (v.list[i] < 1 || v.list[i] > hi) {
                   const std::string which = i == 0 ? "the input size"
                                             : end  ? "the output size"
                                                    : "a hidden size";
                   return "entry " + std::to_string(i + 1) + " is " + std::to_string(v.list[i]) +
                          "; " + which + " must be in 1.." + std::to_string(hi);
                 }
                 sizes.push_back(static_cast<uint32_t>(v.list[i]));
               }
               net::NetworkSpec& n = s.network;
               n.explicit_sizes = sizes;
               n.input = sizes.front();
               n.output = sizes.back();
               n.depth = static_cast<uint32_t>(sizes.size() - 2);
               n.width = n.depth > 0 ? sizes[1] : n.output;
               return std::nullopt;
             },
             [](const Scene& s) {
               const std::vector<uint32_t>& sizes = s.network.explicit_sizes;
               if (sizes.empty()) return std::string("none");
               std::string out = "[";
               for (size_t i = 0; i < sizes.size(); ++i)
                 out += (i ? ", " : "") + std::to_string(sizes[i]);
               return out + "]";
             }};
}

std::string join_strings(const std::vector<std::string>& items, std::string_view sep) {
  std::string out;
  for (size_t i = 0; i < items.size(); ++i)
    out += (i ? std::string(sep) : "") + items[i];
  return out;
}

// data.input / data.target: the rows of an inline batch (shapes are checked by check_exact).
Key matrix_key(net::Matrix net::DataSpec::*field, std::string_view name, std::string range,
               std::string_view help) {
  return Key{"data",
             name,
             Type::matrix,
             std::move(range),
             help,
             [=](Scene& s, const Value& v) -> std::optional<std::string> {
               constexpr uint32_t kMaxBatch = 65536;
               if (!v.names.empty()) {
                 // data.target of kind file: the CSV's regression columns, by name.
                 if (field != &net::DataSpec::target)
                   return "expected an array of rows of numbers, got an array of strings";
                 s.data.target_columns = v.names;
                 s.data.target = {};
                 return std::nullopt;
               }
               if (field == &net::DataSpec::target) s.data.target_columns.clear();
               if (v.matrix.rows > kMaxBatch) {
                 return std::to_string(v.matrix.rows) + " rows; a batch holds at most " +
                        std::to_string(kMaxBatch);
               }
               s.data.*field = v.matrix;
               return std::nullopt;
             },
             [=](const Scene& s) {
               const net::Matrix& m = s.data.*field;
               if (field == &net::DataSpec::target && !s.data.target_columns.empty())
                 return "[\"" + join_strings(s.data.target_columns, "\", \"") + "\"]";
               return m.rows == 0 ? std::string("none")
                                  : std::to_string(m.rows) + " x " + std::to_string(m.cols);
             }};
}

// A string key of [data] or [eval]: a path (stored as given; relative paths are the scene file's
// folder's, resolved when the data is read) or a column name.
template <typename Section, typename T>
Key data_string_key(Section Scene::*section, T Section::*field, std::string_view sec,
                    std::string_view name, std::string range, std::string_view help) {
  return Key{sec,
             name,
             Type::string,
             std::move(range),
             help,
             [=](Scene& s, const Value& v) -> std::optional<std::string> {
               if (v.s.empty()) return std::string("is empty");
               if (v.s.find('\0') != std::string::npos) return std::string("holds a NUL byte");
               (s.*section).*field = v.s;
               return std::nullopt;
             },
             [=](const Scene& s) {
               const std::string shown = [&] {
                 if constexpr (std::is_same_v<T, std::string>)
                   return (s.*section).*field;
                 else
                   return ((s.*section).*field).string();
               }();
               return shown.empty() ? std::string("none") : shown;
             }};
}

}  // namespace

const std::vector<Key>& keys() {
  using net::DataSpec;
  using net::NetworkSpec;
  using net::TrainSpec;
  constexpr int64_t kMaxInt = std::numeric_limits<int64_t>::max();
  constexpr int64_t kMaxU32 = std::numeric_limits<uint32_t>::max();
  constexpr auto kNet = &Scene::network;
  constexpr auto kData = &Scene::data;
  constexpr auto kTrain = &Scene::train;
  constexpr auto kEval = &Scene::eval;
  using net::EvalSpec;
  static const std::vector<Key> table = {
      Key{"", "title", Type::string, "any text", "the scene's name",
          [](Scene& s, const Value& v) -> std::optional<std::string> {
            s.title = v.s;
            return std::nullopt;
          },
          [](const Scene&) { return std::string("(file stem)"); }},
      int_key(kNet, &NetworkSpec::input, "network", "input", 1, 1 << 20, "input features"),
      int_key(kNet, &NetworkSpec::depth, "network", "depth", 1, 100000,
              "hidden layers; weight layers = depth + 1"),
      int_key(kNet, &NetworkSpec::width, "network", "width", 1, 65536, "units per hidden layer"),
      int_key(kNet, &NetworkSpec::output, "network", "output", 1, 1 << 20,
              "outputs (classes for classification)"),
      sizes_key(),
      enum_key(kNet, &NetworkSpec::activation, "network", "activation", net::parse_activation,
               net::names_of_activations, "hidden-layer activation"),
      enum_key(kNet, &NetworkSpec::output_activation, "network", "output_activation",
               net::parse_activation, net::names_of_activations, "activation of the last layer"),
      enum_key(kNet, &NetworkSpec::init, "network", "init", net::parse_init, net::names_of_inits,
               "weight initialisation"),
      float_key(kNet, &NetworkSpec::sigma_w, "network", "sigma_w", 0.0, false, std::nullopt,
                "gaussian init: W ~ N(0, sigma_w^2 / fan_in); orthogonal: the gain"),
      float_key(kNet, &NetworkSpec::sigma_b, "network", "sigma_b", 0.0, true, std::nullopt,
                "gaussian and orthogonal init: b ~ N(0, sigma_b^2)"),
      int_key(kNet, &NetworkSpec::seed, "network", "seed", 0, kMaxInt, "initialisation seed"),
      Key{"network", "residual", Type::boolean, "true|false",
          "identity skips around blocks of residual_every hidden layers",
          [](Scene& s, const Value& v) -> std::optional<std::string> {
            s.network.residual = v.b;
            return std::nullopt;
          },
          [](const Scene& s) { return std::string(s.network.residual ? "true" : "false"); }},
      int_key(kNet, &NetworkSpec::residual_every, "network", "residual_every", 1, 100000,
              "hidden layers per residual block"),
      enum_key(kNet, &NetworkSpec::norm, "network", "norm", net::parse_norm, net::names_of_norms,
               "normalization of each hidden layer's pre-activation"),
      enum_key(kData, &DataSpec::kind, "data", "kind", net::parse_data_kind,
               net::names_of_data_kinds, "data set"),
      int_key(kData, &DataSpec::batch, "data", "batch", 1, 65536, "samples per step"),
      int_key(kData, &DataSpec::seed, "data", "seed", 0, kMaxInt, "data seed"),
      Key{"data", "fixed", Type::boolean, "true|false",
          "true: the same batch every step; false: a fresh batch each step",
          [](Scene& s, const Value& v) -> std::optional<std::string> {
            s.data.fixed = v.b;
            return std::nullopt;
          },
          [](const Scene& s) { return std::string(s.data.fixed ? "true" : "false"); }},
      matrix_key(&net::DataSpec::input, "input", "[batch][input]",
                 "data.kind inline: the inputs, one row per sample"),
      matrix_key(&net::DataSpec::target, "target", "[batch][output] or [\"column\", ...]",
                 "data.kind inline: the targets, one row per sample; data.kind file (CSV): the "
                 "regression columns, by name"),
      data_string_key(kData, &DataSpec::path, "data", "path", "a folder or file",
                      "fashion_mnist: the folder of its IDX files (default: Debian's "
                      "/usr/share/datasets/fashion-mnist); file: a .csv, .npy (inputs) or "
                      ".safetensors file; relative to the scene file"),
      data_string_key(kData, &DataSpec::target_path, "data", "target_path", "a .npy file",
                      "file, .npy: the targets' file ([N] class labels or [N, outputs])"),
      enum_key(kData, &DataSpec::split, "data", "split", net::parse_data_split,
               net::names_of_data_splits, "fashion_mnist: the split trained on"),
      data_string_key(kData, &DataSpec::label, "data", "label", "a column name",
                      "file, CSV: the class column (integers in [0, network.output))"),
      int_key(kData, &DataSpec::limit, "data", "limit", 0, int64_t(data::kMaxRows),
              "fashion_mnist and file: the first `limit` samples only (0: all)"),
      Key{"data", "drop_last", Type::boolean, "true|false",
          "fashion_mnist and file: drop the last partial batch of each epoch",
          [](Scene& s, const Value& v) -> std::optional<std::string> {
            s.data.drop_last = v.b;
            return std::nullopt;
          },
          [](const Scene& s) { return std::string(s.data.drop_last ? "true" : "false"); }},
      enum_key(kTrain, &TrainSpec::loss, "train", "loss", net::parse_loss, net::names_of_losses,
               "loss function"),
      enum_key(kTrain, &TrainSpec::optimizer, "train", "optimizer", net::parse_optimizer,
               net::names_of_optimizers, "optimiser"),
      float_key(kTrain, &TrainSpec::lr, "train", "lr", 0.0, false, std::nullopt, "learning rate"),
      int_key(kTrain, &TrainSpec::steps, "train", "steps", 0, kMaxU32, "training steps"),
      float_key(kTrain, &TrainSpec::momentum, "train", "momentum", 0.0, true, 1.0,
                "momentum optimizer: v = mu v + g"),
      float_key(kTrain, &TrainSpec::beta1, "train", "beta1", 0.0, true, 1.0, "adam"),
      float_key(kTrain, &TrainSpec::beta2, "train", "beta2", 0.0, true, 1.0, "adam"),
      float_key(kTrain, &TrainSpec::eps, "train", "eps", 0.0, false, std::nullopt, "adam"),
      float_key(kTrain, &TrainSpec::clip_norm, "train", "clip_norm", 0.0, true, std::nullopt,
                "global gradient-norm clipping (0: off)"),
      float_key(kTrain, &TrainSpec::clip_value, "train", "clip_value", 0.0, true, std::nullopt,
                "clamp each gradient to [-v, v] (0: off)"),
      int_key(kTrain, &TrainSpec::hist_lo, "train", "hist_lo", -45, 38,
              "|dW| histograms: lowest decade (bins from 10^hist_lo)"),
      int_key(kTrain, &TrainSpec::hist_hi, "train", "hist_hi", -44, 39,
              "|dW| histograms: highest decade (bins up to 10^hist_hi)"),
      int_key(kEval, &EvalSpec::every, "eval", "every", 0, 1 << 30,
              "held-out evaluation every this many steps (0: none)"),
      data_string_key(kEval, &EvalSpec::path, "eval", "path", "a file",
                      "data.kind file: the held-out samples (the format and columns of "
                      "data.path); relative to the scene file"),
      data_string_key(kEval, &EvalSpec::target_path, "eval", "target_path", "a .npy file",
                      "data.kind file, .npy: the held-out targets' file"),
      int_key(kEval, &EvalSpec::limit, "eval", "limit", 0, int64_t(data::kMaxRows),
              "the first `limit` held-out samples only (0: all)"),
  };
  return table;
}

bool is_section(std::string_view name) {
  return std::find(std::begin(kSections), std::end(kSections), name) != std::end(kSections);
}

const Key* find_key(std::string_view section, std::string_view name) {
  for (const Key& k : keys())
    if (k.section == section && k.name == name) return &k;
  return nullptr;
}

std::string key_names(std::string_view section) {
  std::vector<std::string_view> names;
  for (const Key& k : keys())
    if (k.section == section) names.push_back(k.name);
  return join(names, ", ");
}

const std::vector<CameraField>& camera_fields() {
  static const std::vector<CameraField> fields = {
      {"t", &net::CameraKey::t, 0.0, true, std::numeric_limits<double>::infinity(),
       "seconds into the video"},
      {"yaw", &net::CameraKey::yaw, -720.0, true, 720.0,
       "degrees around the tower (0: straight at the front faces)"},
      {"pitch", &net::CameraKey::pitch, -89.0, true, 89.0, "degrees above the horizon"},
      {"zoom", &net::CameraKey::zoom, 0.0, false, 20.0,
       "1 frames the whole tower; > 1 moves closer"},
  };
  return fields;
}

std::string camera_key_name(size_t frame, std::string_view field) {
  return "view.camera[" + std::to_string(frame) + "]." + std::string(field);
}

std::string_view expected_text(Type t) {
  switch (t) {
    case Type::integer:
      return "an integer";
    case Type::floating:
      return "a number";
    case Type::boolean:
      return "a boolean (true or false)";
    case Type::string:
      return "a string";
    case Type::integers:
      return "an array of integers";
    case Type::matrix:
      return "an array of rows of numbers ([[1, 2], [3, 4]])";
  }
  return "?";
}

std::string_view node_type_text(toml::node_type t) {
  switch (t) {
    case toml::node_type::table:
      return "a table";
    case toml::node_type::array:
      return "an array";
    case toml::node_type::string:
      return "a string";
    case toml::node_type::integer:
      return "an integer";
    case toml::node_type::floating_point:
      return "a float";
    case toml::node_type::boolean:
      return "a boolean";
    case toml::node_type::date:
      return "a date";
    case toml::node_type::time:
      return "a time";
    case toml::node_type::date_time:
      return "a date-time";
    case toml::node_type::none:
      break;
  }
  return "nothing";
}

[[noreturn]] void fail(const std::string& where, std::string_view key, const std::string& what) {
  throw Error(where + ": " + std::string(key) + ": " + what);
}

void set_key(Scene& scene, const Key& key, const toml::node& node, const std::string& where,
             std::string_view prefix) {
  Value v;
  bool ok = false;
  const std::string name = std::string(prefix) + key.full_name();
  switch (key.type) {
    case Type::integer:
      if ((ok = node.is_integer())) v.i = node.as_integer()->get();
      break;
    case Type::floating:
      if (node.is_integer()) {
        ok = true;
        v.f = static_cast<double>(node.as_integer()->get());
      } else if ((ok = node.is_floating_point())) {
        v.f = node.as_floating_point()->get();
      }
      break;
    case Type::boolean:
      if ((ok = node.is_boolean())) v.b = node.as_boolean()->get();
      break;
    case Type::string:
      if ((ok = node.is_string())) v.s = node.as_string()->get();
      break;
    case Type::integers:
      if ((ok = node.is_array()))
        if (std::optional<std::string> error = read_integers(node, v.list))
          fail(where, name, *error);
      break;
    case Type::matrix:
      if (node.is_array() && !node.as_array()->empty() && node.as_array()->front().is_string()) {
        ok = true;
        for (const toml::node& item : *node.as_array()) {
          if (!item.is_string()) {
            fail(where, name,
                 "an array of column names holds " + std::string(node_type_text(item.type())));
          }
          v.names.push_back(item.as_string()->get());
        }
      } else if ((ok = node.is_array())) {
        if (std::optional<std::string> error = read_matrix(node, v.matrix))
          fail(where, name, *error);
      }
      break;
  }
  if (!ok) {
    fail(where, name,
         "expected " + std::string(expected_text(key.type)) + ", got " +
             std::string(node_type_text(node.type())));
  }
  if (std::optional<std::string> error = key.set(scene, v)) fail(where, name, *error);
}

}  // namespace gt::scene::detail

namespace gt::scene {

std::string describe_schema() {
  using namespace detail;
  const Scene defaults;
  size_t name_w = 0, range_w = 0, default_w = 0;
  for (const Key& k : keys()) {
    name_w = std::max(name_w, k.name.size());
    range_w = std::max(range_w, k.range.size());
    default_w = std::max(default_w, k.show(defaults).size());
  }
  for (const CameraField& f : camera_fields())
    range_w = std::max(range_w, f.range().size());
  const auto pad = [](std::string s, size_t w) {
    s.resize(std::max(s.size(), w), ' ');
    return s;
  };
  std::string out =
      "Scene files are TOML. Every key is optional; a missing key takes its default.\n\n";
  out += "  " + pad("key", name_w) + "  " + pad("type", 6) + "  " + pad("range", range_w) + "  " +
         pad("default", default_w) + "  meaning\n";
  std::string_view section = "-";
  for (const Key& k : keys()) {
    if (k.section != section) {
      section = k.section;
      out += section.empty() ? "(top level)\n" : "[" + std::string(section) + "]\n";
    }
    const std::string_view type = k.type == Type::integer    ? "int"
                                  : k.type == Type::floating ? "float"
                                  : k.type == Type::boolean  ? "bool"
                                  : k.type == Type::integers ? "ints"
                                  : k.type == Type::matrix   ? "matrix"
                                                             : "string";
    out += "  " + pad(std::string(k.name), name_w) + "  " + pad(std::string(type), 6) + "  " +
           pad(k.range, range_w) + "  " + pad(k.show(defaults), default_w) + "  " +
           std::string(k.help) + "\n";
  }
  out += "[[view.camera]]  (camera path for recordings; top level only, not in a run or --set)\n";
  const net::CameraKey camera_defaults;
  for (const CameraField& f : camera_fields()) {
    out += "  " + pad(std::string(f.name), name_w) + "  " + pad("float", 6) + "  " +
           pad(f.range(), range_w) + "  " +
           pad(format_double(camera_defaults.*(f.field)), default_w) + "  " + std::string(f.help) +
           "\n";
  }
  out += "  Up to " + std::to_string(kMaxCameraKeys) +
         " keyframes, t strictly increasing; a missing key takes its default; no keyframes: the "
         "default camera.\n";
  out +=
      "[[network.layer]]  (exact initial parameters, one table per weight layer, input side "
      "first;\n"
      "                   every layer or none; in the scene file only, not in a run or --set)\n";
  out += "  " + pad("weight", name_w) + "  " + pad("matrix", 6) + "  " + pad("[out][in]", range_w) +
         "  " + pad("", default_w) + "  the layer's weights, one row per output\n";
  out += "  " + pad("bias", name_w) + "  " + pad("floats", 6) + "  " + pad("[out]", range_w) +
         "  " + pad("", default_w) + "  the layer's biases\n";
  out += describe_ops(name_w, range_w, default_w);
  out +=
      "\nInteger values are accepted for float keys; floats must be finite.\n"
      "Cross-key rules (checked after all overrides):\n"
      "  data.kind spiral, xor, circles, blobs need network.input = 2\n"
      "  data.kind xor, circles need network.output = 2\n"
      "  data.kind spiral, blobs need network.output >= 2\n"
      "  train.loss cross_entropy needs network.output >= 2\n"
      "  network.sizes excludes network.input, depth, width, output\n"
      "  [[network.layer]]: one table per weight layer, weight [out][in] and bias [out] as the\n"
      "    sizes say; it excludes network.init, sigma_w, sigma_b, seed\n"
      "  data.kind inline needs data.input ([batch][network input]) and data.target\n"
      "    ([batch][network output]); data.batch, when set, equals their rows; it excludes\n"
      "    data.seed and data.fixed (the batch is the same every step)\n"
      "  train.hist_lo < train.hist_hi\n"
      "  network.residual needs every hidden size in network.sizes equal\n"
      "  [[network.op]] excludes network.sizes, depth, width, output, activation,\n"
      "    output_activation, residual, residual_every, norm; [[network.layer]] then gives one\n"
      "    table per dense op\n"
      "Overrides: --set section.key=value (value in TOML syntax; string keys also take a bare "
      "word),\n"
      "applied after the file, in order.\n"
      "Runs: up to 8 [[run]] tables, each with a unique label and [run.network], [run.data],\n"
      "[run.train] keys applied on top of the file and the overrides (not data.batch,\n"
      "data.input, data.target or train.steps: runs train in lockstep; not [[network.layer]] or\n"
      "[[network.op]]).\n";
  return out;
}

}  // namespace gt::scene
