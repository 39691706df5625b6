// The per-step, per-layer statistics as CSV, and the per-layer |dW| histograms. Rows go through
// an io::OutputFile that appears under its name only on commit(), so a failed run leaves no
// half-written output; every row is whole, so what was committed after an interrupt is a valid
// prefix of the full run.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "gpu/network.hpp"
#include "io/output_file.hpp"

namespace gt::stats {

// The first eleven columns are fixed; later columns are only ever appended.
inline constexpr const char* kCsvHeader =
    "step,layer,loss,grad_w_norm,grad_w_mean_abs,grad_w_max_abs,grad_b_norm,delta_rms,"
    "weight_norm,update_ratio,nonfinite,act_mean,act_std,saturated";

// Appended when the scene has a held-out evaluation ([eval]): the batch's accuracy every row, the
// held-out loss and accuracy on the rows of the steps after which they were measured (empty on
// the others).
inline constexpr const char* kEvalCsvColumns = ",train_accuracy,test_loss,test_accuracy";

// step,layer,lo,hi,bin0..bin63,underflow,overflow,zero,nonfinite (lo, hi in decades).
std::string hist_csv_header();

// The file is opened (and its header written) by the constructor, before any work; `label`
// names it in errors (the flag and path). Throws io::Error.
class CsvFile {
 public:
  CsvFile(const std::filesystem::path& path, const std::string& label, const std::string& header);
  const io::OutputFile& file() const { return out_; }
  void commit() { out_.commit(); }

 protected:
  io::OutputFile out_;
};

class CsvWriter : public CsvFile {
 public:
  // eval_columns: kEvalCsvColumns after the fixed ones; their accuracies empty unless
  // `classification` (a regression set has none).
  explicit CsvWriter(const std::filesystem::path& path, const std::string& label = {},
                     bool eval_columns = false, bool classification = true);
  // One row per layer (numbered 1..N from the input); `eval`: measured after this step.
  void write(const gpu::StepStats& step, const gpu::EvalResult* eval = nullptr);

 private:
  bool eval_columns_ = false;
  bool classification_ = true;
};

class HistCsvWriter : public CsvFile {
 public:
  explicit HistCsvWriter(const std::filesystem::path& path, const std::string& label = {});
  // One row per layer from gpu::Network::histograms() (the step and range are in each record).
  void write(const std::vector<uint32_t>& histograms);
};

// A recurrent layer's per-time-step figures (gpu::TimeStats): step,layer,t,grad_h_norm,
// dwhh_term_norm,mean_abs_grad_h, one row per time step t = 1..T.
inline constexpr const char* kTimeCsvHeader =
    "step,layer,t,grad_h_norm,dwhh_term_norm,mean_abs_grad_h";

class TimeCsvWriter : public CsvFile {
 public:
  explicit TimeCsvWriter(const std::filesystem::path& path, const std::string& label = {});
  // `layer` numbered 1..N from the input, as the statistics CSV.
  void write(uint32_t step, uint32_t layer, const gpu::TimeStats& t);
};

}  // namespace gt::stats
