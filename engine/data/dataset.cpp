#include "data/dataset.hpp"

namespace gt::data {

uint32_t Dataset::label(uint32_t row) const {
  const float* t = target.data() + uint64_t(row) * outputs;
  uint32_t best = 0;
  for (uint32_t c = 1; c < outputs; ++c)
    if (t[c] > t[best]) best = c;
  return best;
}

std::vector<float> one_hot(const std::vector<uint32_t>& labels, uint32_t classes) {
  std::vector<float> out(labels.size() * classes, 0.0f);
  for (size_t i = 0; i < labels.size(); ++i)
    out[i * classes + labels[i]] = 1.0f;
  return out;
}

}  // namespace gt::data
