// The per-step, per-layer statistics as CSV. Rows go to a temporary file that is renamed to
// the requested name only by commit(), so a failed run leaves no half-written output.
#pragma once

#include <cstdio>
#include <filesystem>
#include <string>

#include "gpu/network.hpp"

namespace gt::stats {

inline constexpr const char* kCsvHeader =
    "step,layer,loss,grad_w_norm,grad_w_mean_abs,grad_w_max_abs,grad_b_norm,delta_rms,"
    "weight_norm,update_ratio,nonfinite";

class CsvWriter {
 public:
  explicit CsvWriter(const std::filesystem::path& path);  // throws std::runtime_error
  ~CsvWriter();                                           // discards unless committed
  CsvWriter(const CsvWriter&) = delete;
  CsvWriter& operator=(const CsvWriter&) = delete;

  // One row per layer (numbered 1..N from the input).
  void write(const gpu::StepStats& step);
  void commit();

 private:
  std::filesystem::path path_, temp_;
  std::FILE* file_ = nullptr;
};

}  // namespace gt::stats
