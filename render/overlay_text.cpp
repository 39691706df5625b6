#include "render/overlay_text.hpp"

#include <cmath>
#include <cstdio>

namespace gt::render {

std::string number_text(double v, const char* format) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  char buf[64];
  std::snprintf(buf, sizeof buf, format, v);
  return buf;
}

DwExtremes dw_extremes(const std::vector<float>& norms) {
  DwExtremes e;
  bool found = false;
  for (size_t l = 0; l < norms.size(); ++l) {
    if (std::isnan(norms[l])) continue;
    if (!found || norms[l] > norms[e.largest]) e.largest = l;
    if (!found || norms[l] < norms[e.smallest]) e.smallest = l;
    found = true;
  }
  return e;
}

std::string ratio_text(double largest, double smallest) {
  if (std::isnan(largest) || std::isnan(smallest)) return "nan";
  if (smallest > 0) return number_text(largest / smallest, "%.2e");
  return largest > 0 ? "inf" : "-";
}

}  // namespace gt::render
