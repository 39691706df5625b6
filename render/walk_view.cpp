#include "render/walk_view.hpp"

#include <imgui.h>

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstdio>
#include <vector>

#include "teach/walkthrough.hpp"

namespace gt::render {
namespace {

const ImU32 kWhite = IM_COL32(235, 235, 240, 255);
const ImU32 kGrey = IM_COL32(150, 150, 165, 255);
const ImU32 kEdge = IM_COL32(95, 95, 115, 255);
const ImU32 kHighlight = IM_COL32(255, 205, 60, 255);  // what the step computes
const ImU32 kGrad = IM_COL32(255, 140, 90, 255);       // gradients
const ImU32 kNew = IM_COL32(120, 225, 130, 255);       // updated parameters
const ImU32 kNode = IM_COL32(40, 55, 90, 255);
const ImU32 kPanel = IM_COL32(22, 22, 30, 235);

std::string num(double v) {
  return teach::format_number(v);
}

// Labels in a crowded layer: 3 significant digits (the formulas keep 5).
std::string short_num(double v) {
  if (v == 0) return "0";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3g", v);
  return buf;
}

// Past this many edges a layer's labels are drawn only while a step highlights it.
constexpr uint32_t kCrowdedEdges = 9;

// A line of coloured pieces, drawn centred on x or from x.
struct Piece {
  std::string text;
  ImU32 color;
};
using Line = std::vector<Piece>;

float line_width(ImFont* f, float px, const Line& line) {
  float w = 0;
  for (const Piece& p : line)
    w += f->CalcTextSizeA(px, FLT_MAX, 0, p.text.c_str()).x;
  return w;
}

void draw_line(ImDrawList& dl, ImFont* f, float px, ImVec2 pos, const Line& line) {
  for (const Piece& p : line) {
    dl.AddText(f, px, pos, p.color, p.text.c_str());
    pos.x += f->CalcTextSizeA(px, FLT_MAX, 0, p.text.c_str()).x;
  }
}

// Lines of text measured at a size shrunk to fit a width, drawn centred on a dark backing so
// edges behind them stay legible.
struct Block {
  std::vector<Line> lines;
  float px = 0, w = 0, h = 0;
};

Block make_block(ImFont* f, float px, float max_w, std::vector<Line> lines) {
  Block b{std::move(lines), px, 0, 0};
  for (const Line& l : b.lines)
    b.w = std::max(b.w, line_width(f, px, l));
  if (b.w > max_w && b.w > 0) {
    b.px *= max_w / b.w;
    b.w = max_w;
  }
  b.h = b.lines.empty() ? 0 : b.px * 1.15f * float(b.lines.size());
  return b;
}

// Its rectangle when centred under (cx, y), with the backing's margin.
ImVec4 block_rect(const Block& b, float cx, float y) {
  return {cx - b.w / 2 - 3, y - 1, cx + b.w / 2 + 3, y + b.h + 1};
}

void draw_block(ImDrawList& dl, ImFont* f, const Block& b, float cx, float y) {
  if (b.lines.empty()) return;
  const ImVec4 r = block_rect(b, cx, y);
  dl.AddRectFilled({r.x, r.y}, {r.z, r.w}, kPanel, 3);
  for (const Line& l : b.lines) {
    draw_line(dl, f, b.px, {cx - line_width(f, b.px, l) / 2, y}, l);
    y += b.px * 1.15f;
  }
}

float overlap(const ImVec4& a, const ImVec4& b) {
  const float w = std::min(a.z, b.z) - std::max(a.x, b.x);
  const float h = std::min(a.w, b.w) - std::max(a.y, b.y);
  return w > 0 && h > 0 ? w * h : 0;
}

bool contains(const std::vector<uint32_t>& v, uint32_t x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

class View {
 public:
  View(ImDrawList& dl, const WalkFrame& frame, float width, float height, const WalkFonts& f)
      : dl_(dl),
        w_(*frame.walk),
        frame_(frame),
        step_(w_.steps[frame.step]),
        W_(width),
        H_(height),
        f_(f),
        now_(w_.known(frame.step)),
        before_(frame.step > 0 ? w_.known(frame.step - 1) : w_.known(0)),
        sizes_(w_.sizes()),
        L_(w_.layers()) {
    if (frame.step == 0) before_ = now_;
  }

  void draw() {
    const float pad = f_.text_px * 0.8f;
    header(pad);
    const float box_top = formula_box(pad);
    layout(pad, box_top - pad);
    for (uint32_t l = 0; l < L_; ++l)
      edge_lines(l);
    loss_node();
    // The nodes' values first (placed), then each edge's label where it covers none of them.
    for (uint32_t c = 0; c <= L_; ++c)
      for (uint32_t i = 0; i < sizes_[c]; ++i)
        node(c, i);
    for (uint32_t l = 0; l < L_; ++l)
      edge_labels(l);
  }

 private:
  void header(float pad) {
    char line[160];
    std::snprintf(line, sizeof line, "Walkthrough: step %zu of %zu, training step %u",
                  frame_.step + 1, w_.steps.size(), w_.values.step + 1);
    dl_.AddText(f_.big, f_.big_px, {pad, pad}, kWhite, line);
    const float tw = f_.text->CalcTextSizeA(f_.text_px, FLT_MAX, 0, frame_.title.c_str()).x;
    dl_.AddText(f_.text, f_.text_px, {W_ - pad - tw, pad}, kGrey, frame_.title.c_str());
    float y = pad + f_.big_px * 1.2f;
    dl_.AddText(f_.big, f_.big_px * 0.8f, {pad, y}, kHighlight, step_.title.c_str());
    header_bottom_ = y + f_.big_px * 0.8f * 1.25f;
  }

  // The formula lines at the bottom, wrapped; returns the box's top.
  float formula_box(float pad) {
    const float wrap = W_ - 4 * pad;
    float px = f_.big_px * 0.8f;  // as large as the step's title, smaller when it has many lines
    auto height_at = [&](float size) {
      float h = 0;
      for (const std::string& s : step_.formula)
        h += f_.text->CalcTextSizeA(size, FLT_MAX, wrap, s.c_str()).y + size * 0.3f;
      return h;
    };
    while (height_at(px) > H_ * 0.3f && px > 8)
      px *= 0.92f;
    const float h = std::max(height_at(px), H_ * 0.16f);
    const float top = H_ - pad - h - 2 * pad;
    dl_.AddRectFilled({pad, top}, {W_ - pad, H_ - pad}, kPanel, 6);
    dl_.AddRect({pad, top}, {W_ - pad, H_ - pad}, kHighlight, 6, 0, 1.5f);
    float y = top + pad;
    for (size_t i = 0; i < step_.formula.size(); ++i) {
      const std::string& s = step_.formula[i];
      // The result line of a step (its last before the notes) reads in the highlight colour.
      const ImU32 c = i + 1 == step_.formula.size() && step_.phase != teach::Phase::update &&
                              step_.phase != teach::Phase::overview
                          ? kHighlight
                          : kWhite;
      dl_.AddText(f_.text, px, {2 * pad, y}, c, s.c_str(), nullptr, wrap);
      y += f_.text->CalcTextSizeA(px, FLT_MAX, wrap, s.c_str()).y + px * 0.3f;
    }
    return top;
  }

  void layout(float pad, float bottom) {
    const float top = header_bottom_ + f_.text_px * 2.2f;  // room for the column headings
    const uint32_t cols = L_ + 2;                          // features, then the loss
    col_w_ = (W_ - 2 * pad) / float(cols);
    x0_ = pad;
    uint32_t most = 1;
    for (uint32_t n : sizes_)
      most = std::max(most, n);
    spacing_ = (bottom - top) / float(most);
    mid_ = top + (bottom - top) * 0.5f;
    // Nodes sit in the upper part of their slot: their values go underneath.
    r_ = std::clamp(std::min(spacing_ * 0.16f, col_w_ * 0.08f), 5.0f, f_.big_px * 0.9f);
    label_px_ = std::clamp((spacing_ - 2 * r_) / 4.6f, 8.0f, f_.text_px);
    for (uint32_t c = 0; c <= L_ + 1; ++c) {
      std::string h = c == 0    ? "input x"
                      : c <= L_ ? (c == L_ ? "output " : "layer ") + std::to_string(c) + ": " +
                                      std::string(net::to_string(act(c - 1)))
                                : "loss: " + std::string(net::to_string(w_.values.train.loss));
      const float tw = f_.text->CalcTextSizeA(f_.text_px, FLT_MAX, 0, h.c_str()).x;
      const bool lit = c <= L_ ? contains(step_.columns, c) : step_.loss_node;
      dl_.AddText(f_.text, f_.text_px, {cx(c) - tw / 2, top - f_.text_px * 1.8f},
                  lit ? kHighlight : kGrey, h.c_str());
    }
  }

  net::Activation act(uint32_t l) const {
    return l + 1 == L_ ? w_.values.network.output_activation : w_.values.network.activation;
  }
  float cx(uint32_t c) const { return x0_ + col_w_ * (float(c) + 0.5f); }
  float cy(uint32_t c, uint32_t i) const {
    const float n = float(c <= L_ ? sizes_[c] : 1);
    return mid_ + (float(i) - (n - 1) / 2) * spacing_ - spacing_ * 0.22f;
  }
  bool fresh(bool now, bool before) const { return now && !before; }
  ImU32 value_color(bool now, bool before, ImU32 normal = kWhite) const {
    return fresh(now, before) ? kHighlight : normal;
  }

  void edge_lines(uint32_t l) {
    const net::LayerParams& p = w_.values.before[l];
    const bool lit = contains(step_.edges, l);
    for (uint32_t j = 0; j < p.out; ++j)
      for (uint32_t k = 0; k < p.in; ++k)
        dl_.AddLine({cx(l) + r_, cy(l, k)}, {cx(l + 1) - r_, cy(l + 1, j)},
                    lit ? kHighlight : kEdge, lit ? 2.5f : 1.2f);
  }

  // Each weight's label on its edge, at the first place along it (from the middle outwards)
  // that covers no node, node values or earlier label; failing that, where it covers least.
  void edge_labels(uint32_t l) {
    const net::LayerParams& p = w_.values.before[l];
    const bool lit = contains(step_.edges, l);
    const bool crowded = p.in * p.out > 8;
    if (p.in * p.out > kCrowdedEdges && !lit) return;
    auto fmt = [&](double v) { return crowded ? short_num(v) : num(v); };
    static const float kPlaces[] = {0.5f, 0.42f, 0.58f, 0.34f, 0.66f, 0.26f, 0.74f,
                                    0.2f, 0.8f,  0.46f, 0.54f, 0.3f,  0.7f};
    for (uint32_t j = 0; j < p.out; ++j)
      for (uint32_t k = 0; k < p.in; ++k) {
        const size_t e = size_t(j) * p.in + k;
        std::vector<Line> lines;
        Line w{{"w " + fmt(p.w[e]), lit ? kHighlight : kWhite}};
        if (now_.update) {
          w.push_back(
              {" → " + fmt(w_.values.after[l].w[e]), value_color(true, before_.update, kNew)});
          if (before_.update) w[0].color = kGrey;
        }
        lines.push_back(w);
        if (now_.grads[l])
          lines.push_back(
              {{"dW " + fmt(w_.values.grads[l].w[e]), value_color(true, before_.grads[l], kGrad)}});
        const Block b = make_block(f_.text, label_px_, col_w_ * 0.5f, std::move(lines));
        const ImVec2 a{cx(l) + r_, cy(l, k)}, z{cx(l + 1) - r_, cy(l + 1, j)};
        float best = -1, best_t = 0.5f;
        for (float t : kPlaces) {
          const ImVec2 at{a.x + (z.x - a.x) * t, a.y + (z.y - a.y) * t - b.h / 2};
          const ImVec4 r = block_rect(b, at.x, at.y);
          float cover = 0;
          for (const ImVec4& o : taken_)
            cover += overlap(r, o);
          if (best < 0 || cover < best) {
            best = cover;
            best_t = t;
          }
          if (cover == 0) break;
        }
        const ImVec2 at{a.x + (z.x - a.x) * best_t, a.y + (z.y - a.y) * best_t - b.h / 2};
        taken_.push_back(block_rect(b, at.x, at.y));
        draw_block(dl_, f_.text, b, at.x, at.y);
      }
  }

  void loss_node() {
    const uint32_t out = sizes_.back();
    const float x = cx(L_ + 1), y = mid_ - spacing_ * 0.22f;
    const float half = std::max(r_ * 1.3f, f_.text_px);
    for (uint32_t i = 0; i < out; ++i)
      dl_.AddLine({cx(L_) + r_, cy(L_, i)}, {x - half, y}, step_.loss_node ? kHighlight : kEdge,
                  step_.loss_node ? 2.5f : 1.2f);
    dl_.AddRectFilled({x - half, y - half}, {x + half, y + half}, kNode, 4);
    dl_.AddRect({x - half, y - half}, {x + half, y + half}, step_.loss_node ? kHighlight : kGrey, 4,
                0, step_.loss_node ? 3.0f : 1.5f);
    const float lw = f_.big->CalcTextSizeA(f_.big_px, FLT_MAX, 0, "L").x;
    dl_.AddText(f_.big, f_.big_px, {x - lw / 2, y - f_.big_px / 2}, kWhite, "L");
    const std::vector<float> target = w_.target_of();
    const std::vector<double> y_vals(target.begin(), target.end());
    std::vector<Line> lines{{{"y = " + teach::format_vector(y_vals), kWhite}}};
    if (now_.loss)
      lines.push_back({{"L = " + num(w_.values.loss), value_color(now_.loss, before_.loss)}});
    draw_block(dl_, f_.text, make_block(f_.text, f_.text_px, col_w_ * 0.95f, std::move(lines)), x,
               y + half + 4);
  }

  void node(uint32_t c, uint32_t i) {
    const float x = cx(c), y = cy(c, i);
    const bool lit = contains(step_.columns, c);
    dl_.AddCircleFilled({x, y}, r_, kNode, 32);
    dl_.AddCircle({x, y}, r_, lit ? kHighlight : kGrey, 32, lit ? 3.0f : 1.5f);
    const std::string idx = std::to_string(i + 1);
    const float iw = f_.text->CalcTextSizeA(label_px_, FLT_MAX, 0, idx.c_str()).x;
    dl_.AddText(f_.text, label_px_, {x - iw / 2, y - label_px_ / 2}, kGrey, idx.c_str());
    std::vector<Line> lines;
    if (c == 0) {
      lines.push_back({{"x " + num(w_.a_of(0)[i]), kWhite}});
    } else {
      const uint32_t l = c - 1;
      Line b{
          {"b " + num(w_.values.before[l].b[i]),
           contains(step_.edges, l) && step_.phase == teach::Phase::forward ? kHighlight : kWhite}};
      if (now_.update) {
        b.push_back(
            {" → " + num(w_.values.after[l].b[i]), value_color(true, before_.update, kNew)});
        if (before_.update) b[0].color = kGrey;
      }
      lines.push_back(b);
      Line za;
      if (now_.z[l])
        za.push_back({"z " + num(w_.z_of(l)[i]), value_color(now_.z[l], before_.z[l])});
      if (now_.a[c])
        za.push_back({"  a " + num(w_.a_of(c)[i]), value_color(now_.a[c], before_.a[c])});
      if (!za.empty()) lines.push_back(za);
      Line d;
      if (now_.da[c])
        d.push_back({"dL/da " + num(w_.da[c][i]), value_color(now_.da[c], before_.da[c], kGrad)});
      if (now_.dz[l])
        d.push_back({(d.empty() ? "" : "  ") + std::string("dL/dz ") + num(w_.dz[l][i]),
                     value_color(now_.dz[l], before_.dz[l], kGrad)});
      if (!d.empty()) lines.push_back(d);
      if (now_.grads[l])
        lines.push_back({{"db " + num(w_.values.grads[l].b[i]),
                          value_color(now_.grads[l], before_.grads[l], kGrad)}});
    }
    const Block b = make_block(f_.text, label_px_, col_w_ * 0.7f, std::move(lines));
    draw_block(dl_, f_.text, b, x, y + r_ + 3);
    taken_.push_back(block_rect(b, x, y + r_ + 3));
    taken_.push_back({x - r_, y - r_, x + r_, y + r_});
  }

  ImDrawList& dl_;
  const teach::Walkthrough& w_;
  const WalkFrame& frame_;
  const teach::Step& step_;
  float W_, H_;
  WalkFonts f_;
  teach::Known now_, before_;
  std::vector<uint32_t> sizes_;
  uint32_t L_;
  std::vector<ImVec4> taken_;  // rectangles edge labels should not cover
  float header_bottom_ = 0, col_w_ = 0, x0_ = 0, spacing_ = 0, mid_ = 0, r_ = 0, label_px_ = 0;
};

}  // namespace

void draw_walkthrough(ImDrawList& dl, const WalkFrame& frame, float width, float height,
                      const WalkFonts& fonts) {
  View(dl, frame, width, height, fonts).draw();
}

}  // namespace gt::render
