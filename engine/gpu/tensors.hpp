// Named scratch tensors with lifetimes, placed in one buffer so that tensors whose lifetimes do
// not overlap share memory. A lifetime is the closed range of stages [first, last] during which
// the tensor holds a value someone still reads: written at `first`, last read at `last`. Two
// tensors live at a common stage (one read while the other is written, as a backward dispatch
// reads dL/dY and writes dL/dX) never alias. The plan (gpu/plan.hpp) places the backward pass's
// error signals this way; the tensors kept for backward (activations, norm statistics) are
// placed whole, in segments, by the plan itself.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace gt::gpu {

struct ScratchTensor {
  std::string name;  // e.g. "dL/dZ of layer 3", for messages
  uint64_t floats = 0;
  uint32_t first = 0, last = 0;  // stages, first <= last
};

struct ScratchLayout {
  std::vector<uint64_t> offset_of;  // per tensor, in floats, a multiple of `align`
  uint64_t floats = 0;              // the buffer's size: the end of the last-ending placement
};

// Places the tensors largest first (ties in the order given), each at the lowest offset (a
// multiple of `align` floats) where it overlaps no tensor placed before it that is live at one
// of its stages.
// Throws PlanError naming the tensor if it would end past `max_floats`, and std::logic_error for
// a lifetime with first > last.
ScratchLayout place_scratch(const std::vector<ScratchTensor>& tensors, uint64_t max_floats,
                            uint64_t align);

}  // namespace gt::gpu
