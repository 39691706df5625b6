// The |dW| histograms the GPU counts (gpu::Network::histograms(), layout.h GT_HIST_*), decoded
// for the host: one layer's record, and a layer x bin grid that merges neighbouring layers so a
// 10,000-layer network still fits a plot.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "shared/layout.h"

namespace gt::stats {

struct LayerHistogram {
  uint32_t step = 0;
  float lo = 0,
        hi = 0;  // decades: bin k covers [10^(lo + k w), 10^(lo + (k + 1) w)), w = (hi - lo) / bins
  std::array<uint32_t, shared::GT_HIST_BINS> bins{};
  uint32_t underflow = 0, overflow = 0, zero = 0, nonfinite = 0;

  uint64_t total() const;          // every entry counted: bins and the four special counts
  float bin_lo(uint32_t k) const;  // the decade where bin k starts
};

// Layer `layer` (0 = input side) of a histograms() readback. Throws std::out_of_range.
LayerHistogram layer_histogram(const std::vector<uint32_t>& all, uint32_t layer);

// Columns of the grid: the special counts around the bins, in the order they sit on a |dW| axis.
enum HistColumn : uint32_t { kColZero = 0, kColUnderflow = 1, kColFirstBin = 2 };
inline constexpr uint32_t kColOverflow = kColFirstBin + shared::GT_HIST_BINS;
inline constexpr uint32_t kColNonFinite = kColOverflow + 1;
inline constexpr uint32_t kHistColumns = kColNonFinite + 1;

// Rows r = 0..rows-1 from the input side; row r merges layers [first[r], first[r + 1]) (their
// counts added), and each cell holds the fraction of the row's entries in that column (0 for an
// empty row). At most max_rows rows (≥ 1), as even as possible.
struct HistGrid {
  uint32_t rows = 0;
  std::vector<uint32_t> first;  // rows + 1 entries
  std::vector<float> fraction;  // [rows][kHistColumns]
  float lo = 0, hi = 0;         // the decade range (of the first layer's record)
  uint32_t step = 0;
};

HistGrid hist_grid(const std::vector<uint32_t>& all, uint32_t max_rows);

}  // namespace gt::stats
