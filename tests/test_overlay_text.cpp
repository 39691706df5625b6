// The overlay's numbers as text: NaN is "nan" (never printf's "-nan"), and the |dW| ratio of
// NaN norms is "nan", not "inf".
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "render/overlay_text.hpp"

namespace gt::render {
namespace {

constexpr double kNan = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

TEST(OverlayText, NonFiniteNumbersAreWords) {
  EXPECT_EQ(number_text(-kNan, "%.5g"), "nan");  // printf gives "-nan" for this one
  EXPECT_EQ(number_text(kNan, "%.2e"), "nan");
  EXPECT_EQ(number_text(kInf, "%.5g"), "inf");
  EXPECT_EQ(number_text(-kInf, "%.5g"), "-inf");
  EXPECT_EQ(number_text(0.125, "%.5g"), "0.125");
  EXPECT_EQ(number_text(1234.5, "%.2e"), "1.23e+03");
}

TEST(OverlayText, RatioOfNanIsNanNotInf) {
  EXPECT_EQ(ratio_text(kNan, kNan), "nan");
  EXPECT_EQ(ratio_text(1.0, kNan), "nan");
  EXPECT_EQ(ratio_text(kNan, 0.0), "nan");
  EXPECT_EQ(ratio_text(1.0, 0.0), "inf");
  EXPECT_EQ(ratio_text(kInf, 1.0), "inf");
  EXPECT_EQ(ratio_text(0.0, 0.0), "-");
  EXPECT_EQ(ratio_text(1e-3, 1e-9), "1.00e+06");
}

TEST(OverlayText, ExtremesSkipNanLayers) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  // A NaN first layer used to stay both the largest and the smallest.
  const DwExtremes e = dw_extremes({nan, 2.0f, 0.5f, nan, 8.0f});
  EXPECT_EQ(e.largest, 4u);
  EXPECT_EQ(e.smallest, 2u);
  const DwExtremes all = dw_extremes({nan, nan});
  EXPECT_EQ(all.largest, 0u);
  EXPECT_EQ(all.smallest, 0u);
  const DwExtremes inf = dw_extremes({1.0f, std::numeric_limits<float>::infinity()});
  EXPECT_EQ(inf.largest, 1u);
}

}  // namespace
}  // namespace gt::render
