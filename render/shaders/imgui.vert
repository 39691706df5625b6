#version 450
// ImGui draw lists, drawn by gradtower itself through volk (see docs/ARCHITECTURE.md: the
// volk/ImGui trap). Positions in pixels become clip space through scale and translate.
layout(push_constant) uniform Push {
  vec2 scale;
  vec2 translate;
} pc;
layout(location = 0) in vec2 in_pos;
layout(location = 1) in vec2 in_uv;
layout(location = 2) in vec4 in_color;
layout(location = 0) out vec4 out_color;
layout(location = 1) out vec2 out_uv;

void main() {
  out_color = in_color;
  out_uv = in_uv;
  gl_Position = vec4(in_pos * pc.scale + pc.translate, 0.0, 1.0);
}
