#include "gpu/plan.hpp"

#include <algorithm>
#include <cstdio>

#include "gpu/tensors.hpp"
#include "ops/graph.hpp"
#include "ops/kind.hpp"

namespace gt::gpu {

using shared::GT_UPDATE_CHUNK;
using shared::GT_VEC;
using shared::GT_WG_SIZE;
using shared::GT_WG_TILE;

namespace {

uint32_t to_u32(uint64_t v, const char* what) {
  if (v > 0xffffffffull) throw PlanError(std::string(what) + " exceeds 2^32 elements");
  return static_cast<uint32_t>(v);
}

// The skips as scratch tensors with lifetimes: one per fused residual_add and per post op that
// reads a hidden X, sized to its source. Where one skip ends at the X another starts from, the
// dispatch that completes that X (forward its epilogue, backward the dX tiles or a pre-norm's
// backward) reads one and writes the other element by element in each invocation: the two must
// sit at the same offset (an offset apart by less than their size would let one invocation write
// what another still reads, with no barrier between). So such a chain (X_s -> X_e -> X_f ...,
// one width all along) is one tensor, living from just after its first source is written
// (stage 2s + 1) to the epilogue of its last end (stage 2f). Backward its carries live over the
// mirrored range, so the same placement serves both. A classic residual network is one chain: one
// place, as the single skip buffer was; nested and crossing skips get places of their own.
void place_skips(Plan& p, const std::vector<uint32_t>& ld, uint64_t max_floats) {
  struct Skip {
    uint32_t source, end_layer;  // from X_source to X_{end_layer + 1}
  };
  std::vector<Skip> skips;
  for (uint32_t l = 0; l < p.num_layers; ++l) {
    const ops::FusedLayer& f = p.fused[l];
    const int32_t s = f.skip_source >= 0 ? f.skip_source : f.post ? f.post_source : -1;
    if (s > 0) skips.push_back({uint32_t(s), l});  // (a post op's input needs no gradient)
  }
  std::stable_sort(skips.begin(), skips.end(),
                   [](const Skip& a, const Skip& b) { return a.source < b.source; });
  // Chains, in order of their first source: a skip from the X a chain ends at continues it.
  std::vector<ScratchTensor> chains;
  std::vector<uint32_t> chain_ending_at(p.num_layers + 1, UINT32_MAX);  // per X index
  std::vector<uint32_t> chain_of(skips.size()), links;
  for (size_t k = 0; k < skips.size(); ++k) {
    const uint32_t s = skips[k].source, e = skips[k].end_layer + 1;
    uint32_t c = chain_ending_at[s];
    if (c == UINT32_MAX) {
      c = static_cast<uint32_t>(chains.size());
      chains.push_back({"", 0, 2 * s + 1, 2 * s + 1});
      links.push_back(0);
    }
    chains[c].floats = std::max<uint64_t>(chains[c].floats, uint64_t(p.batch_pad) * ld[s]);
    chains[c].last = 2 * e;
    ++links[c];
    chain_ending_at[s] = UINT32_MAX;
    chain_ending_at[e] = c;
    chain_of[k] = c;
  }
  for (size_t c = 0; c < chains.size(); ++c)
    chains[c].name = "the skip" + std::string(links[c] > 1 ? "s" : "") + " from X_" +
                     std::to_string((chains[c].first - 1) / 2) + " to X_" +
                     std::to_string(chains[c].last / 2) +
                     (links[c] > 1 ? " (a chain of " + std::to_string(links[c]) + ")" : "");
  const ScratchLayout placed = place_scratch(chains, max_floats, GT_VEC);
  p.skip_floats = placed.floats;
  for (size_t k = 0; k < skips.size(); ++k) {
    const uint32_t off = to_u32(placed.offset_of[chain_of[k]], "skip");
    p.layers[skips[k].end_layer].skip_end_off = off;
    p.layers[skips[k].source - 1].skip_start_off = off;
  }
  for (uint32_t l = 1; l < p.num_layers; ++l) {
    p.layers[l].prev_skip_start_off = p.layers[l - 1].skip_start_off;
    p.layers[l].prev_skip_end_off = p.layers[l - 1].skip_end_off;
  }
}

}  // namespace

std::string format_bytes(uint64_t bytes) {
  char buf[64];
  if (bytes >= (1ull << 30))
    std::snprintf(buf, sizeof buf, "%.2f GiB", static_cast<double>(bytes) / (1ull << 30));
  else
    std::snprintf(buf, sizeof buf, "%.1f MiB", static_cast<double>(bytes) / (1ull << 20));
  return buf;
}

namespace {

// Whole samples per segment: the shader finds a sample's segment by its index.
DataPlacement place_data_set(const data::Dataset& set, uint64_t max_floats, uint64_t max_bytes) {
  DataPlacement d;
  d.row_floats = set.features + set.outputs;
  const uint64_t per = max_floats / d.row_floats;
  if (per == 0) {
    throw PlanError("a sample of the data set (" + std::to_string(d.row_floats) +
                    " floats: inputs and targets) is larger than the device's largest buffer (" +
                    format_bytes(max_bytes) + ")");
  }
  d.rows_per_segment = static_cast<uint32_t>(std::min<uint64_t>(per, set.rows));
  for (uint64_t first = 0; first < set.rows; first += d.rows_per_segment)
    d.segment_floats.push_back(std::min<uint64_t>(d.rows_per_segment, set.rows - first) *
                               d.row_floats);
  return d;
}

// What a recurrent layer keeps grows with its steps T: every hidden state ((T + 1) x batch_pad x
// ld_out, one kept tensor), dL/dz_t of every step (T x batch_pad x ld_out in DELTA, beside the
// other error signals) and its per-time figures with dL/dh_t (T x (3 ld_out + 4 + batch_pad x
// ld_out), TIME_STATS). Each must fit the device's largest buffer: refused before any allocation,
// naming the T that would.
void check_recurrent_fits(const std::string& layer, uint32_t steps, uint32_t features,
                          uint32_t batch, uint32_t batch_pad, uint32_t width, uint32_t ld_out,
                          uint64_t other_signals, const DeviceLimits& limits) {
  const uint64_t max_floats = limits.max_segment_bytes / 4;
  const uint64_t per_step = uint64_t(batch_pad) * ld_out;
  const auto within = [](uint64_t budget, uint64_t used, uint64_t each) {
    return budget > used ? (budget - used) / each : 0;
  };
  // DELTA: dL/dz_t of every step beside dL/dh_T, the input's signal (which grows with the steps:
  // batch_pad x (steps x features + 3) at most) and the layers above's.
  const uint64_t delta_fixed = per_step + other_signals + 3ull * batch_pad;
  const uint64_t fit =
      std::min({within(max_floats, per_step, per_step),  // h_0 .. h_T
                within(max_floats, delta_fixed, per_step + uint64_t(batch_pad) * features),
                within(max_floats, 0, per_step + 3ull * ld_out + 4)});  // TIME_STATS
  if (steps <= fit) return;
  throw PlanError(layer + " (rnn) keeps every hidden state, dL/dz_t and dL/dh_t of every step " +
                  "for backpropagation through time: " + std::to_string(steps) + " steps x batch " +
                  std::to_string(batch) + " x " + std::to_string(width) +
                  " floats = " + format_bytes((uint64_t(steps) + 1) * per_step * 4) +
                  " each, more than the device's largest buffer (" +
                  format_bytes(limits.max_segment_bytes) + "); at this batch and width " +
                  (fit == 0 ? std::string("not even one step fits")
                            : "up to " + std::to_string(fit) + " steps fit"));
}

// A recurrent layer's own fields (rnn_forward.comp, rnn_backward.comp): its parameter block is
// W_ih [ld_out][ld_seq_in], W_hh [ld_out][ld_out], b_ih, b_hh; its kept tensor every hidden
// state (item 2l of `nhat`); its backward's workgroups: the tiles of dW_ih, then of dW_hh (the
// dW tiles), then the bias columns. Only as the network's first layer (ops::fuse): no dX.
void place_recurrent(Plan& p, uint32_t l, uint32_t steps, const DeviceLimits& limits,
                     shared::LayerDesc& d, uint64_t& partial) {
  d.flags |= shared::GT_FLAG_RECURRENT;
  d.steps = steps;
  d.seq_in = d.in_dim / steps;
  d.ld_seq_in = round_up(d.seq_in, GT_VEC);
  d.w_count = d.out_dim * (d.seq_in + d.out_dim);
  d.whh_off = d.w_off + d.ld_out * d.ld_seq_in;
  d.b_off = d.whh_off + d.ld_out * d.ld_out;
  d.bhh_off = d.b_off + d.ld_out;
  d.seq_h_off = to_u32(p.nhat.offset_of[2 * l], "hidden-state segment");
  d.time_off = to_u32(p.time_floats, "per-time figures");
  p.time_floats += uint64_t(steps) * (3ull * d.ld_out + shared::GT_TIME_FIGURES);
  d.seq_dh_off = to_u32(p.time_floats, "per-time figures");
  p.time_floats += uint64_t(steps) * p.batch_pad * d.ld_out;
  // The partials: replace the dense layout's with this layer's counts.
  partial -= d.dw_tiles + d.col_groups + d.upd_chunks + d.act_groups;
  const uint32_t rows = div_up(d.ld_out, GT_WG_TILE);
  d.dw_tiles_x = div_up(d.ld_seq_in, GT_WG_TILE);
  d.dw_tiles = d.dw_tiles_x * rows + rows * rows;
  d.dx_tiles_x = 0;
  d.dx_tiles = 0;
  // The forward step's workgroups: 64 vec4s of units of four samples each.
  d.act_groups = div_up(d.ld_out / GT_VEC, GT_WG_SIZE) * (p.batch_pad / GT_VEC);
  d.dw_partial_off = to_u32(partial, "partials");
  d.col_partial_off = d.dw_partial_off + d.dw_tiles;
  d.upd_partial_off = d.col_partial_off + d.col_groups;
  d.act_partial_off = d.upd_partial_off + d.upd_chunks;
  partial += d.dw_tiles + d.col_groups + d.upd_chunks + d.act_groups;
  // The dispatches' workgroup counts: y within 65,535, which every device allows (the step's
  // input projection has one row of workgroups per step, each step's dispatch one per 4 samples),
  // x within the device's limit.
  const std::string name = "layer " + std::to_string(l + 1) + " (rnn, " + std::to_string(steps) +
                           " steps, batch " + std::to_string(p.batch) + ")";
  if (steps > 65535u || steps > limits.max_workgroups_x)
    throw PlanError(name + " has more steps than a dispatch may have workgroups (at most " +
                    std::to_string(std::min(65535u, limits.max_workgroups_x)) + " steps)");
  if (p.batch_pad / GT_VEC > 65535u)
    throw PlanError(name + ": a batch of more than 262,140 samples is not supported");
  if (div_up(p.batch_pad * d.ld_out, GT_WG_SIZE) > limits.max_workgroups_x ||
      uint64_t(d.dw_tiles) + d.col_groups > limits.max_workgroups_x)
    throw PlanError(name +
                    " needs more workgroups than the device allows (batch x units or "
                    "its weights' tiles)");
}

}  // namespace

uint64_t Plan::total_bytes() const {
  uint64_t floats = 0;
  for (uint64_t s : params.segment_floats)
    floats += (2 + moments) * s;  // params, grads, m, v
  for (uint64_t s : acts.segment_floats)
    floats += 2 * s;  // X and Z
  for (uint64_t s : nhat.segment_floats)
    floats += s;
  floats += skip_floats + norm_stat_floats + time_floats;
  floats += delta_floats + target_floats + 4 * partial_vec4s;
  floats += 2 * neuron_count;  // per-neuron figures: published, and pending (written by backward)
  for (const DataPlacement* d : {&data, &eval})
    for (uint64_t s : d->segment_floats)
      floats += s;
  floats += 4ull * eval_batches;  // the held-out batches' sums
  uint64_t bytes = floats * 4;
  bytes += layers.size() * sizeof(shared::LayerDesc) + sizeof(shared::Globals);
  if (layer_ubo_stride != sizeof(shared::LayerDesc))
    bytes += layers.size() * layer_ubo_stride;  // the padded copy
  bytes += sizeof(shared::StatsHeader) + ring_len * sizeof(shared::StepRecord);
  bytes += (1ull + ring_len) * num_layers * sizeof(shared::LayerStats);
  bytes += 2ull * num_layers * shared::GT_HIST_STRIDE * 4;  // histograms: pending, published
  return bytes;
}

std::vector<std::pair<uint32_t, uint32_t>> Plan::param_segment_layers() const {
  std::vector<std::pair<uint32_t, uint32_t>> out(params.segment_floats.size(), {UINT32_MAX, 0});
  for (uint32_t l = 0; l < num_layers; ++l) {
    auto& r = out[params.segment_of[l]];
    r.first = std::min(r.first, l);
    r.second = std::max(r.second, l);
  }
  return out;
}

Plan make_plan(const net::NetworkSpec& network, const net::DataSpec& data,
               const net::TrainSpec& train, const DeviceLimits& limits, uint32_t ring_len,
               const net::EvalSpec& eval) {
  Plan p;
  p.moments = train.optimizer == net::Optimizer::sgd        ? 0
              : train.optimizer == net::Optimizer::momentum ? 1
                                                            : 2;
  const std::vector<uint32_t> sizes = network.sizes();
  p.num_layers = network.num_layers();
  p.batch = data.batch;
  p.batch_pad = round_up(data.batch, GT_VEC);
  std::vector<uint32_t> ld(sizes.size());
  for (size_t i = 0; i < sizes.size(); ++i)
    ld[i] = round_up(sizes[i], GT_VEC);
  p.max_ld = *std::max_element(ld.begin(), ld.end());

  const uint64_t max_floats = limits.max_segment_bytes / 4;
  // The weight layers as the fused kernels run them (engine/ops/graph.hpp).
  p.fused = ops::fused_layers(network);
  const std::vector<ops::FusedLayer>& fused = p.fused;
  // A post op's parameters (rezero: alpha) follow the layer's, padded to whole vec4s.
  std::vector<uint32_t> post_floats(p.num_layers, 0);
  for (uint32_t l = 0; l < p.num_layers; ++l) {
    if (!fused[l].post) continue;
    const uint64_t n = ops::param_floats(*fused[l].post, sizes[l + 1]);
    post_floats[l] = round_up(to_u32(n, "post op parameters"), GT_VEC);
  }
  // The kept tensors (gpu/tensors.hpp), each named for the message if it cannot fit: every
  // layer's parameters (W, b, then gamma and beta for a normalized layer, then the post op's),
  // X and Z of the input and of every layer's output (one placement for both arrays), and each
  // norm's N-hat (item 2l layer l's fused norm, 2l + 1 its post layer_norm; empty where none).
  const auto layer_name = [&](uint32_t l) {
    return "layer " + std::to_string(l + 1) + " (" + std::to_string(sizes[l]) + " -> " +
           std::to_string(sizes[l + 1]) + ")";
  };
  std::vector<KeptTensor> param_tensors, act_tensors, nhat_tensors;
  std::vector<uint64_t> param_sizes;
  // A recurrent layer's weights: W_ih [ld_out][F padded] then W_hh [ld_out][ld_out].
  const auto recurrent = [&](uint32_t l) { return fused[l].kind != ops::Kind::dense; };
  const auto seq_ld = [&](uint32_t l) { return round_up(sizes[l] / fused[l].steps, GT_VEC); };
  const auto weight_floats = [&](uint32_t l) {
    return recurrent(l) ? uint64_t(ld[l + 1]) * (seq_ld(l) + ld[l + 1])
                        : uint64_t(ld[l + 1]) * ld[l];
  };
  for (uint32_t l = 0; l < p.num_layers; ++l) {
    const bool norm = fused[l].norm != net::Norm::none;
    const uint32_t biases = recurrent(l) ? 2 : norm ? 3 : 1;  // b (b_ih, b_hh), gamma, beta
    const uint64_t n = weight_floats(l) + ld[l + 1] * biases + uint64_t(post_floats[l]);
    param_tensors.push_back({"the parameters of " + layer_name(l), n});
    param_sizes.push_back(n);
  }
  for (size_t a = 0; a < sizes.size(); ++a) {
    const std::string x = "X_" + std::to_string(a) + " and Z_" + std::to_string(a);
    act_tensors.push_back(
        {(a == 0 ? x + " (the input" : x + " (layer " + std::to_string(a) + "'s output") +
             ", batch " + std::to_string(p.batch) + " x " + std::to_string(sizes[a]) + ")",
         uint64_t(p.batch_pad) * ld[a]});
  }
  // What each layer's fused norm and its post op keep, as their kinds declare (ops::KeptState).
  std::vector<ops::KeptState> norm_kept(p.num_layers), post_kept(p.num_layers);
  for (uint32_t l = 0; l < p.num_layers; ++l) {
    const std::string of = "the kept tensor of " + layer_name(l) + "'s ";
    if (recurrent(l)) {
      // Every hidden state, for backpropagation through time: [steps + 1][batch_pad][ld_out].
      const uint32_t steps = fused[l].steps;
      uint64_t above = 0;  // the error signals of the layers above, at most
      for (size_t a = l + 1; a < ld.size(); ++a)
        above += uint64_t(p.batch_pad) * ld[a];
      check_recurrent_fits(layer_name(l), steps, sizes[l] / steps, p.batch, p.batch_pad,
                           sizes[l + 1], ld[l + 1], above, limits);
      nhat_tensors.push_back(
          {"every hidden state of " + layer_name(l) + " (rnn, " + std::to_string(steps) + " steps)",
           (uint64_t(steps) + 1) * p.batch_pad * ld[l + 1]});
    } else if (fused[l].norm != net::Norm::none) {
      const ops::Kind k =
          fused[l].norm == net::Norm::layer ? ops::Kind::layer_norm : ops::Kind::batch_norm;
      norm_kept[l] = ops::kept_state(k, p.batch_pad, ld[l + 1]);
      nhat_tensors.push_back({of + std::string(ops::to_string(k)), norm_kept[l].tensor_floats});
    } else {
      nhat_tensors.push_back({of + "norm", 0});
    }
    if (fused[l].post) post_kept[l] = ops::kept_state(*fused[l].post, p.batch_pad, ld[l + 1]);
    nhat_tensors.push_back({of + "post op", post_kept[l].tensor_floats});
  }
  p.params = place_kept(param_tensors, max_floats);
  p.acts = place_kept(act_tensors, max_floats);
  p.nhat = place_kept(nhat_tensors, max_floats);

  if (data.set) p.data = place_data_set(*data.set, max_floats, limits.max_segment_bytes);
  if (eval.set) {
    p.eval = place_data_set(*eval.set, max_floats, limits.max_segment_bytes);
    p.eval_batches = div_up(eval.set->rows, p.batch);
  }

  p.teacher_off = to_u32(uint64_t(p.batch_pad) * ld.back(), "targets");
  p.target_floats =
      p.teacher_off + shared::GT_TEACHER_HIDDEN * (uint64_t(sizes.front()) + sizes.back());

  uint64_t partial = 0, neurons = 0;
  for (uint32_t l = 0; l < p.num_layers; ++l) {
    shared::LayerDesc d{};
    d.in_dim = sizes[l];
    d.out_dim = sizes[l + 1];
    d.ld_in = ld[l];
    d.ld_out = ld[l + 1];
    d.w_off = to_u32(p.params.offset_of[l], "parameter segment");
    d.b_off = d.w_off + d.ld_out * d.ld_in;
    d.x_in_off = to_u32(p.acts.offset_of[l], "activation segment");
    d.x_out_off = to_u32(p.acts.offset_of[l + 1], "activation segment");

    d.act = static_cast<uint32_t>(fused[l].act);
    // This layer's dX delivers dL/dX_in as the layer before asks (ops::output_sink): its act'
    // (linear after a post op, which goes on from dL/dX' itself) and the carries to add and store.
    if (l > 0) {
      const ops::OutputSink sink = ops::output_sink(fused[l - 1]);
      d.act_prev = static_cast<uint32_t>(sink.act);
      if (sink.add_carry) d.flags_prev |= shared::GT_FLAG_SKIP_WRITE;
      if (sink.store_carry) d.flags_prev |= shared::GT_FLAG_SKIP_ADD;
    }
    d.neuron_off = to_u32(neurons, "neurons");
    d.w_floats = to_u32(weight_floats(l), "weights");
    d.w_count = to_u32(uint64_t(d.in_dim) * d.out_dim, "weights");
    d.steps = 1;
    d.dw_tiles_x = div_up(d.ld_in, GT_WG_TILE);
    d.dw_tiles = d.dw_tiles_x * div_up(d.ld_out, GT_WG_TILE);
    d.dx_tiles_x = l == 0 ? 0 : div_up(d.ld_in, GT_WG_TILE);
    d.dx_tiles = d.dx_tiles_x * div_up(p.batch_pad, GT_WG_TILE);
    d.col_groups = div_up(d.out_dim, GT_WG_SIZE);
    d.upd_chunks =
        to_u32((param_sizes[l] + GT_UPDATE_CHUNK - 1) / GT_UPDATE_CHUNK, "update chunks");
    d.dw_partial_off = to_u32(partial, "partials");
    d.col_partial_off = d.dw_partial_off + d.dw_tiles;
    d.upd_partial_off = d.col_partial_off + d.col_groups;
    d.act_groups = div_up(d.ld_out, GT_WG_TILE) * div_up(p.batch_pad, GT_WG_TILE);
    d.act_partial_off = d.upd_partial_off + d.upd_chunks;
    partial += d.dw_tiles + d.col_groups + d.upd_chunks + d.act_groups;
    neurons += d.out_dim;
    p.max_upd_chunks = std::max(p.max_upd_chunks, d.upd_chunks);
    const uint64_t groups = uint64_t(d.dw_tiles) + d.dx_tiles + d.col_groups;
    if ((!recurrent(l) && groups > limits.max_workgroups_x) ||
        d.upd_chunks > limits.max_workgroups_x)
      throw PlanError("layer " + std::to_string(l + 1) +
                      " needs more workgroups than the device allows");
    // Residual blocks: X_out starts a skip (written to its skip tensor) and / or ends one (the
    // skip added); offsets below.
    if (fused[l].skip_source >= 0) d.flags |= shared::GT_FLAG_SKIP_ADD;
    if (fused[l].skip_start) d.flags |= shared::GT_FLAG_SKIP_WRITE;
    if (fused[l].skip_before_post) d.flags |= shared::GT_FLAG_SKIP_BEFORE_POST;
    d.param_floats = to_u32(param_sizes[l], "parameters");
    if (recurrent(l)) place_recurrent(p, l, fused[l].steps, limits, d, partial);
    const net::Norm norm = fused[l].norm;
    if (norm != net::Norm::none) {
      d.flags |= norm == net::Norm::batch ? shared::GT_FLAG_NORM_BATCH : shared::GT_FLAG_NORM_LAYER;
      d.g_off = d.b_off + d.ld_out;
      d.be_off = d.g_off + d.ld_out;
      d.stat_off = to_u32(p.norm_stat_floats, "norm statistics");
      p.norm_stat_floats += norm_kept[l].stat_floats;
      d.nhat_off = to_u32(p.nhat.offset_of[2 * l], "N-hat segment");
      ++p.norm_layers;
      // The norm dispatch, not the GEMM, writes X and its statistics: one workgroup per 64
      // neurons (batch norm) or samples (layer norm).
      partial -= d.act_groups;
      d.act_groups =
          norm == net::Norm::batch ? div_up(d.ld_out, GT_WG_SIZE) : div_up(p.batch_pad, GT_WG_SIZE);
      partial += d.act_groups;
      // Then the norm backward's partial sums of dgamma and dbeta, one per 64 neurons.
      d.norm_partial_off = to_u32(partial, "partials");
      partial += div_up(d.out_dim, GT_WG_SIZE);
    }
    if (fused[l].post) {
      d.post_param_off = d.b_off + d.ld_out * (norm != net::Norm::none ? 3 : 1);
      const int32_t src = fused[l].post_source;
      if (src >= 0) d.post_src_off = to_u32(p.acts.offset_of[uint32_t(src)], "activation segment");
      // What it keeps (a post layer_norm: its own N-hat, and rstd per sample).
      if (post_kept[l].tensor_floats > 0)
        d.post_nhat_off = to_u32(p.nhat.offset_of[2 * l + 1], "N-hat segment");
      if (post_kept[l].stat_floats > 0) {
        d.post_stat_off = to_u32(p.norm_stat_floats, "norm statistics");
        p.norm_stat_floats += post_kept[l].stat_floats;
      }
      d.post_partial_off = to_u32(partial, "partials");
      partial += 1;
      d.flags |= shared::GT_FLAG_POST;
      if (src > 0) d.flags |= shared::GT_FLAG_POST_CARRY;
      if (div_up(p.batch_pad * (d.ld_out / GT_VEC), GT_WG_SIZE) > limits.max_workgroups_x)
        throw PlanError("layer " + std::to_string(l + 1) + "'s " +
                        std::string(ops::to_string(*fused[l].post)) +
                        " needs more workgroups than the device allows");
    }
    p.layers.push_back(d);
  }
  // The error signals, walking down from the loss, as scratch tensors with lifetimes: the loss
  // (stage 0) writes the last layer's dL/dZ; each layer's backward (a stage) reads its dL/dZ
  // (d_off) and writes dL/d its input (d_prev_off); a norm layer first gets dL/dY (dy_off), which
  // its norm backward (a stage before the layer's) turns into dL/dZ. Tensors live from the stage
  // that writes them to the one that reads them, so three in a row never coexist and the chain
  // needs about two at a time.
  std::vector<ScratchTensor> signals;
  const auto signal = [&](const std::string& name, uint32_t a, uint32_t stage) {
    signals.push_back({name, uint64_t(p.batch_pad) * ld[a], stage, stage});
    return static_cast<uint32_t>(signals.size() - 1);
  };
  struct SignalUse {
    uint32_t dy = UINT32_MAX, d = 0, d_prev = 0, seq = UINT32_MAX;
  };
  std::vector<SignalUse> use(p.num_layers);
  uint32_t stage = 0;
  uint32_t cur = signal("dL/dZ of layer " + std::to_string(p.num_layers), p.num_layers, stage);
  for (uint32_t l = p.num_layers; l-- > 0;) {
    const std::string layer = "layer " + std::to_string(l + 1);
    if (is_normalized(p.layers[l])) {
      use[l].dy = cur;
      signals[cur].name = "dL/dY of " + layer;
      signals[cur].last = ++stage;  // the norm backward reads dL/dY, writes dL/dZ
      cur = signal("dL/dZ of " + layer, l + 1, stage);
    }
    use[l].d = cur;
    signals[cur].last = ++stage;      // the layer's backward reads dL/dZ, writes dL/dX
    if (is_recurrent(p.layers[l])) {  // ... and, in between, dL/dz_t of every step
      const shared::LayerDesc& d = p.layers[l];
      use[l].seq = static_cast<uint32_t>(signals.size());
      signals.push_back({"dL/dz of every step of " + layer,
                         uint64_t(d.steps) * p.batch_pad * d.ld_out, stage, stage});
    }
    use[l].d_prev =
        signal(l ? "dL/dZ of layer " + std::to_string(l) : "dL/dX of the input", l, stage);
    cur = use[l].d_prev;
  }
  const ScratchLayout placed = place_scratch(signals, max_floats, GT_VEC);
  p.delta_floats = placed.floats;
  for (uint32_t l = 0; l < p.num_layers; ++l) {
    shared::LayerDesc& d = p.layers[l];
    if (use[l].dy != UINT32_MAX) d.dy_off = to_u32(placed.offset_of[use[l].dy], "delta");
    d.d_off = to_u32(placed.offset_of[use[l].d], "delta");
    d.d_prev_off = to_u32(placed.offset_of[use[l].d_prev], "delta");
    if (use[l].seq != UINT32_MAX) d.seq_dz_off = to_u32(placed.offset_of[use[l].seq], "delta");
    // The next layer's dX (d_prev_off) is where a post op finds dL/d its output.
    if (d.flags & shared::GT_FLAG_POST) d.post_delta_off = is_normalized(d) ? d.dy_off : d.d_off;
  }
  place_skips(p, ld, max_floats);
  p.partial_vec4s = partial;
  p.neuron_count = neurons;
  for (const auto& [what, floats] :
       {std::pair{"the targets", p.target_floats},
        std::pair{"the partial sums", 4 * p.partial_vec4s},
        std::pair{"the per-neuron statistics", p.neuron_count},
        std::pair{"the norm statistics", p.norm_stat_floats},
        std::pair{"the per-time figures", p.time_floats},
        std::pair{"the |dW| histograms", uint64_t(p.num_layers) * shared::GT_HIST_STRIDE}})
    if (floats > max_floats)
      throw PlanError(std::string(what) + " need " + format_bytes(floats * 4) +
                      ", more than the device's largest buffer (" +
                      format_bytes(limits.max_segment_bytes) + ")");
  // Keep the history ring to about 64 MiB for very deep networks.
  const uint64_t per_step = uint64_t(p.num_layers) * sizeof(shared::LayerStats);
  p.ring_len = static_cast<uint32_t>(std::clamp<uint64_t>((64ull << 20) / per_step, 1, ring_len));
  if ((uint64_t(p.ring_len) + 1) * per_step > limits.max_segment_bytes)
    throw PlanError("the statistics of " + std::to_string(p.num_layers) +
                    " layers do not fit in one device buffer");

  const uint32_t align = std::max<uint32_t>(limits.uniform_offset_align, 1);
  p.layer_ubo_stride = (uint32_t(sizeof(shared::LayerDesc)) + align - 1) / align * align;

  if (p.total_bytes() > limits.device_memory_bytes)
    throw PlanError("the network needs " + format_bytes(p.total_bytes()) +
                    " of device memory; the device has " +
                    format_bytes(limits.device_memory_bytes));
  return p;
}

}  // namespace gt::gpu
