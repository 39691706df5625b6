// The registry of op kinds: one line per kind (its entry is defined in its own file).
#include <stdexcept>

#include "ops/kind.hpp"

namespace gt::ops {

const KindInfo& dense_kind();
const KindInfo& norm_kind(Kind k);  // layer_norm, batch_norm
const KindInfo& residual_add_kind();
const KindInfo& rezero_kind();
const KindInfo& rnn_kind();

const std::vector<const KindInfo*>& all_kinds() {
  static const std::vector<const KindInfo*> kinds{
      &dense_kind(),
      &norm_kind(Kind::layer_norm),
      &norm_kind(Kind::batch_norm),
      &residual_add_kind(),
      &rezero_kind(),
      &rnn_kind(),
  };
  return kinds;
}

uint64_t param_floats(Kind k, uint32_t in) {
  uint64_t n = 0;
  for (const ParamInfo& info : kind_of(k).params({}, in))
    n += uint64_t(info.rows) * info.cols;
  return n;
}

KeptState kept_state(Kind k, uint32_t rows, uint32_t width) {
  const KindInfo& info = kind_of(k);
  return info.kept ? info.kept(rows, width) : KeptState{};
}

const KindInfo& kind_of(Kind k) {
  for (const KindInfo* info : all_kinds())
    if (info->kind == k) return *info;
  throw std::invalid_argument("ops: unknown op kind");
}

}  // namespace gt::ops
