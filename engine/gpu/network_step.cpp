// The training step's commands: one list of operations (a dispatch or a copy, with the barrier
// after it), recorded either whole into one command buffer that is resubmitted every step, or cut
// into pieces for a live view that must draw between the parts of a long step.
#include <algorithm>
#include <chrono>

#include "gpu/network.hpp"
#include "vk/check.hpp"
#include "vk/context.hpp"

namespace gt::gpu {

using namespace gt::shared;

namespace {

constexpr uint32_t kStepsPerSubmit = 64;
// Layers per update dispatch when the step is cut into pieces: a whole segment's update is one
// of the longest dispatches of a step, too long to fit a live frame's budget.
constexpr uint32_t kPieceUpdateLayers = 8;
// A step is cut into about this many pieces.
constexpr float kPiecesPerStep = 32;

// Orders `src` writes (stages, accesses) before `dst` accesses.
void barrier(VkCommandBuffer cmd, VkPipelineStageFlags src_stage, VkAccessFlags src_access,
             VkPipelineStageFlags dst_stage, VkAccessFlags dst_access) {
  VkMemoryBarrier b{VK_STRUCTURE_TYPE_MEMORY_BARRIER};
  b.srcAccessMask = src_access;
  b.dstAccessMask = dst_access;
  vkCmdPipelineBarrier(cmd, src_stage, dst_stage, 0, 1, &b, 0, nullptr, 0, nullptr);
}

}  // namespace

std::vector<Network::StepOp> Network::step_ops(bool pieces) {
  const Plan& p = plan_;
  std::vector<StepOp> ops;
  auto stamp = [&](Stamp s) {
    if (queries_ && !pieces)
      ops.push_back({0, [this, s](VkCommandBuffer cmd) {
                       vkCmdWriteTimestamp(cmd, VK_PIPELINE_STAGE_BOTTOM_OF_PIPE_BIT,
                                           queries_.handle(), s);
                     }});
  };
  if (queries_ && !pieces)
    ops.push_back({0, [this](VkCommandBuffer cmd) {
                     vkCmdResetQueryPool(cmd, queries_.handle(), 0, kStampCount);
                   }});
  stamp(kBegin);
  // The previous step (or set-up upload) wrote parameters, the step counter and the buffers this
  // step overwrites (batch, activations, deltas): finish those writes before anything here.
  ops.push_back({0, [](VkCommandBuffer cmd) { vk::compute_barrier(cmd); }});
  // The updates count this step's |dW| histograms into the pending buffer, from zero.
  ops.push_back({0, [this](VkCommandBuffer cmd) {
                   vkCmdFillBuffer(cmd, hist_pending_.handle(), 0, VK_WHOLE_SIZE, 0);
                   // The updates' and finalize's atomic adds and writes come after the zeroing.
                   barrier(cmd, VK_PIPELINE_STAGE_TRANSFER_BIT, VK_ACCESS_TRANSFER_WRITE_BIT,
                           VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT,
                           VK_ACCESS_SHADER_READ_BIT | VK_ACCESS_SHADER_WRITE_BIT);
                 }});
  if (!scene_.data.fixed) {
    ops.push_back({1, [this](VkCommandBuffer cmd) { record_batch(cmd); }});
  }
  stamp(kData);
  // Each layer's ops in graph order (gpu/op_kernels.hpp), each with the bindings of its placement.
  const auto bindings = [this](uint32_t l, Placement where) {
    return where == Placement::fused ? fused_bindings(l) : post_bindings(l);
  };
  for (uint32_t l = 0; l < p.num_layers; ++l)
    for (const LayerOp& op : layer_ops_[l])
      ops.push_back({op.kernels->forward_cost(), [this, l, op, bindings](VkCommandBuffer cmd) {
                       op.kernels->forward(cmd, bindings(l, op.where), plan_, l);
                     }});
  stamp(kForward);
  ops.push_back({1, [this](VkCommandBuffer cmd) {
                   const uint32_t alast = plan_.acts.segment_of[plan_.num_layers];
                   vk::Bindings b = common_bindings();
                   b.buffer(GT_BIND_X_OUT, x_[alast])
                       .buffer(GT_BIND_Z_OUT, z_[alast])
                       .buffer(GT_BIND_TARGET, target_);
                   b.buffer(GT_BIND_DELTA, delta_).buffer(GT_BIND_HEADER, header_);
                   vk::dispatch(cmd, *loss_, b, PushConstants{}, 1);
                   // The output layer's backward pass reads the delta the loss wrote.
                   vk::compute_barrier(cmd);
                 }});
  // Backward, the layers and each layer's ops in reverse.
  for (uint32_t l = p.num_layers; l-- > 0;)
    for (auto op = layer_ops_[l].rbegin(); op != layer_ops_[l].rend(); ++op)
      ops.push_back(
          {op->kernels->backward_cost(), [this, l, op = *op, bindings](VkCommandBuffer cmd) {
             op.kernels->backward(cmd, bindings(l, op.where), plan_, l);
           }});
  // The global gradient norm and clip_norm's factor: every layer's gradients must be known
  // before any update, so this stands between the two passes.
  ops.push_back({1, [this](VkCommandBuffer cmd) {
                   vk::Bindings b = common_bindings();
                   b.buffer(GT_BIND_PARTIALS, partials_).buffer(GT_BIND_HEADER, header_);
                   vk::dispatch(cmd, *gradnorm_, b, PushConstants{}, 1);
                   // The updates read the factor written here.
                   vk::compute_barrier(cmd);
                 }});
  stamp(kBackward);
  const auto segments = p.param_segment_layers();
  const uint32_t max_rows = pieces ? kPieceUpdateLayers : ctx_.limits().maxComputeWorkGroupCount[1];
  for (uint32_t s = 0; s < segments.size(); ++s) {
    // One workgroup row per layer, in dispatches of at most `max_rows` layers.
    for (uint32_t first = segments[s].first; first <= segments[s].second; first += max_rows) {
      const uint32_t count = std::min(max_rows, segments[s].second - first + 1);
      ops.push_back(
          {2.0f * float(count), [this, s, first, count](VkCommandBuffer cmd) {
             vk::Bindings b = common_bindings();
             b.buffer(GT_BIND_PARAMS, params_[s]);  // written; read through the texel view
             b.view(GT_BIND_PARAMS_TEX, params_tex_[s].handle())
                 .view(GT_BIND_GRADS_TEX, grads_tex_[s].handle());
             b.buffer(GT_BIND_OPT_M, opt_m_[s]).buffer(GT_BIND_OPT_V, opt_v_[s]);
             b.buffer(GT_BIND_PARTIALS, partials_).buffer(GT_BIND_HEADER, header_);
             b.buffer(GT_BIND_HIST, hist_pending_);
             uint32_t chunks = 0;
             for (uint32_t l = first; l < first + count; ++l)
               chunks = std::max(chunks, plan_.layers[l].upd_chunks);
             vk::dispatch(cmd, *update_, b, PushConstants{0, first, count, 0}, chunks, count);
           }});
    }
  }
  // Updates touch disjoint layers, so they need no barrier between them; the statistics read
  // the partial sums all of them wrote.
  ops.push_back({0, [](VkCommandBuffer cmd) { vk::compute_barrier(cmd); }});
  stamp(kUpdate);
  // Publishing is one operation, so no piece boundary (and no frame) falls inside it.
  ops.push_back(
      {1, [this](VkCommandBuffer cmd) {
         vk::Bindings b = common_bindings();
         b.buffer(GT_BIND_PARTIALS, partials_)
             .buffer(GT_BIND_HEADER, header_)
             .buffer(GT_BIND_LAYER_STATS, layer_stats_)
             .buffer(GT_BIND_HIST, hist_pending_);
         const uint32_t gx = std::min(plan_.num_layers, ctx_.limits().maxComputeWorkGroupCount[0]);
         vk::dispatch(cmd, *finalize_, b, PushConstants{}, gx, div_up(plan_.num_layers, gx));
         // The step counter is read above (ring slot, Adam); advance it only after.
         vk::compute_barrier(cmd);
         record_advance(cmd, 0);
         // The backward passes wrote the pending per-neuron figures, the updates and finalize the
         // pending histograms; the copies read them.
         barrier(cmd, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT, VK_ACCESS_SHADER_WRITE_BIT,
                 VK_PIPELINE_STAGE_TRANSFER_BIT, VK_ACCESS_TRANSFER_READ_BIT);
         const VkBufferCopy region{0, 0, std::max<uint64_t>(plan_.neuron_count, 1) * 4};
         vkCmdCopyBuffer(cmd, neuron_pending_.handle(), neuron_stats_.handle(), 1, &region);
         const VkBufferCopy hist_region{0, 0, hist_.size()};
         vkCmdCopyBuffer(cmd, hist_pending_.handle(), hist_.handle(), 1, &hist_region);
         // The next step's backward passes and zeroing overwrite the pending buffers the copies
         // read; readers of the published ones (renderer, readbacks) bring their own barriers.
         barrier(cmd, VK_PIPELINE_STAGE_TRANSFER_BIT, VK_ACCESS_TRANSFER_WRITE_BIT,
                 VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT | VK_PIPELINE_STAGE_TRANSFER_BIT,
                 VK_ACCESS_SHADER_READ_BIT | VK_ACCESS_SHADER_WRITE_BIT |
                     VK_ACCESS_TRANSFER_READ_BIT | VK_ACCESS_TRANSFER_WRITE_BIT);
       }});
  stamp(kEnd);
  return ops;
}

void Network::record_step() {
  step_cmd_ = ctx_.allocate_command_buffer("training step");
  const VkCommandBuffer cmd = step_cmd_.handle();
  VkCommandBufferBeginInfo begin{VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO};
  // Submitted many times in one vkQueueSubmit (one entry per step), hence simultaneous use.
  begin.flags = options_.timestamps ? 0 : VK_COMMAND_BUFFER_USAGE_SIMULTANEOUS_USE_BIT;
  GT_VK_CHECK(vkBeginCommandBuffer(cmd, &begin));
  for (const StepOp& op : step_ops(false))
    op.record(cmd);
  GT_VK_CHECK(vkEndCommandBuffer(cmd));
}

void Network::record_pieces() {
  const std::vector<StepOp> ops = step_ops(true);
  float total = 0;
  for (const StepOp& op : ops)
    total += op.cost;
  const float target = std::max(total / kPiecesPerStep, 1.0f);
  VkCommandBufferBeginInfo begin{VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO};
  // Kept only once all are recorded: after a failure the next call records them again.
  std::vector<vk::CommandBuffer> pieces;
  for (size_t i = 0; i < ops.size();) {
    pieces.push_back(
        ctx_.allocate_command_buffer("training step, piece " + std::to_string(pieces.size())));
    const VkCommandBuffer cmd = pieces.back().handle();
    GT_VK_CHECK(vkBeginCommandBuffer(cmd, &begin));
    // Between two pieces the queue may run other work (a frame that reads the statistics):
    // order everything before this piece, compute or graphics, before what it reads and writes.
    barrier(cmd, VK_PIPELINE_STAGE_ALL_COMMANDS_BIT,
            VK_ACCESS_SHADER_WRITE_BIT | VK_ACCESS_TRANSFER_WRITE_BIT,
            VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT | VK_PIPELINE_STAGE_TRANSFER_BIT,
            VK_ACCESS_SHADER_READ_BIT | VK_ACCESS_SHADER_WRITE_BIT | VK_ACCESS_TRANSFER_READ_BIT |
                VK_ACCESS_TRANSFER_WRITE_BIT);
    float cost = 0;
    do {
      ops[i].record(cmd);
      cost += ops[i].cost;
      ++i;
    } while (i < ops.size() && cost + ops[i].cost <= target);
    GT_VK_CHECK(vkEndCommandBuffer(cmd));
  }
  piece_cmds_ = std::move(pieces);
}

void Network::submit_and_wait(VkCommandBuffer cmd) {
  VkSubmitInfo submit{VK_STRUCTURE_TYPE_SUBMIT_INFO};
  submit.commandBufferCount = 1;
  submit.pCommandBuffers = &cmd;
  GT_VK_CHECK(vkResetFences(ctx_.device(), 1, fence_.address()));
  GT_VK_CHECK(vkQueueSubmit(ctx_.queue(), 1, &submit, fence_.handle()));
  ctx_.wait_for(fence_.handle());
}

uint32_t Network::train_pieces(double budget_ms) {
  using Clock = std::chrono::steady_clock;
  auto ms_since = [](Clock::time_point t) {
    return std::chrono::duration<double, std::milli>(Clock::now() - t).count();
  };
  const auto t0 = Clock::now();
  uint32_t completed = 0;
  double last_piece = 0;
  // At least one piece; then another only if it should end within the budget (pieces are of
  // similar length, so the last one predicts the next).
  do {
    const auto p0 = Clock::now();
    completed += train_piece();
    last_piece = ms_since(p0);
  } while (ms_since(t0) + last_piece <= budget_ms);
  return completed;
}

bool Network::train_piece() {
  if (piece_cmds_.empty()) record_pieces();
  submit_and_wait(piece_cmds_[next_piece_].handle());
  if (++next_piece_ < piece_cmds_.size()) return false;
  next_piece_ = 0;
  ++steps_done_;
  return true;
}

bool Network::at_last_piece() {
  if (piece_cmds_.empty()) record_pieces();
  return next_piece_ + 1 == piece_cmds_.size();
}

void Network::finish_step() {
  while (next_piece_ != 0) {
    submit_and_wait(piece_cmds_[next_piece_].handle());
    if (++next_piece_ == piece_cmds_.size()) {
      next_piece_ = 0;
      ++steps_done_;
    }
  }
}

void Network::train(uint32_t steps) {
  finish_step();
  uint32_t left = steps;
  const uint32_t per_submit = queries_ ? 1 : kStepsPerSubmit;
  std::vector<VkCommandBuffer> cmds(per_submit, step_cmd_.handle());
  while (left > 0) {
    const uint32_t n = std::min(left, per_submit);
    left -= n;
    VkSubmitInfo submit{VK_STRUCTURE_TYPE_SUBMIT_INFO};
    submit.commandBufferCount = n;
    submit.pCommandBuffers = cmds.data();
    const bool last = left == 0 || queries_;
    if (last) GT_VK_CHECK(vkResetFences(ctx_.device(), 1, fence_.address()));
    GT_VK_CHECK(vkQueueSubmit(ctx_.queue(), 1, &submit, last ? fence_.handle() : VK_NULL_HANDLE));
    if (last) ctx_.wait_for(fence_.handle());
  }
  steps_done_ += steps;
}

}  // namespace gt::gpu
