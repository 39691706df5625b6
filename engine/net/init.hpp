// Initial parameters, drawn on the CPU from a counter-based generator keyed by the network seed,
// so they do not depend on thread count or dispatch order. Uploaded to the GPU once.
#pragma once

#include <cstdint>
#include <vector>

#include "net/spec.hpp"

namespace gt::net {

// LayerParams and Params are declared in net/spec.hpp (a scene can give them exactly).

// Whether `init` draws the biases, b ~ N(0, sigma_b^2) (gaussian, orthogonal); the others zero
// them.
bool init_draws_biases(Init init);

// The scene's exact parameters (NetworkSpec::initial) when it gives them, else drawn by `init`.
Params init_params(const NetworkSpec& spec);

}  // namespace gt::net
