#include "gpu/network.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "data/permutation.hpp"
#include "net/philox.hpp"
#include "ops/kind.hpp"
#include "vk/check.hpp"
#include "vk/context.hpp"
#include "vk/transfer.hpp"

namespace gt::gpu {

using namespace gt::shared;

namespace {

constexpr VkBufferUsageFlags kUsage =
    VK_BUFFER_USAGE_STORAGE_BUFFER_BIT | VK_BUFFER_USAGE_STORAGE_TEXEL_BUFFER_BIT |
    VK_BUFFER_USAGE_TRANSFER_SRC_BIT | VK_BUFFER_USAGE_TRANSFER_DST_BIT;

std::vector<vk::Buffer> make_segments(vk::Context& ctx, const std::vector<uint64_t>& floats,
                                      const std::string& name) {
  std::vector<vk::Buffer> out;
  for (size_t i = 0; i < floats.size(); ++i)
    out.emplace_back(ctx, floats[i] * 4, kUsage, vk::MemoryUse::device,
                     name + "[" + std::to_string(i) + "]");
  return out;
}

// The scene loader checks this too; a TrainSpec can also come from code (set_train).
void check_hist_range(const net::TrainSpec& train) {
  if (train.hist_lo >= train.hist_hi)
    throw vk::Error("train.hist_lo (" + std::to_string(train.hist_lo) +
                    ") must be below train.hist_hi (" + std::to_string(train.hist_hi) + ")");
}

template <typename T>
std::span<const std::byte> bytes_of(const T& v) {
  return std::as_bytes(std::span(&v, 1));
}

}  // namespace

const char* to_string(Kernels k) {
  switch (k) {
    case Kernels::texel:
      return "texel";
    case Kernels::shared:
      return "shared";
    default:
      return "auto";
  }
}

Kernels parse_kernels(const std::string& name) {
  if (name == "auto") return Kernels::automatic;
  if (name == "texel") return Kernels::texel;
  if (name == "shared") return Kernels::shared;
  throw std::runtime_error("--kernels " + name + ": expected auto, texel or shared");
}

DeviceLimits device_limits(const vk::Context& ctx, uint64_t max_segment_bytes) {
  const VkPhysicalDeviceLimits& l = ctx.limits();
  DeviceLimits d;
  d.max_segment_bytes = std::min<uint64_t>({l.maxStorageBufferRange, ctx.max_allocation_size(),
                                            uint64_t(l.maxTexelBufferElements) * 16});
  if (max_segment_bytes) d.max_segment_bytes = std::min(d.max_segment_bytes, max_segment_bytes);
  d.max_segment_bytes &= ~uint64_t(15);
  d.device_memory_bytes = ctx.device_local_heap_size();
  d.max_workgroups_x = l.maxComputeWorkGroupCount[0];
  d.uniform_offset_align = static_cast<uint32_t>(l.minUniformBufferOffsetAlignment);
  return d;
}

Network::Network(vk::Context& ctx, const net::Scene& scene, const NetworkOptions& options)
    : ctx_(ctx), scene_(scene), options_(options) {
  check_hist_range(scene.train);
  DeviceLimits limits = device_limits(ctx, options.max_segment_bytes);
  limits.uniform_offset_align = std::max(limits.uniform_offset_align, options.min_uniform_align);
  plan_ = make_plan(scene.network, scene.data, scene.train, limits, options.ring_len, scene.eval);
  allocate();
  datagen_ = std::make_unique<vk::ComputePipeline>(ctx_, "datagen");
  if (!dataset_.empty()) {
    batch_gather_ = std::make_unique<vk::ComputePipeline>(ctx_, "batch_gather");
    if (!eval_set_.empty()) eval_loss_ = std::make_unique<vk::ComputePipeline>(ctx_, "eval_loss");
  }
  kernels_ = options.kernels != Kernels::automatic ? options.kernels
             : ctx.is_cpu()                        ? Kernels::texel
                                                   : Kernels::shared;
  loss_ = std::make_unique<vk::ComputePipeline>(ctx_, "loss");
  gradnorm_ = std::make_unique<vk::ComputePipeline>(ctx_, "gradnorm");
  // The |dW| histograms: shared-memory atomics on GPUs, per-invocation counters on CPU devices.
  update_ = std::make_unique<vk::ComputePipeline>(
      ctx_, "update",
      std::vector<std::pair<uint32_t, uint32_t>>{
          {GT_SPEC_HIST_ATOMICS, kernels_ == Kernels::shared ? 1u : 0u}});
  finalize_ = std::make_unique<vk::ComputePipeline>(ctx_, "finalize");
  advance_ = std::make_unique<vk::ComputePipeline>(ctx_, "advance");
  make_op_kernels();

  upload_globals();
  vk::upload_span<LayerDesc>(ctx_, layers_, 0, plan_.layers);
  if (plan_.layer_ubo_stride != sizeof(LayerDesc)) {
    std::vector<uint8_t> padded(plan_.layers.size() * plan_.layer_ubo_stride, 0);
    for (size_t l = 0; l < plan_.layers.size(); ++l)
      std::memcpy(&padded[l * plan_.layer_ubo_stride], &plan_.layers[l], sizeof(LayerDesc));
    vk::upload_span<uint8_t>(ctx_, layers_padded_, 0, padded);
  }
  upload_teacher();
  StatsHeader header{};
  header.num_layers = plan_.num_layers;
  header.ring_len = plan_.ring_len;
  header.grad_scale = 1.0f;
  vk::upload(ctx_, header_, 0, bytes_of(header));
  set_params(net::init_params(scene.network));

  if (options_.timestamps && ctx_.timestamp_valid_bits() == 0)
    throw vk::Error("the device's queue has no timestamps; step timings are not available");
  VkFenceCreateInfo fence_info{VK_STRUCTURE_TYPE_FENCE_CREATE_INFO};
  VkFence fence = VK_NULL_HANDLE;
  GT_VK_CHECK(vkCreateFence(ctx_.device(), &fence_info, nullptr, &fence));
  fence_ = vk::Fence(ctx_.device(), fence);
  ctx_.name(fence, VK_OBJECT_TYPE_FENCE, "training fence");
  if (options_.timestamps) {
    VkQueryPoolCreateInfo q{VK_STRUCTURE_TYPE_QUERY_POOL_CREATE_INFO};
    q.queryType = VK_QUERY_TYPE_TIMESTAMP;
    q.queryCount = kStampCount;
    VkQueryPool pool = VK_NULL_HANDLE;
    GT_VK_CHECK(vkCreateQueryPool(ctx_.device(), &q, nullptr, &pool));
    queries_ = vk::QueryPool(ctx_.device(), pool);
    ctx_.name(pool, VK_OBJECT_TYPE_QUERY_POOL, "step timestamps");
  }
  upload_data_set(scene_.data.set.get(), plan_.data, dataset_);
  upload_data_set(scene_.eval.set.get(), plan_.eval, eval_set_);
  if (scene_.data.kind == net::DataKind::inline_)
    upload_inline_batch();
  else if (scene_.data.fixed)
    generate_fixed_batch();
  record_step();
}

// The members' owners free the rest; pending work must finish first.
Network::~Network() {
  vkDeviceWaitIdle(ctx_.device());
}

void Network::allocate() {
  const Plan& p = plan_;
  globals_ = vk::Buffer(ctx_, sizeof(Globals), kUsage | VK_BUFFER_USAGE_UNIFORM_BUFFER_BIT,
                        vk::MemoryUse::device, "globals");
  layers_ =
      vk::Buffer(ctx_, p.layers.size() * sizeof(LayerDesc),
                 kUsage | VK_BUFFER_USAGE_UNIFORM_BUFFER_BIT, vk::MemoryUse::device, "layer table");
  if (p.layer_ubo_stride != sizeof(LayerDesc))
    layers_padded_ = vk::Buffer(ctx_, p.layers.size() * p.layer_ubo_stride,
                                kUsage | VK_BUFFER_USAGE_UNIFORM_BUFFER_BIT, vk::MemoryUse::device,
                                "layer table (uniform stride)");
  params_ = make_segments(ctx_, p.params.segment_floats, "params");
  grads_ = make_segments(ctx_, p.params.segment_floats, "grads");
  // Optimizer moments only where the optimizer keeps them; otherwise a small unused stand-in.
  const std::vector<uint64_t> none(p.params.segment_floats.size(), GT_VEC);
  opt_m_ = make_segments(ctx_, p.moments >= 1 ? p.params.segment_floats : none, "optimizer m");
  opt_v_ = make_segments(ctx_, p.moments >= 2 ? p.params.segment_floats : none, "optimizer v");
  x_ = make_segments(ctx_, p.acts.segment_floats, "activations X");
  z_ = make_segments(ctx_, p.acts.segment_floats, "pre-activations Z");
  for (size_t i = 0; i < params_.size(); ++i)
    params_tex_.emplace_back(ctx_, params_[i], VK_FORMAT_R32G32B32A32_SFLOAT, "params texels");
  for (size_t i = 0; i < grads_.size(); ++i)
    grads_tex_.emplace_back(ctx_, grads_[i], VK_FORMAT_R32G32B32A32_SFLOAT, "grads texels");
  for (size_t i = 0; i < x_.size(); ++i)
    x_tex_.emplace_back(ctx_, x_[i], VK_FORMAT_R32G32B32A32_SFLOAT, "X texels");
  delta_ = vk::Buffer(ctx_, p.delta_floats * 4, kUsage, vk::MemoryUse::device, "delta");
  delta_tex_ = vk::BufferView(ctx_, delta_, VK_FORMAT_R32G32B32A32_SFLOAT, "delta texels");
  target_ = vk::Buffer(ctx_, p.target_floats * 4, kUsage, vk::MemoryUse::device, "targets");
  partials_ = vk::Buffer(ctx_, p.partial_vec4s * 16, kUsage, vk::MemoryUse::device, "partials");
  header_ = vk::Buffer(ctx_, sizeof(StatsHeader) + p.ring_len * sizeof(StepRecord), kUsage,
                       vk::MemoryUse::device, "stats header");
  layer_stats_ = vk::Buffer(ctx_, (1ull + p.ring_len) * p.num_layers * sizeof(LayerStats), kUsage,
                            vk::MemoryUse::device, "layer stats");
  neuron_stats_ = vk::Buffer(ctx_, std::max<uint64_t>(p.neuron_count, 1) * 4, kUsage,
                             vk::MemoryUse::device, "neuron stats");
  neuron_pending_ = vk::Buffer(ctx_, std::max<uint64_t>(p.neuron_count, 1) * 4, kUsage,
                               vk::MemoryUse::device, "neuron stats (pending)");
  const uint64_t hist_bytes = uint64_t(p.num_layers) * GT_HIST_STRIDE * 4;
  hist_ = vk::Buffer(ctx_, hist_bytes, kUsage, vk::MemoryUse::device, "dW histograms");
  hist_pending_ =
      vk::Buffer(ctx_, hist_bytes, kUsage, vk::MemoryUse::device, "dW histograms (pending)");
  skip_ = vk::Buffer(ctx_, std::max<uint64_t>(p.skip_floats, GT_VEC) * 4, kUsage,
                     vk::MemoryUse::device, "residual skip");
  norm_stats_ = vk::Buffer(ctx_, std::max<uint64_t>(p.norm_stat_floats, GT_VEC) * 4, kUsage,
                           vk::MemoryUse::device, "norm statistics");
  time_stats_ = vk::Buffer(ctx_, std::max<uint64_t>(p.time_floats, GT_VEC) * 4, kUsage,
                           vk::MemoryUse::device, "per-time figures");
  nhat_ = make_segments(ctx_, p.nhat.segment_floats, "normalized Z");
  for (size_t i = 0; i < nhat_.size(); ++i)
    nhat_tex_.emplace_back(ctx_, nhat_[i], VK_FORMAT_R32G32B32A32_SFLOAT, "N-hat texels");
  dataset_ = make_segments(ctx_, p.data.segment_floats, "data set");
  eval_set_ = make_segments(ctx_, p.eval.segment_floats, "held-out set");
  if (p.eval_batches > 0)
    eval_sums_ = vk::Buffer(ctx_, uint64_t(p.eval_batches) * 16, kUsage, vk::MemoryUse::device,
                            "held-out sums");
  // Everything starts at zero: padding must be zero, and so must optimizer state and history.
  for (auto* group : {&params_, &grads_, &opt_m_, &opt_v_, &x_, &z_, &nhat_})
    for (const vk::Buffer& b : *group)
      vk::fill_zero(ctx_, b);
  for (const vk::Buffer* b :
       {&delta_, &target_, &partials_, &header_, &layer_stats_, &neuron_stats_, &neuron_pending_,
        &hist_, &hist_pending_, &skip_, &norm_stats_, &time_stats_})
    vk::fill_zero(ctx_, *b);
}

void Network::make_op_kernels() {
  const auto use = [&](std::vector<LayerOp>& list, ops::Kind kind, Placement where) {
    std::unique_ptr<OpKernels>& k = op_kernels_[{kind, where}];
    if (!k) k = gpu::make_op_kernels(kind, where, ctx_, kernels_);
    list.push_back({k.get(), where});
  };
  // A layer's ops in graph order: its dense, the norm fused after it, the op run after it.
  for (const ops::FusedLayer& f : plan_.fused) {
    std::vector<LayerOp>& list = layer_ops_.emplace_back();
    use(list, f.kind, Placement::fused);
    if (f.norm != net::Norm::none)
      use(list, f.norm == net::Norm::batch ? ops::Kind::batch_norm : ops::Kind::layer_norm,
          Placement::fused);
    if (f.post) use(list, *f.post, Placement::post);
  }
}

uint64_t Network::allocated_bytes() const {
  uint64_t bytes = 0;
  for (const auto* group : {&params_, &grads_, &opt_m_, &opt_v_, &x_, &z_, &nhat_})
    for (const vk::Buffer& b : *group)
      bytes += b.size();
  for (const vk::Buffer* b : {&globals_, &layers_, &layers_padded_, &delta_, &target_, &partials_,
                              &header_, &layer_stats_, &neuron_stats_, &neuron_pending_, &hist_,
                              &hist_pending_, &skip_, &norm_stats_, &time_stats_})
    bytes += b->size();
  return bytes;
}

void Network::upload_globals() {
  const net::Scene& s = scene_;
  Globals g{};
  g.num_layers = plan_.num_layers;
  g.batch_full = plan_.batch;
  g.batch = s.data.rows_of_step(steps_done_);  // the step computed next (advance.comp after it)
  g.batch_pad = plan_.batch_pad;
  g.loss = static_cast<uint32_t>(s.train.loss);
  g.optimizer = static_cast<uint32_t>(s.train.optimizer);
  g.data_kind = static_cast<uint32_t>(s.data.kind);
  g.data_fixed = s.data.fixed ? 1 : 0;
  g.data_seed_lo = static_cast<uint32_t>(s.data.seed);
  g.data_seed_hi = static_cast<uint32_t>(s.data.seed >> 32);
  g.input_dim = s.network.input;
  g.output_dim = s.network.output;
  g.ld_input = plan_.layers.front().ld_in;
  g.ld_output = plan_.layers.back().ld_out;
  g.ring_len = plan_.ring_len;
  g.lr = static_cast<float>(s.train.lr);
  g.momentum = static_cast<float>(s.train.momentum);
  g.beta1 = static_cast<float>(s.train.beta1);
  g.beta2 = static_cast<float>(s.train.beta2);
  g.eps = static_cast<float>(s.train.eps);
  g.teacher_off = plan_.teacher_off;
  g.log_beta1 = static_cast<float>(std::log(s.train.beta1));
  g.log_beta2 = static_cast<float>(std::log(s.train.beta2));
  g.clip_norm = static_cast<float>(s.train.clip_norm);
  g.clip_value = static_cast<float>(s.train.clip_value);
  g.hist_lo = static_cast<float>(s.train.hist_lo);
  g.hist_hi = static_cast<float>(s.train.hist_hi);
  if (s.data.set) {
    g.data_rows = s.data.set->rows;
    g.data_batches = s.data.batches_per_epoch();
    g.data_row_floats = plan_.data.row_floats;
    g.data_half_bits = data::permutation_half_bits(s.data.set->rows);
  }
  if (s.eval.set) g.eval_rows = s.eval.set->rows;
  vk::upload(ctx_, globals_, 0, bytes_of(g));
}

// The teacher network's weights: N(0, 1) from the data seed (streams 4 and 5), drawn here once.
void Network::upload_teacher() {
  const uint32_t in = scene_.network.input, out = scene_.network.output;
  std::vector<float> w(GT_TEACHER_HIDDEN * (in + out));
  const uint32_t k0 = static_cast<uint32_t>(scene_.data.seed),
                 k1 = static_cast<uint32_t>(scene_.data.seed >> 32);
  for (uint32_t i = 0; i < w.size(); ++i) {
    const uint32_t stream = i < GT_TEACHER_HIDDEN * in ? 4 : 5;
    const net::U32x4 r = net::philox4x32_10({{i, 0, stream, 0}}, k0, k1);
    const double n = std::sqrt(-2.0 * std::log(net::u01_open_closed(r.v[0]))) *
                     std::cos(2.0 * M_PI * net::u01_closed_open(r.v[1]));
    w[i] = static_cast<float>(n);
  }
  vk::upload_span<float>(ctx_, target_, uint64_t(plan_.teacher_off) * 4, w);
}

void Network::set_train(const net::TrainSpec& train) {
  check_hist_range(train);
  finish_step();
  const uint32_t moments = train.optimizer == net::Optimizer::sgd        ? 0
                           : train.optimizer == net::Optimizer::momentum ? 1
                                                                         : 2;
  if (moments > plan_.moments)
    throw vk::Error("switching to " + std::string(net::to_string(train.optimizer)) +
                    " needs optimizer state this network was not built with; rebuild it");
  scene_.train = train;
  upload_globals();
}

void Network::set_params(const net::Params& params) {
  if (params.size() != plan_.num_layers)
    throw vk::Error("parameter count does not match the network");
  finish_step();
  std::vector<std::vector<float>> segs(plan_.params.segment_floats.size());
  for (size_t s = 0; s < segs.size(); ++s)
    segs[s].assign(plan_.params.segment_floats[s], 0.0f);
  for (uint32_t l = 0; l < plan_.num_layers; ++l) {
    const LayerDesc& d = plan_.layers[l];
    const net::LayerParams& lp = params[l];
    if (is_recurrent(d)) {
      set_recurrent_params(d, lp, segs[plan_.params.segment_of[l]], l);
      continue;
    }
    const bool norm = is_normalized(d);
    const size_t norm_count = norm ? lp.out : 0;
    if (lp.in != d.in_dim || lp.out != d.out_dim || lp.w.size() != size_t(lp.in) * lp.out ||
        lp.b.size() != lp.out || lp.gamma.size() != norm_count || lp.beta.size() != norm_count ||
        lp.post.size() != post_param_count(l))
      throw vk::Error("layer " + std::to_string(l) +
                      ": parameter shape does not match the network");
    std::vector<float>& seg = segs[plan_.params.segment_of[l]];
    for (uint32_t o = 0; o < d.out_dim; ++o) {
      std::memcpy(&seg[d.w_off + o * d.ld_in], &lp.w[size_t(o) * d.in_dim], d.in_dim * 4);
      seg[d.b_off + o] = lp.b[o];
      if (norm) {
        seg[d.g_off + o] = lp.gamma[o];
        seg[d.be_off + o] = lp.beta[o];
      }
    }
    std::copy(lp.post.begin(), lp.post.end(), seg.begin() + long(d.post_param_off));
  }
  for (size_t s = 0; s < segs.size(); ++s) {
    vk::upload_span<float>(ctx_, params_[s], 0, segs[s]);
    vk::fill_zero(ctx_, opt_m_[s]);
    vk::fill_zero(ctx_, opt_v_[s]);
  }
  // Fresh optimizer state: Adam's step count starts again from here.
  const uint32_t step0 = steps_done_;
  vk::upload(ctx_, header_, offsetof(StatsHeader, opt_step0), bytes_of(step0));
}

vk::Bindings Network::common_bindings() const {
  vk::Bindings b;
  b.buffer(GT_BIND_GLOBALS, globals_).buffer(GT_BIND_LAYERS, layers_);
  return b;
}

uint32_t Network::post_param_count(uint32_t l) const {
  const ops::FusedLayer& f = plan_.fused[l];
  return f.post ? static_cast<uint32_t>(ops::param_floats(*f.post, f.out)) : 0;
}

vk::Bindings Network::fused_bindings(uint32_t l) const {
  const uint32_t ps = plan_.params.segment_of[l], ain = plan_.acts.segment_of[l],
                 aout = plan_.acts.segment_of[l + 1];
  vk::Bindings b = layer_bindings(l);
  // The texel variant reads parameters, the input and the error signals through texel views;
  // the shared variant and the norms read the buffers.
  b.view(GT_BIND_PARAMS_TEX, params_tex_[ps].handle()).view(GT_BIND_X_IN_TEX, x_tex_[ain].handle());
  b.view(GT_BIND_DELTA_TEX, delta_tex_.handle());
  b.buffer(GT_BIND_PARAMS, params_[ps]).buffer(GT_BIND_GRADS, grads_[ps]);
  b.buffer(GT_BIND_X_IN, x_[ain]).buffer(GT_BIND_Z_IN, z_[ain]);
  b.buffer(GT_BIND_X_OUT, x_[aout]).buffer(GT_BIND_Z_OUT, z_[aout]);
  b.buffer(GT_BIND_DELTA, delta_).buffer(GT_BIND_PARTIALS, partials_);
  // Per-neuron figures go to the pending buffer; the step's end publishes them.
  b.buffer(GT_BIND_NEURON_STATS, neuron_pending_);
  // The residual skip (forward) and the carry from a block's end to its start (backward).
  b.buffer(GT_BIND_SKIP, skip_);
  b.buffer(GT_BIND_NHAT, nhat_[plan_.nhat_segment(l, false)]);
  b.view(GT_BIND_NHAT_TEX, nhat_tex_[plan_.nhat_segment(l, false)].handle());
  b.buffer(GT_BIND_NORM_STATS, norm_stats_);
  b.buffer(GT_BIND_TIME_STATS, time_stats_);
  return b;
}

vk::Bindings Network::post_bindings(uint32_t l) const {
  // The layer's buffers, but X_IN is the post op's second input and NHAT its own N-hat.
  const int32_t src = plan_.fused[l].post_source;
  const uint32_t asrc = plan_.acts.segment_of[src < 0 ? l + 1 : uint32_t(src)];
  vk::Bindings b = fused_bindings(l);
  b.buffer(GT_BIND_X_IN, x_[asrc]).buffer(GT_BIND_NHAT, nhat_[plan_.nhat_segment(l, true)]);
  return b;
}

vk::Bindings Network::layer_bindings(uint32_t l) const {
  vk::Bindings b = common_bindings();
  const bool own = plan_.layer_ubo_stride == sizeof(LayerDesc);
  b.buffer(GT_BIND_LAYER, own ? layers_ : layers_padded_, VkDeviceSize(l) * plan_.layer_ubo_stride,
           sizeof(LayerDesc));
  return b;
}

void Network::generate_fixed_batch() {
  ctx_.submit_and_wait([&](VkCommandBuffer cmd) {
    // Orders the uploads above (globals, teacher weights, the data set) before the generator
    // reads them.
    vk::compute_barrier(cmd);
    record_batch(cmd);
  });
}

// The scene's own batch (data.kind inline), written once with its padding zero; datagen leaves
// it alone, so every step trains on it.
void Network::upload_inline_batch() {
  const net::Matrix& input = scene_.data.input;
  const net::Matrix& target = scene_.data.target;
  const LayerDesc& first = plan_.layers.front();
  const LayerDesc& last = plan_.layers.back();
  if (input.rows != plan_.batch || target.rows != plan_.batch || input.cols != first.in_dim ||
      target.cols != last.out_dim || input.values.size() != size_t(input.rows) * input.cols ||
      target.values.size() != size_t(target.rows) * target.cols)
    throw vk::Error("the inline batch (data.input, data.target) does not match the network");
  std::vector<float> x(size_t(plan_.batch_pad) * first.ld_in, 0.0f);
  std::vector<float> t(size_t(plan_.batch_pad) * last.ld_out, 0.0f);
  for (uint32_t r = 0; r < plan_.batch; ++r) {
    std::memcpy(&x[size_t(r) * first.ld_in], &input.values[size_t(r) * input.cols], input.cols * 4);
    std::memcpy(&t[size_t(r) * last.ld_out], &target.values[size_t(r) * target.cols],
                target.cols * 4);
  }
  vk::upload_span<float>(ctx_, x_[plan_.acts.segment_of[0]], uint64_t(first.x_in_off) * 4, x);
  vk::upload_span<float>(ctx_, target_, 0, t);
}

std::vector<float> Network::read_layer_major(const vk::Buffer& buf, uint64_t base, uint32_t rows,
                                             uint32_t cols, uint32_t ld) {
  std::vector<float> padded = vk::download_as<float>(ctx_, buf, base * 4, uint64_t(rows) * ld);
  std::vector<float> out(size_t(rows) * cols);
  for (uint32_t r = 0; r < rows; ++r)
    std::memcpy(&out[size_t(r) * cols], &padded[size_t(r) * ld], cols * 4);
  return out;
}

net::Params Network::read_params(const std::vector<vk::Buffer>& segs) {
  net::Params out(plan_.num_layers);
  for (uint32_t l = 0; l < plan_.num_layers; ++l) {
    const LayerDesc& d = plan_.layers[l];
    const vk::Buffer& seg = segs[plan_.params.segment_of[l]];
    out[l].in = d.in_dim;
    out[l].out = d.out_dim;
    if (is_recurrent(d)) {
      out[l].steps = d.steps;
      out[l].w = read_layer_major(seg, d.w_off, d.out_dim, d.seq_in, d.ld_seq_in);
      const std::vector<float> whh =
          read_layer_major(seg, d.whh_off, d.out_dim, d.out_dim, d.ld_out);
      out[l].w.insert(out[l].w.end(), whh.begin(), whh.end());
      out[l].b = read_layer_major(seg, d.b_off, 1, d.out_dim, d.ld_out);
      const std::vector<float> bhh = read_layer_major(seg, d.bhh_off, 1, d.out_dim, d.ld_out);
      out[l].b.insert(out[l].b.end(), bhh.begin(), bhh.end());
      continue;
    }
    out[l].w = read_layer_major(seg, d.w_off, d.out_dim, d.in_dim, d.ld_in);
    out[l].b = read_layer_major(seg, d.b_off, 1, d.out_dim, d.ld_out);
    if (is_normalized(d)) {
      out[l].gamma = read_layer_major(seg, d.g_off, 1, d.out_dim, d.ld_out);
      out[l].beta = read_layer_major(seg, d.be_off, 1, d.out_dim, d.ld_out);
    }
    if (const uint32_t n = post_param_count(l)) {
      out[l].post = vk::download_as<float>(ctx_, seg, uint64_t(d.post_param_off) * 4, n);
      out[l].post_kind = std::string(ops::to_string(*plan_.fused[l].post));
    }
  }
  return out;
}

net::Params Network::params() {
  return read_params(params_);
}
net::Params Network::grads() {
  return read_params(grads_);
}

Batch Network::batch() {
  Batch b;
  b.size = plan_.batch;
  const LayerDesc& first = plan_.layers.front();
  b.input = read_layer_major(x_[plan_.acts.segment_of[0]], first.x_in_off, plan_.batch,
                             first.in_dim, first.ld_in);
  const LayerDesc& last = plan_.layers.back();
  b.target = read_layer_major(target_, 0, plan_.batch, last.out_dim, last.ld_out);
  return b;
}

std::vector<float> Network::activations(uint32_t a) {
  const uint32_t size = a == 0 ? plan_.layers[0].in_dim : plan_.layers[a - 1].out_dim;
  const uint32_t ld = a == 0 ? plan_.layers[0].ld_in : plan_.layers[a - 1].ld_out;
  return read_layer_major(x_[plan_.acts.segment_of[a]], plan_.acts.offset_of[a], plan_.batch, size,
                          ld);
}

std::vector<float> Network::preactivations(uint32_t a) {
  const uint32_t size = a == 0 ? plan_.layers[0].in_dim : plan_.layers[a - 1].out_dim;
  const uint32_t ld = a == 0 ? plan_.layers[0].ld_in : plan_.layers[a - 1].ld_out;
  return read_layer_major(z_[plan_.acts.segment_of[a]], plan_.acts.offset_of[a], plan_.batch, size,
                          ld);
}

float Network::loss() {
  return vk::download_as<StatsHeader>(ctx_, header_, 0, 1)[0].loss;
}

StepStats Network::latest_stats() {
  StatsHeader h = vk::download_as<StatsHeader>(ctx_, header_, 0, 1)[0];
  StepStats s;
  s.step = h.step == 0 ? 0 : h.step - 1;
  s.loss = h.loss;
  s.accuracy = h.accuracy;
  // Between pieces of a step the header's loss is already the next step's: take the published
  // one, from the latest complete step's ring record.
  if (h.step > 0) {
    const uint64_t slot = (h.step - 1) % plan_.ring_len;
    const StepRecord r = vk::download_as<StepRecord>(
        ctx_, header_, sizeof(StatsHeader) + slot * sizeof(StepRecord), 1)[0];
    s.loss = r.loss;
    s.accuracy = r.accuracy;
  }
  s.layers = vk::download_as<LayerStats>(ctx_, layer_stats_, 0, plan_.num_layers);
  return s;
}

std::vector<float> Network::neuron_stats() {
  return vk::download_as<float>(ctx_, neuron_stats_, 0, plan_.neuron_count);
}

std::vector<uint32_t> Network::histograms() {
  return vk::download_as<uint32_t>(ctx_, hist_, 0, uint64_t(plan_.num_layers) * GT_HIST_STRIDE);
}

std::vector<std::pair<uint32_t, float>> Network::recent_losses() {
  const std::vector<StepRecord> steps =
      vk::download_as<StepRecord>(ctx_, header_, sizeof(StatsHeader), plan_.ring_len);
  std::vector<std::pair<uint32_t, float>> out;
  for (const StepRecord& r : steps)
    if (r.valid) out.emplace_back(r.step, r.loss);
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<StepStats> Network::history() {
  const uint32_t n = plan_.num_layers, ring = plan_.ring_len;
  std::vector<StepRecord> steps =
      vk::download_as<StepRecord>(ctx_, header_, sizeof(StatsHeader), ring);
  std::vector<LayerStats> all = vk::download_as<LayerStats>(
      ctx_, layer_stats_, uint64_t(n) * sizeof(LayerStats), uint64_t(ring) * n);
  std::vector<StepStats> out;
  for (uint32_t slot = 0; slot < ring; ++slot) {
    if (!steps[slot].valid) continue;
    StepStats s;
    s.step = steps[slot].step;
    s.loss = steps[slot].loss;
    s.accuracy = steps[slot].accuracy;
    s.layers.assign(all.begin() + size_t(slot) * n, all.begin() + size_t(slot + 1) * n);
    out.push_back(std::move(s));
  }
  std::sort(out.begin(), out.end(),
            [](const StepStats& a, const StepStats& b) { return a.step < b.step; });
  return out;
}

std::optional<StepTimings> Network::timings() {
  if (!queries_ || steps_done_ == 0) return std::nullopt;
  uint64_t t[kStampCount];
  GT_VK_CHECK(vkGetQueryPoolResults(ctx_.device(), queries_.handle(), 0, kStampCount, sizeof t, t,
                                    sizeof(uint64_t),
                                    VK_QUERY_RESULT_64_BIT | VK_QUERY_RESULT_WAIT_BIT));
  const double ms = ctx_.limits().timestampPeriod * 1e-6;
  auto span = [&](Stamp a, Stamp b) { return static_cast<double>(t[b] - t[a]) * ms; };
  StepTimings r;
  r.data = span(kBegin, kData);
  r.forward = span(kData, kForward);
  r.backward = span(kForward, kBackward);
  r.update = span(kBackward, kUpdate);
  r.statistics = span(kUpdate, kEnd);
  r.total = span(kBegin, kEnd);
  return r;
}

}  // namespace gt::gpu
