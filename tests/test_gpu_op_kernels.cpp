// Every op kind has GPU kernels where fuse() can place it, and none where it cannot
// (gpu/op_kernels.hpp): a layer kind fused, a norm fused and (layer_norm) after its layer, a post
// kind after its layer, a skip kind nowhere (it is dense's epilogue); a variant must be resolved.
#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

#include "gpu/op_kernels.hpp"
#include "gpu_fixture.hpp"
#include "ops/kind.hpp"

namespace gt {
namespace {

using gpu::Kernels;
using gpu::Placement;
using ops::Kind;
using ops::Role;

bool has_kernels(Kind kind, Placement where, Kernels variant) {
  try {
    return gpu::make_op_kernels(kind, where, test::context(), variant) != nullptr;
  } catch (const std::logic_error&) {
    return false;
  }
}

class OpKernelsRegistry : public test::GpuTest {};

TEST_F(OpKernelsRegistry, EveryKindHasKernelsWhereFuseCanPlaceIt) {
  for (const ops::KindInfo* k : ops::all_kinds()) {
    SCOPED_TRACE(std::string(k->name));
    for (const Kernels variant : {Kernels::texel, Kernels::shared}) {
      const bool fused =
          k->role == Role::layer || k->role == Role::norm || k->role == Role::recurrent;
      const bool post = k->role == Role::post || k->kind == Kind::layer_norm;
      EXPECT_EQ(has_kernels(k->kind, Placement::fused, variant), fused);
      EXPECT_EQ(has_kernels(k->kind, Placement::post, variant), post);
    }
  }
}

TEST_F(OpKernelsRegistry, AnUnresolvedVariantOrAMissingKindIsRefusedByName) {
  try {
    gpu::make_op_kernels(Kind::dense, Placement::fused, test::context(), Kernels::automatic);
    FAIL() << "automatic accepted";
  } catch (const std::logic_error& e) {
    EXPECT_NE(std::string(e.what()).find("resolved variant"), std::string::npos) << e.what();
  }
  try {
    gpu::make_op_kernels(Kind::residual_add, Placement::fused, test::context(), Kernels::texel);
    FAIL() << "residual_add has kernels";
  } catch (const std::logic_error& e) {
    EXPECT_NE(std::string(e.what()).find("residual_add"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace gt
