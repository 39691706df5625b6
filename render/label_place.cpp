#include "render/label_place.hpp"

#include <algorithm>

namespace gt::render {
namespace {

float cross(const Pixel& o, const Pixel& a, const Pixel& b) {
  return (a.x - o.x) * (b.y - o.y) - (a.y - o.y) * (b.x - o.x);
}

// Andrew's monotone chain: the hull's corners in order, collinear points dropped.
std::vector<Pixel> convex_hull(std::vector<Pixel> p) {
  std::sort(p.begin(), p.end(),
            [](const Pixel& a, const Pixel& b) { return a.x < b.x || (a.x == b.x && a.y < b.y); });
  if (p.size() < 3) return p;
  std::vector<Pixel> h(2 * p.size());
  size_t k = 0;
  for (size_t i = 0; i < p.size(); ++i) {
    while (k >= 2 && cross(h[k - 2], h[k - 1], p[i]) <= 0)
      --k;
    h[k++] = p[i];
  }
  for (size_t i = p.size() - 1, lower = k + 1; i-- > 0;) {
    while (k >= lower && cross(h[k - 2], h[k - 1], p[i]) <= 0)
      --k;
    h[k++] = p[i];
  }
  h.resize(k - 1);
  return h;
}

bool boxes_overlap(const Box& a, const Box& b) {
  return a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1;
}

// Separating axes: the box's own (its bounds against the hull's) and each hull edge, which for a
// convex hull separates when all four corners of the box lie beyond it.
bool hull_overlaps(const std::vector<Pixel>& hull, const Box& b) {
  if (hull.empty()) return false;
  Box bounds{hull[0].x, hull[0].y, hull[0].x, hull[0].y};
  for (const Pixel& p : hull)
    bounds = {std::min(bounds.x0, p.x), std::min(bounds.y0, p.y), std::max(bounds.x1, p.x),
              std::max(bounds.y1, p.y)};
  if (!boxes_overlap(bounds, b)) return false;
  if (hull.size() < 3) return true;  // a point or a segment: its bounds decide
  const Pixel corners[4] = {{b.x0, b.y0}, {b.x1, b.y0}, {b.x1, b.y1}, {b.x0, b.y1}};
  for (size_t i = 0; i < hull.size(); ++i) {
    const Pixel &a = hull[i], &c = hull[(i + 1) % hull.size()];
    // The hull turns counter-clockwise in these coordinates: its inside has cross > 0.
    if (std::all_of(std::begin(corners), std::end(corners),
                    [&](const Pixel& q) { return cross(a, c, q) <= 0; }))
      return false;
  }
  return true;
}

bool inside(const Box& b, float width, float height) {
  return b.x0 >= 0 && b.y0 >= 0 && b.x1 <= width && b.y1 <= height;
}

}  // namespace

void Occupied::add(const std::vector<Pixel>& points) {
  hulls_.push_back(convex_hull(points));
}

bool Occupied::clear(const Box& b) const {
  for (const Box& o : boxes_)
    if (boxes_overlap(o, b)) return false;
  for (const std::vector<Pixel>& h : hulls_)
    if (hull_overlaps(h, b)) return false;
  return true;
}

Box place_label(const std::vector<Box>& candidates, const Occupied& taken, float width,
                float height) {
  for (const Box& b : candidates)
    if (inside(b, width, height) && taken.clear(b)) return b;
  for (const Box& b : candidates)
    if (inside(b, width, height)) return b;
  return candidates.empty() ? Box{} : candidates.front();
}

}  // namespace gt::render
