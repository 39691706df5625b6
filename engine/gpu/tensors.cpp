#include "gpu/tensors.hpp"

#include <algorithm>
#include <stdexcept>

#include "gpu/plan.hpp"

namespace gt::gpu {

namespace {

bool live_together(const ScratchTensor& a, const ScratchTensor& b) {
  return a.first <= b.last && b.first <= a.last;
}

uint64_t align_up(uint64_t v, uint64_t a) {
  return (v + a - 1) / a * a;
}

}  // namespace

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
  for (size_t n = 0; n < order.size(); ++n) {
    const ScratchTensor& t = tensors[order[n]];
    // The placements already made that t must not overlap, by offset.
    std::vector<std::pair<uint64_t, uint64_t>> busy;
    for (size_t m = 0; m < n; ++m) {
      const size_t j = order[m];
      if (live_together(t, tensors[j]))
        busy.push_back({out.offset_of[j], out.offset_of[j] + tensors[j].floats});
    }
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
    out.floats = std::max(out.floats, at + t.floats);
  }
  return out;
}

}  // namespace gt::gpu
