#include "scene/data.hpp"

#include <map>
#include <memory>
#include <mutex>

#include "data/csv.hpp"
#include "data/fashion_mnist.hpp"
#include "data/npy.hpp"
#include "data/tensor_file.hpp"

namespace gt::scene::detail {
namespace {

namespace fs = std::filesystem;
using net::Scene;

// Keys that only a data set reads; set with another data.kind they are mistakes.
constexpr std::string_view kSetKeys[] = {"data.path",  "data.target_path", "data.split",
                                         "data.label", "data.limit",       "data.drop_last"};

Origin origin_of(const Origins& origins, std::string_view key) {
  const auto it = origins.find(key);
  return it == origins.end() ? Origin{} : it->second;
}

// Blames `key` where it was set (or `fallback`).
[[noreturn]] void fail_at(const Origins& origins, std::string_view key, const std::string& fallback,
                          const std::string& what) {
  const Origin o = origin_of(origins, key);
  fail(o.where.empty() ? fallback : o.where, o.name.empty() ? std::string(key) : o.name, what);
}

// Of two keys, the one set last (on a tie the first): the one to blame for a conflict.
std::string_view later(const Origins& origins, std::string_view a, std::string_view b) {
  return origin_of(origins, b).order > origin_of(origins, a).order ? b : a;
}

fs::path resolve(const fs::path& p, const fs::path& dir) {
  return p.empty() || p.is_absolute() ? p : dir / p;
}

// The first `rows` samples of a set.
void keep_first(data::Dataset& d, uint32_t rows) {
  if (rows == 0 || rows >= d.rows) return;
  d.rows = rows;
  d.input.resize(uint64_t(rows) * d.features);
  d.target.resize(uint64_t(rows) * d.outputs);
}

std::string extension_of(const fs::path& p) {
  std::string e = p.extension().string();
  for (char& c : e)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return e;
}

data::Dataset read_file_set(const net::DataSpec& d, const fs::path& path, const fs::path& targets,
                            uint32_t outputs, bool classify) {
  const std::string ext = extension_of(path);
  if (ext == ".csv") {
    data::CsvColumns columns;
    columns.label = d.label;
    columns.target = d.target_columns;
    columns.classes = d.label.empty() ? 0 : outputs;
    return data::read_csv(path, columns);
  }
  if (ext == ".npy") return data::read_npy_pair(path, targets, classify ? outputs : 0);
  return data::read_tensor_file(path, classify ? outputs : 0);
}

// A data set as the scene's keys describe it: its kind, where it is, which split (Fashion-MNIST)
// and columns (CSV), the classes the network has, and the first `limit` samples.
struct SetRequest {
  net::DataKind kind = net::DataKind::file;
  fs::path path, targets;
  data::Split split = data::Split::train;
  uint32_t limit = 0;
};

std::shared_ptr<const data::Dataset> read_set(const Scene& s, const SetRequest& r) {
  if (r.kind == net::DataKind::fashion_mnist) {
    return std::make_shared<const data::Dataset>(
        data::load_fashion_mnist(r.path, r.split, r.limit).set);
  }
  data::Dataset set = read_file_set(s.data, r.path, r.targets, s.network.output,
                                    s.train.loss == net::Loss::cross_entropy);
  keep_first(set, r.limit);
  return std::make_shared<const data::Dataset>(std::move(set));
}

// One copy of each set in memory, however many runs and scenes read it (a scene of three runs on
// Fashion-MNIST holds its 188 MB once).
std::shared_ptr<const data::Dataset> cached_set(const Scene& s, const SetRequest& r) {
  static std::mutex mutex;
  static std::map<std::string, std::weak_ptr<const data::Dataset>> cache;
  const net::DataSpec& d = s.data;
  std::string key = std::string(net::to_string(r.kind)) + '\n' + r.path.string() + '\n' +
                    r.targets.string() + '\n' + std::string(data::to_string(r.split)) + '\n' +
                    d.label + '\n' + std::to_string(r.limit) + '\n' +
                    std::to_string(s.network.output) + '\n' +
                    std::to_string(uint32_t(s.train.loss));
  for (const std::string& c : d.target_columns)
    key += '\n' + c;
  const std::lock_guard lock(mutex);
  if (auto hit = cache[key].lock()) return hit;
  auto set = read_set(s, r);
  cache[key] = set;
  return set;
}

// Reads a set, a loader's error becoming the scene error at `key`.
std::shared_ptr<const data::Dataset> read_at(const Scene& s, const SetRequest& r,
                                             const Origins& origins, std::string_view key,
                                             const std::string& fallback) {
  try {
    return cached_set(s, r);
  } catch (const io::Error& e) {  // data::Error too: the file and what is wrong with it
    fail_at(origins, key, fallback, e.what());
  }
}

void check_keys(const Scene& s, const Origins& origins, const std::string& fallback) {
  const net::DataSpec& d = s.data;
  const std::string kind_text = "data.kind \"" + std::string(net::to_string(d.kind)) + "\"";
  if (!net::is_data_set(d.kind)) {
    for (std::string_view k : kSetKeys)
      if (origins.count(k))
        fail_at(origins, later(origins, k, "data.kind"), fallback,
                std::string(k) +
                    " is for data.kind \"fashion_mnist\" or \"file\", but the scene "
                    "has " +
                    kind_text);
    if (!d.target_columns.empty())
      fail_at(origins, "data.target", fallback,
              "column names are for data.kind \"file\" (a CSV), but the scene has " + kind_text);
    return;
  }
  if (d.kind == net::DataKind::fashion_mnist) {
    for (std::string_view k : {"data.target_path", "data.label"})
      if (origins.count(k))
        fail_at(origins, later(origins, k, "data.kind"), fallback,
                std::string(k) + " is for data.kind \"file\", but the scene has " + kind_text);
    if (!d.target_columns.empty())
      fail_at(origins, "data.target", fallback,
              "column names are for data.kind \"file\" (a CSV), but the scene has " + kind_text);
    return;
  }
  if (origins.count("data.split"))
    fail_at(origins, later(origins, "data.split", "data.kind"), fallback,
            "data.split is for data.kind \"fashion_mnist\" (a file is one split)");
  if (d.path.empty())
    fail_at(origins, "data.kind", fallback,
            kind_text + " needs data.path: a .csv, .npy or .safetensors file");
  const std::string ext = extension_of(d.path);
  if (ext != ".csv" && ext != ".npy" && ext != ".safetensors")
    fail_at(origins, "data.path", fallback,
            "\"" + d.path.string() + "\": expected a .csv, .npy or .safetensors file");
  const bool csv = ext == ".csv";
  if (csv && d.label.empty() == d.target_columns.empty())
    fail_at(origins, "data.path", fallback,
            "a CSV needs exactly one of data.label (the class column) or data.target (the "
            "regression columns)");
  if (!csv && !d.label.empty())
    fail_at(origins, "data.label", fallback, "is for a CSV; data.path is a " + ext + " file");
  if (!csv && !d.target_columns.empty())
    fail_at(origins, "data.target", fallback,
            "column names are for a CSV; data.path is a " + ext + " file");
  if ((ext == ".npy") != !d.target_path.empty())
    fail_at(origins, ext == ".npy" ? "data.path" : "data.target_path", fallback,
            ext == ".npy" ? "a .npy file holds the inputs; data.target_path names the targets' "
                            ".npy file"
                          : "is for a .npy pair; data.path is a " + ext + " file");
}

// The set against the network and the batch.
void check_set(const Scene& s, const data::Dataset& set, const Origins& origins,
               const std::string& fallback) {
  const net::NetworkSpec& n = s.network;
  const net::DataSpec& d = s.data;
  const std::string what = "the data set (" + set.source + ")";
  if (set.features != n.input)
    fail_at(origins, later(origins, "network.input", "data.path"), fallback,
            "network.input is " + std::to_string(n.input) + ", but " + what + " has " +
                std::to_string(set.features) + " input features");
  if (set.outputs != n.output)
    fail_at(origins, later(origins, "network.output", "data.path"), fallback,
            "network.output is " + std::to_string(n.output) + ", but " + what + " has " +
                std::to_string(set.outputs) + (set.classes ? " classes" : " target columns"));
  if (s.train.loss == net::Loss::cross_entropy && set.classes == 0)
    fail_at(origins, later(origins, "train.loss", "data.path"), fallback,
            "train.loss \"cross_entropy\" needs class targets, but " + what +
                " has regression targets (use train.loss = \"mse\")");
  if (d.batch > set.rows)
    fail_at(origins, later(origins, "data.batch", "data.path"), fallback,
            "data.batch is " + std::to_string(d.batch) + ", but " + what + " has " +
                std::to_string(set.rows) + " samples");
}

// [eval]: the held-out set, the split not trained on (Fashion-MNIST) or eval.path (file), checked
// against the training set.
void attach_eval(Scene& scene, const Origins& origins, const std::string& fallback,
                 const fs::path& dir) {
  net::EvalSpec& e = scene.eval;
  const net::DataSpec& d = scene.data;
  e.set.reset();
  if (e.every == 0) {
    for (std::string_view k : {"eval.path", "eval.target_path", "eval.limit"})
      if (origins.count(k))
        fail_at(origins, k, fallback, "set, but eval.every is 0 (no evaluation)");
    return;
  }
  if (!net::is_data_set(d.kind))
    fail_at(origins, later(origins, "eval.every", "data.kind"), fallback,
            "held-out evaluation needs a data set (data.kind \"fashion_mnist\" or \"file\"), but "
            "the scene has data.kind \"" +
                std::string(net::to_string(d.kind)) + "\"");
  SetRequest r;
  r.kind = d.kind;
  r.limit = e.limit;
  if (d.kind == net::DataKind::fashion_mnist) {
    for (std::string_view k : {"eval.path", "eval.target_path"})
      if (origins.count(k))
        fail_at(origins, k, fallback,
                "is for data.kind \"file\"; Fashion-MNIST is evaluated on the split not trained "
                "on");
    r.path = d.path.empty() ? fs::path(data::kFashionMnistFolder) : resolve(d.path, dir);
    r.split = d.split == net::DataSplit::train ? data::Split::test : data::Split::train;
  } else {
    if (e.path.empty())
      fail_at(origins, "eval.every", fallback,
              "data.kind \"file\" needs eval.path: the held-out samples' file");
    if (extension_of(e.path) != extension_of(d.path))
      fail_at(origins, "eval.path", fallback,
              "\"" + e.path.string() + "\": expected a " + extension_of(d.path) +
                  " file, as data.path");
    if ((extension_of(e.path) == ".npy") != !e.target_path.empty())
      fail_at(origins, e.target_path.empty() ? "eval.path" : "eval.target_path", fallback,
              e.target_path.empty() ? "a .npy file holds the inputs; eval.target_path names the "
                                      "targets' .npy file"
                                    : "is for a .npy pair");
    r.path = resolve(e.path, dir);
    r.targets = resolve(e.target_path, dir);
  }
  const std::string_view key = d.kind == net::DataKind::file ? "eval.path" : "eval.every";
  e.set = read_at(scene, r, origins, key, fallback);
  if (e.set->features != d.set->features || e.set->outputs != d.set->outputs)
    fail_at(origins, key, fallback,
            "the held-out set (" + e.set->source + ") has " + std::to_string(e.set->features) +
                " inputs and " + std::to_string(e.set->outputs) +
                " targets a sample, but the training set has " + std::to_string(d.set->features) +
                " and " + std::to_string(d.set->outputs));
}

}  // namespace

void attach_data(Scene& scene, const Origins& origins, const std::string& fallback,
                 const fs::path& dir) {
  check_keys(scene, origins, fallback);
  net::DataSpec& d = scene.data;
  if (!net::is_data_set(d.kind)) {
    d.set.reset();
    attach_eval(scene, origins, fallback, dir);
    return;
  }
  SetRequest r;
  r.kind = d.kind;
  r.path = d.kind == net::DataKind::fashion_mnist && d.path.empty()
               ? fs::path(data::kFashionMnistFolder)
               : resolve(d.path, dir);
  r.targets = resolve(d.target_path, dir);
  r.split = d.split == net::DataSplit::train ? data::Split::train : data::Split::test;
  r.limit = d.limit;
  d.set =
      read_at(scene, r, origins, origins.count("data.path") ? "data.path" : "data.kind", fallback);
  check_set(scene, *d.set, origins, fallback);
  attach_eval(scene, origins, fallback, dir);
}

}  // namespace gt::scene::detail
