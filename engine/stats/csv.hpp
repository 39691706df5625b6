// The per-step, per-layer statistics as CSV, and the per-layer |dW| histograms. Rows go to a
// temporary file that is renamed to the requested name only by commit(), so a failed run leaves
// no half-written output.
#pragma once

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "gpu/network.hpp"

namespace gt::stats {

// The first eleven columns are fixed; later columns are only ever appended.
inline constexpr const char* kCsvHeader =
    "step,layer,loss,grad_w_norm,grad_w_mean_abs,grad_w_max_abs,grad_b_norm,delta_rms,"
    "weight_norm,update_ratio,nonfinite,act_mean,act_std,saturated";

// step,layer,lo,hi,bin0..bin63,underflow,overflow,zero,nonfinite (lo, hi in decades).
std::string hist_csv_header();

// A text file written under a temporary name, renamed to its own only by commit().
class CommittedFile {
 public:
  CommittedFile(const std::filesystem::path& path, const std::string& header);  // throws
  ~CommittedFile();  // discards unless committed
  CommittedFile(const CommittedFile&) = delete;
  CommittedFile& operator=(const CommittedFile&) = delete;
  void commit();

 protected:
  std::FILE* file_ = nullptr;

 private:
  std::filesystem::path path_, temp_;
};

class CsvWriter : public CommittedFile {
 public:
  explicit CsvWriter(const std::filesystem::path& path);  // throws std::runtime_error
  // One row per layer (numbered 1..N from the input).
  void write(const gpu::StepStats& step);
};

class HistCsvWriter : public CommittedFile {
 public:
  explicit HistCsvWriter(const std::filesystem::path& path);  // throws std::runtime_error
  // One row per layer from gpu::Network::histograms() (the step and range are in each record).
  void write(const std::vector<uint32_t>& histograms);
};

}  // namespace gt::stats
