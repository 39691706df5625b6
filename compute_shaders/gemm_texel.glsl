// GEMM variant "texel", for CPU devices (lavapipe): each invocation computes a 4x4 block from
// vec4 loads through read-only storage texel buffers, with no shared memory and no barriers (on
// lavapipe barriers run as coroutine switches). Storage, not uniform, texel buffers: lavapipe
// (Mesa 22.3) compiles a texelFetch from an rgba32f samplerBuffer into a call to a separate
// function, which spills the 16 accumulators around every fetch; imageLoad is compiled inline
// (docs/PERFORMANCE.md has the measurements). Same interface as gemm_shared.glsl:
// each function takes the workgroup's tile origin (rows m_w, columns n_w) and returns the
// invocation's 4x4 block acc[i] = row (m_w + ly*4 + i), columns (n_w + lx*4 .. +3).
layout(set = 0, binding = GT_BIND_PARAMS_TEX, rgba32f) readonly uniform imageBuffer params_tex;
layout(set = 0, binding = GT_BIND_X_IN_TEX, rgba32f) readonly uniform imageBuffer x_tex;
layout(set = 0, binding = GT_BIND_DELTA_TEX, rgba32f) readonly uniform imageBuffer delta_tex;

// Barriers are expensive here: reductions over the workgroup use as few as they can.
const bool kCheapBarriers = false;

uint tile_lx() { return gl_LocalInvocationID.x % GT_WG_SIDE; }
uint tile_ly() { return gl_LocalInvocationID.x / GT_WG_SIDE; }

// Z = X W^T: rows are samples b, columns neurons n, k over inputs.
void gemm_forward(LayerDesc L, uint m_w, uint n_w, out vec4 acc[4]) {
  uint b0 = m_w + tile_ly() * GT_TILE, n0 = n_w + tile_lx() * GT_TILE;
  acc = vec4[4](vec4(0.0), vec4(0.0), vec4(0.0), vec4(0.0));
  if (n0 >= L.ld_out || b0 >= g.batch_pad) return;
  int kv = int(L.ld_in / 4u);
  int xb = int((L.x_in_off + b0 * L.ld_in) / 4u);
  int wb = int((L.w_off + n0 * L.ld_in) / 4u);
  for (int k = 0; k < kv; ++k) {
    vec4 a0 = imageLoad(x_tex, xb + k);
    vec4 a1 = imageLoad(x_tex, xb + kv + k);
    vec4 a2 = imageLoad(x_tex, xb + 2 * kv + k);
    vec4 a3 = imageLoad(x_tex, xb + 3 * kv + k);
    vec4 w0 = imageLoad(params_tex, wb + k);
    vec4 w1 = imageLoad(params_tex, wb + kv + k);
    vec4 w2 = imageLoad(params_tex, wb + 2 * kv + k);
    vec4 w3 = imageLoad(params_tex, wb + 3 * kv + k);
    acc[0] += vec4(dot(a0, w0), dot(a0, w1), dot(a0, w2), dot(a0, w3));
    acc[1] += vec4(dot(a1, w0), dot(a1, w1), dot(a1, w2), dot(a1, w3));
    acc[2] += vec4(dot(a2, w0), dot(a2, w1), dot(a2, w2), dot(a2, w3));
    acc[3] += vec4(dot(a3, w0), dot(a3, w1), dot(a3, w2), dot(a3, w3));
  }
}

// dL/dX = D W: rows are samples b, columns input features k, sum over neurons n.
void gemm_dx(LayerDesc L, uint m_w, uint n_w, out vec4 acc[4]) {
  uint b0 = m_w + tile_ly() * GT_TILE, k0 = n_w + tile_lx() * GT_TILE;
  acc = vec4[4](vec4(0.0), vec4(0.0), vec4(0.0), vec4(0.0));
  if (k0 >= L.ld_in || b0 >= g.batch_pad) return;
  int nv = int(L.ld_out / 4u);
  int kv = int(L.ld_in / 4u);
  int db = int((L.d_off + b0 * L.ld_out) / 4u);
  int wb = int((L.w_off + k0) / 4u);
  for (int n = 0; n < nv; ++n) {
    vec4 d0 = imageLoad(delta_tex, db + n);
    vec4 d1 = imageLoad(delta_tex, db + nv + n);
    vec4 d2 = imageLoad(delta_tex, db + 2 * nv + n);
    vec4 d3 = imageLoad(delta_tex, db + 3 * nv + n);
    int w = wb + 4 * n * kv;
    vec4 w0 = imageLoad(params_tex, w);
    vec4 w1 = imageLoad(params_tex, w + kv);
    vec4 w2 = imageLoad(params_tex, w + 2 * kv);
    vec4 w3 = imageLoad(params_tex, w + 3 * kv);
    acc[0] += d0.x * w0 + d0.y * w1 + d0.z * w2 + d0.w * w3;
    acc[1] += d1.x * w0 + d1.y * w1 + d1.z * w2 + d1.w * w3;
    acc[2] += d2.x * w0 + d2.y * w1 + d2.z * w2 + d2.w * w3;
    acc[3] += d3.x * w0 + d3.y * w1 + d3.z * w2 + d3.w * w3;
  }
}

// dW = D^T X: rows are neurons n, columns input features k, sum over the batch.
void gemm_dw(LayerDesc L, uint m_w, uint n_w, out vec4 acc[4]) {
  uint n0 = m_w + tile_ly() * GT_TILE, k0 = n_w + tile_lx() * GT_TILE;
  acc = vec4[4](vec4(0.0), vec4(0.0), vec4(0.0), vec4(0.0));
  if (k0 >= L.ld_in || n0 >= L.ld_out) return;
  int dstride = int(L.ld_out / 4u);
  int xstride = int(L.ld_in / 4u);
  int di = int((L.d_off + n0) / 4u);
  int xi = int((L.x_in_off + k0) / 4u);
  // Four samples per trip, summed into copies of the accumulators: lavapipe blends every variable
  // a loop writes with the loop's lane mask, so writing acc once per trip instead of once per
  // sample saves most of those blends. The padding samples up to batch_pad (a multiple of 4) are
  // zero in both D and X, so running over them adds exact zeros.
  for (uint b = 0u; b < g.batch_pad; b += 4u) {
    vec4 c0 = acc[0], c1 = acc[1], c2 = acc[2], c3 = acc[3];
    [[unroll]] for (int u = 0; u < 4; ++u) {
      vec4 d = imageLoad(delta_tex, di + u * dstride);
      vec4 x = imageLoad(x_tex, xi + u * xstride);
      c0 += d.x * x;
      c1 += d.y * x;
      c2 += d.z * x;
      c3 += d.w * x;
    }
    acc = vec4[4](c0, c1, c2, c3);
    di += 4 * dstride;
    xi += 4 * xstride;
  }
}

// The error signal as a storage buffer too (written by the backward pass; both variants
// declare it so the including shader can use `delta`).
layout(set = 0, binding = GT_BIND_DELTA, std430) buffer DeltaBuf { vec4 delta[]; };

vec4 layer_bias(LayerDesc L, uint n0) { return imageLoad(params_tex, int((L.b_off + n0) / 4u)); }
// Four consecutive entries of the error signal, from float index i (a multiple of 4); through the
// texel view, which lavapipe loads inline rather than lane by lane.
vec4 delta_vec(uint i) { return imageLoad(delta_tex, int(i / 4u)); }
