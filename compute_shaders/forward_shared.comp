#version 450
// Forward pass of one layer, GEMM variant "shared" (see gemm_shared.glsl and forward_main.glsl).
#include "common.glsl"
#include "activation.glsl"
#include "gemm_shared.glsl"
#include "forward_main.glsl"
