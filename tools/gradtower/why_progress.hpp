// gradtower why's progress on stderr while finite differences run (minutes on a large network):
// "why: 1,234/56,789 parameters differenced (2%)", at most one line per interval, and a last
// line at the end when any was printed, so a short run prints none.
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <string>

namespace gt::cli {

class WhyProgress {
 public:
  using Clock = std::chrono::steady_clock;
  // `out`: nullptr prints nothing (--quiet). `now` stands in for the clock in tests.
  explicit WhyProgress(std::FILE* out, Clock::duration interval = std::chrono::seconds(2),
                       std::function<Clock::time_point()> now = &Clock::now);
  // After each parameter differenced: `done` of `total`.
  void update(uint64_t done, uint64_t total);

 private:
  std::FILE* out_;
  Clock::duration interval_;
  std::function<Clock::time_point()> now_;
  Clock::time_point last_;
  bool printed_ = false;
};

// 56789 as "56,789".
std::string with_commas(uint64_t n);

}  // namespace gt::cli
