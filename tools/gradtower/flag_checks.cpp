#include "flag_checks.hpp"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <string>

namespace gt::cli {
namespace {

// 1000000 rather than %g's 1e+06.
std::string number_text(double v) {
  char buf[32];
  if (v == std::floor(v) && std::abs(v) < 1e15)
    std::snprintf(buf, sizeof buf, "%.0f", v);
  else
    std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

// Accepts text that is a finite number in lo..hi (lo excluded with lo_open); the message says
// "must be a finite number " + `range`.
CLI::Validator finite_check(double lo, double hi, bool lo_open, const std::string& range) {
  return CLI::Validator(
      [=](std::string& text) -> std::string {
        const char* begin = text.c_str();
        char* end = nullptr;
        const double v = std::strtod(begin, &end);
        const bool number = end != begin && *end == '\0';
        if (number && std::isfinite(v) && (lo_open ? v > lo : v >= lo) && v <= hi) return "";
        return "must be a finite number " + range + "; got " + text;
      },
      "FLOAT " + range);
}

}  // namespace

CLI::Validator finite_range(double lo, double hi, bool lo_open) {
  return finite_check(
      lo, hi, lo_open,
      std::string("in ") + (lo_open ? "(" : "[") + number_text(lo) + ", " + number_text(hi) + "]");
}

CLI::Validator finite_positive() {
  return finite_check(0, std::numeric_limits<double>::max(), true, "> 0");
}

}  // namespace gt::cli
