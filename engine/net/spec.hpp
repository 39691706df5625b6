// What a scene asks for: the network, its data and its training. Plain values, validated by
// engine/scene; everything downstream (GPU model, CPU reference, CLI) reads these.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "data/dataset.hpp"
#include "ops/op.hpp"

namespace gt::net {

// Numeric values match the GT_ACT_* constants in engine/shared/layout.h (used by shaders).
enum class Activation : uint32_t {
  linear = 0,
  relu = 1,
  leaky_relu = 2,
  tanh = 3,
  sigmoid = 4,
  gelu = 5
};
// orthogonal: torch.nn.init.orthogonal_ with gain sigma_w (net/orthogonal.hpp).
enum class Init : uint32_t { gaussian, xavier_uniform, xavier_normal, he_normal, orthogonal };
// Normalization of each hidden layer's pre-activation (training mode: batch statistics).
enum class Norm : uint32_t { none = 0, layer = 1, batch = 2 };
enum class Loss : uint32_t { mse = 0, cross_entropy = 1 };
enum class Optimizer : uint32_t { sgd = 0, momentum = 1, adam = 2 };
// Numeric values match GT_DATA_* in engine/shared/layout.h.
enum class DataKind : uint32_t {
  spiral = 0,
  xor_ = 1,
  circles = 2,
  blobs = 3,
  teacher = 4,
  inline_ = 5,        // the scene's own batch (DataSpec::input, target)
  fashion_mnist = 6,  // Debian's dataset-fashion-mnist (data/fashion_mnist.hpp), uploaded whole
  file = 7,           // the user's CSV, .npy pair or safetensors file, uploaded whole
  adding = 8          // the adding problem (sequences: value and marker per step; their sum)
};

enum class DataSplit : uint32_t { train = 0, test = 1 };

inline constexpr double kLeakyReluSlope = 0.01;
inline constexpr double kNormEps = 1e-5;  // added to the (biased) variance, as PyTorch

// The parameters of one weight layer (index 0 is the layer next to the input).
struct LayerParams {
  uint32_t in = 0;
  uint32_t out = 0;
  std::vector<float> w;  // [out][in], row-major
  std::vector<float> b;  // [out]
  // Normalized layers only (a norm op after the layer's dense op; ops::fused_layers): scale and
  // shift, [out]; else empty.
  std::vector<float> gamma;
  std::vector<float> beta;
  // The parameters of the standalone op after the layer (FusedLayer::post; ReZero: alpha, [1]),
  // one after the other in the kind's order (ops/kind.hpp: params); else empty.
  std::vector<float> post;
  std::string post_kind;  // its kind's name ("rezero"): checkpoints name them layers.{i}.KIND.NAME
  // A recurrent layer (ops::Role::recurrent; rnn) over `steps` time steps, in = steps x F
  // features: w holds W_ih [out][F] then W_hh [out][out], b holds b_ih [out] then b_hh [out]
  // (torch.nn.RNN's weight_ih_l0, weight_hh_l0, bias_ih_l0, bias_hh_l0). 0: a dense layer.
  uint32_t steps = 0;
};
using Params = std::vector<LayerParams>;

// A matrix of numbers from a scene file, row-major.
struct Matrix {
  uint32_t rows = 0;
  uint32_t cols = 0;
  std::vector<float> values;  // [rows][cols]
};

struct NetworkSpec {
  uint32_t input = 2;
  uint32_t depth = 8;  // hidden layers; weight layers = depth + 1
  uint32_t width = 64;
  uint32_t output = 2;
  Activation activation = Activation::tanh;
  Activation output_activation = Activation::linear;
  Init init = Init::gaussian;
  double sigma_w = 1.0;  // gaussian init: W ~ N(0, sigma_w^2 / fan_in); orthogonal: the gain
  double sigma_b = 0.0;  // gaussian and orthogonal init: b ~ N(0, sigma_b^2)
  uint64_t seed = 1;
  // [network] sizes: every feature size from the input to the output, when the scene gives them
  // (hidden layers may then differ in width). Empty: input, depth x width, output. When set, the
  // scene loader keeps input, depth, width and output consistent with it (input and output the
  // ends, depth the hidden layers, width the first hidden layer's size or the output's when
  // there is none).
  std::vector<uint32_t> explicit_sizes;
  // [[network.layer]]: the exact initial parameters, one entry per weight layer. Empty: drawn
  // by `init` from `seed`. init_params() returns these when given.
  Params initial;
  // [network] residual: identity skips around blocks of residual_every hidden layers, starting
  // at hidden layer 1's output (docs/SCENES.md). Hidden layers must then share one width.
  bool residual = false;
  uint32_t residual_every = 1;
  Norm norm = Norm::none;
  // [[network.op]]: the network as an explicit list of ops (engine/ops/graph.hpp). Empty: the
  // graph the keys above describe. When set, the scene loader keeps input, depth, width and
  // output consistent with it, as for `sizes`, and explicit_sizes holds its layers' sizes.
  std::vector<ops::Op> ops;

  uint32_t num_layers() const {
    return explicit_sizes.empty() ? depth + 1 : static_cast<uint32_t>(explicit_sizes.size() - 1);
  }
  // Feature sizes from the input to the output: num_layers() + 1 entries.
  std::vector<uint32_t> sizes() const;
  // Whether weight layer `layer` (0 = next to the input) normalizes its pre-activation. Builds
  // the graph each call: loops over layers use ops::fused_layers() once instead.
  bool normalized(uint32_t layer) const;
};

struct DataSpec {
  DataKind kind = DataKind::spiral;
  uint32_t batch = 128;
  uint64_t seed = 1;
  bool fixed = false;  // true: the same batch every step; false: a fresh batch each step
  // kind inline: the batch itself, [batch][network input] and [batch][network output]; the
  // same batch every step.
  Matrix input;
  Matrix target;
  // Kinds fashion_mnist and file: a whole data set, read when the scene is (engine/scene/data.cpp)
  // and uploaded once; each epoch a permutation keyed by (seed, epoch) picks the batches.
  std::filesystem::path path;         // fashion_mnist: the folder (empty: Debian's); file: the file
  std::filesystem::path target_path;  // file, .npy: the targets' file
  DataSplit split = DataSplit::train;       // fashion_mnist: the split trained on
  std::string label;                        // file, CSV: the class column
  std::vector<std::string> target_columns;  // file, CSV: the regression columns (data.target)
  uint32_t limit = 0;                       // > 0: the first `limit` samples only
  // Drop the last partial batch of an epoch (PyTorch's DataLoader drop_last, false by default as
  // there): kept, it trains on the samples left, fewer rows than `batch`.
  bool drop_last = false;
  std::shared_ptr<const data::Dataset> set;  // the samples, once read

  bool same_batch_each_step() const { return fixed || kind == DataKind::inline_; }
  // Batches of one epoch: all whole ones, and the partial last one unless dropped.
  uint32_t batches_per_epoch() const;
  // The real rows of step `step`'s batch: `batch`, or fewer for an epoch's partial last one
  // (compute_shaders/advance.comp computes the same on the GPU).
  uint32_t rows_of_step(uint32_t step) const;
};

struct TrainSpec {
  Loss loss = Loss::cross_entropy;
  Optimizer optimizer = Optimizer::sgd;
  double lr = 0.01;
  uint32_t steps = 100;
  double momentum = 0.9;  // momentum optimizer: v = mu v + g; W -= lr v
  double beta1 = 0.9;     // adam
  double beta2 = 0.999;   // adam
  double eps = 1e-8;      // adam
  // Gradient clipping before the optimizer, 0 = off. clip_norm: every gradient scaled by
  // clip_norm / (total + 1e-6) when the global norm `total` of all dW and db exceeds clip_norm
  // (PyTorch's clip_grad_norm_); clip_value: each gradient entry clamped to [-v, v]. Both: the
  // norm first. The statistics show the gradients as computed, before clipping.
  double clip_norm = 0;
  double clip_value = 0;
  // Range of the per-layer |dW| histograms, in decades: GT_HIST_BINS log-spaced bins over
  // [10^hist_lo, 10^hist_hi), counted on the GPU every step. Changeable without a rebuild.
  int32_t hist_lo = -12;
  int32_t hist_hi = 0;
};

// Held-out evaluation ([eval]): every `every` steps the forward pass over a whole second data set
// (the split not trained on, or eval.path), in batches on the GPU, without touching the training
// state: its loss and accuracy.
struct EvalSpec {
  uint32_t every = 0;                        // steps between evaluations; 0: none
  std::filesystem::path path;                // data.kind file: the held-out samples' file
  std::filesystem::path target_path;         // ... a .npy pair's targets
  uint32_t limit = 0;                        // > 0: the first `limit` samples only
  std::shared_ptr<const data::Dataset> set;  // the held-out samples, once read
};

// One keyframe of the orbit camera; record interpolates between keyframes over video time.
struct CameraKey {
  double t = 0;       // seconds into the video
  double yaw = 28;    // degrees around the tower (0: straight at the front faces)
  double pitch = 14;  // degrees above the horizon
  double zoom = 1;    // 1 frames the whole tower; > 1 moves closer
};

// How the scene is shown. Shared by all runs of a scene.
struct ViewSpec {
  std::vector<CameraKey> camera;  // empty: the default camera (yaw 28, pitch 14, zoom 1)
};

struct Scene {
  std::string title;
  std::filesystem::path path;  // where it was read from; empty for built-in scenes
  NetworkSpec network;
  DataSpec data;
  TrainSpec train;
  EvalSpec eval;
  ViewSpec view;
};

// Names as written in scene files and on the command line.
std::string_view to_string(Activation a);
std::string_view to_string(Init i);
std::string_view to_string(Loss l);
std::string_view to_string(Optimizer o);
std::string_view to_string(DataKind d);
std::string_view to_string(Norm n);
std::optional<Activation> parse_activation(std::string_view s);
std::optional<Init> parse_init(std::string_view s);
std::optional<Loss> parse_loss(std::string_view s);
std::optional<Optimizer> parse_optimizer(std::string_view s);
std::optional<DataKind> parse_data_kind(std::string_view s);
std::optional<Norm> parse_norm(std::string_view s);

// The valid names of each enum, for error messages ("expected one of: ...").
std::vector<std::string_view> names_of_activations();
std::vector<std::string_view> names_of_inits();
std::vector<std::string_view> names_of_losses();
std::vector<std::string_view> names_of_optimizers();
std::vector<std::string_view> names_of_data_kinds();
std::vector<std::string_view> names_of_norms();

// The generated classification sets: 2-D points and one-hot targets (spiral, xor, circles,
// blobs).
bool is_classification(DataKind d);
// Kinds read from files as a whole data set (fashion_mnist, file).
bool is_data_set(DataKind d);
std::string_view to_string(DataSplit s);
std::optional<DataSplit> parse_data_split(std::string_view s);
std::vector<std::string_view> names_of_data_splits();

}  // namespace gt::net
