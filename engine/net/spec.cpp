#include "net/spec.hpp"

#include <array>
#include <utility>

#include "ops/graph.hpp"

namespace gt::net {
namespace {

template <typename E, size_t N>
using NameTable = std::array<std::pair<E, std::string_view>, N>;

constexpr NameTable<Activation, 6> kActivations{{{Activation::linear, "linear"},
                                                 {Activation::relu, "relu"},
                                                 {Activation::leaky_relu, "leaky_relu"},
                                                 {Activation::tanh, "tanh"},
                                                 {Activation::sigmoid, "sigmoid"},
                                                 {Activation::gelu, "gelu"}}};
constexpr NameTable<Init, 5> kInits{{{Init::gaussian, "gaussian"},
                                     {Init::xavier_uniform, "xavier_uniform"},
                                     {Init::xavier_normal, "xavier_normal"},
                                     {Init::he_normal, "he_normal"},
                                     {Init::orthogonal, "orthogonal"}}};
constexpr NameTable<Loss, 2> kLosses{{{Loss::mse, "mse"}, {Loss::cross_entropy, "cross_entropy"}}};
constexpr NameTable<Optimizer, 3> kOptimizers{
    {{Optimizer::sgd, "sgd"}, {Optimizer::momentum, "momentum"}, {Optimizer::adam, "adam"}}};
constexpr NameTable<DataKind, 9> kDataKinds{{{DataKind::spiral, "spiral"},
                                             {DataKind::xor_, "xor"},
                                             {DataKind::circles, "circles"},
                                             {DataKind::blobs, "blobs"},
                                             {DataKind::teacher, "teacher"},
                                             {DataKind::inline_, "inline"},
                                             {DataKind::fashion_mnist, "fashion_mnist"},
                                             {DataKind::file, "file"},
                                             {DataKind::adding, "adding"}}};
constexpr NameTable<DataSplit, 2> kDataSplits{
    {{DataSplit::train, "train"}, {DataSplit::test, "test"}}};

constexpr NameTable<Norm, 3> kNorms{
    {{Norm::none, "none"}, {Norm::layer, "layer"}, {Norm::batch, "batch"}}};

template <typename E, size_t N>
std::string_view name_of(const NameTable<E, N>& table, E value) {
  for (const auto& [e, name] : table)
    if (e == value) return name;
  return "?";
}

template <typename E, size_t N>
std::optional<E> parse(const NameTable<E, N>& table, std::string_view s) {
  for (const auto& [e, name] : table)
    if (name == s) return e;
  return std::nullopt;
}

template <typename E, size_t N>
std::vector<std::string_view> names(const NameTable<E, N>& table) {
  std::vector<std::string_view> out;
  for (const auto& entry : table)
    out.push_back(entry.second);
  return out;
}

}  // namespace

std::vector<uint32_t> NetworkSpec::sizes() const {
  if (!explicit_sizes.empty()) return explicit_sizes;
  std::vector<uint32_t> s;
  s.push_back(input);
  for (uint32_t i = 0; i < depth; ++i)
    s.push_back(width);
  s.push_back(output);
  return s;
}

std::string_view to_string(Activation a) {
  return name_of(kActivations, a);
}
std::string_view to_string(Init i) {
  return name_of(kInits, i);
}
std::string_view to_string(Loss l) {
  return name_of(kLosses, l);
}
std::string_view to_string(Optimizer o) {
  return name_of(kOptimizers, o);
}
std::string_view to_string(DataKind d) {
  return name_of(kDataKinds, d);
}
std::string_view to_string(Norm n) {
  return name_of(kNorms, n);
}
std::optional<Norm> parse_norm(std::string_view s) {
  return parse(kNorms, s);
}
std::vector<std::string_view> names_of_norms() {
  return names(kNorms);
}
std::optional<Activation> parse_activation(std::string_view s) {
  return parse(kActivations, s);
}
std::optional<Init> parse_init(std::string_view s) {
  return parse(kInits, s);
}
std::optional<Loss> parse_loss(std::string_view s) {
  return parse(kLosses, s);
}
std::optional<Optimizer> parse_optimizer(std::string_view s) {
  return parse(kOptimizers, s);
}
std::optional<DataKind> parse_data_kind(std::string_view s) {
  return parse(kDataKinds, s);
}
std::vector<std::string_view> names_of_activations() {
  return names(kActivations);
}
std::vector<std::string_view> names_of_inits() {
  return names(kInits);
}
std::vector<std::string_view> names_of_losses() {
  return names(kLosses);
}
std::vector<std::string_view> names_of_optimizers() {
  return names(kOptimizers);
}
std::vector<std::string_view> names_of_data_kinds() {
  return names(kDataKinds);
}

bool is_classification(DataKind d) {
  return d == DataKind::spiral || d == DataKind::xor_ || d == DataKind::circles ||
         d == DataKind::blobs;
}
bool is_data_set(DataKind d) {
  return d == DataKind::fashion_mnist || d == DataKind::file;
}
std::string_view to_string(DataSplit s) {
  return name_of(kDataSplits, s);
}
std::optional<DataSplit> parse_data_split(std::string_view s) {
  return parse(kDataSplits, s);
}
std::vector<std::string_view> names_of_data_splits() {
  return names(kDataSplits);
}

uint32_t DataSpec::rows_of_step(uint32_t step) const {
  if (!set || fixed) return batch;
  const uint32_t per = batches_per_epoch(), last = per - 1;
  if (step % per != last) return batch;
  return std::min(batch, set->rows - last * batch);
}

uint32_t DataSpec::batches_per_epoch() const {
  const uint32_t rows = set ? set->rows : 0;
  const uint32_t whole = rows / batch;
  return drop_last || rows % batch == 0 ? whole : whole + 1;
}

bool NetworkSpec::normalized(uint32_t layer) const {
  const std::vector<ops::FusedLayer> layers = ops::fused_layers(*this);
  return layer < layers.size() && layers[layer].norm != Norm::none;
}

}  // namespace gt::net
