// gradtower why's progress lines (tools/gradtower/why_progress): at most one per interval, a
// last one only when any was printed, none with --quiet. A fake clock makes it exact.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <string>

#include "tools/gradtower/why_progress.hpp"

namespace gt::cli {
namespace {

using Clock = WhyProgress::Clock;
using std::chrono::milliseconds;

// What the progress wrote into a temporary file.
std::string written(std::FILE* f) {
  std::rewind(f);
  std::string out;
  char buf[256];
  while (size_t n = std::fread(buf, 1, sizeof buf, f))
    out.append(buf, n);
  return out;
}

TEST(WhyProgress, OneLinePerIntervalAndALastOne) {
  std::FILE* f = std::tmpfile();
  ASSERT_NE(f, nullptr);
  Clock::time_point t{};
  WhyProgress p(f, std::chrono::seconds(2), [&] { return t; });
  t += milliseconds(1500);
  p.update(1, 56789);  // 1.5 s since the start: nothing yet
  t += milliseconds(600);
  p.update(1234, 56789);  // 2.1 s
  t += milliseconds(1900);
  p.update(2000, 56789);  // 1.9 s since the last line
  t += milliseconds(100);
  p.update(3000, 56789);
  p.update(56789, 56789);
  EXPECT_EQ(written(f),
            "why: 1,234/56,789 parameters differenced (2%)\n"
            "why: 3,000/56,789 parameters differenced (5%)\n"
            "why: 56,789/56,789 parameters differenced (100%)\n");
  std::fclose(f);
}

TEST(WhyProgress, AShortRunPrintsNothing) {
  std::FILE* f = std::tmpfile();
  ASSERT_NE(f, nullptr);
  Clock::time_point t{};
  WhyProgress p(f, std::chrono::seconds(2), [&] { return t; });
  for (uint64_t i = 1; i <= 40; ++i) {
    t += milliseconds(10);
    p.update(i, 40);
  }
  EXPECT_EQ(written(f), "");
  std::fclose(f);
  WhyProgress quiet(nullptr, Clock::duration::zero());
  quiet.update(1, 1);  // --quiet: no stream, no crash
}

}  // namespace
}  // namespace gt::cli
