#include "stats/csv.hpp"

#include <algorithm>
#include <bit>
#include <cstdio>
#include <string>

namespace gt::stats {

using namespace gt::shared;

std::string hist_csv_header() {
  std::string h = "step,layer,lo,hi";
  for (uint32_t b = 0; b < GT_HIST_BINS; ++b)
    h += ",bin" + std::to_string(b);
  return h + ",underflow,overflow,zero,nonfinite";
}

CsvFile::CsvFile(const std::filesystem::path& path, const std::string& label,
                 const std::string& header)
    : out_(path, label) {
  out_.write(header + "\n");
}

CsvWriter::CsvWriter(const std::filesystem::path& path, const std::string& label, bool eval_columns,
                     bool classification)
    : CsvFile(path, label, std::string(kCsvHeader) + (eval_columns ? kEvalCsvColumns : "")),
      eval_columns_(eval_columns),
      classification_(classification) {}

void CsvWriter::write(const gpu::StepStats& s, const gpu::EvalResult* eval) {
  char tail[96] = "\n";
  char train_accuracy[32] = "", test_accuracy[32] = "";
  if (classification_) {
    std::snprintf(train_accuracy, sizeof train_accuracy, "%.9g", double(s.accuracy));
    if (eval) std::snprintf(test_accuracy, sizeof test_accuracy, "%.9g", eval->accuracy);
  }
  if (eval_columns_ && eval) {
    std::snprintf(tail, sizeof tail, ",%s,%.9g,%s\n", train_accuracy, eval->loss, test_accuracy);
  } else if (eval_columns_) {
    std::snprintf(tail, sizeof tail, ",%s,,\n", train_accuracy);
  }
  char row[640];
  for (size_t l = 0; l < s.layers.size(); ++l) {
    const LayerStats& x = s.layers[l];
    const int n = std::snprintf(
        row, sizeof row, "%u,%zu,%.9g,%.9g,%.9g,%.9g,%.9g,%.9g,%.9g,%.9g,%u,%.9g,%.9g,%.9g%s",
        s.step, l + 1, double(s.loss), double(x.grad_w_norm), double(x.grad_w_mean_abs),
        double(x.grad_w_max_abs), double(x.grad_b_norm), double(x.delta_rms), double(x.weight_norm),
        double(x.update_ratio), x.nonfinite, double(x.act_mean), double(x.act_std),
        double(x.saturated), tail);
    out_.write(row, std::min(size_t(n), sizeof row - 1));
  }
}

HistCsvWriter::HistCsvWriter(const std::filesystem::path& path, const std::string& label)
    : CsvFile(path, label, hist_csv_header()) {}

void HistCsvWriter::write(const std::vector<uint32_t>& h) {
  char row[(GT_HIST_NONFINITE + 1) * 11 + 96];
  for (size_t l = 0; (l + 1) * GT_HIST_STRIDE <= h.size(); ++l) {
    const uint32_t* r = &h[l * GT_HIST_STRIDE];
    int n = std::snprintf(row, sizeof row, "%u,%zu,%g,%g", r[GT_HIST_STEP], l + 1,
                          double(std::bit_cast<float>(r[GT_HIST_LO])),
                          double(std::bit_cast<float>(r[GT_HIST_HI])));
    for (uint32_t b = 0; b <= GT_HIST_NONFINITE; ++b)
      n += std::snprintf(row + n, sizeof row - size_t(n), ",%u", r[b]);
    row[n++] = '\n';
    out_.write(row, size_t(n));
  }
}

TimeCsvWriter::TimeCsvWriter(const std::filesystem::path& path, const std::string& label)
    : CsvFile(path, label, kTimeCsvHeader) {}

void TimeCsvWriter::write(uint32_t step, uint32_t layer, const gpu::TimeStats& t) {
  char row[160];
  for (uint32_t k = 0; k < t.steps; ++k) {
    const int n = std::snprintf(row, sizeof row, "%u,%u,%u,%.9g,%.9g,%.9g\n", step, layer, k + 1,
                                double(t.grad_h_norm[k]), double(t.dwhh_term_norm[k]),
                                double(t.mean_cell[k]));
    out_.write(row, std::min(size_t(n), sizeof row - 1));
  }
}

}  // namespace gt::stats
