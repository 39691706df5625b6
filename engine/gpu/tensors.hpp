// The plan's tensors (gpu/plan.hpp), named, in two kinds by lifetime:
//
// - Scratch tensors, placed in one buffer so that tensors whose lifetimes do not overlap share
//   memory. A lifetime is the closed range of stages [first, last] during which the tensor holds
//   a value someone still reads: written at `first`, last read at `last`. Two tensors live at a
//   common stage (one read while the other is written, as a backward dispatch reads dL/dY and
//   writes dL/dX) never alias. The backward pass's error signals and the skips are such tensors.
// - Kept tensors: what the forward pass leaves for the backward pass (each layer's X and Z, each
//   norm's N-hat) and the parameters. Each is written in the forward pass (or by the optimizer)
//   and read in the backward pass, so in a training step every one of them is live where the
//   forward pass turns into the backward pass: none can share memory with another. They are
//   placed whole, one after the other, in segments (separate buffers, each within the device's
//   largest), so that a dispatch binds the segment holding its tensor.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace gt::gpu {

// Arrays of kept tensors, split into segments: each tensor lives whole in one segment.
struct SegmentedArray {
  std::vector<uint64_t> segment_floats;  // size of each segment
  std::vector<uint32_t> segment_of;      // per tensor
  std::vector<uint64_t> offset_of;       // per tensor, floats from its segment's start
};

struct KeptTensor {
  std::string name;  // e.g. "X_3 and Z_3 (layer 3's output, batch 16 x 64)", for messages
  uint64_t floats = 0;
};

// Places the tensors in order, starting a new segment when the next would pass `max_floats`
// (every segment at least GT_VEC floats, so that an array of empty tensors still binds). Throws
// PlanError naming the first tensor larger than `max_floats` itself, before placing any.
SegmentedArray place_kept(const std::vector<KeptTensor>& tensors, uint64_t max_floats);

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
