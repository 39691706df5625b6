// A recurrent layer's host side (rnn; gpu/ops/rnn.cpp records its kernels): its parameters to and
// from their block (W_ih, W_hh, b_ih, b_hh), and its per-time figures read back.
#include <cstring>
#include <stdexcept>
#include <string>

#include "gpu/network.hpp"
#include "vk/check.hpp"
#include "vk/transfer.hpp"

namespace gt::gpu {

using namespace gt::shared;

// W_ih [ld_out][ld_seq_in], W_hh [ld_out][ld_out], b_ih, b_hh from net::LayerParams' w (W_ih
// then W_hh) and b (b_ih then b_hh).
void Network::set_recurrent_params(const LayerDesc& d, const net::LayerParams& lp,
                                   std::vector<float>& seg, uint32_t l) {
  const uint32_t h = d.out_dim, f = d.seq_in;
  if (lp.in != d.in_dim || lp.out != h || lp.steps != d.steps ||
      lp.w.size() != size_t(h) * (f + h) || lp.b.size() != 2 * size_t(h) || !lp.gamma.empty() ||
      !lp.post.empty())
    throw vk::Error("layer " + std::to_string(l) +
                    " (rnn): parameter shape does not match the network");
  for (uint32_t o = 0; o < h; ++o) {
    std::memcpy(&seg[d.w_off + o * d.ld_seq_in], &lp.w[size_t(o) * f], f * 4);
    std::memcpy(&seg[d.whh_off + o * d.ld_out], &lp.w[size_t(h) * f + size_t(o) * h], h * 4);
    seg[d.b_off + o] = lp.b[o];
    seg[d.bhh_off + o] = lp.b[h + o];
  }
}

TimeStats Network::time_stats(uint32_t layer) {
  const LayerDesc& d = plan_.layers.at(layer);
  if (!is_recurrent(d))
    throw std::invalid_argument("time_stats: layer " + std::to_string(layer) + " is not recurrent");
  TimeStats t;
  t.steps = d.steps;
  t.units = d.out_dim;
  const uint64_t cells = uint64_t(d.steps) * d.ld_out;
  const std::vector<float> all = vk::download_as<float>(
      ctx_, time_stats_, uint64_t(d.time_off) * 4, 3 * cells + uint64_t(d.steps) * GT_TIME_FIGURES);
  t.cells.resize(size_t(d.steps) * d.out_dim);
  for (uint32_t s = 0; s < d.steps; ++s) {
    std::memcpy(&t.cells[size_t(s) * d.out_dim], &all[size_t(s) * d.ld_out], d.out_dim * 4);
    const float* fig = &all[3 * cells + size_t(s) * GT_TIME_FIGURES];
    t.grad_h_norm.push_back(fig[0]);
    t.dwhh_term_norm.push_back(fig[1]);
    t.mean_cell.push_back(fig[2]);
  }
  return t;
}

}  // namespace gt::gpu
