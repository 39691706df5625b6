// Exact networks and inline data: network.sizes, [[network.layer]] (the initial parameters) and
// data.kind = "inline" (data.input, data.target). Reading the arrays, and the rules that tie
// them to the network's shape.
#include <algorithm>
#include <cmath>
#include <iterator>
#include <limits>

#include "ops/kind.hpp"
#include "scene/keys.hpp"
#include "scene/op_list.hpp"

namespace gt::scene::detail {

using net::Scene;

namespace {

std::string ordinal_number(size_t i) {
  return "number " + std::to_string(i + 1);
}

// Reads one number (an integer or a float), finite in single precision.
std::optional<std::string> read_number(const toml::node& node, float& out) {
  double v = 0.0;
  if (node.is_integer()) {
    v = static_cast<double>(node.as_integer()->get());
  } else if (node.is_floating_point()) {
    v = node.as_floating_point()->get();
  } else {
    return "is " + std::string(node_type_text(node.type())) + "; expected a number";
  }
  if (!std::isfinite(v)) return std::string("must be finite");
  if (std::abs(v) > std::numeric_limits<float>::max())
    return "is " + format_double(v) + ", outside the float range";
  out = static_cast<float>(v);
  return std::nullopt;
}

std::string rows_of(uint32_t rows, uint32_t cols) {
  return std::to_string(rows) + (rows == 1 ? " row of " : " rows of ") + std::to_string(cols) +
         (cols == 1 ? " number" : " numbers");
}

std::string numbers(size_t n) {
  return std::to_string(n) + (n == 1 ? " number" : " numbers");
}

std::string sizes_text(const std::vector<uint32_t>& sizes) {
  std::string out;
  for (size_t i = 0; i < sizes.size(); ++i)
    out += (i ? ", " : "") + std::to_string(sizes[i]);
  return out;
}

}  // namespace

std::optional<std::string> read_integers(const toml::node& node, std::vector<int64_t>& out) {
  const toml::array& array = *node.as_array();
  out.clear();
  for (size_t i = 0; i < array.size(); ++i) {
    if (!array[i].is_integer()) {
      return "entry " + std::to_string(i + 1) + " is " +
             std::string(node_type_text(array[i].type())) + "; expected integers";
    }
    out.push_back(array[i].as_integer()->get());
  }
  return std::nullopt;
}

std::optional<std::string> read_numbers(const toml::node& node, std::vector<float>& out) {
  const toml::array* array = node.as_array();
  if (!array) {
    return "expected an array of numbers, got " + std::string(node_type_text(node.type()));
  }
  out.assign(array->size(), 0.0f);
  for (size_t i = 0; i < array->size(); ++i)
    if (std::optional<std::string> error = read_number((*array)[i], out[i]))
      return ordinal_number(i) + " " + *error;
  return std::nullopt;
}

std::optional<std::string> read_matrix(const toml::node& node, net::Matrix& out) {
  const toml::array* array = node.as_array();
  if (!array) {
    return "expected an array of rows of numbers ([[1, 2], [3, 4]]), got " +
           std::string(node_type_text(node.type()));
  }
  if (array->empty()) return std::string("expected at least one row, got an empty array");
  out = net::Matrix{};
  for (size_t r = 0; r < array->size(); ++r) {
    const toml::array* row = (*array)[r].as_array();
    if (!row) {
      return "row " + std::to_string(r + 1) + " is " +
             std::string(node_type_text((*array)[r].type())) +
             "; expected an array of numbers (a matrix is [[1, 2], [3, 4]])";
    }
    if (row->empty()) return "row " + std::to_string(r + 1) + " is empty";
    if (r == 0) out.cols = static_cast<uint32_t>(row->size());
    if (row->size() != out.cols) {
      return "row " + std::to_string(r + 1) + " has " + numbers(row->size()) + ", row 1 has " +
             std::to_string(out.cols) + "; every row needs the same count";
    }
    for (size_t c = 0; c < row->size(); ++c) {
      float v = 0.0f;
      if (std::optional<std::string> error = read_number((*row)[c], v))
        return "row " + std::to_string(r + 1) + ", " + ordinal_number(c) + " " + *error;
      out.values.push_back(v);
    }
  }
  out.rows = static_cast<uint32_t>(array->size());
  return std::nullopt;
}

namespace {

constexpr std::string_view kShapeKeys[] = {"network.input", "network.depth", "network.width",
                                           "network.output"};

constexpr std::string_view kInitKeys[] = {"network.init", "network.sigma_w", "network.sigma_b",
                                          "network.seed"};

bool is_shape_key(std::string_view k) {
  return std::find(std::begin(kShapeKeys), std::end(kShapeKeys), k) != std::end(kShapeKeys);
}

// Set by the scene itself, not standing in for network.sizes (see record_origin).
bool set_on_its_own(const Origins& origins, std::string_view k) {
  const auto it = origins.find(k);
  if (it == origins.end()) return false;
  const std::string& name = it->second.name;
  constexpr std::string_view kSizes = "network.sizes";
  return name.size() < kSizes.size() ||
         name.compare(name.size() - kSizes.size(), kSizes.size(), kSizes) != 0;
}

}  // namespace

void record_origin(Origins& origins, const std::string& key, const Origin& origin) {
  const std::string name = origin.name.empty() ? key : origin.name;
  if (excluded_by_ops(key))
    if (const auto it = origins.find("network.op"); it != origins.end()) {
      fail(origin.where, name,
           "cannot be combined with [[network.op]] (at " + it->second.where +
               "), which lists every op of the network");
    }
  if (key == "network.sizes") {
    for (std::string_view k : kShapeKeys)
      if (set_on_its_own(origins, k)) {
        fail(origin.where, name,
             "cannot be combined with " + std::string(k) + " (set at " +
                 origins.find(k)->second.where + "); network.sizes gives every layer's size");
      }
    origins[key] = origin;
    // The rules on input and output (data kinds, the loss) then blame network.sizes.
    Origin alias = origin;
    alias.name = name;
    for (std::string_view k : kShapeKeys)
      origins[std::string(k)] = alias;
    return;
  }
  if (is_shape_key(key) && origins.find("network.sizes") != origins.end()) {
    fail(origin.where, name,
         "cannot be combined with network.sizes (set at " +
             origins.find("network.sizes")->second.where + "), which gives every layer's size");
  }
  origins[key] = origin;
}

void apply_layer_entry(Scene& s, int layer, bool start, std::string_view field,
                       const toml::node& node, const std::string& where, Origins& origins) {
  if (layer < 0) {
    const toml::array* array = node.as_array();
    if (!array || array->empty() || !array->is_array_of_tables()) {
      fail(where, "network.layer",
           "must be an array of tables ([[network.layer]]), one per weight layer");
    }
    origins["network.layer"] = Origin{where, 0, {}};
    return;
  }
  const size_t i = static_cast<size_t>(layer);
  if (start) {
    const toml::table& table = *(*node.as_array())[i].as_table();
    for (std::string_view f : kLayerFields)
      if (!table.contains(f)) {
        fail(where, layer_key_name(i, f),
             "missing; every [[network.layer]] needs weight ([out][in]) and bias ([out])");
      }
    s.network.initial.emplace_back();
    return;
  }
  const std::string name = layer_key_name(i, field);
  net::LayerParams& lp = s.network.initial[i];
  if (field == "weight") {
    net::Matrix m;
    if (std::optional<std::string> error = read_matrix(node, m)) fail(where, name, *error);
    lp.in = m.cols;
    lp.out = m.rows;
    lp.w = std::move(m.values);
  } else if (field == "bias") {
    if (std::optional<std::string> error = read_numbers(node, lp.b)) fail(where, name, *error);
  } else {
    fail(where, name, "unknown key; expected one of: weight, bias");
  }
  origins[name] = Origin{where, 0, {}};
}

std::string layer_key_name(size_t layer, std::string_view field) {
  std::string out = "network.layer[" + std::to_string(layer) + "]";
  if (!field.empty()) {
    out += '.';
    out += field;
  }
  return out;
}

void check_exact(Scene& s, const Origins& origins, const std::string& fallback) {
  const auto origin_of = [&](std::string_view k) {
    const auto it = origins.find(k);
    return it == origins.end() ? Origin{} : it->second;
  };
  const auto is_set = [&](std::string_view k) { return origins.find(k) != origins.end(); };
  // Of two keys in conflict, the one set last is blamed; on a tie, `a`. The message is
  // what(true) when `a` is blamed, what(false) when `b` is: each says what is wrong from the
  // blamed key's side.
  const auto conflict = [&](std::string_view a, std::string_view b, const auto& what) {
    const Origin oa = origin_of(a);
    const Origin ob = origin_of(b);
    const bool blame_b = ob.order > oa.order;
    const Origin& o = blame_b ? ob : oa;
    fail(o.where.empty() ? fallback : o.where,
         o.name.empty() ? std::string(blame_b ? b : a) : o.name, what(!blame_b));
  };
  // The latest set of some keys (the first when none is set).
  const auto latest = [&](std::initializer_list<std::string_view> keys) {
    std::string_view best = *keys.begin();
    for (std::string_view k : keys)
      if (origin_of(k).order > origin_of(best).order) best = k;
    return std::string(best);
  };

  net::NetworkSpec& n = s.network;
  const bool explicit_ops = !n.ops.empty();  // explicit_sizes then holds the fused layers'
  const bool explicit_sizes = !n.explicit_sizes.empty();
  if (explicit_sizes && !explicit_ops) {
    // Also caught as they are set (record_origin); here for a scene changed by apply_override.
    for (std::string_view k : kShapeKeys)
      if (set_on_its_own(origins, k)) {
        conflict(k, "network.sizes", [&](bool key_blamed) {
          return key_blamed ? std::string(
                                  "cannot be combined with network.sizes, which gives "
                                  "every layer's size")
                            : "cannot be combined with " + std::string(k);
        });
      }
  }
  const std::vector<uint32_t> sizes = n.sizes();
  const std::string shape_key =
      explicit_ops ? "network.op"
      : explicit_sizes
          ? "network.sizes"
          : latest({"network.depth", "network.width", "network.input", "network.output"});
  const std::string in_key = explicit_sizes && !explicit_ops ? "network.sizes" : "network.input";
  const std::string out_key = explicit_ops     ? "network.op"
                              : explicit_sizes ? "network.sizes"
                                               : "network.output";
  const std::string sizes_note = "sizes " + sizes_text(sizes);

  if (!n.initial.empty() && explicit_ops) {
    for (const ops::Op& op : n.ops)
      if (ops::kind_of(op.kind).role == ops::Role::recurrent)
        conflict("network.layer", "network.op", [&](bool) {
          return std::string(
                     "[[network.layer]] gives dense layers' weight [out][in] and bias; "
                     "the network's first layer is an ") +
                 std::string(ops::to_string(op.kind)) +
                 " (its parameters come from its init, or --init-from a safetensors file)";
        });
  }
  if (!n.initial.empty()) {
    for (std::string_view k : kInitKeys)
      if (is_set(k)) {
        conflict(k, "network.layer", [&](bool key_blamed) {
          return key_blamed
                     ? std::string(
                           "has no effect: [[network.layer]] gives every initial "
                           "parameter")
                     : "gives every initial parameter, so " + std::string(k) + " has no effect";
        });
      }
    const size_t layers = sizes.size() - 1;
    if (n.initial.size() != layers) {
      conflict("network.layer", shape_key, [&](bool) {
        return std::to_string(n.initial.size()) + (n.initial.size() == 1 ? " table" : " tables") +
               ", but the network (" + sizes_note + ") has " + std::to_string(layers) +
               (layers == 1 ? " weight layer" : " weight layers") +
               "; give one [[network.layer]] per weight layer, input side first";
      });
    }
    for (size_t i = 0; i < layers; ++i) {
      const net::LayerParams& lp = n.initial[i];
      const uint32_t in = sizes[i], out = sizes[i + 1];
      const std::string layer = "layer " + std::to_string(i) + " maps " + std::to_string(in) +
                                " -> " + std::to_string(out) + " of " + sizes_note;
      const std::string weight = layer_key_name(i, "weight"), bias = layer_key_name(i, "bias");
      if (lp.in != in || lp.out != out) {
        conflict(weight, shape_key, [&](bool weight_blamed) {
          return weight_blamed
                     ? "expected " + rows_of(out, in) + ", got " + rows_of(lp.out, lp.in) +
                           " (weight is [out][in]; " + layer + ")"
                     : layer + ", but " + weight + " has " + rows_of(lp.out, lp.in) +
                           " (weight is [out][in])";
        });
      }
      if (lp.b.size() != out) {
        conflict(bias, shape_key, [&](bool bias_blamed) {
          return bias_blamed ? "expected " + numbers(out) + ", got " + numbers(lp.b.size()) + " (" +
                                   layer + ")"
                             : layer + ", but " + bias + " has " + numbers(lp.b.size());
        });
      }
    }
  }

  const net::Matrix& input = s.data.input;
  const net::Matrix& target = s.data.target;
  const std::string kind_text = "data.kind \"" + std::string(net::to_string(s.data.kind)) + "\"";
  if (s.data.kind != net::DataKind::inline_) {
    for (std::string_view k : {"data.input", "data.target"}) {
      if ((k == "data.input" ? input : target).rows == 0) continue;
      conflict(k, "data.kind", [&](bool key_blamed) {
        return key_blamed ? "is for data.kind \"inline\", but the scene has " + kind_text
                          : kind_text + " makes its own batch, but the scene gives " +
                                std::string(k) + " (for data.kind \"inline\")";
      });
    }
    return;
  }
  for (std::string_view k : {"data.input", "data.target"}) {
    if ((k == "data.input" ? input : target).rows > 0) continue;
    const Origin o = origin_of("data.kind");
    fail(o.where.empty() ? fallback : o.where, o.name.empty() ? "data.kind" : o.name,
         "data.kind \"inline\" needs " + std::string(k) + " (" +
             (k == "data.input" ? "[batch][network input]" : "[batch][network output]") +
             ", one row per sample)");
  }
  for (std::string_view k : {"data.seed", "data.fixed"})
    if (is_set(k)) {
      conflict(k, "data.kind", [&](bool key_blamed) {
        return key_blamed ? std::string(
                                "has no effect with data.kind \"inline\" (the scene's "
                                "batch, the same every step)")
                          : "data.kind \"inline\" leaves " + std::string(k) + " without effect";
      });
    }
  if (input.cols != n.input) {
    conflict("data.input", in_key, [&](bool input_blamed) {
      return input_blamed ? "rows of " + numbers(input.cols) + ", but the network takes " +
                                std::to_string(n.input) + " inputs (" + in_key + ")"
                          : "the network takes " + std::to_string(n.input) +
                                " inputs, but data.input has rows of " + numbers(input.cols);
    });
  }
  if (target.cols != n.output) {
    conflict("data.target", out_key, [&](bool target_blamed) {
      return target_blamed ? "rows of " + numbers(target.cols) + ", but the network has " +
                                 std::to_string(n.output) + " outputs (" + out_key + ")"
                           : "the network has " + std::to_string(n.output) +
                                 " outputs, but data.target has rows of " + numbers(target.cols);
    });
  }
  if (target.rows != input.rows) {
    conflict("data.target", "data.input", [&](bool target_blamed) {
      const auto rows = [](uint32_t r) { return std::to_string(r) + (r == 1 ? " row" : " rows"); };
      return target_blamed ? rows(target.rows) + ", but data.input has " +
                                 std::to_string(input.rows) + "; one target row per input row"
                           : rows(input.rows) + ", but data.target has " +
                                 std::to_string(target.rows) + "; one target row per input row";
    });
  }
  if (is_set("data.batch") && s.data.batch != input.rows) {
    conflict("data.batch", "data.input", [&](bool batch_blamed) {
      const std::string rows = std::to_string(input.rows) + (input.rows == 1 ? " row" : " rows");
      return batch_blamed ? "is " + std::to_string(s.data.batch) + ", but data.input has " + rows +
                                " (an inline batch's size is its rows; data.batch may be left out)"
                          : rows + ", but data.batch is " + std::to_string(s.data.batch);
    });
  }
  s.data.batch = input.rows;
}

}  // namespace gt::scene::detail
