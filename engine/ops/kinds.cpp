#include <stdexcept>

#include "ops/kind.hpp"

namespace gt::ops {

const KindInfo& kind_of(Kind k) {
  switch (k) {
    case Kind::dense:
      return dense_kind();
    case Kind::layer_norm:
    case Kind::batch_norm:
      return norm_kind(k);
    case Kind::residual_add:
      return residual_add_kind();
  }
  throw std::invalid_argument("ops: unknown op kind");
}

}  // namespace gt::ops
