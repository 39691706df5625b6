// Buffer layouts and constants shared by C++ (engine/) and GLSL (compute_shaders/, render/).
// Declared once here so a layout mismatch between host and shader cannot happen. Only 4-byte
// scalars in structs: the std430 layout then equals the C++ layout (static_asserts below).
#ifndef GT_SHARED_LAYOUT_H
#define GT_SHARED_LAYOUT_H

#ifdef __cplusplus
#include <cstdint>
namespace gt::shared {
using uint = uint32_t;
#define GT_CONST(type, name, value) inline constexpr type name = value
#else
#define GT_CONST(type, name, value) const type name = value
#endif

// Activation codes (match gt::net::Activation).
GT_CONST(uint, GT_ACT_LINEAR, 0u);
GT_CONST(uint, GT_ACT_RELU, 1u);
GT_CONST(uint, GT_ACT_LEAKY_RELU, 2u);
GT_CONST(uint, GT_ACT_TANH, 3u);
GT_CONST(uint, GT_ACT_SIGMOID, 4u);
GT_CONST(uint, GT_ACT_GELU, 5u);
GT_CONST(float, GT_LEAKY_SLOPE, 0.01f);

GT_CONST(uint, GT_LOSS_MSE, 0u);
GT_CONST(uint, GT_LOSS_CROSS_ENTROPY, 1u);
GT_CONST(uint, GT_OPT_SGD, 0u);
GT_CONST(uint, GT_OPT_MOMENTUM, 1u);
GT_CONST(uint, GT_OPT_ADAM, 2u);

GT_CONST(uint, GT_DATA_SPIRAL, 0u);
GT_CONST(uint, GT_DATA_XOR, 1u);
GT_CONST(uint, GT_DATA_CIRCLES, 2u);
GT_CONST(uint, GT_DATA_BLOBS, 3u);
GT_CONST(uint, GT_DATA_TEACHER, 4u);
GT_CONST(uint, GT_DATA_INLINE, 5u);         // the scene's own batch, uploaded once
GT_CONST(uint, GT_DATA_FASHION_MNIST, 6u);  // a whole data set in DATASET, gathered per step
GT_CONST(uint, GT_DATA_FILE, 7u);           // the same, read from the user's file
// The adding problem (Hochreiter & Schmidhuber 1997; as Le et al. 2015): input_dim / 2 steps of
// (value ~ U[0, 1), marker), exactly two markers, one in each half; target their values' sum.
GT_CONST(uint, GT_DATA_ADDING, 8u);
GT_CONST(uint, GT_TEACHER_HIDDEN, 16u);  // width of the fixed random teacher network

// Every matrix is stored with its row length padded to a multiple of GT_VEC (vec4 loads), and
// the batch padded to a multiple of GT_VEC rows. Padding is kept at exactly zero.
GT_CONST(uint, GT_VEC, 4u);
// GEMM tiling: each invocation computes a GT_TILE x GT_TILE block; a workgroup is
// GT_WG_SIDE x GT_WG_SIDE invocations, so it covers GT_WG_TILE x GT_WG_TILE outputs.
GT_CONST(uint, GT_TILE, 4u);
GT_CONST(uint, GT_WG_SIDE, 8u);
GT_CONST(uint, GT_WG_TILE, 32u);
GT_CONST(uint, GT_WG_SIZE, 64u);  // invocations of every compute workgroup
// Update: each invocation handles 16 vec4s, so a workgroup covers 4096 parameters. Fewer,
// larger workgroups: on lavapipe each workgroup's barrier-based reduction is expensive.
GT_CONST(uint, GT_UPDATE_VECS_PER_INVOCATION, 16u);
GT_CONST(uint, GT_UPDATE_CHUNK, 4096u);  // parameters per update workgroup (64 x 16 x vec4)

// Names of the compute descriptor bindings (set 0, push descriptors). Each pipeline's layout
// holds the ones its shader declares, of the types it declares (vk/compute.hpp). Large arrays
// live in "segments" (several VkBuffers, each within the device's storage-buffer range); a
// dispatch binds the segment that holds its layer, so offsets in LayerDesc are segment-relative.
GT_CONST(uint, GT_BIND_GLOBALS, 0u);       // Globals (uniform buffer)
GT_CONST(uint, GT_BIND_LAYERS, 1u);        // LayerDesc[]
GT_CONST(uint, GT_BIND_PARAMS, 2u);        // float[]: W then b of each layer (param segment)
GT_CONST(uint, GT_BIND_GRADS, 3u);         // float[]: same layout as PARAMS
GT_CONST(uint, GT_BIND_OPT_M, 4u);         // float[]: optimizer first moment / velocity
GT_CONST(uint, GT_BIND_OPT_V, 5u);         // float[]: optimizer second moment
GT_CONST(uint, GT_BIND_X_IN, 6u);          // float[]: activations X (segment of the layer's input)
GT_CONST(uint, GT_BIND_X_OUT, 7u);         // float[]: activations X (segment of the layer's output)
GT_CONST(uint, GT_BIND_Z_IN, 8u);          // float[]: pre-activations Z (input side)
GT_CONST(uint, GT_BIND_Z_OUT, 9u);         // float[]: pre-activations Z (output side)
GT_CONST(uint, GT_BIND_DELTA, 10u);        // float[]: error signals, placed by lifetime (plan)
GT_CONST(uint, GT_BIND_TARGET, 11u);       // float[]: targets [batch_pad][ld_out]
GT_CONST(uint, GT_BIND_PARTIALS, 12u);     // vec4[]: per-workgroup partial reductions
GT_CONST(uint, GT_BIND_HEADER, 13u);       // StatsHeader then StepRecord[ring_len]
GT_CONST(uint, GT_BIND_LAYER_STATS, 14u);  // LayerStats[num_layers] then the ring
GT_CONST(uint, GT_BIND_NEURON_STATS, 15u);  // float[]: mean |dL/dz| per neuron, all layers
GT_CONST(uint, GT_BIND_HIST, 16u);          // uint[]: |dW| histograms, GT_HIST_STRIDE per layer
// float[]: the skips, one tensor each (LayerDesc::skip_*_off), residual networks only. Forward:
// a skip's source X ("skip"); backward: dL/dX of its end, carried down to its source ("carry").
GT_CONST(uint, GT_BIND_SKIP, 17u);
GT_CONST(uint, GT_BIND_NHAT, 18u);        // float[]: normalized Z of norm layers (X's segments)
GT_CONST(uint, GT_BIND_NORM_STATS, 19u);  // float[]: per norm layer, rstd per group
// Texel bindings (the shaders declare them as imageBuffer).
GT_CONST(uint, GT_BIND_PARAMS_TEX, 20u);  // imageBuffer rgba32f (read-only) over PARAMS
GT_CONST(uint, GT_BIND_X_IN_TEX, 21u);    // imageBuffer rgba32f (read-only) over X (input side)
GT_CONST(uint, GT_BIND_DELTA_TEX, 22u);   // imageBuffer rgba32f (read-only) over DELTA
// Uniform buffer: the LayerDesc of the dispatch's layer (push constant `layer`), bound at its
// offset in the layer table, for the per-layer kernels (this_layer.glsl).
GT_CONST(uint, GT_BIND_LAYER, 23u);
GT_CONST(uint, GT_BIND_GRADS_TEX, 24u);  // imageBuffer rgba32f (read-only) over GRADS
// float[]: one segment of a whole data set, [rows][data_row_floats]: each sample's inputs, then
// its targets (batch_gather.comp).
GT_CONST(uint, GT_BIND_DATASET, 25u);
// vec4[]: per held-out batch (eval_loss.comp): the sum of its samples' losses, how many of them
// the network classifies right, and how many it has.
GT_CONST(uint, GT_BIND_EVAL, 26u);
// Globals again, as a storage buffer: advance.comp writes the next step's real rows (batch).
GT_CONST(uint, GT_BIND_GLOBALS_RW, 27u);
// float[]: per recurrent layer (LayerDesc::time_off), its per-time-step figures, written by its
// backward (rnn_backward.comp): [steps][ld_out] mean over the batch of |dL/dh_t| per hidden unit
// (t = 1..steps, index t - 1; the time tower's cells), then [steps][ld_out] (scale, ssq) pairs of
// dL/dh_t per unit (their sums), then [steps] x 4: ||dL/dh_t||, the norm of step t's term of
// dL/dW_hh, the mean of the cells, 0 (GT_TIME_*); then the backward's scratch dL/dh_t of every
// step [steps][batch_pad][ld_out] (LayerDesc::seq_dh_off).
GT_CONST(uint, GT_BIND_TIME_STATS, 28u);
GT_CONST(uint, GT_BIND_NHAT_TEX, 29u);  // imageBuffer rgba32f (read-only) over NHAT
GT_CONST(uint, GT_BIND_COUNT, 30u);
GT_CONST(uint, GT_TIME_FIGURES, 4u);  // floats per time step after the per-unit cells

// LayerDesc::flags (and flags_prev: the previous layer's output sink). Residual blocks
// (docs/SCENES.md):
GT_CONST(uint, GT_FLAG_SKIP_WRITE, 1u);  // X_out starts a block: forward skip = X_out; backward
                                         // dL/dX_out += carry
GT_CONST(uint, GT_FLAG_SKIP_ADD, 2u);    // X_out ends a block: forward X_out = skip + act(.);
                                         // backward carry = dL/dX_out
GT_CONST(uint, GT_FLAG_NORM_BATCH,
         4u);  // Y = gamma * normalize(Z) + beta, per neuron over the batch
GT_CONST(uint, GT_FLAG_NORM_LAYER, 8u);         // ... per sample over the layer's neurons
GT_CONST(uint, GT_FLAG_POST, 32u);              // a post op (LayerDesc::post_*) follows the layer
GT_CONST(uint, GT_FLAG_SKIP_BEFORE_POST, 64u);  // the skip X_out starts is taken before the post
                                                // op (a pre-norm layer_norm) changes X_out
GT_CONST(uint, GT_FLAG_POST_CARRY, 16u);  // the layer's post op reads a hidden X (not the input):
                                          // its backward leaves that X's gradient in the carry
// The layer is an rnn unrolled over LayerDesc::steps time steps (rnn_forward.comp,
// rnn_backward.comp).
GT_CONST(uint, GT_FLAG_RECURRENT, 128u);

// |dW| histogram of one layer (weights only, the gradients as computed, before clipping): uints,
// GT_HIST_BINS log-spaced bins over [10^hist_lo, 10^hist_hi) (bin k holds
// floor((log10|g| - lo) / (hi - lo) * GT_HIST_BINS) = k), then the counts below the range (but
// not zero), at or above it (finite), exactly zero and non-finite, then the step it describes and
// the range (float bits). Computed by update.comp, completed by finalize.comp.
GT_CONST(uint, GT_HIST_BINS, 64u);
GT_CONST(uint, GT_HIST_UNDERFLOW, 64u);  // GT_HIST_BINS + 0
GT_CONST(uint, GT_HIST_OVERFLOW, 65u);
GT_CONST(uint, GT_HIST_ZERO, 66u);
GT_CONST(uint, GT_HIST_NONFINITE, 67u);
GT_CONST(uint, GT_HIST_STEP, 68u);
GT_CONST(uint, GT_HIST_LO, 69u);  // float bits of Globals::hist_lo
GT_CONST(uint, GT_HIST_HI, 70u);
GT_CONST(uint, GT_HIST_STRIDE, 72u);  // uints per layer (a multiple of 4)
// update.comp's specialization constant: count with shared-memory atomics (GPUs, the "shared"
// kernels) or in per-invocation counters (CPU devices, the "texel" kernels).
GT_CONST(uint, GT_SPEC_HIST_ATOMICS, 0u);

// Per-dispatch push constants (one struct for all compute pipelines; 128 bytes at most).
struct PushConstants {
  uint layer;        // index into LayerDesc (per-layer dispatches)
  uint layer_begin;  // first layer of a multi-layer dispatch (update: one param segment)
  uint layer_count;
  uint phase;  // backward: 0 = full; shader-specific otherwise
};

// Everything a shader needs to know about one weight layer. Offsets are in floats, relative to
// the start of the segment buffer that holds them; all are multiples of GT_VEC.
// 32-bit scalars only: the per-layer kernels read one entry as a std140 uniform block
// (this_layer.glsl), whose layout matches C++'s only for scalars (no vectors, no arrays).
struct LayerDesc {
  uint in_dim;  // real sizes
  uint out_dim;
  uint ld_in;  // padded row lengths (multiples of GT_VEC)
  uint ld_out;
  uint w_off;  // PARAMS/GRADS/OPT_*: W [ld_out][ld_in], then b [ld_out] at b_off
  uint b_off;
  uint x_in_off;    // X_IN/Z_IN: this layer's input X and (for dX) the previous layer's Z
  uint x_out_off;   // X_OUT/Z_OUT: this layer's output X = act(Z) and Z
  uint d_off;       // DELTA: this layer's dL/dZ [batch_pad][ld_out]
  uint d_prev_off;  // DELTA: the previous layer's dL/dZ [batch_pad][ld_in]
  uint act;         // GT_ACT_* of this layer
  uint act_prev;    // the previous layer's output sink (ops::output_sink): the act' its dX applies
  uint neuron_off;  // NEURON_STATS: first neuron of this layer
  uint dw_tiles_x;  // dW workgroup tiles along in (columns)
  uint dw_tiles;    // dW workgroup tiles in all
  uint dx_tiles_x;  // dX workgroup tiles along in (0 for the first layer: no dX needed)
  uint dx_tiles;
  uint col_groups;       // workgroups of the per-neuron column reduction
  uint dw_partial_off;   // PARTIALS: dW tiles' (sum sq, sum abs, max abs, non-finite)
  uint col_partial_off;  // PARTIALS: columns' (sum delta^2, sum db^2, 0, 0)
  uint upd_partial_off;  // PARTIALS: update chunks' (sum dW_update^2, sum W_old^2, 0, 0)
  uint upd_chunks;       // update workgroups of this layer
  uint act_partial_off;  // PARTIALS: forward workgroups' (count, mean, M2, saturated) of X_out
  uint act_groups;       // forward workgroups of this layer (x: ld_out tiles, y: batch tiles)
  uint flags;            // GT_FLAG_* of this layer
  uint flags_prev;       // ... and its carries: SKIP_WRITE add the carry, SKIP_ADD store it
  uint param_floats;     // PARAMS: this layer's block (W, b, and gamma, beta when normalized)
  uint g_off;            // PARAMS/GRADS: gamma [ld_out] then beta at be_off (norm layers)
  uint be_off;
  uint stat_off;          // NORM_STATS: this layer's rstd per group (norm layers)
  uint dy_off;            // DELTA: dL/dY of a norm layer (live with d_off: never aliases it)
  uint norm_partial_off;  // PARTIALS: norm backward's (dgamma, dbeta) (scale, ssq), per 64 neurons
  // A standalone op after the layer (gpu/post_op.hpp; rezero), run by its own kernels:
  uint post_param_off;    // PARAMS/GRADS: its parameters, after the layer's (rezero: alpha)
  uint post_src_off;      // X_IN: its second input (rezero: the block's input), in that segment
  uint post_delta_off;    // DELTA: dL/d its output, which its backward turns into this layer's
                          // dL/dZ (dL/dY for a norm layer) in place
  uint post_partial_off;  // PARTIALS: (scale, ssq, 0, 0) of all its parameters' gradients
  // Kept for backward, each op its own (gpu/plan.cpp): N-hat [batch_pad][ld_out] of the layer's
  // norm (NHAT, in the segment Plan::nhat_segment(l, false) names) and of its post layer_norm
  // (Plan::nhat_segment(l, true)); the post layer_norm's rstd per sample.
  uint nhat_off;
  uint post_nhat_off;
  uint post_stat_off;  // NORM_STATS
  // SKIP: each skip (a fused residual_add's, or a post op's second input) is its own tensor
  // [batch_pad][ld of its source], placed by lifetime (gpu/plan.cpp): forward the source's value,
  // backward its carry (dL/d the end, brought down to the source). The one X_out starts, the one
  // it ends, and the previous layer's two (for this layer's dX, which completes dL/dX_in).
  uint skip_start_off;
  uint skip_end_off;
  uint prev_skip_start_off;
  uint prev_skip_end_off;
  // Every layer: its weights at w_off, as stored (padding included) and as counted (not).
  uint w_floats;
  uint w_count;
  // A recurrent layer (GT_FLAG_RECURRENT; ops/rnn.hpp): in_dim = steps x seq_in features, its
  // output X_out the last hidden state. 1, 0, ... for the others.
  uint steps;
  uint seq_in;      // features per time step F
  uint ld_seq_in;   // F padded: W_ih [ld_out][ld_seq_in] at w_off, then W_hh [ld_out][ld_out]
  uint whh_off;     // PARAMS/GRADS: W_hh
  uint bhh_off;     // PARAMS/GRADS: b_hh [ld_out], after b_ih at b_off
  uint seq_h_off;   // NHAT: every hidden state [steps + 1][batch_pad][ld_out], h_0 = 0 first
  uint seq_dz_off;  // DELTA: dL/dz_t of every step [steps][batch_pad][ld_out] (backward's scratch)
  uint time_off;    // TIME_STATS: the layer's per-time figures (GT_BIND_TIME_STATS)
  uint seq_dh_off;  // TIME_STATS: dL/dh_t of every step [steps][batch_pad][ld_out] (scratch)
  uint pad1;
  uint pad2;
};

// Read by every shader; written by the host when the network is built or hyperparameters change
// (changing the learning rate therefore needs no re-recording). 32-bit scalars only: shaders
// read it as a std140 uniform block (common.glsl).
struct Globals {
  uint num_layers;
  // The real rows of the step being computed: batch_full, or fewer for the partial last batch of
  // an epoch (data.drop_last = false). Written by the host and, as each step ends, by
  // advance.comp for the next one; every kernel takes its real rows from here.
  uint batch;
  uint batch_pad;
  uint loss;
  uint optimizer;
  uint data_kind;
  uint data_fixed;
  uint data_seed_lo;
  uint data_seed_hi;
  uint input_dim;
  uint output_dim;
  uint ld_input;
  uint ld_output;
  uint ring_len;
  float lr;
  float momentum;
  float beta1;
  float beta2;
  float eps;
  uint teacher_off;  // TARGET: the teacher network's weights, after the targets
  float log_beta1;   // ln(beta1), ln(beta2), computed in double on the host: Adam's bias
  float log_beta2;   // correction 1 - beta^t = -expm1(t ln beta) then keeps its digits
  float clip_norm;   // 0: off
  float clip_value;  // 0: off
  float hist_lo;     // |dW| histogram range, decades: [10^hist_lo, 10^hist_hi)
  float hist_hi;
  // A whole data set (data_kind fashion_mnist or file); zero otherwise.
  uint data_rows;        // samples in the set
  uint data_batches;     // batches per epoch (the partial last one included unless dropped)
  uint data_row_floats;  // floats per sample in DATASET: input_dim inputs, output_dim targets
  uint data_half_bits;   // the epoch permutation's domain is 2^(2 data_half_bits) >= data_rows
  uint eval_rows;        // held-out samples ([eval]); 0: none
  uint batch_full;       // data.batch: the rows of every batch but an epoch's partial last one
};

struct LayerStats {
  float grad_w_norm;      // Frobenius norm of dW
  float grad_w_mean_abs;  // mean |dW|
  float grad_w_max_abs;   // max |dW|
  float grad_b_norm;      // norm of db
  float delta_rms;        // sqrt(mean over batch and neurons of (dL/dz)^2)
  float weight_norm;      // norm of W before this step's update
  float update_ratio;     // norm(W_new - W_old) / norm(W_old)
  uint nonfinite;         // count of non-finite entries of dW
  // The layer's outputs X = act(Z) over batch and neurons (forward_main.glsl): mean, standard
  // deviation (population), and the fraction saturated: tanh |x| > 0.99, sigmoid x < 0.01 or
  // x > 0.99, relu / leaky_relu / gelu z <= 0 (inactive), linear 0.
  float act_mean;
  float act_std;
  float saturated;
  uint pad0;
};

struct StepRecord {
  uint step;  // 0 for the first step
  float loss;
  uint valid;      // 1 once written
  float accuracy;  // the batch's (StatsHeader::accuracy)
};

struct StatsHeader {
  uint step;  // the step the next submission computes; advanced on the GPU
  uint num_layers;
  uint ring_len;
  uint opt_step0;    // the step at which optimizer state was last reset (Adam's t counts from it)
  float loss;        // loss of the latest step
  float grad_norm;   // global norm of all dW and db of the latest step (gradnorm.comp)
  float grad_scale;  // the factor clip_norm applied to every gradient (1: none)
  float accuracy;    // of the latest batch: the fraction whose largest output is the target's
};

#ifdef __cplusplus
static_assert(sizeof(PushConstants) <= 128);
// Tiling invariants the shaders rely on (compute_shaders/gemm_*.glsl, backward_main.glsl):
static_assert(GT_WG_SIDE * GT_WG_SIDE == GT_WG_SIZE && GT_WG_SIDE * GT_TILE == GT_WG_TILE);
// gemm_shared.glsl stages a 32 x 16 slice of each operand with two vec4 loads per invocation.
static_assert(GT_WG_TILE * 16 / 4 == 2 * GT_WG_SIZE);
static_assert(GT_UPDATE_CHUNK == GT_WG_SIZE * GT_UPDATE_VECS_PER_INVOCATION * 4);
static_assert(sizeof(LayerDesc) % 16 == 0);
static_assert(sizeof(Globals) % 16 == 0);
static_assert(sizeof(LayerStats) == 48);
static_assert(GT_HIST_UNDERFLOW == GT_HIST_BINS && GT_HIST_STRIDE % 4 == 0 &&
              GT_HIST_HI < GT_HIST_STRIDE);
// update.comp counts an invocation's |dW| entries in 8-bit counters.
static_assert(4 * GT_UPDATE_VECS_PER_INVOCATION < 256);
static_assert(sizeof(StepRecord) == 16);
static_assert(sizeof(StatsHeader) == 32);
}  // namespace gt::shared
#endif
#undef GT_CONST
#endif  // GT_SHARED_LAYOUT_H
