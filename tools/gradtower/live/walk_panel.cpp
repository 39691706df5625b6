#include "live/walk_panel.hpp"

#include <imgui.h>

#include <stdexcept>
#include <utility>

#include "gpu/network.hpp"
#include "render/window/glfw.hpp"

namespace gt::cli {

bool wants_walkthrough(const net::Scene& scene) {
  return !scene.network.initial.empty() && teach::walk_limits_error(scene).empty();
}

LiveWalk::LiveWalk(LiveSession& session, bool forced) {
  generation_ = session.generation();
  if (forced || wants_walkthrough(session.scene())) start(session);
}

void LiveWalk::start(LiveSession& session) {
  const std::string error = teach::walk_limits_error(session.scene());
  if (!error.empty()) {
    stop("walkthrough: " + error);
    refusal_ = message_;
    return;
  }
  session.playing = false;  // the walkthrough runs the training steps
  walk_ = std::make_unique<teach::WalkSession>(*session.nets().front());
  steps_seen_ = session.steps_done();
  generation_ = session.generation();
  message_.clear();
}

void LiveWalk::stop(const std::string& why) {
  walk_.reset();
  message_ = why;
}

void LiveWalk::sync(LiveSession& session) {
  if (!walk_) return;
  if (session.generation() != generation_) {  // rebuilt: a new network
    walk_.reset();
    start(session);
    return;
  }
  if (session.playing) {  // play: the towers again
    stop("");
    return;
  }
  if (session.steps_done() != steps_seen_) {  // stepped from the Run panel
    walk_.reset();
    start(session);
    return;
  }
  const double lr = session.scene().train.lr;
  if (lr != walk_->lr() && walk_->lr_fixed_reason().empty()) {
    walk_->set_lr(lr);
    steps_seen_ = session.steps_done();
  }
}

void LiveWalk::act(LiveSession& session, void (teach::WalkSession::*op)()) {
  try {
    (walk_.get()->*op)();
  } catch (const std::exception& e) {
    message_ = e.what();
  }
  steps_seen_ = session.steps_done();
}

void LiveWalk::go_to(size_t k) {
  if (walk_) walk_->go_to(k);
}

void LiveWalk::handle_keys(LiveSession& session) {
  if (ImGui::GetIO().WantCaptureKeyboard) return;
  if (ImGui::IsKeyPressed(GLFW_KEY_W, false)) {
    if (walk_) {
      stop("");
    } else {
      start(session);
    }
  }
  if (!walk_) return;
  if (ImGui::IsKeyPressed(GLFW_KEY_RIGHT, true)) act(session, &teach::WalkSession::next);
  if (ImGui::IsKeyPressed(GLFW_KEY_LEFT, true)) act(session, &teach::WalkSession::prev);
}

void LiveWalk::draw_panel(float x, float y, float w, float h, LiveSession& session) {
  ImGui::SetNextWindowPos({x, y});
  ImGui::SetNextWindowSize({w, h});
  ImGui::Begin("Walkthrough", nullptr,
               ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoResize | ImGuiWindowFlags_NoCollapse);
  if (!walk_) {
    if (ImGui::Button("Show the walkthrough (w)")) start(session);
    if (!message_.empty()) ImGui::TextWrapped("%s", message_.c_str());
    ImGui::End();
    return;
  }
  ImGui::Text("step %zu of %zu, training step %u", walk_->index() + 1, walk_->count(),
              walk_->training_step() + 1);
  ImGui::SameLine();
  ImGui::TextDisabled("(left/right keys step, w shows the towers)");
  if (ImGui::Button("< previous")) act(session, &teach::WalkSession::prev);
  ImGui::SameLine();
  const bool last = walk_->index() + 1 == walk_->count();
  if (ImGui::Button(last ? "next training step >" : "next >"))
    act(session, &teach::WalkSession::next);
  ImGui::SameLine();
  if (ImGui::Button("apply update")) act(session, &teach::WalkSession::apply_update);
  ImGui::SameLine();
  if (ImGui::Button("towers")) stop("");
  if (!walk_) {
    ImGui::End();
    return;
  }

  const std::string reason = walk_->lr_fixed_reason();
  float lr = float(walk_->lr());
  ImGui::SetNextItemWidth(std::min(200.0f, w * 0.3f));
  if (!reason.empty()) {
    ImGui::Text("learning rate %.4g", double(lr));
    ImGui::TextWrapped("%s", reason.c_str());
  } else if (ImGui::InputFloat("learning rate", &lr, 0, 0, "%.4g",
                               ImGuiInputTextFlags_EnterReturnsTrue) &&
             lr > 0) {
    session.set_lr(double(lr));  // sync() reruns the step shown with it
    sync(session);
  }
  const uint32_t batch = walk_->walk().values.batch;
  if (batch > 1) {
    int sample = int(walk_->walk().sample) + 1;
    ImGui::SetNextItemWidth(std::min(200.0f, w * 0.3f));
    if (ImGui::SliderInt("sample shown", &sample, 1, int(batch)))
      walk_->set_sample(uint32_t(sample - 1));
  }
  if (!message_.empty()) ImGui::TextWrapped("%s", message_.c_str());
  ImGui::End();
}

std::string LiveWalk::take_refusal() {
  return std::exchange(refusal_, std::string());
}

const render::WalkFrame* LiveWalk::frame(const std::string& title) {
  if (!walk_) return nullptr;
  frame_ = {&walk_->walk(), walk_->index(), title};
  return &frame_;
}

}  // namespace gt::cli
