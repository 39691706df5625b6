#include "render/tower.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <memory>

#include "gpu/network.hpp"
#include "render/offscreen.hpp"
#include "render/overlay.hpp"
#include "render/theory_strip.hpp"
#include "vk/check.hpp"
#include "vk/context.hpp"
#include "vk/graphics.hpp"

namespace gt::render {

uint32_t time_slabs(const gpu::Plan& plan) {
  return !plan.layers.empty() && gpu::is_recurrent(plan.layers.front()) ? plan.layers.front().steps
                                                                        : 0;
}

std::vector<Slab> tower_slabs(const gpu::Plan& plan) {
  std::vector<Slab> slabs;
  const uint32_t steps = time_slabs(plan);
  for (uint32_t t = 1; t <= steps; ++t)
    slabs.push_back({0, t});
  for (uint32_t l = steps > 0 ? 1 : 0; l < plan.num_layers; ++l)
    slabs.push_back({l, 0});
  return slabs;
}

float effective_slab_fill(const TowerSettings& s, uint32_t layers, uint32_t height) {
  // Spacing adapts to depth: once a layer gets fewer than ~4 pixels of height the gaps close,
  // so thousands of layers tile the tower without holes instead of vanishing between pixels.
  const float tower_px = s.camera == CameraKind::front ? float(height) : float(height) / 1.3f;
  return tower_px / float(layers) < 4.0f ? 1.0f : s.slab_fill;
}

TowerRenderer::TowerRenderer(const vk::Context& ctx, VkRenderPass render_pass) {
  const VkDevice device = ctx.device();
  std::array<VkDescriptorSetLayoutBinding, GT_RBIND_COUNT> bindings{};
  for (uint32_t i = 0; i < GT_RBIND_COUNT; ++i)
    bindings[i] = {i, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, 1,
                   VK_SHADER_STAGE_VERTEX_BIT | VK_SHADER_STAGE_FRAGMENT_BIT, nullptr};
  VkDescriptorSetLayoutCreateInfo set_info{VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO};
  set_info.flags = VK_DESCRIPTOR_SET_LAYOUT_CREATE_PUSH_DESCRIPTOR_BIT_KHR;
  set_info.bindingCount = GT_RBIND_COUNT;
  set_info.pBindings = bindings.data();
  VkDescriptorSetLayout set_layout = VK_NULL_HANDLE;
  GT_VK_CHECK(vkCreateDescriptorSetLayout(device, &set_info, nullptr, &set_layout));
  set_layout_ = vk::DescriptorSetLayout(device, set_layout);
  ctx.name(set_layout, VK_OBJECT_TYPE_DESCRIPTOR_SET_LAYOUT, "tower push set");
  VkPushConstantRange range{VK_SHADER_STAGE_VERTEX_BIT | VK_SHADER_STAGE_FRAGMENT_BIT, 0,
                            sizeof(TowerPush)};
  VkPipelineLayoutCreateInfo layout_info{VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO};
  layout_info.setLayoutCount = 1;
  layout_info.pSetLayouts = &set_layout;
  layout_info.pushConstantRangeCount = 1;
  layout_info.pPushConstantRanges = &range;
  VkPipelineLayout layout = VK_NULL_HANDLE;
  GT_VK_CHECK(vkCreatePipelineLayout(device, &layout_info, nullptr, &layout));
  layout_ = vk::PipelineLayout(device, layout);
  ctx.name(layout, VK_OBJECT_TYPE_PIPELINE_LAYOUT, "tower layout");

  vk::GraphicsPipelineDesc desc;
  desc.vertex_shader = "tower.vert";
  desc.fragment_shader = "tower.frag";
  desc.depth_test = true;
  desc.cull_back_faces = true;  // half of every slab's triangles never reach the rasterizer
  desc.name = "tower";
  pipeline_ = vk::create_graphics_pipeline(ctx, render_pass, layout, desc);
}

void TowerRenderer::statistics_barrier(VkCommandBuffer cmd) {
  // The training step's compute writes of the statistics (and the host's uploads in tests)
  // must be visible to the tower's vertex and fragment shaders.
  VkMemoryBarrier barrier{VK_STRUCTURE_TYPE_MEMORY_BARRIER};
  barrier.srcAccessMask = VK_ACCESS_SHADER_WRITE_BIT | VK_ACCESS_TRANSFER_WRITE_BIT;
  barrier.dstAccessMask = VK_ACCESS_SHADER_READ_BIT;
  vkCmdPipelineBarrier(cmd, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT | VK_PIPELINE_STAGE_TRANSFER_BIT,
                       VK_PIPELINE_STAGE_VERTEX_SHADER_BIT | VK_PIPELINE_STAGE_FRAGMENT_SHADER_BIT,
                       0, 1, &barrier, 0, nullptr, 0, nullptr);
}

void TowerRenderer::draw(VkCommandBuffer cmd, const gpu::Network& net, const TowerSettings& s,
                         uint32_t width, uint32_t height, uint32_t index, uint32_t count) const {
  const uint32_t steps = time_slabs(net.plan());
  const uint32_t layers = net.plan().num_layers + (steps > 0 ? steps - 1 : 0);  // slabs
  TowerPush push{};
  push.time_steps = steps;
  push.view_proj = with_offset(
      camera_matrix(s.camera, width, height, count, s.pose.yaw, s.pose.pitch, s.pose.zoom),
      tower_offset(index, count));
  push.num_layers = layers;
  push.metric = s.metric;
  push.log_lo = s.log_lo;
  push.log_hi = s.log_hi > s.log_lo ? s.log_hi : s.log_lo + 1.0f;
  push.slab_pitch = kTowerHeight / float(layers);
  push.slab_fill = effective_slab_fill(s, layers, height);
  push.half_width = kTowerHalfWidth;
  push.half_depth = kTowerHalfDepth;
  const vk::Buffer* buffers[GT_RBIND_COUNT] = {&net.layers_buffer(), &net.layer_stats_buffer(),
                                               &net.neuron_stats_buffer(),
                                               &net.time_stats_buffer()};
  std::array<VkDescriptorBufferInfo, GT_RBIND_COUNT> infos{};
  std::array<VkWriteDescriptorSet, GT_RBIND_COUNT> writes{};
  for (uint32_t i = 0; i < GT_RBIND_COUNT; ++i) {
    infos[i] = {buffers[i]->handle(), 0, VK_WHOLE_SIZE};
    writes[i] = {VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET};
    writes[i].dstBinding = i;
    writes[i].descriptorCount = 1;
    writes[i].descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER;
    writes[i].pBufferInfo = &infos[i];
  }
  vkCmdBindPipeline(cmd, VK_PIPELINE_BIND_POINT_GRAPHICS, pipeline_.handle());
  vkCmdPushDescriptorSetKHR(cmd, VK_PIPELINE_BIND_POINT_GRAPHICS, layout_.handle(), 0,
                            GT_RBIND_COUNT, writes.data());
  vkCmdPushConstants(cmd, layout_.handle(),
                     VK_SHADER_STAGE_VERTEX_BIT | VK_SHADER_STAGE_FRAGMENT_BIT, 0, sizeof push,
                     &push);
  vkCmdDraw(cmd, 36, layers, 0, 0);
}

std::pair<float, float> auto_range(gpu::Network& net, uint32_t metric) {
  return auto_range(std::vector<gpu::Network*>{&net}, metric);
}

std::pair<float, float> auto_range(const std::vector<gpu::Network*>& nets, uint32_t metric) {
  std::vector<float> values;
  for (gpu::Network* net : nets) {
    if (time_slabs(net->plan()) > 0 && net->steps_done() > 0) {  // the time steps' figures too
      const gpu::TimeStats ts = net->time_stats(0);
      const std::vector<float>& v = metric == GT_METRIC_NEURON_DELTA  ? ts.cells
                                    : metric == GT_METRIC_GRAD_W_NORM ? ts.dwhh_term_norm
                                    : metric == GT_METRIC_DELTA_RMS   ? ts.grad_h_norm
                                                                      : ts.mean_cell;
      if (metric != GT_METRIC_UPDATE_RATIO) values.insert(values.end(), v.begin(), v.end());
    }
    if (metric == GT_METRIC_NEURON_DELTA) {
      const std::vector<float> v = net->neuron_stats();
      values.insert(values.end(), v.begin(), v.end());
      continue;
    }
    for (const auto& l : net->latest_stats().layers)
      values.push_back(metric == GT_METRIC_GRAD_W_NORM ? l.grad_w_norm
                       : metric == GT_METRIC_DELTA_RMS ? l.delta_rms
                                                       : l.update_ratio);
  }
  float lo = INFINITY, hi = -INFINITY;
  for (float v : values) {
    const float a = std::abs(v);
    if (!std::isfinite(a) || a == 0) continue;
    lo = std::min(lo, std::log10(a));
    hi = std::max(hi, std::log10(a));
  }
  if (!(lo <= hi)) return {-8.0f, 0.0f};
  lo = std::floor(lo);
  hi = std::max(std::ceil(hi), lo + 1);
  return {lo, hi};
}

FrameRenderer::FrameRenderer(vk::Context& ctx, uint32_t width, uint32_t height, bool overlay)
    : ctx_(ctx), width_(width), height_(height) {
  target_ = std::make_unique<OffscreenTarget>(ctx, width, height);
  tower_ = std::make_unique<TowerRenderer>(ctx, target_->render_pass());
  if (overlay) overlay_ = std::make_unique<Overlay>(ctx, target_->render_pass(), width, height);
}

FrameRenderer::~FrameRenderer() = default;

std::vector<uint8_t> FrameRenderer::render(const gpu::Network& net, const TowerSettings& s,
                                           const OverlayInfo* overlay) {
  return render(std::vector<gpu::Network*>{const_cast<gpu::Network*>(&net)}, s, overlay);
}

std::vector<uint8_t> FrameRenderer::render(const std::vector<gpu::Network*>& nets,
                                           const TowerSettings& s, const OverlayInfo* overlay) {
  const float clear[4] = {0.08f, 0.08f, 0.10f, 1.0f};
  ctx_.submit_and_wait([&](VkCommandBuffer cmd) {
    TowerRenderer::statistics_barrier(cmd);
    target_->begin(cmd, clear);
    for (uint32_t i = 0; i < nets.size(); ++i)
      tower_->draw(cmd, *nets[i], s, width_, height_, i, uint32_t(nets.size()));
    if (overlay_ && overlay) overlay_->draw(cmd, *overlay);
    target_->end(cmd);
  });
  return target_->pixels();
}

OverlayInfo overlay_info(const std::string& title, const std::vector<gpu::Network*>& nets,
                         const std::vector<std::string>& labels, const TowerSettings& s) {
  OverlayInfo info;
  info.title = title;
  info.metric = s.metric;
  info.log_lo = s.log_lo;
  info.log_hi = s.log_hi;
  info.camera = s.camera;
  info.pose = s.pose;
  for (size_t i = 0; i < nets.size(); ++i) {
    const gpu::StepStats st = nets[i]->latest_stats();
    if (nets[i]->steps_done() > 0) info.step = st.step;
    RunInfo run;
    run.label = i < labels.size() ? labels[i] : std::string();
    run.loss = st.loss;
    run.layers = st.layers;
    const gpu::Plan& plan = nets[i]->plan();
    run.slabs = uint32_t(tower_slabs(plan).size());
    run.time_steps = time_slabs(plan);
    if (run.time_steps == 0) {
      run.theory_log10 = theory_log10(nets[i]->scene().network, st.layers, s.metric);
    } else if (nets[i]->steps_done() > 0) {
      const gpu::TimeStats ts = nets[i]->time_stats(0);
      const std::vector<float>& by_step = s.metric == GT_METRIC_GRAD_W_NORM ? ts.dwhh_term_norm
                                          : s.metric == GT_METRIC_DELTA_RMS ? ts.grad_h_norm
                                                                            : ts.mean_cell;
      // W_hh's spectral radius at the start: rho as init_hh set it, or for PyTorch's uniform
      // U(-1/sqrt(H), 1/sqrt(H)) (variance 1 / (3H)) the circular law's 1/sqrt(3).
      const ops::Op& rnn = nets[i]->scene().network.ops.front();
      const double rho = rnn.init_hh == ops::InitHH::uniform ? 1.0 / std::sqrt(3.0) : rnn.rho;
      run.theory_log10 = time_theory_log10(rho, by_step, s.metric, run.slabs - run.time_steps);
    }
    info.runs.push_back(std::move(run));
  }
  return info;
}

std::vector<uint8_t> render_tower(vk::Context& ctx, const gpu::Network& net, const TowerSettings& s,
                                  uint32_t width, uint32_t height, const OverlayInfo* overlay) {
  return FrameRenderer(ctx, width, height, overlay != nullptr).render(net, s, overlay);
}

}  // namespace gt::render
