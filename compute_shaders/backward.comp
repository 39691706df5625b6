#version 450
// Backward pass of one layer, GEMM variant "texel" (see gemm_texel.glsl and backward_main.glsl).
#include "common.glsl"
#include "activation.glsl"
#include "gemm_texel.glsl"
#include "backward_main.glsl"
