// GEMM variant "texel", for CPU devices (lavapipe): each invocation computes a 4x4 block from
// vec4 fetches through uniform texel buffers, with no shared memory and no barriers (on
// lavapipe barriers run as coroutine switches). Same interface as gemm_shared.glsl:
// each function takes the workgroup's tile origin (rows m_w, columns n_w) and returns the
// invocation's 4x4 block acc[i] = row (m_w + ly*4 + i), columns (n_w + lx*4 .. +3).
layout(set = 0, binding = GT_BIND_PARAMS_TEX) uniform samplerBuffer params_tex;
layout(set = 0, binding = GT_BIND_X_IN_TEX) uniform samplerBuffer x_tex;
layout(set = 0, binding = GT_BIND_DELTA_TEX) uniform samplerBuffer delta_tex;

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
    vec4 a0 = texelFetch(x_tex, xb + k);
    vec4 a1 = texelFetch(x_tex, xb + kv + k);
    vec4 a2 = texelFetch(x_tex, xb + 2 * kv + k);
    vec4 a3 = texelFetch(x_tex, xb + 3 * kv + k);
    vec4 w0 = texelFetch(params_tex, wb + k);
    vec4 w1 = texelFetch(params_tex, wb + kv + k);
    vec4 w2 = texelFetch(params_tex, wb + 2 * kv + k);
    vec4 w3 = texelFetch(params_tex, wb + 3 * kv + k);
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
    vec4 d0 = texelFetch(delta_tex, db + n);
    vec4 d1 = texelFetch(delta_tex, db + nv + n);
    vec4 d2 = texelFetch(delta_tex, db + 2 * nv + n);
    vec4 d3 = texelFetch(delta_tex, db + 3 * nv + n);
    int w = wb + 4 * n * kv;
    vec4 w0 = texelFetch(params_tex, w);
    vec4 w1 = texelFetch(params_tex, w + kv);
    vec4 w2 = texelFetch(params_tex, w + 2 * kv);
    vec4 w3 = texelFetch(params_tex, w + 3 * kv);
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
  for (uint b = 0u; b < g.batch; ++b) {
    vec4 d = texelFetch(delta_tex, di);
    vec4 x = texelFetch(x_tex, xi);
    acc[0] += d.x * x;
    acc[1] += d.y * x;
    acc[2] += d.z * x;
    acc[3] += d.w * x;
    di += dstride;
    xi += xstride;
  }
}

// The error signal as a storage buffer too (written by the backward pass; both variants
// declare it so the including shader can use `delta`).
layout(set = 0, binding = GT_BIND_DELTA, std430) buffer DeltaBuf { vec4 delta[]; };

vec4 layer_bias(LayerDesc L, uint n0) { return texelFetch(params_tex, int((L.b_off + n0) / 4u)); }
