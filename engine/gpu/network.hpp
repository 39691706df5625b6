// A network on the GPU: its buffers (from a Plan), the compute pipelines, and one command
// buffer that holds a whole training step (data, forward, loss, backward, statistics, update),
// recorded once and resubmitted. The host never reads back inside a step: statistics stay on the
// GPU (the renderer reads them there) until a caller asks for them.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "gpu/op_kernels.hpp"
#include "gpu/plan.hpp"
#include "layout.h"
#include "net/init.hpp"
#include "net/spec.hpp"
#include "vk/buffer.hpp"
#include "vk/compute.hpp"
#include "vk/handle.hpp"

namespace gt::vk {
class Context;
}

namespace gt::gpu {

struct Batch {
  uint32_t size = 0;
  std::vector<float> input;   // [size][in]
  std::vector<float> target;  // [size][out]
};

struct EvalResult {
  uint32_t samples = 0;
  double loss = 0;      // mean over the held-out samples
  double accuracy = 0;  // fraction classified right (classification sets; else 0)
};

// A recurrent layer's figures per time step t = 1..steps (index t - 1), of the latest step.
struct TimeStats {
  uint32_t steps = 0;
  uint32_t units = 0;
  std::vector<float> cells;           // [steps][units]: mean over the batch of |dL/dh_t|
  std::vector<float> grad_h_norm;     // ||dL/dh_t|| over the batch and units
  std::vector<float> dwhh_term_norm;  // || sum_b dz_t[b] h_{t-1}[b]^T ||: step t's term of dW_hh
  std::vector<float> mean_cell;       // the mean of the step's cells
};

struct StepStats {
  uint32_t step = 0;
  float loss = 0;
  float accuracy = 0;  // the batch's: the fraction whose largest output is the target's
  std::vector<shared::LayerStats> layers;
};

// GPU time of the parts of one step, from timestamp queries (milliseconds).
struct StepTimings {
  double data = 0, forward = 0, backward = 0, update = 0, statistics = 0, total = 0;
};

// Kernels (gpu/op_kernels.hpp): the GEMM variants.
const char* to_string(Kernels k);
Kernels parse_kernels(const std::string& name);  // throws std::runtime_error

struct NetworkOptions {
  Kernels kernels = Kernels::automatic;  // automatic: texel on CPU devices, shared on GPUs
  uint64_t max_segment_bytes = 0;        // 0: from the device limits (tests force small segments)
  // At least this uniform-buffer offset alignment (tests force 256, the largest Vulkan allows,
  // to exercise the padded layer table; 0: the device's).
  uint32_t min_uniform_align = 0;
  uint32_t ring_len = 64;
  bool timestamps = false;  // record timestamp queries around the parts of the step
};

DeviceLimits device_limits(const vk::Context& ctx, uint64_t max_segment_bytes = 0);

class Network {
 public:
  // Plans (throws PlanError when it does not fit), allocates, uploads initial parameters.
  Network(vk::Context& ctx, const net::Scene& scene, const NetworkOptions& options = {});
  ~Network();
  Network(const Network&) = delete;
  Network& operator=(const Network&) = delete;

  const Plan& plan() const { return plan_; }
  // Bytes of every buffer the network allocated (what Plan::total_bytes() estimates beforehand).
  uint64_t allocated_bytes() const;
  Kernels kernels() const { return kernels_; }  // the variant in use (never automatic)
  const net::Scene& scene() const { return scene_; }
  uint32_t steps_done() const { return steps_done_; }

  // Replaces the parameters and clears optimizer state (the step counter is kept).
  void set_params(const net::Params& params);
  // Changes learning rate and optimizer constants without re-recording.
  void set_train(const net::TrainSpec& train);

  // Submits `steps` training steps and waits for them (first finishing a step begun in pieces).
  void train(uint32_t steps);

  // Training in pieces, for a live view that draws between them: the commands of a step cut at
  // dispatch boundaries into pieces (recorded on first use). Runs pieces while the next one is
  // expected to end within `budget_ms` of wall-clock time, at least one; returns the steps
  // completed. The statistics buffers
  // are published by the last piece of a step (the per-neuron figures are computed into a
  // pending buffer and copied), so between pieces the renderer and the readbacks of statistics
  // always see the latest complete step. Bit-identical to whole steps.
  uint32_t train_pieces(double budget_ms);
  // One piece (recorded on first use); true when it completed a step. Runs trained side by side
  // use it to publish the same step together (cli::Runs::train_for).
  bool train_piece();
  // Whether the next piece is the last of its step: the one that completes and publishes it.
  bool at_last_piece();
  bool mid_step() const { return next_piece_ != 0; }
  // Runs the rest of a step begun by train_pieces (set_params and set_train do this first).
  void finish_step();

  // On-demand readback (waits for the GPU).
  net::Params params();
  net::Params grads();
  Batch batch();  // the batch of the latest step
  float loss();
  StepStats latest_stats();
  std::vector<float> neuron_stats();  // mean |dL/dz| per neuron, layer after layer
  // A recurrent layer's per-time figures of the latest step (GT_BIND_TIME_STATS).
  TimeStats time_stats(uint32_t layer);
  // |dW| histograms of the latest complete step: shared::GT_HIST_STRIDE uints per layer, layer
  // after layer (bins, underflow, overflow, zero, non-finite, the step, the range's float bits;
  // see layout.h). Only the latest step is kept: read every step you want.
  std::vector<uint32_t> histograms();
  // (step, loss) of the last min(steps_done, ring_len) complete steps, oldest first: the ring's
  // step records only, without the per-layer figures history() reads.
  std::vector<std::pair<uint32_t, float>> recent_losses();
  // The ring of per-layer statistics: entries for the last min(steps_done, ring_len) steps,
  // oldest first.
  std::vector<StepStats> history();
  // Activations of index a (0 = input, a = layer a's output), [batch][size]; pre-activations too.
  std::vector<float> activations(uint32_t a);
  std::vector<float> preactivations(uint32_t a);

  // The held-out evaluation ([eval]): the forward pass over the whole held-out set in batches on
  // the GPU, with the parameters of the latest step, leaving the training state as it was (the
  // next step recomputes every activation). Waits for the GPU. Needs scene.eval.set.
  EvalResult evaluate();
  bool has_eval() const { return plan_.eval_batches > 0; }

  // Timings of the latest step (NetworkOptions::timestamps).
  std::optional<StepTimings> timings();

  // The statistics buffers, for the renderer (read in place, ordered by a barrier).
  const vk::Buffer& layer_stats_buffer() const { return layer_stats_; }
  const vk::Buffer& neuron_stats_buffer() const { return neuron_stats_; }
  const vk::Buffer& time_stats_buffer() const { return time_stats_; }
  const vk::Buffer& layers_buffer() const { return layers_; }
  const vk::Buffer& histograms_buffer() const { return hist_; }

 private:
  void allocate();
  void upload_globals();
  void upload_teacher();
  // One dispatch (or copy) with the barrier after it; a piece never splits one. `cost` is a
  // rough relative time, for cutting pieces of similar length.
  struct StepOp {
    float cost = 0;
    std::function<void(VkCommandBuffer)> record;
  };
  enum Stamp : uint32_t { kBegin, kData, kForward, kBackward, kUpdate, kEnd, kStampCount };
  // The step's commands in order. `pieces`: smaller update dispatches and no timestamps.
  std::vector<StepOp> step_ops(bool pieces);
  void make_op_kernels();  // op_kernels_ and layer_ops_, for the plan's layers
  void record_step();
  void record_pieces();
  void submit_and_wait(VkCommandBuffer cmd);
  void generate_fixed_batch();
  // A data set into its segments, once (nothing without one). gpu/network_data.cpp
  void upload_data_set(const data::Dataset* set, const DataPlacement& where,
                       const std::vector<vk::Buffer>& segments);
  // The step's batch: generated (datagen) or gathered from the data set (batch_gather), then a
  // barrier before the forward pass reads it.
  void record_batch(VkCommandBuffer cmd);
  // Held-out batch k gathered (batch_gather's phase 1), then a barrier.
  void record_eval_batch(VkCommandBuffer cmd, uint32_t k);
  void record_eval();  // eval_cmd_: every held-out batch's gather, forward pass and sums
  // advance.comp: phase 0 ends a step (the counter, the next step's rows), 1 sets whole batches,
  // 2 the current step's rows; then a barrier before the uniform reads of the rows.
  void record_advance(VkCommandBuffer cmd, uint32_t phase);
  void upload_inline_batch();
  std::vector<float> read_layer_major(const vk::Buffer& buf, uint64_t base, uint32_t rows,
                                      uint32_t cols, uint32_t ld);
  net::Params read_params(const std::vector<vk::Buffer>& segs);
  void set_recurrent_params(const shared::LayerDesc& d, const net::LayerParams& lp,
                            std::vector<float>& seg, uint32_t l);
  vk::Bindings common_bindings() const;
  // common_bindings() and layer l's LayerDesc as a uniform buffer (GT_BIND_LAYER).
  vk::Bindings layer_bindings(uint32_t l) const;
  // layer_bindings(l) and every buffer layer l's fused ops may use (gpu/op_kernels.hpp).
  vk::Bindings fused_bindings(uint32_t l) const;
  // fused_bindings(l) with X_IN and NHAT those of layer l's post op (gpu/post_op.hpp).
  vk::Bindings post_bindings(uint32_t l) const;
  // The real floats of layer l's post op parameters (0: none).
  uint32_t post_param_count(uint32_t l) const;

  vk::Context& ctx_;
  net::Scene scene_;
  NetworkOptions options_;
  Plan plan_;
  uint32_t steps_done_ = 0;
  Kernels kernels_ = Kernels::texel;

  std::unique_ptr<vk::ComputePipeline> datagen_, batch_gather_, eval_loss_, loss_, gradnorm_,
      update_, finalize_, advance_;
  // The kernels of each op kind in use, one per kind and placement (gpu/op_kernels.hpp).
  std::map<std::pair<ops::Kind, Placement>, std::unique_ptr<OpKernels>> op_kernels_;
  struct LayerOp {
    const OpKernels* kernels = nullptr;
    Placement where = Placement::fused;
  };
  std::vector<std::vector<LayerOp>> layer_ops_;  // per layer, its ops with kernels in graph order

  vk::Buffer globals_, layers_;
  vk::Buffer layers_padded_;  // the table at Plan::layer_ubo_stride, where that is not its own
  std::vector<vk::Buffer> params_, grads_, opt_m_, opt_v_, x_, z_;
  std::vector<vk::BufferView> params_tex_, grads_tex_, x_tex_;
  vk::Buffer delta_, target_, partials_, header_, layer_stats_, neuron_stats_, neuron_pending_;
  vk::Buffer hist_, hist_pending_;  // |dW| histograms: published, being counted
  // Residual skip / carry (GT_BIND_SKIP), the norms' rstd, and each norm's N-hat (Plan::nhat's
  // segments); small stand-ins when the network has no residual or no norm.
  vk::Buffer skip_, norm_stats_;
  vk::Buffer time_stats_;  // recurrent layers' per-time figures (GT_BIND_TIME_STATS)
  std::vector<vk::Buffer> nhat_;
  std::vector<vk::BufferView> nhat_tex_;  // texel views of nhat_ (an rnn's hidden states)
  std::vector<vk::Buffer> dataset_;       // the data set's segments (Plan::data)
  std::vector<vk::Buffer> eval_set_;      // the held-out set's (Plan::eval)
  vk::Buffer eval_sums_;        // per held-out batch: loss sum, hits, samples (GT_BIND_EVAL)
  vk::CommandBuffer eval_cmd_;  // recorded at the first evaluate()
  vk::BufferView delta_tex_;

  vk::Fence fence_;
  vk::QueryPool queries_;  // NetworkOptions::timestamps only
  vk::CommandBuffer step_cmd_;
  std::vector<vk::CommandBuffer> piece_cmds_;  // empty until train_pieces is first used
  uint32_t next_piece_ = 0;
};

}  // namespace gt::gpu
