#include "gpu/tensors.hpp"

#include <algorithm>
#include <stdexcept>

#include "gpu/plan.hpp"

namespace gt::gpu {

namespace {

// For each tensor, the others live at one of its stages. A sweep in order of first stage: the
// tensors still live when one starts are exactly those it meets there, so each pair is found
// once, in O(n log n + pairs) (a deep network has a few pairs per tensor; comparing every pair
// would be quadratic: 10^10 comparisons for the 200,000 signals of a 100,000-layer network).
std::vector<std::vector<uint32_t>> live_pairs(const std::vector<ScratchTensor>& tensors) {
  std::vector<uint32_t> by_first(tensors.size());
  for (uint32_t i = 0; i < by_first.size(); ++i)
    by_first[i] = i;
  std::stable_sort(by_first.begin(), by_first.end(),
                   [&](uint32_t a, uint32_t b) { return tensors[a].first < tensors[b].first; });
  std::vector<std::vector<uint32_t>> with(tensors.size());
  std::vector<uint32_t> active;
  for (const uint32_t i : by_first) {
    const ScratchTensor& t = tensors[i];
    std::erase_if(active, [&](uint32_t a) { return tensors[a].last < t.first; });
    for (const uint32_t a : active) {
      with[i].push_back(a);
      with[a].push_back(i);
    }
    active.push_back(i);
  }
  return with;
}

uint64_t align_up(uint64_t v, uint64_t a) {
  return (v + a - 1) / a * a;
}

}  // namespace

SegmentedArray place_kept(const std::vector<KeptTensor>& tensors, uint64_t max_floats) {
  for (const KeptTensor& t : tensors)
    if (t.floats > max_floats)
      throw PlanError(t.name + " needs " + format_bytes(t.floats * 4) +
                      ", more than the device's largest buffer (" + format_bytes(max_floats * 4) +
                      ")");
  SegmentedArray a;
  a.segment_floats.push_back(0);
  for (const KeptTensor& t : tensors) {
    if (a.segment_floats.back() + t.floats > max_floats && a.segment_floats.back() > 0)
      a.segment_floats.push_back(0);
    a.segment_of.push_back(static_cast<uint32_t>(a.segment_floats.size() - 1));
    a.offset_of.push_back(a.segment_floats.back());
    a.segment_floats.back() += t.floats;
  }
  for (uint64_t& s : a.segment_floats)
    s = std::max<uint64_t>(s, shared::GT_VEC);
  return a;
}

ScratchLayout place_scratch(const std::vector<ScratchTensor>& tensors, uint64_t max_floats,
                            uint64_t align) {
  align = std::max<uint64_t>(align, 1);
  ScratchLayout out;
  out.offset_of.assign(tensors.size(), 0);
  for (const ScratchTensor& t : tensors)
    if (t.first > t.last)
      throw std::logic_error("scratch tensor " + t.name + " ends (stage " + std::to_string(t.last) +
                             ") before it starts (stage " + std::to_string(t.first) + ")");
  // Largest first (as the greedy-by-size arena planners do): the big tensors take the low
  // offsets and the small ones fill the gaps that the big ones' lifetimes leave.
  std::vector<size_t> order(tensors.size());
  for (size_t i = 0; i < order.size(); ++i)
    order[i] = i;
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return tensors[a].floats > tensors[b].floats; });
  const std::vector<std::vector<uint32_t>> live_with = live_pairs(tensors);
  std::vector<bool> placed(tensors.size(), false);
  for (size_t n = 0; n < order.size(); ++n) {
    const ScratchTensor& t = tensors[order[n]];
    // The placements already made that t must not overlap, by offset.
    std::vector<std::pair<uint64_t, uint64_t>> busy;
    for (const uint32_t j : live_with[order[n]])
      if (placed[j]) busy.push_back({out.offset_of[j], out.offset_of[j] + tensors[j].floats});
    std::sort(busy.begin(), busy.end());
    uint64_t at = 0;
    for (const auto& [begin, end] : busy) {
      if (at + t.floats <= begin) break;
      at = std::max(at, align_up(end, align));
    }
    if (at + t.floats > max_floats)
      throw PlanError(t.name + " (" + format_bytes(t.floats * 4) + ", placed after the " +
                      format_bytes(at * 4) + " of tensors live with it) does not fit the " +
                      "device's largest buffer (" + format_bytes(max_floats * 4) + ")");
    out.offset_of[order[n]] = at;
    placed[order[n]] = true;
    out.floats = std::max(out.floats, at + t.floats);
  }
  return out;
}

}  // namespace gt::gpu
