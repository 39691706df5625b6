// Initial parameters, drawn on the CPU from a counter-based generator keyed by the network seed,
// so they do not depend on thread count or dispatch order. Uploaded to the GPU once.
#pragma once

#include <cstdint>
#include <vector>

#include "net/spec.hpp"

namespace gt::net {

struct LayerParams {
  uint32_t in = 0;
  uint32_t out = 0;
  std::vector<float> w;  // [out][in], row-major
  std::vector<float> b;  // [out]
};
using Params = std::vector<LayerParams>;  // index 0 is the layer next to the input

Params init_params(const NetworkSpec& spec);

}  // namespace gt::net
