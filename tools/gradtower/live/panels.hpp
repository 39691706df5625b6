// The control panels of the live window (ImGui): run, network, data, optimizer, view, and the
// selected layer's exact figures. Edits of the network, data or optimizer rebuild the networks
// in place through the session (its loader checks them); the learning rate needs no rebuild.
#pragma once

#include "live/session.hpp"
#include "live/view_state.hpp"

struct ImVec2;

namespace gt::cli {

// One ImGui window at (x, y) of size (w, h).
void draw_panels(float x, float y, float w, float h, LiveSession& session, LiveView& view,
                 const std::vector<RunData>& runs, const LiveStatus& status, Requests& req);

}  // namespace gt::cli
