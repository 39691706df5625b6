#include "why_progress.hpp"

#include <utility>

namespace gt::cli {

std::string with_commas(uint64_t n) {
  const std::string digits = std::to_string(n);
  std::string s;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) s += ',';
    s += digits[i];
  }
  return s;
}

WhyProgress::WhyProgress(std::FILE* out, Clock::duration interval,
                         std::function<Clock::time_point()> now)
    : out_(out), interval_(interval), now_(std::move(now)), last_(now_()) {}

void WhyProgress::update(uint64_t done, uint64_t total) {
  if (!out_) return;
  const bool end = done == total;
  if (end ? !printed_ : now_() - last_ < interval_) return;
  last_ = now_();
  printed_ = true;
  std::fprintf(out_, "why: %s/%s parameters differenced (%d%%)\n", with_commas(done).c_str(),
               with_commas(total).c_str(), total ? int(100 * done / total) : 100);
  std::fflush(out_);
}

}  // namespace gt::cli
