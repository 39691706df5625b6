#include "stats/csv.hpp"

#include <unistd.h>

#include <bit>
#include <stdexcept>
#include <system_error>

namespace gt::stats {

using namespace gt::shared;

std::string hist_csv_header() {
  std::string h = "step,layer,lo,hi";
  for (uint32_t b = 0; b < GT_HIST_BINS; ++b)
    h += ",bin" + std::to_string(b);
  return h + ",underflow,overflow,zero,nonfinite";
}

CommittedFile::CommittedFile(const std::filesystem::path& path, const std::string& header)
    : path_(path), temp_(path.string() + ".tmp-" + std::to_string(getpid())) {
  file_ = std::fopen(temp_.c_str(), "w");
  if (!file_)
    throw std::runtime_error(path.string() + ": cannot write: " +
                             std::error_code(errno, std::generic_category()).message());
  std::fprintf(file_, "%s\n", header.c_str());
}

CommittedFile::~CommittedFile() {
  if (file_) {
    std::fclose(file_);
    std::error_code ec;
    std::filesystem::remove(temp_, ec);
  }
}

void CommittedFile::commit() {
  const bool ok = std::fflush(file_) == 0 && !std::ferror(file_);
  std::fclose(file_);
  file_ = nullptr;
  std::error_code ec;
  if (ok) std::filesystem::rename(temp_, path_, ec);
  if (!ok || ec) {
    std::filesystem::remove(temp_, ec);
    throw std::runtime_error(path_.string() + ": cannot write the statistics" +
                             (ec ? ": " + ec.message() : std::string()));
  }
}

CsvWriter::CsvWriter(const std::filesystem::path& path) : CommittedFile(path, kCsvHeader) {}

void CsvWriter::write(const gpu::StepStats& s) {
  for (size_t l = 0; l < s.layers.size(); ++l) {
    const LayerStats& x = s.layers[l];
    std::fprintf(file_, "%u,%zu,%.9g,%.9g,%.9g,%.9g,%.9g,%.9g,%.9g,%.9g,%u,%.9g,%.9g,%.9g\n",
                 s.step, l + 1, double(s.loss), double(x.grad_w_norm), double(x.grad_w_mean_abs),
                 double(x.grad_w_max_abs), double(x.grad_b_norm), double(x.delta_rms),
                 double(x.weight_norm), double(x.update_ratio), x.nonfinite, double(x.act_mean),
                 double(x.act_std), double(x.saturated));
  }
}

HistCsvWriter::HistCsvWriter(const std::filesystem::path& path)
    : CommittedFile(path, hist_csv_header()) {}

void HistCsvWriter::write(const std::vector<uint32_t>& h) {
  for (size_t l = 0; (l + 1) * GT_HIST_STRIDE <= h.size(); ++l) {
    const uint32_t* r = &h[l * GT_HIST_STRIDE];
    std::fprintf(file_, "%u,%zu,%g,%g", r[GT_HIST_STEP], l + 1,
                 double(std::bit_cast<float>(r[GT_HIST_LO])),
                 double(std::bit_cast<float>(r[GT_HIST_HI])));
    for (uint32_t b = 0; b <= GT_HIST_NONFINITE; ++b)
      std::fprintf(file_, ",%u", r[b]);
    std::fputc('\n', file_);
  }
}

}  // namespace gt::stats
