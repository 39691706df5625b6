// The walkthrough's steps as text: titles and formula lines with the exact numbers, and what
// each step highlights and reveals. Internal to engine/teach (walkthrough.cpp builds with it).
#pragma once

#include <cstdint>
#include <vector>

#include "teach/walkthrough.hpp"

namespace gt::teach {

std::vector<double> softmax(const float* x, uint32_t n);

// The ordered steps of `w` (its values, sample, dz and da already set).
std::vector<Step> walk_steps(const Walkthrough& w);

}  // namespace gt::teach
