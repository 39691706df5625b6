// gradtower train: headless training with progress on stderr, statistics to CSV, dumps and
// initial weights as safetensors.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <memory>

#include "cli.hpp"
#include "gpu/network.hpp"
#include "io/checkpoint.hpp"
#include "io/interrupt.hpp"
#include "io/output_file.hpp"
#include "render/overlay_text.hpp"
#include "scene/scene.hpp"
#include "stats/csv.hpp"

namespace gt::cli {
namespace {

using Clock = std::chrono::steady_clock;

class Progress {
 public:
  // classification: the held-out figures include an accuracy.
  Progress(uint32_t total, bool quiet, bool classification = true)
      : total_(total),
        quiet_(quiet),
        tty_(isatty(2)),
        classification_(classification),
        start_(Clock::now()) {}
  // `epoch_steps` > 0 (a data set): the epoch too, and the latest held-out figures if any.
  void update(uint32_t done, float loss, bool final = false, uint32_t epoch_steps = 0,
              const gpu::EvalResult* eval = nullptr) {
    if (quiet_) return;
    const double secs = std::chrono::duration<double>(Clock::now() - start_).count();
    const auto now = Clock::now();
    if (!final && !tty_ && now - last_ < std::chrono::seconds(2)) return;
    last_ = now;
    const double rate = secs > 0 ? done / secs : 0;
    std::string epoch, held_out, eta;
    if (epoch_steps > 0)
      epoch = "  epoch " + render::number_text(double(done) / epoch_steps, "%.2f");
    if (eval) {
      held_out = "  test loss " + render::number_text(eval->loss, "%.4g");
      if (classification_) held_out += " accuracy " + render::number_text(eval->accuracy, "%.4f");
    }
    if (!final && rate > 0)
      eta = "  ETA " + render::number_text((total_ - done) / rate, "%.0f") + " s";
    std::fprintf(stderr, "%sstep %u/%u%s  loss %s%s  %.1f steps/s%s%s", tty_ ? "\r" : "", done,
                 total_, epoch.c_str(), render::number_text(loss, "%.6g").c_str(), held_out.c_str(),
                 rate, eta.c_str(), tty_ && !final ? "   " : "\n");
    std::fflush(stderr);
  }
  // Ends a progress line redrawn in place, before another message.
  void end_line() const {
    if (!quiet_ && tty_) std::fputc('\n', stderr);
  }

 private:
  uint32_t total_;
  bool quiet_, tty_, classification_;
  Clock::time_point start_, last_{};
};

// After SIGINT/SIGTERM/SIGHUP: the statistics of the steps done are a valid prefix of the run
// (whole steps only), so they are kept under the final names; a dump not reached is not.
int finish_interrupted(int signal, uint32_t done, const TrainArgs& a, stats::CsvWriter* csv,
                       stats::HistCsvWriter* hist_csv, stats::TimeCsvWriter* time_csv,
                       const io::OutputFile* dump) {
  std::fprintf(stderr, "gradtower: interrupted by %s at step %u\n", io::signal_name(signal).c_str(),
               done);
  const std::string steps =
      done == 0 ? std::string("no steps") : "steps 0.." + std::to_string(done - 1);
  const std::pair<stats::CsvFile*, const std::string*> files[] = {
      {csv, &a.stats_out}, {hist_csv, &a.hist_out}, {time_csv, &a.time_out}};
  for (const auto& [file, path] : files) {
    if (!file) continue;
    file->commit();
    std::fprintf(stderr, "gradtower: interrupted at step %u: wrote %s to %s\n", done, steps.c_str(),
                 path->c_str());
  }
  if (dump && a.dump_step && *a.dump_step >= done)
    std::fprintf(stderr, "gradtower: --dump-step %u not reached: %s not written\n", *a.dump_step,
                 a.dump_out.c_str());
  return io::interrupt_exit_code(signal);
}
// Non-finite values over the whole run, from the statistics of every step.
struct NonFinite {
  uint64_t losses = 0;      // steps whose loss is not finite
  uint64_t dw_entries = 0;  // entries of dW, summed over layers and steps

  void add(const gpu::StepStats& s) {
    losses += !std::isfinite(s.loss);
    for (const auto& l : s.layers)
      dw_entries += l.nonfinite;
  }
  std::string text(uint32_t steps) const {
    if (losses == 0 && dw_entries == 0) return "none";
    return "loss at " + std::to_string(losses) + " of " + std::to_string(steps) + " steps, " +
           std::to_string(dw_entries) + " dW entries";
  }
};

}  // namespace

void add_train(CLI::App& app, TrainArgs& a) {
  CLI::App* c = app.add_subcommand("train", "Train a scene headless");
  c->add_option("scene", a.scene, "Scene file (TOML)")->required();
  c->add_option("--steps", a.steps, "Training steps (default: the scene's train.steps)");
  c->add_option("--set", a.overrides, "Override a scene key: section.key=value (repeatable)");
  c->add_option("--stats-out", a.stats_out, "Write per-step, per-layer statistics to this CSV");
  c->add_option("--hist-out", a.hist_out,
                "Write per-layer |dW| histograms (train.hist_lo..hist_hi decades) to this CSV");
  c->add_option("--time-out", a.time_out,
                "Write recurrent layers' per-time-step figures (||dL/dh_t||, ...) to this CSV");
  c->add_option("--stats-every", a.stats_every, "Write statistics and histograms every K steps")
      ->check(CLI::Range(1u, 1u << 30));
  c->add_option("--dump-step", a.dump_step, "Dump parameters, gradients, batch and loss of step S");
  c->add_option("--dump-out", a.dump_out, "Safetensors file for --dump-step");
  c->add_option("--init-from", a.init_from, "Initial parameters from a safetensors file");
  c->add_flag("--quiet", a.quiet, "No progress on stderr");
  add_device_flags(c, a.device);
  add_kernel_flag(c, a.device);
}

int run_train(const TrainArgs& a) {
  std::vector<std::string> overrides = a.overrides;
  if (a.steps) overrides.push_back("train.steps=" + std::to_string(*a.steps));
  const net::Scene scene = scene::load(a.scene, overrides);
  const uint32_t steps = scene.train.steps;
  if (a.dump_step.has_value() != !a.dump_out.empty())
    throw std::runtime_error("--dump-step and --dump-out go together");
  if (a.dump_step && *a.dump_step >= steps)
    throw std::runtime_error("--dump-step " + std::to_string(*a.dump_step) +
                             (steps == 0 ? std::string(": the run has no steps")
                                         : ": the run has steps 0.." + std::to_string(steps - 1)));
  // Read everything the run needs before any GPU work, so bad input fails fast.
  std::optional<net::Params> initial;
  if (!a.init_from.empty()) initial = io::read_params(a.init_from, scene.network);
  // Every output opened now, each under a temporary name of its own: a place where none can be
  // made, or two flags naming one file, fail before the first step.
  io::poll_interrupts();  // from here a signal ends the run between steps, keeping the prefix
  std::unique_ptr<stats::CsvWriter> csv;
  if (!a.stats_out.empty())
    csv = std::make_unique<stats::CsvWriter>(a.stats_out, "--stats-out " + a.stats_out,
                                             scene.eval.every > 0,
                                             scene.eval.set && scene.eval.set->classes > 0);
  std::unique_ptr<stats::HistCsvWriter> hist_csv;
  if (!a.hist_out.empty())
    hist_csv = std::make_unique<stats::HistCsvWriter>(a.hist_out, "--hist-out " + a.hist_out);
  std::unique_ptr<stats::TimeCsvWriter> time_csv;
  if (!a.time_out.empty())
    time_csv = std::make_unique<stats::TimeCsvWriter>(a.time_out, "--time-out " + a.time_out);
  std::unique_ptr<io::OutputFile> dump_file;
  if (!a.dump_out.empty())
    dump_file = std::make_unique<io::OutputFile>(a.dump_out, "--dump-out " + a.dump_out);
  io::check_distinct({csv ? &csv->file() : nullptr, hist_csv ? &hist_csv->file() : nullptr,
                      time_csv ? &time_csv->file() : nullptr, dump_file.get()});

  auto ctx = make_context(a.device);
  gpu::NetworkOptions options;
  options.kernels = gpu::parse_kernels(a.device.kernels);
  gpu::Network net(*ctx, scene, options);
  if (initial) net.set_params(*initial);
  std::vector<uint32_t> recurrent;  // the layers --time-out writes
  for (uint32_t l = 0; l < net.plan().num_layers; ++l)
    if (gpu::is_recurrent(net.plan().layers[l])) recurrent.push_back(l);
  if (time_csv && recurrent.empty())
    throw std::runtime_error("--time-out " + a.time_out +
                             ": the scene's network has no recurrent layer (an rnn op)");
  if (!a.quiet)
    std::fprintf(stderr, "gradtower: %s on %s: %u weight layers, %s on the device, %s kernels\n",
                 scene.title.c_str(), ctx->info().name.c_str(), net.plan().num_layers,
                 gpu::format_bytes(net.plan().total_bytes()).c_str(),
                 gpu::to_string(net.kernels()));

  const bool classification = scene.eval.set && scene.eval.set->classes > 0;
  Progress progress(steps, a.quiet, classification);
  // Steps run in chunks no longer than the GPU's statistics ring, so reading the ring after a
  // chunk sees every step of it: for the CSV, and to count non-finite values over the run.
  const uint32_t chunk = net.plan().ring_len;
  NonFinite nonfinite;
  uint32_t done = 0;
  const uint32_t every = scene.eval.every;
  const uint32_t epoch_steps = scene.data.set ? scene.data.batches_per_epoch() : 0;
  std::optional<gpu::EvalResult> eval;  // the latest held-out figures
  while (done < steps) {
    if (const int signal = io::interrupt_signal()) {
      progress.end_line();
      return finish_interrupted(signal, done, a, csv.get(), hist_csv.get(), time_csv.get(),
                                dump_file.get());
    }
    uint32_t n = std::min(chunk, steps - done);
    // A chunk ends at each evaluation (after every `every` steps, and after the last).
    if (every > 0) n = std::min(n, (done / every + 1) * every - done);
    // The GPU keeps the histograms and per-time figures of the latest step only: a chunk ends at
    // each step written.
    if (hist_csv || time_csv) {
      const uint64_t k = a.stats_every, next = (done + k - 1) / k * k;
      n = static_cast<uint32_t>(std::min<uint64_t>(n, next - done + 1));
    }
    if (a.dump_step && *a.dump_step == done) {
      // The dump holds the parameters before this step's update and everything of the step.
      io::StepDump dump;
      dump.params = net.params();
      n = 1;
      net.train(1);
      dump.grads = net.grads();
      gpu::Batch batch = net.batch();
      dump.batch = batch.size;
      dump.input = std::move(batch.input);
      dump.target = std::move(batch.target);
      dump.loss = net.loss();
      io::write_safetensors(*dump_file, io::dump_tensors(dump));
    } else {
      if (a.dump_step && *a.dump_step > done) n = std::min(n, *a.dump_step - done);
      net.train(n);
    }
    const bool evaluated = every > 0 && ((done + n) % every == 0 || done + n == steps);
    if (evaluated) eval = net.evaluate();
    for (const gpu::StepStats& s : net.history()) {
      if (s.step < done || s.step >= done + n) continue;
      nonfinite.add(s);
      const bool last = s.step == done + n - 1;
      if (csv && (s.step % a.stats_every == 0 || (evaluated && last)))
        csv->write(s, evaluated && last ? &*eval : nullptr);
    }
    if (hist_csv && (done + n - 1) % a.stats_every == 0) hist_csv->write(net.histograms());
    if (time_csv && (done + n - 1) % a.stats_every == 0)
      for (uint32_t l : recurrent)
        time_csv->write(done + n - 1, l + 1, net.time_stats(l));
    done += n;
    progress.update(done, net.loss(), done == steps, epoch_steps, eval ? &*eval : nullptr);
  }
  if (csv) csv->commit();
  if (hist_csv) hist_csv->commit();
  if (time_csv) time_csv->commit();
  if (steps > 0 && !a.quiet) {
    const gpu::StepStats last = net.latest_stats();
    std::vector<float> norms(last.layers.size());
    for (size_t l = 0; l < norms.size(); ++l)
      norms[l] = last.layers[l].grad_w_norm;
    const auto [hi, lo] = render::dw_extremes(norms);  // among the layers whose norm is not NaN
    const auto g3 = [](float v) { return render::number_text(v, "%.3g"); };
    std::fprintf(stderr,
                 "gradtower: final loss %s; |dW| layer 1 %s, layer %u %s; smallest %s (layer %zu), "
                 "largest %s (layer %zu); non-finite over the run: %s\n",
                 render::number_text(last.loss, "%.6g").c_str(), g3(norms.front()).c_str(),
                 net.plan().num_layers, g3(norms.back()).c_str(), g3(norms[lo]).c_str(), lo + 1,
                 g3(norms[hi]).c_str(), hi + 1, nonfinite.text(steps).c_str());
    if (eval) {
      std::fprintf(stderr, "gradtower: held-out set (%u samples) after step %u: loss %s%s\n",
                   eval->samples, steps, render::number_text(eval->loss, "%.6g").c_str(),
                   classification
                       ? (", accuracy " + render::number_text(eval->accuracy, "%.4f")).c_str()
                       : "");
    }
  }
  return validation_exit_code(*ctx);
}

}  // namespace gt::cli
