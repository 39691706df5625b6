// GEMM variant "shared", for GPUs: the workgroup stages GT_K_TILE-deep slices of both operands
// of its 32x32 output tile in shared memory (each value loaded from memory once per workgroup
// instead of once per invocation), then each invocation computes its 4x4 block from shared
// memory. Same interface as gemm_texel.glsl; every invocation of the workgroup must call these
// functions, since they contain barriers.
layout(set = 0, binding = GT_BIND_PARAMS, std430) readonly buffer ParamsIn { vec4 params_in[]; };
layout(set = 0, binding = GT_BIND_X_IN, std430) readonly buffer XIn { vec4 x_in[]; };
layout(set = 0, binding = GT_BIND_DELTA, std430) buffer DeltaBuf { vec4 delta[]; };

const uint GT_K_TILE = 16u;
// sa[k][m/4]: slice of A, four consecutive output rows per vec4; sb[k][n/4]: slice of B.
shared vec4 sa[GT_K_TILE][GT_WG_TILE / 4u];
shared vec4 sb[GT_K_TILE][GT_WG_TILE / 4u];

const bool kCheapBarriers = true;  // see gemm_texel.glsl

uint tile_lx() { return gl_LocalInvocationID.x % GT_WG_SIDE; }
uint tile_ly() { return gl_LocalInvocationID.x / GT_WG_SIDE; }

void multiply_slice(inout vec4 acc[4]) {
  // The slice must be complete before anyone reads it.
  barrier();
  uint lx = tile_lx(), ly = tile_ly();
  for (uint k = 0u; k < GT_K_TILE; ++k) {
    vec4 a = sa[k][ly];
    vec4 b = sb[k][lx];
    acc[0] += a.x * b;
    acc[1] += a.y * b;
    acc[2] += a.z * b;
    acc[3] += a.w * b;
  }
  // Everyone is done reading before the next slice overwrites it.
  barrier();
}

// Operand tiles stored with k contiguous (32 rows x 16 k): item -> (row, quad of k); the vec4
// along k is scattered transposed into the slice.
void put_transposed(bool into_a, uint r, uint q, vec4 v) {
  for (uint c = 0u; c < 4u; ++c) {
    if (into_a)
      sa[q * 4u + c][r / 4u][r % 4u] = v[c];
    else
      sb[q * 4u + c][r / 4u][r % 4u] = v[c];
  }
}

// Z = X W^T: A = X (rows b, k contiguous), B^T = W (rows n, k contiguous).
void gemm_forward(LayerDesc L, uint m_w, uint n_w, out vec4 acc[4]) {
  acc = vec4[4](vec4(0.0), vec4(0.0), vec4(0.0), vec4(0.0));
  for (uint k_w = 0u; k_w < L.ld_in; k_w += GT_K_TILE) {
    for (uint h = 0u; h < 2u; ++h) {
      uint item = gl_LocalInvocationID.x + h * GT_WG_SIZE;
      uint r = item / 4u, q = item % 4u, k = k_w + q * 4u;
      bool k_ok = k < L.ld_in;
      vec4 a = m_w + r < g.batch_pad && k_ok ? x_in[(L.x_in_off + (m_w + r) * L.ld_in + k) / 4u] : vec4(0.0);
      vec4 b = n_w + r < L.ld_out && k_ok ? params_in[(L.w_off + (n_w + r) * L.ld_in + k) / 4u] : vec4(0.0);
      put_transposed(true, r, q, a);
      put_transposed(false, r, q, b);
    }
    multiply_slice(acc);
  }
}

// dL/dX = D W: A = D (rows b, k = neurons contiguous), B = W (rows = neurons, columns contiguous).
void gemm_dx(LayerDesc L, uint m_w, uint n_w, out vec4 acc[4]) {
  acc = vec4[4](vec4(0.0), vec4(0.0), vec4(0.0), vec4(0.0));
  for (uint k_w = 0u; k_w < L.ld_out; k_w += GT_K_TILE) {
    for (uint h = 0u; h < 2u; ++h) {
      uint item = gl_LocalInvocationID.x + h * GT_WG_SIZE;
      uint r = item / 4u, q = item % 4u, k = k_w + q * 4u;
      vec4 a = m_w + r < g.batch_pad && k < L.ld_out ? delta[(L.d_off + (m_w + r) * L.ld_out + k) / 4u] : vec4(0.0);
      put_transposed(true, r, q, a);
      uint kr = item / 8u, col = n_w + (item % 8u) * 4u;  // 16 rows of k x 8 quads of columns
      sb[kr][item % 8u] = k_w + kr < L.ld_out && col < L.ld_in
                              ? params_in[(L.w_off + (k_w + kr) * L.ld_in + col) / 4u]
                              : vec4(0.0);
    }
    multiply_slice(acc);
  }
}

// dW = D^T X: A^T = D (rows = samples, neurons contiguous), B = X (rows = samples, k contiguous).
void gemm_dw(LayerDesc L, uint m_w, uint n_w, out vec4 acc[4]) {
  acc = vec4[4](vec4(0.0), vec4(0.0), vec4(0.0), vec4(0.0));
  for (uint k_w = 0u; k_w < g.batch; k_w += GT_K_TILE) {
    for (uint h = 0u; h < 2u; ++h) {
      uint item = gl_LocalInvocationID.x + h * GT_WG_SIZE;
      uint kr = item / 8u, q = item % 8u, b = k_w + kr;
      uint n = m_w + q * 4u, k = n_w + q * 4u;
      sa[kr][q] = b < g.batch && n < L.ld_out ? delta[(L.d_off + b * L.ld_out + n) / 4u] : vec4(0.0);
      sb[kr][q] = b < g.batch && k < L.ld_in ? x_in[(L.x_in_off + b * L.ld_in + k) / 4u] : vec4(0.0);
    }
    multiply_slice(acc);
  }
}

vec4 layer_bias(LayerDesc L, uint n0) { return params_in[(L.b_off + n0) / 4u]; }
// Four consecutive entries of the error signal, from float index i (a multiple of 4).
vec4 delta_vec(uint i) { return delta[i / 4u]; }
