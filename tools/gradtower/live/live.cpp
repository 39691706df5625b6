// gradtower live: a window that trains and draws every frame, with ImGui panels to change the
// experiment while it runs. ImGui's GLFW backend (from Debian's libimgui.a) handles input; the
// draw data goes through gradtower's own ImGui renderer (see render/imgui_renderer.hpp for why
// the Vulkan backend is never linked).
#include <imgui.h>
#include <imgui/backends/imgui_impl_glfw.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "cli.hpp"
#include "flag_checks.hpp"
#include "live/capture.hpp"
#include "live/panels.hpp"
#include "live/plots.hpp"
#include "live/readout.hpp"
#include "live/session.hpp"
#include "live/walk_panel.hpp"
#include "render/imgui_canvas.hpp"
#include "render/live_frame.hpp"
#include "render/overlay.hpp"
#include "render/window/glfw.hpp"
#include "render/window/swapchain.hpp"
#include "render/window/window.hpp"
#include "scene/scene.hpp"
#include "teach/walkthrough.hpp"
#include "vk/check.hpp"
#include "vk/context.hpp"

namespace gt::cli {
namespace {

using Clock = std::chrono::steady_clock;

// The step counts as the window shows them, for scripted runs to check that they agree: the
// steps done by each run (the Run panel's count), the step the overlay names and the step of each
// run's figures (its tooltip, the selected layer), "-" for none.
std::string step_counts(const LiveSession& session, std::optional<uint32_t> overlay,
                        const std::vector<RunData>& runs) {
  std::string out = "gradtower live: steps done per run:";
  for (uint32_t n : session.steps_done_per_run())
    out += " " + std::to_string(n);
  out += "; step shown: overlay " + (overlay ? std::to_string(*overlay) : "-") + ", figures";
  for (const RunData& r : runs)
    out += " " + (r.latest.layers.empty() ? std::string("-") : std::to_string(r.latest.step));
  return out;
}

// --layer-plot's names, in LayerPlot's order.
const std::vector<std::string> kLayerPlots = {"grad_w_norm", "update_ratio", "act_mean",
                                              "act_std",     "saturated",    "histograms"};

// Panels on the left, plots along the bottom, the towers in the rest.
struct Layout {
  float panel_w = 0, plots_h = 0;
  render::Region towers;
};

Layout layout_for(uint32_t w, uint32_t h) {
  Layout l;
  // Whole pixels, so no window edge reaches into the towers' region.
  l.panel_w = std::floor(std::min(std::clamp(float(w) * 0.27f, 300.0f, 440.0f), float(w) * 0.5f));
  l.plots_h = std::floor(std::min(std::clamp(float(h) * 0.27f, 140.0f, 300.0f), float(h) * 0.5f));
  const uint32_t x = uint32_t(l.panel_w);
  l.towers = {x, 0, std::max(16u, w - x), std::max(16u, h - uint32_t(l.plots_h))};
  return l;
}

// Keys (when no text field has them) and the mouse over the towers: orbit, zoom, hover, select.
void handle_input(const render::Region& r, const TowerSlabs& slabs, LiveView& view, Requests& req) {
  ImGuiIO& io = ImGui::GetIO();
  if (!io.WantCaptureKeyboard) {
    if (ImGui::IsKeyPressed(GLFW_KEY_SPACE, false)) req.toggle_play = true;
    if (ImGui::IsKeyPressed(GLFW_KEY_S, false)) req.step1 = true;
    if (ImGui::IsKeyPressed(GLFW_KEY_R, false)) req.reset = true;
    if (ImGui::IsKeyPressed(GLFW_KEY_F, false)) req.frame_tower = true;
    if (ImGui::IsKeyPressed(GLFW_KEY_P, false)) req.screenshot = true;
    if (ImGui::IsKeyPressed(GLFW_KEY_V, false)) req.toggle_record = true;
  }
  view.hover.reset();
  const float mx = io.MousePos.x - float(r.x), my = io.MousePos.y - float(r.y);
  const bool inside = mx >= 0 && my >= 0 && mx < float(r.width) && my < float(r.height);
  if (io.WantCaptureMouse || !inside) return;
  view.hover = render::pick(mx, my, r.width, r.height, view.tower, slabs.dims);
  // The figures below are per weight layer: a time step's slab picks its recurrent layer.
  if (view.hover) view.hover->layer = slabs.layer[view.hover->tower][view.hover->layer];
  if (ImGui::IsMouseDragging(ImGuiMouseButton_Left)) {
    view.tower.pose.yaw -= io.MouseDelta.x * 0.3f;
    view.tower.pose.pitch =
        std::clamp(view.tower.pose.pitch + io.MouseDelta.y * 0.3f, -80.0f, 80.0f);
  } else if (ImGui::IsMouseReleased(ImGuiMouseButton_Left) &&
             ImGui::GetMouseDragDelta(ImGuiMouseButton_Left, 0.0f).x == 0.0f) {
    view.selected = view.hover;
  }
  if (io.MouseWheel != 0)
    view.tower.pose.zoom =
        std::clamp(view.tower.pose.zoom * std::pow(1.1f, io.MouseWheel), 0.3f, 20.0f);
}

void hover_tooltip(const std::vector<RunData>& runs, const LiveView& view) {
  if (!view.hover) return;
  ImGui::BeginTooltip();
  layer_figures(runs, view.hover, "");
  if (view.hover_neuron && view.tower.metric == render::GT_METRIC_NEURON_DELTA)
    ImGui::Text("neuron %u: mean |dL/dz| %.4e", view.hover->neuron + 1, double(*view.hover_neuron));
  ImGui::TextDisabled("click to select");
  ImGui::EndTooltip();
}

}  // namespace

void add_live(CLI::App& app, LiveArgs& a) {
  CLI::App* c = app.add_subcommand("live", "Train and watch a scene in a window, with controls");
  c->add_option("scene", a.scene, "Scene file (TOML)")->required();
  c->add_option("--set", a.overrides, "Override a scene key: section.key=value (repeatable)");
  c->add_option("--width", a.width, "Window width")->check(CLI::Range(320u, 7680u));
  c->add_option("--height", a.height, "Window height")->check(CLI::Range(240u, 4320u));
  c->add_option("--frames", a.frames, "Exit after this many frames (scripted runs, tests)")
      ->check(CLI::Range(1u, 1u << 30));
  c->add_option("--screenshot", a.screenshot,
                "With --frames: write the last frame, as shown, to this PNG");
  c->add_option("--steps-per-frame", a.steps_per_frame,
                "Whole training steps per frame (deterministic), instead of a time budget")
      ->check(CLI::Range(0u, 1u << 20));
  c->add_option("--frame-ms", a.frame_ms,
                "Frame time to aim for while training by time: training gets what drawing leaves")
      ->check(finite_range(1, 10000));
  c->add_option("--record", a.record,
                "Record the window as shown from the first frame into this MP4 (v stops it)");
  c->add_flag("--no-vsync", a.no_vsync, "Present without waiting for the display");
  c->add_flag("--paused", a.paused, "Start paused");
  c->add_option("--select", a.select,
                "Select this layer (1 = input side) of the first run, as a click on its slab would")
      ->check(CLI::Range(1u, 1u << 30));
  c->add_option("--metric", a.metric,
                "Cell colour: neuron | grad_w_norm | delta_rms | update_ratio")
      ->check(CLI::IsMember({"neuron", "grad_w_norm", "delta_rms", "update_ratio"}));
  c->add_option("--layer-plot", a.layer_plot,
                "Middle plot against layer: grad_w_norm | update_ratio | act_mean | act_std | "
                "saturated | histograms (a layer x bin heatmap of |dW|)")
      ->check(CLI::IsMember(kLayerPlots));
  c->add_option("--selected-plot", a.selected_plot,
                "Right plot of the selected layer: history | histogram (its |dW| histogram)")
      ->check(CLI::IsMember({"history", "histogram"}));
  c->add_flag("--walkthrough", a.walkthrough,
              "Show the worked-example walkthrough (on by itself for a small exact network)");
  c->add_option("--walk-step", a.walk_step, "With the walkthrough: start at this step (1 = first)")
      ->check(CLI::Range(1u, 1u << 20));
  add_device_flags(c, a.device);
  add_kernel_flag(c, a.device);
}

// The window's ImGui context (current while it lives) with the GLFW backend (input only),
// shut down and destroyed when the loop ends, by an exception too.
class LiveImGui {
 public:
  LiveImGui(GLFWwindow* window, float font_size) : context_(ImGui::CreateContext()) {
    ImGui::SetCurrentContext(context_.get());
    ImGuiIO& io = ImGui::GetIO();
    // render::ImGuiRenderer draws each command at its VtxOffset, so a draw list may pass 64k
    // vertices (the heatmap, a long loss curve) with 16-bit indices.
    io.BackendFlags |= ImGuiBackendFlags_RendererHasVtxOffset;
    io.IniFilename = nullptr;  // no imgui.ini next to the user's files
    ImGui::StyleColorsDark();
    io.Fonts->AddFontFromFileTTF(render::overlay_font_path().c_str(), font_size);
    io.Fonts->Build();  // before the first frame; each LiveFrame uploads the built atlas
    ImGui_ImplGlfw_InitForVulkan(window, true);
  }
  ~LiveImGui() { ImGui_ImplGlfw_Shutdown(); }  // then context_ destroys the context
  LiveImGui(const LiveImGui&) = delete;
  LiveImGui& operator=(const LiveImGui&) = delete;

 private:
  render::ImGuiContextPtr context_;
};

int run_live(const LiveArgs& a) {
  const net::Scene scene = scene::load(a.scene, a.overrides);  // errors before any window
  if (!a.screenshot.empty()) check_output_path("--screenshot", a.screenshot);
  if (!a.record.empty()) check_output_path("--record", a.record);
  if (!a.screenshot.empty() && !a.frames) throw std::runtime_error("--screenshot needs --frames N");
  if (a.walkthrough) teach::check_walkable(scene);
  if (a.walk_step && !a.walkthrough && !wants_walkthrough(scene))
    throw std::runtime_error("--walk-step needs the walkthrough (--walkthrough)");
  render::Window window("gradtower: " + scene.title, int(a.width), int(a.height));
  auto ctx = make_context(a.device, render::Window::required_instance_extensions(),
                          {VK_KHR_SWAPCHAIN_EXTENSION_NAME});
  render::Surface surface = window.create_surface(ctx->instance());
  render::Swapchain swapchain(*ctx, window, surface.handle(), !a.no_vsync);
  LiveSession session(*ctx, a.scene, a.overrides, a.device);
  session.playing = !a.paused;
  session.steps_per_frame = a.steps_per_frame.value_or(0);
  LiveView view;
  view.frame_ms = float(a.frame_ms);
  if (a.select) {
    if (*a.select > session.nets().front()->plan().num_layers)
      throw std::runtime_error("--select " + std::to_string(*a.select) + ": the network has " +
                               std::to_string(session.nets().front()->plan().num_layers) +
                               " weight layers");
    view.selected = render::Pick{0, *a.select - 1, 0};
  }
  LiveWalk walk(session, a.walkthrough);
  if (a.walk_step) {
    if (*a.walk_step > walk.count())
      throw std::runtime_error("--walk-step " + std::to_string(*a.walk_step) +
                               ": the walkthrough of this network has " +
                               std::to_string(walk.count()) + " steps");
    walk.go_to(*a.walk_step - 1);
  }
  view.vsync = !a.no_vsync;
  view.tower.metric = parse_metric(a.metric);
  view.layer_plot = LayerPlot(std::find(kLayerPlots.begin(), kLayerPlots.end(), a.layer_plot) -
                              kLayerPlots.begin());
  view.selected_plot =
      a.selected_plot == "histogram" ? SelectedPlot::histogram : SelectedPlot::history;
  if (!scene.view.camera.empty()) view.tower.pose = render::camera_at(scene.view.camera, 0.0);

  const LiveImGui imgui(window.handle(), std::max(14.0f, float(a.height) / 48.0f));
  ImGuiIO& io = ImGui::GetIO();
  const vk::CommandBuffer frame_cmd = ctx->allocate_command_buffer("live frame");
  const VkCommandBuffer cmd = frame_cmd.handle();

  std::unique_ptr<render::LiveFrame> frame;
  std::vector<RunData> runs;
  LiveStatus status;
  Capture capture;
  bool rebuilt = true;
  render::Region towers;  // where the latest frame drew the towers
  double draw_ms = 0;     // the frame time without training, smoothed
  uint64_t generation = session.generation();
  uint32_t frames = 0;
  double frame_ms_sum = 0;
  uint32_t steps_total = 0;
  auto last = Clock::now(), rate_t0 = last;
  uint32_t rate_steps = 0, rate_frames = 0;
  std::optional<uint32_t> shown_step;  // the step the latest frame's overlay named
  while (!window.should_close()) {
    window.poll_events();
    if (!window.wait_while_minimized()) break;
    if (swapchain.vsync() != view.vsync) swapchain.set_vsync(view.vsync);

    // Training gets what the rest of the frame leaves of the frame time aimed at, measured over
    // the last frames (at least a millisecond, so training never stops while playing).
    const auto train_t0 = Clock::now();
    const uint32_t done = session.train_frame(std::max(1.0, double(view.frame_ms) - draw_ms));
    const double train_ms =
        std::chrono::duration<double, std::milli>(Clock::now() - train_t0).count();
    steps_total += done;
    rate_steps += done;
    read_runs(session, view, runs, rebuilt);
    rebuilt = false;

    ImGui_ImplGlfw_NewFrame();
    ImGui::NewFrame();
    const uint32_t w = uint32_t(io.DisplaySize.x * io.DisplayFramebufferScale.x);
    const uint32_t h = uint32_t(io.DisplaySize.y * io.DisplayFramebufferScale.y);
    const Layout lay = layout_for(w, h);
    towers = lay.towers;
    Requests req;
    draw_panels(0, 0, lay.panel_w, float(h), session, view, runs, status, req);
    if (walk.on())
      walk.draw_panel(lay.panel_w, float(h) - lay.plots_h, float(w) - lay.panel_w, lay.plots_h,
                      session);
    else
      draw_plots(lay.panel_w, float(h) - lay.plots_h, float(w) - lay.panel_w, lay.plots_h, runs,
                 view);
    walk.handle_keys(session);
    handle_input(lay.towers, tower_slabs(session), view, req);
    hover_tooltip(runs, view);
    ImGui::Render();

    // Requests change the networks before this frame draws them.
    if (req.toggle_play) session.playing = !session.playing;
    if (req.step1) session.step(1);
    if (req.step_n) session.step(view.step_n);
    if (req.reset) session.rebuild();
    if (req.frame_tower) view.tower.pose = render::CameraPose{};
    if (session.generation() != generation) {
      generation = session.generation();
      rebuilt = true;
      view.selected.reset();
      view.hover.reset();
    }

    walk.sync(session);  // after the requests: a rebuild or a step starts it again
    if (std::string why = walk.take_refusal(); !why.empty()) status.message = why;

    if (view.auto_range) {
      std::tie(view.tower.log_lo, view.tower.log_hi) =
          render::auto_range(session.nets(), view.tower.metric);
    } else {
      view.tower.log_lo = float(view.fixed_lo);
      view.tower.log_hi = float(view.fixed_hi);
    }
    if (!swapchain.acquire()) continue;
    if (!frame || frame->width() != w || frame->height() != h) {
      vkDeviceWaitIdle(ctx->device());
      frame = std::make_unique<render::LiveFrame>(*ctx, w, h, lay.towers, *io.Fonts);
    }
    render::OverlayInfo overlay =
        render::overlay_info(scene.title, session.nets(), session.labels(), view.tower);
    shown_step = overlay.step;
    VkCommandBufferBeginInfo begin{VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO};
    begin.flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT;
    GT_VK_CHECK(vkBeginCommandBuffer(cmd, &begin));
    const bool last_frame = a.frames && frames + 1 >= *a.frames;
    const bool start_recording = frames == 0 && !a.record.empty();
    const bool want_pixels = req.screenshot || req.toggle_record || start_recording ||
                             capture.recording() || (last_frame && !a.screenshot.empty());
    frame->record(cmd, session.nets(), view.tower, &overlay, ImGui::GetDrawData(), want_pixels,
                  walk.frame(scene.title));
    swapchain.blit_submit_present(cmd, frame->color_image(), w, h);
    ++frames;

    if (want_pixels) {
      const std::vector<uint8_t> pixels = frame->pixels();
      if (req.screenshot) status.message = capture.screenshot(w, h, pixels, session.steps_done());
      if (req.toggle_record) status.message = capture.toggle(w, h);
      if (start_recording) {
        status.message = capture.toggle(w, h, a.record);
        if (!capture.recording()) throw std::runtime_error("--record: " + status.message);
      }
      if (capture.recording()) {
        const std::string m = capture.add(w, h, pixels);
        if (!m.empty()) status.message = m;
      }
      if (last_frame && !a.screenshot.empty())
        std::fprintf(stderr, "gradtower: %s\n",
                     capture.screenshot(w, h, pixels, session.steps_done(), a.screenshot).c_str());
    }
    status.recording = capture.recording();
    status.record_file = capture.file();

    const auto now = Clock::now();
    const double ms = std::chrono::duration<double, std::milli>(now - last).count();
    last = now;
    frame_ms_sum += ms;
    status.frame_ms = status.frame_ms == 0 ? ms : 0.9 * status.frame_ms + 0.1 * ms;
    draw_ms = draw_ms == 0 ? ms - train_ms : 0.8 * draw_ms + 0.2 * (ms - train_ms);
    ++rate_frames;
    const double span = std::chrono::duration<double>(now - rate_t0).count();
    if (span >= 0.5) {
      status.fps = rate_frames / span;
      status.steps_per_s = rate_steps / span;
      rate_frames = rate_steps = 0;
      rate_t0 = now;
    }
    if (last_frame) break;
  }
  if (capture.recording()) std::fprintf(stderr, "gradtower: %s\n", capture.stop().c_str());
  const bool recorded = a.record.empty() || std::filesystem::exists(a.record);
  if (!recorded)
    std::fprintf(stderr, "gradtower: --record %s: %s\n", a.record.c_str(), status.message.c_str());
  vkDeviceWaitIdle(ctx->device());
  frame.reset();
  if (frames > 0) {
    std::fprintf(stderr,
                 "gradtower live: %u frames, %.2f ms per frame (%.1f frames/s), %u training steps "
                 "(%.1f steps/s)\n",
                 frames, frame_ms_sum / frames, 1000.0 * frames / frame_ms_sum, steps_total,
                 1000.0 * steps_total / frame_ms_sum);
    const render::Region r = towers;
    std::fprintf(stderr, "gradtower live: towers drawn at %u,%u size %ux%u\n", r.x, r.y, r.width,
                 r.height);
    std::fprintf(stderr, "%s\n", step_counts(session, shown_step, runs).c_str());
  }
  const int validation = validation_exit_code(*ctx);
  return validation ? validation : recorded ? 0 : 1;
}

}  // namespace gt::cli
