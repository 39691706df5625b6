#include "stats/csv.hpp"

#include <unistd.h>
#include <stdexcept>
#include <system_error>

namespace gt::stats {

CsvWriter::CsvWriter(const std::filesystem::path& path)
    : path_(path), temp_(path.string() + ".tmp-" + std::to_string(getpid())) {
  file_ = std::fopen(temp_.c_str(), "w");
  if (!file_)
    throw std::runtime_error(path.string() + ": cannot write: " +
                             std::error_code(errno, std::generic_category()).message());
  std::fprintf(file_, "%s\n", kCsvHeader);
}

CsvWriter::~CsvWriter() {
  if (file_) {
    std::fclose(file_);
    std::error_code ec;
    std::filesystem::remove(temp_, ec);
  }
}

void CsvWriter::write(const gpu::StepStats& s) {
  for (size_t l = 0; l < s.layers.size(); ++l) {
    const shared::LayerStats& x = s.layers[l];
    std::fprintf(file_, "%u,%zu,%.9g,%.9g,%.9g,%.9g,%.9g,%.9g,%.9g,%.9g,%u\n", s.step, l + 1,
                 double(s.loss), double(x.grad_w_norm), double(x.grad_w_mean_abs),
                 double(x.grad_w_max_abs), double(x.grad_b_norm), double(x.delta_rms),
                 double(x.weight_norm), double(x.update_ratio), x.nonfinite);
  }
}

void CsvWriter::commit() {
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

}  // namespace gt::stats
