// A whole data set on the GPU: its upload, each step's gather, and the held-out evaluation.
#include <cstring>

#include "gpu/network.hpp"
#include "vk/check.hpp"
#include "vk/context.hpp"
#include "vk/transfer.hpp"

namespace gt::gpu {

using namespace shared;

// Each sample's inputs then its targets, whole samples per segment.
void Network::upload_data_set(const data::Dataset* set, const DataPlacement& where,
                              const std::vector<vk::Buffer>& segments) {
  if (!set) return;
  const uint32_t row = where.row_floats;
  for (uint32_t s = 0; s < segments.size(); ++s) {
    const uint64_t first = where.first_row(s), rows = where.rows(s);
    std::vector<float> floats(where.segment_floats[s]);
    for (uint64_t r = 0; r < rows; ++r) {
      std::memcpy(&floats[r * row], &set->input[(first + r) * set->features], set->features * 4);
      std::memcpy(&floats[r * row + set->features], &set->target[(first + r) * set->outputs],
                  set->outputs * 4);
    }
    vk::upload_span<float>(ctx_, segments[s], 0, floats);
  }
}

namespace {

// One batch_gather dispatch per segment of `where`, with no barrier between them: each batch row
// is written by the one dispatch whose segment holds its sample (padding rows by the first), so
// they write disjoint rows and read only the set, which nothing writes.
void gather(VkCommandBuffer cmd, const vk::ComputePipeline& pipeline, vk::Bindings b,
            const std::vector<vk::Buffer>& segments, const DataPlacement& where, uint32_t phase,
            uint32_t batch_index, uint32_t groups) {
  for (uint32_t s = 0; s < segments.size(); ++s) {
    const PushConstants pc{batch_index, where.first_row(s), where.rows(s), phase};
    b.buffer(GT_BIND_DATASET, segments[s]);
    vk::dispatch(cmd, pipeline, b, pc, groups);
  }
}

}  // namespace

void Network::record_batch(VkCommandBuffer cmd) {
  vk::Bindings b = common_bindings();
  b.buffer(GT_BIND_X_OUT, x_[plan_.acts.segment_of[0]])
      .buffer(GT_BIND_TARGET, target_)
      .buffer(GT_BIND_HEADER, header_);
  const uint32_t groups = div_up(plan_.batch_pad, GT_WG_SIZE);
  if (dataset_.empty())
    vk::dispatch(cmd, *datagen_, b, PushConstants{}, groups);
  else
    gather(cmd, *batch_gather_, b, dataset_, plan_.data, 0, 0, groups);
  // The forward pass reads the batch just written.
  vk::compute_barrier(cmd);
}

void Network::record_eval_batch(VkCommandBuffer cmd, uint32_t k) {
  vk::Bindings b = common_bindings();
  b.buffer(GT_BIND_X_OUT, x_[plan_.acts.segment_of[0]])
      .buffer(GT_BIND_TARGET, target_)
      .buffer(GT_BIND_HEADER, header_);
  gather(cmd, *batch_gather_, b, eval_set_, plan_.eval, 1, k, div_up(plan_.batch_pad, GT_WG_SIZE));
  // The forward pass reads the batch just written.
  vk::compute_barrier(cmd);
}

void Network::record_advance(VkCommandBuffer cmd, uint32_t phase) {
  vk::Bindings a = common_bindings();
  a.buffer(GT_BIND_HEADER, header_).buffer(GT_BIND_GLOBALS_RW, globals_);
  vk::dispatch(cmd, *advance_, a, PushConstants{0, 0, 0, phase}, 1);
  // Every later dispatch reads the rows written here from Globals, as a uniform buffer.
  VkMemoryBarrier b{VK_STRUCTURE_TYPE_MEMORY_BARRIER};
  b.srcAccessMask = VK_ACCESS_SHADER_WRITE_BIT;
  b.dstAccessMask = VK_ACCESS_UNIFORM_READ_BIT;
  vkCmdPipelineBarrier(cmd, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT,
                       VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT, 0, 1, &b, 0, nullptr, 0, nullptr);
}

void Network::record_eval() {
  eval_cmd_ = ctx_.allocate_command_buffer("held-out evaluation");
  const VkCommandBuffer cmd = eval_cmd_.handle();
  VkCommandBufferBeginInfo begin{VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO};
  GT_VK_CHECK(vkBeginCommandBuffer(cmd, &begin));
  // The steps submitted before wrote the parameters the forward passes read, and read the batch
  // and activations the first gather overwrites.
  vk::compute_barrier(cmd);
  // Whole batches while evaluating, whatever the next step's rows; the step's own rows after.
  record_advance(cmd, 1);
  const uint32_t alast = plan_.acts.segment_of[plan_.num_layers];
  for (uint32_t k = 0; k < plan_.eval_batches; ++k) {
    record_eval_batch(cmd, k);
    // The forward ops of every layer, each ending with the barrier its reader needs.
    for (uint32_t l = 0; l < plan_.num_layers; ++l)
      for (const LayerOp& op : layer_ops_[l])
        op.kernels->forward(
            cmd, op.where == Placement::fused ? fused_bindings(l) : post_bindings(l), plan_, l);
    vk::Bindings b = common_bindings();
    b.buffer(GT_BIND_X_OUT, x_[alast]).buffer(GT_BIND_TARGET, target_);
    b.buffer(GT_BIND_EVAL, eval_sums_);
    vk::dispatch(cmd, *eval_loss_, b, PushConstants{k, 0, 0, 0}, 1);
    // The next batch's gather overwrites the outputs and targets read here.
    vk::compute_barrier(cmd);
  }
  record_advance(cmd, 2);
  // (The download of the sums brings its own barrier: vk/transfer.cpp.)
  GT_VK_CHECK(vkEndCommandBuffer(cmd));
}

EvalResult Network::evaluate() {
  if (!has_eval()) throw vk::Error("the scene has no held-out evaluation ([eval] every > 0)");
  if (mid_step()) finish_step();
  if (!eval_cmd_.handle()) record_eval();
  submit_and_wait(eval_cmd_.handle());
  // The held-out batches took the batch's buffers: a fixed batch (written once, no data op in the
  // step) is written again.
  if (scene_.data.fixed) generate_fixed_batch();
  const std::vector<float> sums =
      vk::download_as<float>(ctx_, eval_sums_, 0, uint64_t(plan_.eval_batches) * 4);
  double loss = 0, hits = 0, samples = 0;
  for (uint32_t k = 0; k < plan_.eval_batches; ++k) {
    loss += sums[4 * k];
    hits += sums[4 * k + 1];
    samples += sums[4 * k + 2];
  }
  EvalResult r;
  r.samples = static_cast<uint32_t>(samples);
  r.loss = loss / samples;
  r.accuracy = scene_.eval.set->classes > 0 ? hits / samples : 0.0;
  return r;
}

}  // namespace gt::gpu
