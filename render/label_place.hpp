// Where the overlay puts a label it must not lose: the first of the label's candidate places
// that stays inside the frame and clear of everything drawn there already (text, the towers and
// the theory strips, each of those as the convex outline of its projected corners).
#pragma once

#include <vector>

#include "render/camera.hpp"

namespace gt::render {

// An axis-aligned box in screen pixels (y down), x0 <= x1 and y0 <= y1.
struct Box {
  float x0 = 0, y0 = 0, x1 = 0, y1 = 0;
};

// The screen taken so far.
class Occupied {
 public:
  void add(const Box& b) { boxes_.push_back(b); }
  // The convex hull of `points` (a projected solid: its corners).
  void add(const std::vector<Pixel>& points);
  // Whether `b` touches nothing added (sharing an edge is not touching).
  bool clear(const Box& b) const;

 private:
  std::vector<Box> boxes_;
  std::vector<std::vector<Pixel>> hulls_;
};

// The first of `candidates` inside a width x height frame and clear of `taken`; when none is
// clear, the first inside the frame; when none is inside either, the first.
Box place_label(const std::vector<Box>& candidates, const Occupied& taken, float width,
                float height);

}  // namespace gt::render
