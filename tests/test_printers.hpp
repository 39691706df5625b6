// How GoogleTest prints the enums the parameterised tests take (in a failure's "where
// GetParam() = ..." and --gtest_list_tests): by name, as the scene files spell them, instead of
// their bytes ("4-byte object <03-00 00-00>"). Found by argument-dependent lookup, so they live
// in the enums' namespaces.
#pragma once

#include <ostream>

#include "gpu/network.hpp"
#include "net/spec.hpp"

namespace gt::net {

inline void PrintTo(Activation a, std::ostream* os) {
  *os << to_string(a);
}
inline void PrintTo(Init i, std::ostream* os) {
  *os << to_string(i);
}
inline void PrintTo(Loss l, std::ostream* os) {
  *os << to_string(l);
}
inline void PrintTo(Optimizer o, std::ostream* os) {
  *os << to_string(o);
}
inline void PrintTo(DataKind d, std::ostream* os) {
  *os << to_string(d);
}
inline void PrintTo(Norm n, std::ostream* os) {
  *os << to_string(n);
}

}  // namespace gt::net

namespace gt::gpu {

inline void PrintTo(Kernels k, std::ostream* os) {
  *os << to_string(k);
}

}  // namespace gt::gpu
