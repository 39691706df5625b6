// The LayerDesc of the dispatch's layer (push constant `layer`), as a uniform buffer bound at
// that entry of the layer table. The per-layer kernels read it many times; as a uniform at a
// constant offset lavapipe loads each field once as a scalar, where layers[pc.layer] from the
// storage buffer costs a loop over the lanes per field (see common.glsl). LayerDesc holds only
// 32-bit scalars, so std140 lays it out as the C++ side.
layout(set = 0, binding = GT_BIND_LAYER, std140) uniform LayerUbo { LayerDesc this_layer; };
