// Range checks for numeric flags that CLI::Range does not give: it lets NaN through (every
// comparison with NaN is false), and accepts infinity where the upper end is infinite.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>

namespace gt::cli {

// A finite number in [lo, hi], or in (lo, hi] with lo_open; the message names the range and
// the value given ("--walk-hold: must be a finite number in [0.05, 60]; got nan").
CLI::Validator finite_range(double lo, double hi, bool lo_open = false);
// A finite number > 0 ("must be a finite number > 0; got inf"); CLI::PositiveNumber lets NaN
// and infinity through.
CLI::Validator finite_positive();

// The most frames a recording has (record --frames, --seconds x --fps, or the scene's steps).
inline constexpr uint32_t kMaxFrames = 1000000;

}  // namespace gt::cli
