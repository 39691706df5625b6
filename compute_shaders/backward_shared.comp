#version 450
// Backward pass of one layer, GEMM variant "shared" (see gemm_shared.glsl and backward_main.glsl).
#include "common.glsl"
#include "activation.glsl"
#include "gemm_shared.glsl"
#include "backward_main.glsl"
