// The overlay's numbers as text (render/overlay.cpp), kept apart from drawing so they can be
// tested without a device. printf prints a NaN with its sign bit set as "-nan", and the ratio of
// two NaN norms is not infinite: non-finite values get words of their own.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace gt::render {

// printf(format, v) for a finite v (format takes one double: "%.5g", "%.2e"); "nan", "inf" or
// "-inf" otherwise.
std::string number_text(double v, const char* format);

// The layers (0-based) of the largest and smallest per-layer |dW| among those that are not NaN;
// both 0 when every one is NaN (or there are none).
struct DwExtremes {
  size_t largest = 0, smallest = 0;
};
DwExtremes dw_extremes(const std::vector<float>& norms);

// largest / smallest in "%.2e": "nan" when either is NaN, "inf" for a positive largest over a
// zero smallest (or an infinite quotient), "-" for 0 / 0 (every gradient exactly zero).
std::string ratio_text(double largest, double smallest);

}  // namespace gt::render
