#include <cstdio>
#include <stdexcept>

#include "cli.hpp"
#include "render_layout.h"

namespace gt::cli {

uint32_t parse_metric(const std::string& m) {
  if (m == "neuron") return render::GT_METRIC_NEURON_DELTA;
  if (m == "grad_w_norm") return render::GT_METRIC_GRAD_W_NORM;
  if (m == "delta_rms") return render::GT_METRIC_DELTA_RMS;
  if (m == "update_ratio") return render::GT_METRIC_UPDATE_RATIO;
  throw std::runtime_error("--metric " + m +
                           ": expected neuron, grad_w_norm, delta_rms or update_ratio");
}

std::optional<std::pair<float, float>> parse_range(const std::string& range) {
  if (range.empty()) return std::nullopt;
  float lo = 0, hi = 0;
  char extra = 0;
  if (std::sscanf(range.c_str(), "%f:%f%c", &lo, &hi, &extra) != 2 || !(lo < hi))
    throw std::runtime_error("--range " + range + ": expected LO:HI with LO < HI, e.g. -8:0");
  return std::pair{lo, hi};
}

}  // namespace gt::cli
