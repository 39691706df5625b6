#include "live/session.hpp"

#include <exception>
#include <utility>

#include "scene/scene.hpp"

namespace gt::cli {

LiveSession::LiveSession(vk::Context& ctx, std::string scene_file,
                         std::vector<std::string> overrides, DeviceFlags flags)
    : ctx_(ctx),
      file_(std::move(scene_file)),
      cli_overrides_(std::move(overrides)),
      flags_(std::move(flags)) {
  runs_ = load_runs(ctx_, file_, cli_overrides_, flags_);
}

std::vector<std::string> LiveSession::all_overrides(
    const std::map<std::string, std::string>& edits) const {
  std::vector<std::string> out = cli_overrides_;
  for (const auto& [key, value] : edits)
    out.push_back(key + "=" + value);
  return out;
}

bool LiveSession::edit(const std::map<std::string, std::string>& keys) {
  std::map<std::string, std::string> edits = edits_;
  for (const auto& [key, value] : keys)
    edits[key] = value;
  try {
    // Checked before the networks are touched: a typo must not cost the training so far.
    scene::load_runs(file_, all_overrides(edits));
  } catch (const std::exception& e) {
    error_ = e.what();
    return false;
  }
  try {
    // The old networks go first: a deep network and its replacement need not fit together.
    runs_.nets.clear();
    runs_.owned.clear();
    runs_ = load_runs(ctx_, file_, all_overrides(edits), flags_);
    edits_ = std::move(edits);
    error_.clear();
    ++generation_;
    return true;
  } catch (const std::exception& e) {
    error_ = e.what();
  }
  try {
    runs_ = load_runs(ctx_, file_, all_overrides(edits_), flags_);
    ++generation_;
  } catch (const std::exception& e) {
    error_ += std::string("; and the previous networks could not be rebuilt: ") + e.what();
  }
  return false;
}

bool LiveSession::rebuild() {
  return edit({});
}

void LiveSession::change_train(const std::map<std::string, std::string>& keys,
                               const std::function<void(net::TrainSpec&)>& change) {
  for (const auto& [k, v] : keys)
    edits_[k] = v;
  runs_.sync();  // set_train completes a step begun in pieces: every run's, not some
  change(runs_.base.train);
  for (gpu::Network* n : runs_.nets) {
    net::TrainSpec t = n->scene().train;
    change(t);
    n->set_train(t);
  }
}

void LiveSession::set_lr(double lr) {
  change_train({{"train.lr", std::to_string(lr)}}, [&](net::TrainSpec& t) { t.lr = lr; });
}

void LiveSession::set_clip(double clip_norm, double clip_value) {
  change_train({{"train.clip_norm", std::to_string(clip_norm)},
                {"train.clip_value", std::to_string(clip_value)}},
               [&](net::TrainSpec& t) {
                 t.clip_norm = clip_norm;
                 t.clip_value = clip_value;
               });
}

void LiveSession::set_hist_range(int32_t lo, int32_t hi) {
  change_train({{"train.hist_lo", std::to_string(lo)}, {"train.hist_hi", std::to_string(hi)}},
               [&](net::TrainSpec& t) {
                 t.hist_lo = lo;
                 t.hist_hi = hi;
               });
}

uint32_t LiveSession::train_frame(double budget_ms) {
  if (!playing || runs_.nets.empty()) return 0;
  if (steps_per_frame > 0) {
    runs_.train(steps_per_frame);
    return steps_per_frame;
  }
  return runs_.train_for(budget_ms);
}

void LiveSession::step(uint32_t n) {
  runs_.train(n);
}

uint32_t LiveSession::steps_done() const {
  return runs_.steps_done();
}

std::vector<uint32_t> LiveSession::steps_done_per_run() const {
  std::vector<uint32_t> out;
  for (const gpu::Network* n : runs_.nets)
    out.push_back(n->steps_done());
  return out;
}

}  // namespace gt::cli
