// The worked-example walkthrough: one training step of a small network taken apart into the
// operations a person would do by hand (x -> Linear -> act -> ... -> loss, then the backward pass
// and the update), each with a title, formula lines holding the exact numbers, and what it
// highlights and reveals on the drawn graph. Plain values, no Vulkan: the numbers come from the
// GPU (engine/teach/walk_session.hpp reads them back) and the drawing is render/walk_view.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "net/spec.hpp"

namespace gt::teach {

// What the walkthrough draws legibly: weight layers, features per layer (input and output
// included) and batch size. Bigger networks are refused with a message saying which limit.
inline constexpr uint32_t kMaxWalkLayers = 6;
inline constexpr uint32_t kMaxWalkFeatures = 8;
inline constexpr uint32_t kMaxWalkBatch = 4;

// Empty when the scene's network fits the limits above; otherwise why it does not.
std::string walk_limits_error(const net::Scene& scene);
// Throws std::runtime_error("--walkthrough: ...") when walk_limits_error says something.
void check_walkable(const net::Scene& scene);

// Everything one training step computed, as read back from the GPU (float), batch-major.
struct StepValues {
  net::NetworkSpec network;
  net::TrainSpec train;               // loss, optimizer and the learning rate the update used
  uint32_t step = 0;                  // the training step (0: the first)
  uint32_t batch = 0;                 // samples in the batch
  std::vector<float> input, target;   // [batch][in], [batch][out]
  net::Params before;                 // the parameters the step used
  std::vector<std::vector<float>> z;  // z[l]: weight layer l's pre-activation, [batch][out_l]
  std::vector<std::vector<float>> a;  // a[c]: feature column c (a[0] the input), [batch][size_c]
  float loss = 0;                     // the batch loss
  net::Params grads;                  // dW, db summed over the batch (the GPU's)
  net::Params after;                  // the parameters after the GPU's update
};

// What a step shows for the first time. `layer` is a weight layer (0: next to the input) for
// z, dz and grads, a feature column (0: the input) for a and da; unused for loss and update.
enum class Quantity { z, a, loss, dz, da, grads, update };
struct Reveal {
  Quantity what;
  uint32_t layer = 0;
};

enum class Phase { overview, forward, loss, backward, update };

struct Step {
  Phase phase = Phase::overview;
  std::string title;                 // "Forward, layer 1: z1 = W1 x + b1"
  std::vector<std::string> formula;  // lines with the exact numbers
  std::vector<uint32_t> columns;     // feature columns whose nodes it highlights
  std::vector<uint32_t> edges;       // weight layers whose edges it highlights
  bool loss_node = false;
  std::vector<Reveal> reveals;
};

// What is known after a step (the union of the reveals of it and the steps before it).
struct Known {
  std::vector<bool> z, dz, grads;  // per weight layer
  std::vector<bool> a, da;         // per feature column
  bool loss = false, update = false;
};

struct Walkthrough {
  StepValues values;
  uint32_t sample = 0;  // the sample whose per-sample values are shown
  // dL/dz and dL/da of the shown sample: dz[l] per weight layer, da[c] per feature column
  // (da[0], the input's, unused). Batch 1: dz is the GPU's db (for one sample db = dL/dz);
  // larger batches: from the GPU's output, target, W and z by the chain rule (see .cpp).
  std::vector<std::vector<double>> dz, da;
  std::vector<Step> steps;

  uint32_t layers() const { return uint32_t(values.before.size()); }
  std::vector<uint32_t> sizes() const;  // feature sizes, input to output
  Known known(size_t step) const;
  // Per-sample slices of the GPU's values for the shown sample.
  std::vector<float> z_of(uint32_t layer) const;
  std::vector<float> a_of(uint32_t column) const;
  std::vector<float> target_of() const;
};

// Builds the steps from one training step's values; throws std::invalid_argument when the
// values do not fit together, std::runtime_error for a network over the limits or a sample out
// of range.
Walkthrough build_walkthrough(const StepValues& values, uint32_t sample = 0);

// A number as the walkthrough writes it: up to 5 significant digits, no trailing zeros.
std::string format_number(double v);
std::string format_vector(const std::vector<double>& v);

}  // namespace gt::teach
