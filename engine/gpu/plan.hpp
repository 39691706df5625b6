// Where everything of a network lives on the GPU: per-layer offsets (LayerDesc), the segments
// that large arrays are split into, workgroup counts, and the memory all of it needs. Computed
// before any allocation and checked against the device's limits, so a network that does not
// fit is refused with a clear message instead of failing half-way.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "gpu/tensors.hpp"
#include "layout.h"
#include "net/spec.hpp"
#include "ops/graph.hpp"

namespace gt::gpu {

struct DeviceLimits {
  uint64_t max_segment_bytes = 0;  // min of storage-buffer range, allocation size, texel range
  uint64_t device_memory_bytes = 0;
  uint32_t max_workgroups_x = 65535;
  uint32_t uniform_offset_align = 16;  // minUniformBufferOffsetAlignment
};

// A data set on the GPU: each sample's inputs then its targets (row_floats floats), whole samples
// per segment (rows_per_segment, the last segment fewer).
struct DataPlacement {
  std::vector<uint64_t> segment_floats;
  uint32_t row_floats = 0;
  uint32_t rows_per_segment = 0;
  uint32_t first_row(uint32_t segment) const { return segment * rows_per_segment; }
  uint32_t rows(uint32_t segment) const {
    return static_cast<uint32_t>(segment_floats[segment] / row_floats);
  }
};

struct Plan {
  uint32_t num_layers = 0;
  uint32_t batch = 0;
  uint32_t batch_pad = 0;
  uint32_t max_ld = 0;
  std::vector<shared::LayerDesc> layers;
  std::vector<ops::FusedLayer> fused;  // what each layer runs (engine/ops/graph.hpp)
  SegmentedArray params;  // per layer: W [ld_out][ld_in], b [ld_out], gamma, beta, post op's
  SegmentedArray acts;    // per activation a = 0..num_layers: [batch_pad][ld(a)]
  // What the ops keep for backward as their kinds declare (ops::KeptState; the norms: N-hat
  // [batch_pad][ld_out]): item 2l is layer l's fused norm's, item 2l + 1 its post op's (0 floats
  // where there is none or it keeps nothing).
  SegmentedArray nhat;
  uint64_t skip_floats = 0;       // residual networks: the skips, placed by lifetime
  uint64_t norm_stat_floats = 0;  // norm networks: rstd per group of every norm layer
  uint32_t norm_layers = 0;       // layers with GT_FLAG_NORM_*
  uint64_t delta_floats = 0;
  uint64_t target_floats = 0;  // targets, then the teacher network's weights
  // A whole data set (data.kind fashion_mnist or file) and the held-out one ([eval]).
  DataPlacement data, eval;
  uint32_t eval_batches = 0;  // held-out batches of `batch` samples, the last one partial
  uint32_t teacher_off = 0;
  uint64_t time_floats = 0;  // recurrent layers' per-time figures (GT_BIND_TIME_STATS)
  uint64_t partial_vec4s = 0;
  uint64_t neuron_count = 0;
  uint32_t ring_len = 0;
  uint32_t max_upd_chunks = 0;
  uint32_t moments = 0;  // optimizer state arrays kept per parameter: sgd 0, momentum 1, adam 2
  // Bytes between two entries of the table the per-layer kernels bind as a uniform buffer
  // (GT_BIND_LAYER): sizeof(LayerDesc) rounded up to the device's uniform offset alignment.
  // When that is sizeof(LayerDesc) itself, the storage-buffer layer table is bound; otherwise a
  // padded copy is kept.
  uint32_t layer_ubo_stride = sizeof(shared::LayerDesc);

  uint64_t total_bytes() const;
  // The segment holding layer l's N-hat tensor (post: its post layer_norm's).
  uint32_t nhat_segment(uint32_t l, bool post) const { return nhat.segment_of[2 * l + post]; }
  // Layers [first, last] of each parameter segment.
  std::vector<std::pair<uint32_t, uint32_t>> param_segment_layers() const;
};

struct PlanError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Whether the layer normalizes its pre-activation (and so has gamma and beta).
inline bool is_normalized(const shared::LayerDesc& d) {
  return (d.flags & (shared::GT_FLAG_NORM_BATCH | shared::GT_FLAG_NORM_LAYER)) != 0;
}

inline bool is_recurrent(const shared::LayerDesc& d) {
  return (d.flags & shared::GT_FLAG_RECURRENT) != 0;
}

inline uint32_t round_up(uint32_t v, uint32_t m) {
  return (v + m - 1) / m * m;
}
inline uint32_t div_up(uint32_t v, uint32_t m) {
  return (v + m - 1) / m;
}

// ring_len: steps of per-layer history kept on the GPU (shrunk for very deep networks).
Plan make_plan(const net::NetworkSpec& network, const net::DataSpec& data,
               const net::TrainSpec& train, const DeviceLimits& limits, uint32_t ring_len = 64,
               const net::EvalSpec& eval = {});

std::string format_bytes(uint64_t bytes);

}  // namespace gt::gpu
