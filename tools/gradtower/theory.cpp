// gradtower theory: what mean-field theory predicts for a scene's gradients at initialisation
// (engine/theory, docs/THEORY.md). No GPU: runs anywhere, in milliseconds.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <memory>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "cli.hpp"
#include "flag_checks.hpp"
#include "io/output_file.hpp"
#include "net/init.hpp"
#include "scene/scene.hpp"
#include "theory/meanfield.hpp"

namespace gt::cli {
namespace {

std::string layers_for(double decades) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.3g", 1.0 / std::abs(decades));
  return buf;
}

std::string verdict(const theory::MeanField& mf) {
  if (mf.critical)
    return "critical (edge of chaos): chi1 = 1, gradients keep their scale at the fixed point";
  if (mf.chi1 == 0) return "ordered/vanishing: chi1 = 0, no gradient reaches below the output";
  const std::string every = layers_for(mf.decades_per_layer);
  if (mf.exploding)
    return "chaotic/exploding: gradients (dL/dz) grow by a factor 10 every " + every +
           " layers toward the input";
  return "ordered/vanishing: gradients (dL/dz) shrink by a factor 10 every " + every +
         " layers toward the input";
}

// Layers shown in the table: the first, about every tenth, the last.
std::set<size_t> shown_layers(size_t n) {
  std::set<size_t> rows{1, n};
  const size_t step = std::max<size_t>(1, n / 10);
  for (size_t l = step; l < n; l += step)
    rows.insert(l);
  return rows;
}

void print(const net::Scene& s, const theory::MeanField& mf, const TheoryArgs& a) {
  const net::NetworkSpec& n = s.network;
  const size_t layers = n.num_layers();
  std::printf("%s\n", s.title.c_str());
  std::string shape = std::to_string(n.depth) + " hidden of width " + std::to_string(n.width);
  if (!n.explicit_sizes.empty()) {  // network.sizes: hidden widths may differ
    shape = "sizes";
    for (size_t i = 0; i < n.explicit_sizes.size(); ++i)
      shape += (i ? ", " : " ") + std::to_string(n.explicit_sizes[i]);
  }
  std::printf("  network      %zu weight layers (%s), activation %s, init %s\n", layers,
              shape.c_str(), std::string(net::to_string(n.activation)).c_str(),
              std::string(net::to_string(n.init)).c_str());
  if (!n.initial.empty())
    std::printf(
        "  note         the scene gives its parameters exactly ([[network.layer]]); this is "
        "the theory of network.init's random draw, not of them\n");
  std::printf("  sigma_w      %.6g   (hidden layer: fan_in Var(W))\n", mf.sigma_w);
  std::printf("  sigma_b      %.6g%s\n", mf.sigma_b,
              net::init_draws_biases(n.init) ? "" : "   (this init sets the biases to 0)");
  std::printf("  q*           %.6g   %s (from q^1 = %.6g, input E[x^2] = %.6g)\n", mf.q_star,
              mf.q_finite ? "fixed point of the length map" : "no finite fixed point: q^l grows",
              mf.q.front(), a.input_moment);
  std::printf("  chi1         %.6g   sigma_w^2 E[phi'(h)^2], h ~ N(0, q*)\n", mf.chi1);
  if (mf.critical)
    std::printf("  depth scale  infinite (chi1 = 1)\n");
  else
    std::printf("  depth scale  %.4g layers   (%s: |dL/dz|^2 changes by e every this many)\n",
                mf.depth_scale, mf.exploding ? "1/ln chi1, exploding" : "-1/ln chi1, vanishing");
  std::printf("  verdict      %s\n", verdict(mf).c_str());
  std::printf("  prediction   |dW_1| / |dW_N| = 10^%.3g (per layer), 10^%.3g (all at q*)\n",
              mf.log10_grad_ratio.front(), mf.log10_grad_ratio_fixed.front());
  if (mf.q_star == 0 || !mf.q_finite)
    std::printf(
        "  note         the activations %s with depth, so |dW_l| = |dL/dz_l| |x_{l-1}| "
        "follows the per-layer column, not chi1 alone\n",
        mf.q_finite ? "vanish (q* = 0)" : "grow without bound");
  std::printf("\n  %7s  %12s  %10s  %22s  %12s\n", "layer", "q^l", "chi^l", "log10 |dW_l|/|dW_N|",
              "at q*");
  for (size_t l : shown_layers(layers)) {
    char chi[32] = "-";  // none above the output layer
    if (l < layers) std::snprintf(chi, sizeof chi, "%.6g", mf.chi[l - 1]);
    std::printf("  %7zu  %12.6g  %10s  %22.3f  %12.3f\n", l, mf.q[l - 1], chi,
                mf.log10_grad_ratio[l - 1], mf.log10_grad_ratio_fixed[l - 1]);
  }
}

void write_csv(io::OutputFile& out, const std::vector<theory::MeanField>& runs) {
  out.write("layer,q,predicted_log10_ratio,fixed_point_log10_ratio,chi,run\n");
  char line[256];
  for (size_t r = 0; r < runs.size(); ++r) {
    const theory::MeanField& mf = runs[r];
    for (size_t l = 1; l <= mf.q.size(); ++l) {
      const int n = std::snprintf(line, sizeof line, "%zu,%.12g,%.12g,%.12g,%.12g,%zu\n", l,
                                  mf.q[l - 1], mf.log10_grad_ratio[l - 1],
                                  mf.log10_grad_ratio_fixed[l - 1], mf.chi[l - 1], r + 1);
      out.write(line, std::min(size_t(n), sizeof line - 1));
    }
  }
  out.commit();
}

}  // namespace

void add_theory(CLI::App& app, TheoryArgs& a) {
  CLI::App* c = app.add_subcommand(
      "theory", "Mean-field prediction of the per-layer gradient scale at initialisation");
  c->add_option("scene", a.scene, "Scene file (TOML)")->required();
  c->add_option("--set", a.overrides, "Override a scene key: section.key=value (repeatable)");
  c->add_option("--csv", a.csv, "Write layer,q,predicted_log10_ratio,... for every layer");
  c->add_option("--input-moment", a.input_moment, "E[x^2] of one input feature (default 1)")
      ->check(finite_positive());
}

int run_theory(const TheoryArgs& a) {
  const std::vector<net::Scene> scenes = scene::load_runs(a.scene, a.overrides);
  std::unique_ptr<io::OutputFile> csv;  // opened now: a bad place fails before any output
  if (!a.csv.empty()) csv = std::make_unique<io::OutputFile>(a.csv, "--csv " + a.csv);
  std::vector<theory::MeanField> results;
  bool all_covered = true;
  for (size_t r = 0; r < scenes.size(); ++r) {
    if (scenes.size() > 1) std::printf("run %zu: ", r + 1);
    // Residual and normalized networks are outside the theory: a note instead of numbers, and
    // exit code 1, so a script never takes a missing prediction for one.
    if (const std::optional<std::string> why = theory::not_covered(scenes[r].network)) {
      std::printf("%s\n  %s\n", scenes[r].title.c_str(), why->c_str());
      all_covered = false;
    } else {
      results.push_back(
          theory::mean_field(scenes[r].network, {.input_second_moment = a.input_moment}));
      print(scenes[r], results.back(), a);
    }
    if (r + 1 < scenes.size()) std::printf("\n");
  }
  if (!all_covered) {
    std::fprintf(stderr, "gradtower theory: no prediction for %s%s\n",
                 scenes.size() > 1 ? "some runs" : "this scene",
                 a.csv.empty() ? "" : "; --csv not written");
    return 1;
  }
  if (csv) write_csv(*csv, results);
  return 0;
}

}  // namespace gt::cli
