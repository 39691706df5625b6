#version 450
// Forward pass of one layer, GEMM variant "texel" (see gemm_texel.glsl and forward_main.glsl).
#include "common.glsl"
#include "activation.glsl"
#include "gemm_texel.glsl"
#include "forward_main.glsl"
