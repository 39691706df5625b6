#include "stats/histogram.hpp"

#include <algorithm>
#include <bit>
#include <stdexcept>
#include <string>

namespace gt::stats {

using namespace gt::shared;

uint64_t LayerHistogram::total() const {
  uint64_t t = uint64_t(underflow) + overflow + zero + nonfinite;
  for (uint32_t c : bins)
    t += c;
  return t;
}

float LayerHistogram::bin_lo(uint32_t k) const {
  return lo + (hi - lo) * float(k) / float(GT_HIST_BINS);
}

LayerHistogram layer_histogram(const std::vector<uint32_t>& all, uint32_t layer) {
  if ((uint64_t(layer) + 1) * GT_HIST_STRIDE > all.size())
    throw std::out_of_range("histogram of layer " + std::to_string(layer + 1) + ": only " +
                            std::to_string(all.size() / GT_HIST_STRIDE) + " layers");
  const uint32_t* r = &all[size_t(layer) * GT_HIST_STRIDE];
  LayerHistogram h;
  std::copy(r, r + GT_HIST_BINS, h.bins.begin());
  h.underflow = r[GT_HIST_UNDERFLOW];
  h.overflow = r[GT_HIST_OVERFLOW];
  h.zero = r[GT_HIST_ZERO];
  h.nonfinite = r[GT_HIST_NONFINITE];
  h.step = r[GT_HIST_STEP];
  h.lo = std::bit_cast<float>(r[GT_HIST_LO]);
  h.hi = std::bit_cast<float>(r[GT_HIST_HI]);
  return h;
}

HistGrid hist_grid(const std::vector<uint32_t>& all, uint32_t max_rows) {
  const uint32_t layers = uint32_t(all.size() / GT_HIST_STRIDE);
  HistGrid g;
  if (layers == 0) return g;
  g.rows = std::clamp(max_rows, 1u, layers);
  const LayerHistogram first = layer_histogram(all, 0);
  g.lo = first.lo;
  g.hi = first.hi;
  g.step = first.step;
  g.fraction.assign(size_t(g.rows) * kHistColumns, 0.0f);
  for (uint32_t r = 0; r <= g.rows; ++r)
    g.first.push_back(uint32_t(uint64_t(r) * layers / g.rows));
  std::vector<uint64_t> counts(kHistColumns);
  for (uint32_t r = 0; r < g.rows; ++r) {
    std::fill(counts.begin(), counts.end(), 0);
    for (uint32_t l = g.first[r]; l < g.first[r + 1]; ++l) {
      const LayerHistogram h = layer_histogram(all, l);
      counts[kColZero] += h.zero;
      counts[kColUnderflow] += h.underflow;
      for (uint32_t k = 0; k < GT_HIST_BINS; ++k)
        counts[kColFirstBin + k] += h.bins[k];
      counts[kColOverflow] += h.overflow;
      counts[kColNonFinite] += h.nonfinite;
    }
    uint64_t total = 0;
    for (uint64_t c : counts)
      total += c;
    if (total == 0) continue;
    for (uint32_t c = 0; c < kHistColumns; ++c)
      g.fraction[size_t(r) * kHistColumns + c] = float(double(counts[c]) / double(total));
  }
  return g;
}

}  // namespace gt::stats
