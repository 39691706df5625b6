#include "render/imgui_canvas.hpp"

#include <imgui.h>

#include <string>

#include "render/imgui_renderer.hpp"
#include "render/overlay.hpp"

namespace gt::render {

static_assert(sizeof(ImWchar) == sizeof(uint16_t), "Debian's ImGui uses 16-bit ImWchar");

void DestroyImGuiContext::operator()(ImGuiContext* c) const {
  ImGui::DestroyContext(c);  // leaves the current context alone unless it is `c`
}

namespace {

// Makes the caller's current ImGui context current again when the scope ends, thrown out of or
// not.
struct RestoreCurrent {
  ImGuiContext* previous = ImGui::GetCurrentContext();
  ~RestoreCurrent() { ImGui::SetCurrentContext(previous); }
};

}  // namespace

ImGuiCanvas::ImGuiCanvas(vk::Context& ctx, VkRenderPass render_pass,
                         const std::vector<float>& font_sizes, std::vector<uint16_t> ranges)
    : ranges_(std::move(ranges)) {
  const std::string font = overlay_font_path();
  const RestoreCurrent restore;
  imgui_.reset(ImGui::CreateContext());
  ImGui::SetCurrentContext(imgui_.get());
  ImGuiIO& io = ImGui::GetIO();
  io.IniFilename = nullptr;  // no imgui.ini next to the user's files
  io.LogFilename = nullptr;
  io.BackendFlags |= ImGuiBackendFlags_RendererHasVtxOffset;  // ImGuiRenderer draws at VtxOffset
  const auto* r = ranges_.empty() ? nullptr : reinterpret_cast<const ImWchar*>(ranges_.data());
  for (float size : font_sizes)
    fonts_.push_back(io.Fonts->AddFontFromFileTTF(font.c_str(), size, nullptr, r));
  renderer_ = std::make_unique<ImGuiRenderer>(ctx, render_pass, *io.Fonts);
}

ImGuiCanvas::~ImGuiCanvas() = default;  // the renderer, then the context, then the ranges

ImDrawList& ImGuiCanvas::begin(uint32_t width, uint32_t height) {
  previous_ = ImGui::GetCurrentContext();
  ImGui::SetCurrentContext(imgui_.get());
  ImGuiIO& io = ImGui::GetIO();
  io.DisplaySize = ImVec2(float(width), float(height));
  io.DeltaTime = 1.0f / 30.0f;
  ImGui::NewFrame();
  return *ImGui::GetForegroundDrawList();
}

void ImGuiCanvas::end(VkCommandBuffer cmd, VkOffset2D origin) {
  ImGui::Render();
  renderer_->draw(cmd, *ImGui::GetDrawData(), origin);
  ImGui::SetCurrentContext(previous_);
}

ImFont* ImGuiCanvas::font(size_t i) const {
  return fonts_.at(i);
}

}  // namespace gt::render
