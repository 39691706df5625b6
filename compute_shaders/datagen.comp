#version 450
// One training batch, generated on the GPU from (data seed, step, sample): inputs X_0 and
// targets. One invocation per (padded) sample; padding rows and columns are written as zero.
#include "common.glsl"
#include "philox.glsl"

layout(set = 0, binding = GT_BIND_X_OUT, std430) buffer XBuf { float x_out[]; };
layout(set = 0, binding = GT_BIND_TARGET, std430) buffer TargetBuf { float target[]; };
layout(set = 0, binding = GT_BIND_HEADER, std430) readonly buffer HeaderBuf { StatsHeader header; };

const uint kStreamSample = 2u;
const uint kStreamTeacherInput = 3u;
const uint kStreamSequence = 4u;

void main() {
  // An inline batch (the scene's own numbers) is uploaded once by the host: leave it alone.
  if (g.data_kind == GT_DATA_INLINE) return;
  uint b = gl_GlobalInvocationID.x;
  if (b >= g.batch_pad) return;
  uint x_off = layers[0].x_in_off + b * g.ld_input;
  uint t_off = b * g.ld_output;
  for (uint j = 0u; j < g.ld_input; ++j) x_out[x_off + j] = 0.0;
  for (uint j = 0u; j < g.ld_output; ++j) target[t_off + j] = 0.0;
  if (b >= g.batch) return;

  uint step = g.data_fixed != 0u ? 0u : header.step;
  uvec2 key = uvec2(g.data_seed_lo, g.data_seed_hi);
  uvec4 r = philox4x32_10(uvec4(b, step, kStreamSample, 0u), key);
  uint classes = g.output_dim;

  if (g.data_kind == GT_DATA_TEACHER) {
    // x ~ N(0, I); y = B tanh(A x / sqrt(in)) / sqrt(hidden), A and B fixed per data seed.
    for (uint j = 0u; j < g.input_dim; j += 4u) {
      uvec4 q = philox4x32_10(uvec4(b, step, kStreamTeacherInput, j), key);
      vec2 n0 = normal2(q.x, q.y);
      vec2 n1 = normal2(q.z, q.w);
      float v[4] = float[4](n0.x, n0.y, n1.x, n1.y);
      for (uint c = 0u; c < 4u && j + c < g.input_dim; ++c) x_out[x_off + j + c] = v[c];
    }
    float h[GT_TEACHER_HIDDEN];
    float in_scale = inversesqrt(float(g.input_dim));
    for (uint k = 0u; k < GT_TEACHER_HIDDEN; ++k) {
      float s = 0.0;
      for (uint j = 0u; j < g.input_dim; ++j)
        s += target[g.teacher_off + k * g.input_dim + j] * x_out[x_off + j];
      h[k] = tanh(s * in_scale);
    }
    uint b_off = g.teacher_off + GT_TEACHER_HIDDEN * g.input_dim;
    float h_scale = inversesqrt(float(GT_TEACHER_HIDDEN));
    for (uint o = 0u; o < g.output_dim; ++o) {
      float s = 0.0;
      for (uint k = 0u; k < GT_TEACHER_HIDDEN; ++k) s += target[b_off + o * GT_TEACHER_HIDDEN + k] * h[k];
      target[t_off + o] = s * h_scale;
    }
    return;
  }

  if (g.data_kind == GT_DATA_ADDING) {
    // Step t holds (value, marker); the markers at one step of the first half and one of the
    // second (u01 < 1, so each index stays inside its half).
    uint steps = g.input_dim / 2u, first_half = steps / 2u;
    uint m0 = uint(u01_closed_open(r.x) * float(first_half));
    uint m1 = first_half + uint(u01_closed_open(r.y) * float(steps - first_half));
    m0 = min(m0, first_half - 1u);
    m1 = min(m1, steps - 1u);
    float sum = 0.0;
    for (uint t = 0u; t < steps; t += 4u) {
      uvec4 q = philox4x32_10(uvec4(b, step, kStreamSequence, t), key);
      for (uint c = 0u; c < 4u && t + c < steps; ++c) {
        float v = u01_closed_open(q[c]);
        bool marked = t + c == m0 || t + c == m1;
        x_out[x_off + 2u * (t + c)] = v;
        x_out[x_off + 2u * (t + c) + 1u] = marked ? 1.0 : 0.0;
        if (marked) sum += v;
      }
    }
    target[t_off] = sum;
    return;
  }

  vec2 n = normal2(r.z, r.w);
  float u = u01_closed_open(r.x);
  float u2 = u01_closed_open(r.y);
  vec2 x;
  uint cls;
  if (g.data_kind == GT_DATA_SPIRAL) {
    // Arms of a spiral, one per class: radius grows with t while the angle turns.
    cls = b % classes;
    float radius = u;
    float angle = 2.0 * kPi * float(cls) / float(classes) + 4.0 * u + 0.2 * n.x;
    x = radius * vec2(sin(angle), cos(angle));
  } else if (g.data_kind == GT_DATA_XOR) {
    x = vec2(2.0 * u - 1.0, 2.0 * u2 - 1.0);
    cls = x.x * x.y >= 0.0 ? 0u : 1u;
  } else if (g.data_kind == GT_DATA_CIRCLES) {
    cls = b % 2u;
    float radius = (cls == 0u ? 0.5 : 1.0) + 0.05 * n.x;
    float angle = 2.0 * kPi * u;
    x = radius * vec2(cos(angle), sin(angle));
  } else {  // GT_DATA_BLOBS
    cls = b % classes;
    float angle = 2.0 * kPi * float(cls) / float(classes);
    x = 2.0 * vec2(cos(angle), sin(angle)) + 0.5 * n;
  }
  x_out[x_off] = x.x;
  x_out[x_off + 1u] = x.y;
  target[t_off + cls] = 1.0;
}
