// The walkthrough in the live window (engine/teach, drawn by render/walk_renderer in the towers'
// region): a panel along the bottom with the previous and next step, the learning rate, "apply
// update" and the sample shown; keys left and right step, w switches between the walkthrough and
// the towers. On by itself for a scene that gives its network's weights exactly and fits the
// walkthrough's limits, or with --walkthrough.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "live/session.hpp"
#include "render/walk_view.hpp"
#include "teach/walk_session.hpp"

namespace gt::cli {

class LiveWalk {
 public:
  // `forced`: --walkthrough (the caller checked the limits before opening the window).
  LiveWalk(LiveSession& session, bool forced);

  bool on() const { return walk_ != nullptr; }
  // Keeps the walkthrough in step with the session, once per frame before the panels: a rebuild,
  // or training outside it (play, step), starts it again on the network as it is now; the
  // learning rate set in the Optimizer panel applies to the update shown.
  void sync(LiveSession& session);
  // To step k (0-based) of the current training step, as --walk-step asks.
  void go_to(size_t k);
  size_t count() const { return walk_ ? walk_->count() : 0; }
  // Keys: left/right step, w toggles (when ImGui does not want the keyboard).
  void handle_keys(LiveSession& session);
  // The panel (one ImGui window at x, y of size w x h).
  void draw_panel(float x, float y, float w, float h, LiveSession& session);
  // Why the walkthrough could not start (a rebuilt network over the limits), once; shown in the
  // Run panel, since the walkthrough's own panel is gone then.
  std::string take_refusal();
  // What the towers' region shows: the current step, or nullptr for the towers.
  const render::WalkFrame* frame(const std::string& title);

 private:
  void start(LiveSession& session);
  void stop(const std::string& why);
  void act(LiveSession& session, void (teach::WalkSession::*op)());

  std::unique_ptr<teach::WalkSession> walk_;
  uint64_t generation_ = 0;
  uint32_t steps_seen_ = 0;
  std::string message_, refusal_;
  render::WalkFrame frame_;
};

// Whether the scene asks for the walkthrough by itself: exact weights, within the limits.
bool wants_walkthrough(const net::Scene& scene);

}  // namespace gt::cli
